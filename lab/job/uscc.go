package job

import (
	"errors"
	"fmt"
	"strings"
)

// usccCharset is the 31 characters of GB 32100-2015, in value order: digits and upper-case letters
// without I, O, Z, S and V.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^i mod 31 for positions 1–17 (GB 32100-2015 check character, mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCLen is the length of a unified social credit code.
const USCCLen = 18

// Sentinel errors ValidateUSCC wraps in a *USCCError, for errors.Is.
var (
	ErrUSCCLength  = errors.New("wrong length")
	ErrUSCCCharset = errors.New("character outside the GB 32100 set")
	ErrUSCCCheck   = errors.New("check character mismatch")
)

// USCCError says what is wrong with a unified social credit code and where.
type USCCError struct {
	Code string // the code as given
	Err  error  // ErrUSCCLength, ErrUSCCCharset or ErrUSCCCheck
	Pos  int    // 1-based position of the bad character; 0 for a length error
	Got  rune   // the character found (charset and check errors)
	Want rune   // the check character expected (check errors)
}

func (e *USCCError) Error() string {
	switch e.Err {
	case ErrUSCCLength:
		return fmt.Sprintf("job: unified social credit code %q: %v: %d characters, want %d", e.Code, e.Err, len([]rune(e.Code)), USCCLen)
	case ErrUSCCCheck:
		return fmt.Sprintf("job: unified social credit code %q: %v: got %q, want %q", e.Code, e.Err, e.Got, e.Want)
	}
	return fmt.Sprintf("job: unified social credit code %q: %v: %q at position %d", e.Code, e.Err, e.Got, e.Pos)
}

func (e *USCCError) Unwrap() error { return e.Err }

// ValidateUSCC checks a unified social credit code: 18 characters from the GB 32100-2015 set
// (upper case only, as the standard writes them) whose last is the check character of the first 17.
// It returns a *USCCError wrapping ErrUSCCLength, ErrUSCCCharset or ErrUSCCCheck.
func ValidateUSCC(code string) error {
	if n := len([]rune(code)); n != USCCLen {
		return &USCCError{Code: code, Err: ErrUSCCLength}
	}
	for i, r := range []rune(code) {
		if !strings.ContainsRune(usccCharset, r) {
			return &USCCError{Code: code, Err: ErrUSCCCharset, Pos: i + 1, Got: r}
		}
	}
	want, _ := USCCCheckChar(code[:17])
	if got := rune(code[17]); got != want {
		return &USCCError{Code: code, Err: ErrUSCCCheck, Pos: USCCLen, Got: got, Want: want}
	}
	return nil
}

// USCCCheckChar computes the check character for the first 17 characters of a code:
// C18 = (31 − Σ value(Ci)·3^(i−1) mod 31) mod 31, as a character of the set.
func USCCCheckChar(first17 string) (rune, error) {
	if n := len([]rune(first17)); n != USCCLen-1 {
		return 0, &USCCError{Code: first17, Err: ErrUSCCLength}
	}
	sum := 0
	for i, r := range []rune(first17) {
		v := strings.IndexRune(usccCharset, r)
		if v < 0 {
			return 0, &USCCError{Code: first17, Err: ErrUSCCCharset, Pos: i + 1, Got: r}
		}
		sum += v * usccWeights[i]
	}
	return rune(usccCharset[(31-sum%31)%31]), nil
}
