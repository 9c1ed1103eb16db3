// Package passhash hashes and checks passwords for the lab's accounts (MQTT broker users, web
// console users) as salted PBKDF2-SHA256, written "pbkdf2-sha256$iter$salt$key" with salt and key
// in unpadded standard base64. Plain passwords are never stored.
package passhash

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
)

// Scheme is the first field of every hash.
const Scheme = "pbkdf2-sha256"

// Iter is the PBKDF2 work factor for new hashes: enough to slow offline guessing, small enough
// that a reconnect storm of agents does not stall the broker.
const Iter = 20000

// Bounds of the work factor a hash may carry; outside them the hash is refused, so a stored
// hash can neither be trivially weak nor stall the checker.
const (
	minIter = 1000
	maxIter = 10_000_000
)

// ErrFormat marks a string that is not a hash of this scheme.
var ErrFormat = errors.New("passhash: not a " + Scheme + " hash")

var enc = base64.RawStdEncoding

// Hash returns a freshly salted hash of password.
func Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("passhash: salt: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, Iter, 32)
	if err != nil {
		return "", fmt.Errorf("passhash: derive: %w", err)
	}
	return fmt.Sprintf("%s$%d$%s$%s", Scheme, Iter, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

type parsed struct {
	iter      int
	salt, key []byte
}

func parse(hash string) (parsed, error) {
	p := strings.Split(hash, "$")
	if len(p) != 4 || p[0] != Scheme {
		return parsed{}, ErrFormat
	}
	iter, err := strconv.Atoi(p[1])
	if err != nil || iter < minIter || iter > maxIter {
		return parsed{}, fmt.Errorf("%w: iteration count %q", ErrFormat, p[1])
	}
	salt, err1 := enc.DecodeString(p[2])
	key, err2 := enc.DecodeString(p[3])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return parsed{}, fmt.Errorf("%w: salt or key not base64", ErrFormat)
	}
	return parsed{iter, salt, key}, nil
}

// Validate reports whether hash can be checked at all (the scheme, a sane work factor, salt and
// key), so configuration mistakes show at start-up instead of as refused logins.
func Validate(hash string) error {
	_, err := parse(hash)
	return err
}

// Check reports whether password matches hash, comparing in constant time. Malformed hashes
// never match.
func Check(hash, password string) bool {
	h, err := parse(hash)
	if err != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, h.salt, h.iter, len(h.key))
	return err == nil && subtle.ConstantTimeCompare(got, h.key) == 1
}

// Dummy returns a valid hash of a random password, made once per process. Checking a login
// for an unknown user against it costs what a wrong password for a known user costs, so the
// answer's timing does not tell which names exist.
func Dummy() string { return dummy() }

var dummy = sync.OnceValue(func() string {
	pw := make([]byte, 32)
	rand.Read(pw) // never fails (crypto/rand panics rather than return short)
	h, err := Hash(enc.EncodeToString(pw))
	if err != nil {
		// Unreachable in practice; still a hash of the right cost that nothing matches.
		return fmt.Sprintf("%s$%d$%s$%s", Scheme, Iter, enc.EncodeToString(pw[:16]), enc.EncodeToString(pw))
	}
	return h
})
