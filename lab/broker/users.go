package broker

import (
	"errors"
	"fmt"
	"sync"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/internal/passhash"
)

// Role says what a user may do on the broker.
type Role string

// Roles.
const (
	RoleLab   Role = "lab"   // the lab station: everything under the topic root
	RoleAgent Role = "agent" // one device agent: only its own topics
)

// User is one broker account. Site limits the user to one site; empty means any site.
type User struct {
	Name string `toml:"name" json:"name"`
	Role Role   `toml:"role" json:"role"`
	Site string `toml:"site" json:"site,omitempty"`
	// Hash is the output of HashPassword; plain passwords are never stored.
	Hash string `toml:"password_hash" json:"-"`
}

// ErrUser marks a user definition the broker refuses.
var ErrUser = errors.New("broker: bad user")

// HashPassword returns a salted PBKDF2-SHA256 hash of password for User.Hash (see
// internal/passhash, which the web console's accounts share).
func HashPassword(password string) (string, error) {
	h, err := passhash.Hash(password)
	if err != nil {
		return "", fmt.Errorf("broker: hash password: %w", err)
	}
	return h, nil
}

// checkPassword reports whether password matches hash. Malformed hashes never match.
func checkPassword(hash, password string) bool { return passhash.Check(hash, password) }

// NewUser makes a User with a freshly hashed password.
func NewUser(name string, role Role, site, password string) (User, error) {
	h, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{Name: name, Role: role, Site: site, Hash: h}
	return u, u.Validate()
}

// Validate checks that the user can be enforced: names must be single topic levels so that
// they can be placed in ACL patterns without widening them.
func (u User) Validate() error {
	switch {
	case !telemetry.ValidName(u.Name):
		return fmt.Errorf("%w: name %q", ErrUser, u.Name)
	case u.Role != RoleLab && u.Role != RoleAgent:
		return fmt.Errorf("%w: %s: role %q (want lab or agent)", ErrUser, u.Name, u.Role)
	case u.Site != "" && !telemetry.ValidName(u.Site):
		return fmt.Errorf("%w: %s: site %q", ErrUser, u.Name, u.Site)
	}
	if err := passhash.Validate(u.Hash); err != nil {
		return fmt.Errorf("%w: %s: password_hash: %w (make one with lab hash-password)", ErrUser, u.Name, err)
	}
	return nil
}

// users is the live account table; the hook reads it on every check, so changes apply at once.
type users struct {
	mu sync.RWMutex
	m  map[string]User
}

func newUsers(list []User) (*users, error) {
	us := &users{m: make(map[string]User, len(list))}
	for _, u := range list {
		if err := us.put(u); err != nil {
			return nil, err
		}
	}
	return us, nil
}

func (us *users) put(u User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	us.m[u.Name] = u
	return nil
}

func (us *users) remove(name string) {
	us.mu.Lock()
	defer us.mu.Unlock()
	delete(us.m, name)
}

func (us *users) get(name string) (User, bool) {
	us.mu.RLock()
	defer us.mu.RUnlock()
	u, ok := us.m[name]
	return u, ok
}

func (us *users) count() int {
	us.mu.RLock()
	defer us.mu.RUnlock()
	return len(us.m)
}
