package broker

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/onestop-station/onestop/agent/telemetry"
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

// hashIter is the PBKDF2 work factor for new hashes: enough to slow offline guessing, small
// enough that a reconnect storm of agents does not stall the broker.
const hashIter = 20000

const hashScheme = "pbkdf2-sha256"

// ErrUser marks a user definition the broker refuses.
var ErrUser = errors.New("broker: bad user")

// HashPassword returns a salted PBKDF2-SHA256 hash of password for User.Hash.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("broker: hash password: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, hashIter, 32)
	if err != nil {
		return "", fmt.Errorf("broker: hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", hashScheme, hashIter, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkPassword reports whether password matches hash. Malformed hashes never match.
func checkPassword(hash, password string) bool {
	p := strings.Split(hash, "$")
	if len(p) != 4 || p[0] != hashScheme {
		return false
	}
	iter, err := strconv.Atoi(p[1])
	if err != nil || iter < 1000 || iter > 10_000_000 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(p[2])
	want, err2 := enc.DecodeString(p[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

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
	case !strings.HasPrefix(u.Hash, hashScheme+"$"):
		return fmt.Errorf("%w: %s: password_hash is not a %s hash", ErrUser, u.Name, hashScheme)
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
