package report

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Key files in the directory given to LoadOrCreateKey.
const (
	KeyFile    = "report-ed25519.key"
	PubKeyFile = "report-ed25519.pub"
)

const sigTag = "%ONESTOP-SIG v1 ed25519 "

// Errors of Verify.
var (
	ErrUnsigned = errors.New("report: file is not signed")
	ErrAltered  = errors.New("report: file was altered after signing (or signed by another key)")
)

// Signer signs reports with the lab's Ed25519 key.
type Signer struct {
	key ed25519.PrivateKey
}

// LoadOrCreateKey reads the lab's key from dir, making it (and dir) on first use.
func LoadOrCreateKey(dir string) (*Signer, error) {
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createKey(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("report: signing key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("report: signing key %s: not a base64 Ed25519 seed", path)
	}
	return &Signer{key: ed25519.NewKeyFromSeed(seed)}, nil
}

func createKey(dir string) (*Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("report: signing key: %w", err)
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("report: signing key: %w", err)
	}
	path := filepath.Join(dir, KeyFile)
	// O_EXCL: two first runs at once must not each write a key and sign with different ones.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKey(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("report: signing key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key.Seed()) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("report: signing key: %w", err)
	}
	pubText := base64.StdEncoding.EncodeToString(pub) + "\n"
	if err := os.WriteFile(filepath.Join(dir, PubKeyFile), []byte(pubText), 0o644); err != nil {
		return nil, fmt.Errorf("report: public key: %w", err)
	}
	return &Signer{key: key}, nil
}

// Public is the key Verify needs.
func (s *Signer) Public() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// KeyID is the short name of a public key printed in the signature line.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(h[:8])
}

var keywordsRE = regexp.MustCompile(`/Keywords \(` + keywordPrefix + `([A-Za-z0-9._/-]{1,64})\)`)

// number finds the report number Render put in the Info dictionary.
func number(pdf []byte) (string, error) {
	m := keywordsRE.FindAllSubmatch(pdf, -1)
	if len(m) != 1 {
		return "", fmt.Errorf("report: no single report number in the PDF's Info dictionary")
	}
	return string(m[0][1]), nil
}

// Sign appends the signature line (see the package documentation) to a PDF made by Render.
func (s *Signer) Sign(pdf []byte) ([]byte, error) {
	if !bytes.HasSuffix(bytes.TrimRight(pdf, "\r\n"), []byte("%%EOF")) {
		return nil, fmt.Errorf("report: sign: not a complete PDF (no %%%%EOF at the end)")
	}
	if bytes.Contains(pdf, []byte(sigTag)) {
		return nil, fmt.Errorf("report: sign: already signed")
	}
	no, err := number(pdf)
	if err != nil {
		return nil, fmt.Errorf("report: sign: %w", err)
	}
	out := make([]byte, 0, len(pdf)+200)
	out = append(out, pdf...)
	if out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, sigTag+no+" "+KeyID(s.Public())+" "...)
	sig := ed25519.Sign(s.key, out)
	out = append(out, base64.StdEncoding.EncodeToString(sig)+"\n"...)
	return out, nil
}

// Verify checks a signed report against the lab's public key and returns its number.
func Verify(signed []byte, pub ed25519.PublicKey) (string, error) {
	i := bytes.LastIndex(signed, []byte(sigTag))
	if i < 0 {
		return "", ErrUnsigned
	}
	if len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("report: verify: public key of %d bytes", len(pub))
	}
	line := signed[i:]
	if bytes.IndexAny(line, "\r\n") != len(line)-1 || line[len(line)-1] != '\n' {
		return "", fmt.Errorf("%w: signature line does not end the file", ErrAltered)
	}
	f := strings.Split(string(line[len(sigTag):len(line)-1]), " ")
	if len(f) != 3 {
		return "", fmt.Errorf("%w: malformed signature line", ErrAltered)
	}
	no, id, sigText := f[0], f[1], f[2]
	if id != KeyID(pub) {
		return "", fmt.Errorf("%w: signed by key %s, not %s", ErrAltered, id, KeyID(pub))
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(sigText)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "", fmt.Errorf("%w: malformed signature", ErrAltered)
	}
	msg := signed[:len(signed)-1-len(sigText)]
	if !ed25519.Verify(pub, msg, sig) {
		return "", fmt.Errorf("%w: signature does not match report %s", ErrAltered, no)
	}
	if inner, err := number(signed[:i]); err != nil || inner != no {
		return "", fmt.Errorf("%w: report number %s not the one in the file", ErrAltered, no)
	}
	return no, nil
}

// ReadPublicKey reads a public key file written by LoadOrCreateKey (base64, one line).
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: public key: %w", err)
	}
	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("report: public key %s: not a base64 Ed25519 public key", path)
	}
	return ed25519.PublicKey(pub), nil
}
