package backend

// Resident codes (居民码, an e-ID QR code): a person without their ID card shows one at a
// kiosk to identify. The kiosk only forwards the scanned code (POST /v1/identity/resolve);
// the issuer verifies it. A real city platform issues and verifies its own codes; the Store's
// codes serve the demo and the tests, and a platform that has none answers 404.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/onestop-station/onestop/drivers/idcard"
)

// CodeResolver is a Backend that can resolve resident codes. Store, Client and Spool are
// one; a terminal asserts its Backend to it.
type CodeResolver interface {
	// ResolveCode returns who a resident code names. A malformed, tampered, foreign or
	// expired code gives an error wrapping ErrInvalid.
	ResolveCode(ctx context.Context, code string) (name, idNumber string, err error)
}

var (
	_ CodeResolver = (*Store)(nil)
	_ CodeResolver = (*Client)(nil)
	_ CodeResolver = (*Spool)(nil)
)

// ResidentCodePrefix starts every resident code the Store issues; the digit is the format.
const ResidentCodePrefix = "JMM1:"

// DefaultResidentCodeTTL is how long a code stays valid when IssueResidentCode is given none:
// a QR code on a phone screen is shown and scanned within minutes.
const DefaultResidentCodeTTL = 5 * time.Minute

const (
	residentCodeAAD = "resident-code" // binds the sealed value to its use
	maxResidentName = 128             // bytes; the longest names on ID cards are far shorter
	// maxResidentCode bounds what ResolveCode decodes: an issued code is well under it.
	maxResidentCode = 2048
)

// residentClaims is the sealed content of a resident code.
type residentClaims struct {
	Name     string `json:"n"`
	IDNumber string `json:"id"`
	Expires  int64  `json:"exp"` // unix seconds
}

// IssueResidentCode returns a resident code for the person, valid for ttl (≤ 0 means
// DefaultResidentCodeTTL): ResidentCodePrefix + base64url (no padding) of the sealed JSON
// {"n": name, "id": idNumber, "exp": unix seconds}, with additional data "resident-code".
// Only a Store with the same key resolves it.
func (st *Store) IssueResidentCode(ctx context.Context, name, idNumber string, ttl time.Duration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("backend: issue resident code: %w", err)
	}
	if err := checkResident(name, idNumber); err != nil {
		return "", fmt.Errorf("backend: issue resident code: %w", err)
	}
	if ttl <= 0 {
		ttl = DefaultResidentCodeTTL
	}
	plain, err := json.Marshal(residentClaims{Name: name, IDNumber: idNumber, Expires: st.now().Add(ttl).Unix()})
	if err != nil {
		return "", fmt.Errorf("backend: issue resident code: %w", err)
	}
	sealed := st.seal.Seal(plain, []byte(residentCodeAAD))
	return ResidentCodePrefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// ResolveCode opens a resident code issued by a Store with the same key and returns the
// person it names. Anything malformed, tampered with, sealed with another key or expired (by
// the Store's clock) gives an error wrapping ErrInvalid; errors never carry personal data.
func (st *Store) ResolveCode(ctx context.Context, code string) (name, idNumber string, err error) {
	if err := ctx.Err(); err != nil {
		return "", "", fmt.Errorf("backend: resolve code: %w", err)
	}
	c, err := st.openResidentCode(code)
	if err != nil {
		return "", "", fmt.Errorf("backend: resolve code: %w", err)
	}
	return c.Name, c.IDNumber, nil
}

func (st *Store) openResidentCode(code string) (residentClaims, error) {
	code = strings.TrimSpace(code) // scanners end a read with CR or LF
	if len(code) > maxResidentCode {
		return residentClaims{}, fmt.Errorf("%w: code longer than %d bytes", ErrInvalid, maxResidentCode)
	}
	body, ok := strings.CutPrefix(code, ResidentCodePrefix)
	if !ok {
		return residentClaims{}, fmt.Errorf("%w: not a resident code (want %s…)", ErrInvalid, ResidentCodePrefix)
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil {
		return residentClaims{}, fmt.Errorf("%w: resident code is not base64url", ErrInvalid)
	}
	plain, err := st.seal.Open(sealed, []byte(residentCodeAAD))
	if err != nil {
		// Tampered with, cut, or from another key: which one is nobody's business.
		return residentClaims{}, fmt.Errorf("%w: resident code does not verify", ErrInvalid)
	}
	var c residentClaims
	dec := json.NewDecoder(strings.NewReader(string(plain)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return residentClaims{}, fmt.Errorf("%w: resident code content unreadable", ErrInvalid)
	}
	if err := checkResident(c.Name, c.IDNumber); err != nil {
		return residentClaims{}, fmt.Errorf("resident code content: %w", err)
	}
	if c.Expires <= 0 || !st.now().Before(time.Unix(c.Expires, 0)) {
		return residentClaims{}, fmt.Errorf("%w: resident code expired", ErrInvalid)
	}
	return c, nil
}

// checkResident validates a code's person. The errors name the field, never its value.
func checkResident(name, idNumber string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("%w: missing name", ErrInvalid)
	case len(name) > maxResidentName:
		return fmt.Errorf("%w: name longer than %d bytes", ErrInvalid, maxResidentName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: name is not UTF-8", ErrInvalid)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("%w: name holds control characters", ErrInvalid)
	}
	if err := idcard.ValidateIDNumber(idNumber); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// ResolveCodeRequest is the body of POST /v1/identity/resolve.
type ResolveCodeRequest struct {
	Code string `json:"code"`
}

// ResolvedIdentity is its answer. It is personal data.
type ResolvedIdentity struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
}

// String hides the person, as Person's does.
func (ResolvedIdentity) String() string { return "backend.ResolvedIdentity{…}" }

// ResolveCode asks the backend who a scanned resident code names.
func (c *Client) ResolveCode(ctx context.Context, code string) (name, idNumber string, err error) {
	var out ResolvedIdentity
	if err := c.do(ctx, http.MethodPost, "/v1/identity/resolve", ResolveCodeRequest{Code: code}, &out); err != nil {
		return "", "", err
	}
	if out.Name == "" || out.IDNumber == "" {
		return "", "", fmt.Errorf("backend: POST /v1/identity/resolve: %w: response without name or id_number", ErrUnavailable)
	}
	return out.Name, out.IDNumber, nil
}

// ResolveCode asks the remote when it can resolve codes; a code is never kept for later.
func (sp *Spool) ResolveCode(ctx context.Context, code string) (name, idNumber string, err error) {
	r, ok := sp.remote.(CodeResolver)
	if !ok {
		return "", "", fmt.Errorf("backend: spool: resolve code: %w: the remote backend has no resident codes", errors.ErrUnsupported)
	}
	return r.ResolveCode(ctx, code)
}
