package backend

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Tracking numbers: "TZ" ‖ yyyymmdd ‖ 6-digit daily sequence ‖ check character, e.g.
// TZ202611300000018. The check character is ISO 7064 MOD 11-2 over the 14 digits, the
// algorithm of the GB 11643 ID-number check digit, so a mistyped digit is caught.
const (
	trackingPrefix = "TZ"
	trackingDigits = 14
	trackingLen    = len(trackingPrefix) + trackingDigits + 1
	maxSeq         = 999999
)

// ErrTracking is wrapped by every tracking-number validation error.
var ErrTracking = errors.New("bad tracking number")

// NewTracking returns the tracking number of the seq-th application of day (its calendar date
// as given). seq is taken modulo 1,000,000.
func NewTracking(day time.Time, seq int) string {
	seq %= maxSeq + 1
	if seq < 0 {
		seq = -seq
	}
	digits := fmt.Sprintf("%s%06d", day.Format("20060102"), seq)
	return trackingPrefix + digits + string(mod112(digits))
}

// mod112 returns the ISO 7064 MOD 11-2 check character of a digit string: each digit is
// weighted by 2^k mod 11, k counting from 1 at the rightmost digit; the check is
// (12 − sum mod 11) mod 11, written 'X' for 10.
func mod112(digits string) byte {
	sum, w := 0, 2
	for i := len(digits) - 1; i >= 0; i-- {
		sum += int(digits[i]-'0') * w
		w = w * 2 % 11
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// ValidTracking reports why s is not a well-formed tracking number, or nil.
func ValidTracking(s string) error {
	if len(s) != trackingLen {
		return fmt.Errorf("%w: %d characters, want %d", ErrTracking, len(s), trackingLen)
	}
	if !strings.HasPrefix(s, trackingPrefix) {
		return fmt.Errorf("%w: does not start with %s", ErrTracking, trackingPrefix)
	}
	digits := s[len(trackingPrefix) : trackingLen-1]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return fmt.Errorf("%w: character %d is not a digit", ErrTracking, len(trackingPrefix)+i+1)
		}
	}
	if _, err := time.Parse("20060102", digits[:8]); err != nil {
		return fmt.Errorf("%w: no such date %s", ErrTracking, digits[:8])
	}
	if want := mod112(digits); s[trackingLen-1] != want {
		return fmt.Errorf("%w: check character %q, want %q (a digit mistyped?)", ErrTracking, s[trackingLen-1], want)
	}
	return nil
}

// ProgressURL is what a receipt's QR code carries: base + "/progress/" + tracking.
func ProgressURL(base, tracking string) string {
	return strings.TrimRight(base, "/") + "/progress/" + tracking
}

// ParseProgressCode returns the tracking number in a scanned QR code: a progress URL (any
// host, as the center's public address may change) or a bare tracking number. A lower-case
// "tz" and a lower-case "x" are accepted, as people type them.
func ParseProgressCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		u, err := url.Parse(s)
		if err != nil {
			return "", fmt.Errorf("%w: not a URL: %v", ErrTracking, err)
		}
		p := strings.TrimRight(u.Path, "/")
		i := strings.LastIndex(p, "/progress/")
		if i < 0 || strings.Contains(p[i+len("/progress/"):], "/") {
			return "", fmt.Errorf("%w: URL has no /progress/{tracking} path", ErrTracking)
		}
		s = p[i+len("/progress/"):]
	}
	s = strings.ToUpper(s)
	if err := ValidTracking(s); err != nil {
		return "", err
	}
	return s, nil
}
