// Package seal encrypts personal data at rest with AES-256-GCM, so a kiosk's or a center's
// database file holds names, ID numbers and licence fields only as ciphertext.
//
// A sealed value is: version byte (1) ‖ 12-byte random nonce ‖ GCM ciphertext and tag. The
// additional data (aad) binds a value to its row (e.g. the application ID), so a sealed blob
// copied to another row does not open. BlindIndex gives a keyed hash of an identifier (an ID
// number) for equality look-ups without keeping it in clear.
//
// The 32-byte key comes from a file or an environment variable (LoadKey); losing it loses the
// data, and whoever holds it can read the data, so it lives apart from the database file.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the key length in bytes (AES-256).
const KeySize = 32

// version1 is the first byte of every value Seal produces today.
const version1 byte = 1

// Errors callers act on.
var (
	// ErrNoKey: neither the key file nor the environment variable is set.
	ErrNoKey = errors.New("seal: no key")
	// ErrBadKey: the key is not 32 bytes (or 64 hex characters).
	ErrBadKey = errors.New("seal: bad key")
	// ErrOpen: the value was tampered with, belongs to another row (aad) or another key.
	ErrOpen = errors.New("seal: cannot open sealed value")
)

// Sealer seals and opens values with one key. It is safe for concurrent use.
type Sealer struct {
	aead     cipher.AEAD
	indexKey []byte
}

// New returns a Sealer for a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBadKey, len(key), KeySize)
	}
	// Separate subkeys, so the index key never doubles as the encryption key.
	encKey := derive(key, "onestop/seal/v1/aes-gcm")
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Sealer{aead: aead, indexKey: derive(key, "onestop/seal/v1/blind-index")}, nil
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plain, binding it to aad, with a fresh random nonce.
func (s *Sealer) Seal(plain, aad []byte) []byte {
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+s.aead.Overhead())
	out[0] = version1
	// crypto/rand.Read never fails (Go 1.24+): it crashes the program rather than return
	// predictable bytes.
	_, _ = rand.Read(out[1 : 1+ns])
	return s.aead.Seal(out, out[1:1+ns], plain, aad)
}

// Open decrypts a value made by Seal with the same key and aad.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrOpen, len(sealed))
	}
	if sealed[0] != version1 {
		return nil, fmt.Errorf("%w: unknown version %d", ErrOpen, sealed[0])
	}
	plain, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// BlindIndex returns a keyed hash (HMAC-SHA256, hex) of s, so a store can find rows by an ID
// number without keeping the number: equal inputs give equal indexes under one key, and
// without the key the index reveals nothing and cannot be brute-forced offline.
func (s *Sealer) BlindIndex(v string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// LoadKey reads the key from file (64 hex characters, or exactly 32 raw bytes) when file is
// not empty, else from the environment variable envVar (64 hex characters).
func LoadKey(file, envVar string) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("seal: key file: %w", err)
		}
		if len(b) == KeySize {
			return b, nil
		}
		k, err := parseHex(string(b))
		if err != nil {
			return nil, fmt.Errorf("seal: key file %s: %w", file, err)
		}
		return k, nil
	}
	if envVar != "" {
		if v, ok := os.LookupEnv(envVar); ok && v != "" {
			k, err := parseHex(v)
			if err != nil {
				return nil, fmt.Errorf("seal: $%s: %w", envVar, err)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w: give a key file or set $%s to 64 hex characters", ErrNoKey, envVar)
}

func parseHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2*KeySize {
		return nil, fmt.Errorf("%w: want %d hex characters or %d raw bytes", ErrBadKey, 2*KeySize, KeySize)
	}
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrBadKey)
	}
	return k, nil
}

// GenerateKeyFile writes a new random key to path as 64 hex characters, readable by the
// owner only. It refuses to overwrite an existing file: that would lose every sealed value.
func GenerateKeyFile(path string) error {
	key := make([]byte, KeySize)
	_, _ = rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("seal: generate key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("seal: generate key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("seal: generate key: %w", err)
	}
	return nil
}
