package job

import (
	"errors"
	"strings"
	"testing"
)

// withCheck appends the computed check character.
func withCheck(t *testing.T, first17 string) string {
	t.Helper()
	c, err := USCCCheckChar(first17)
	if err != nil {
		t.Fatalf("USCCCheckChar(%q): %v", first17, err)
	}
	return first17 + string(c)
}

func TestValidateUSCCGood(t *testing.T) {
	codes := []string{
		// Published codes of two well-known enterprises: an independent check of weights and charset.
		"914403001922038216",
		"9144030071526726XG",
		// Constructed: a Shandong Zaozhuang (Tengzhou 370481) company, every charset letter, all zeros.
		withCheck(t, "91370481MA3C5XY1Q"),
		withCheck(t, "9137048106ABCDEFG"),
		withCheck(t, "Y1HJKLMNPQRTUWXY0"),
		withCheck(t, "00000000000000000"),
	}
	for _, c := range codes {
		if err := ValidateUSCC(c); err != nil {
			t.Errorf("ValidateUSCC(%q) = %v", c, err)
		}
	}
	// A sum that is a multiple of 31 gives check character '0', not 31.
	if c, _ := USCCCheckChar("00000000000000000"); c != '0' {
		t.Errorf("all-zero check = %q, want '0'", c)
	}
}

func TestValidateUSCCBad(t *testing.T) {
	good := "914403001922038216"
	cases := []struct {
		code string
		want error
		pos  int
	}{
		{"", ErrUSCCLength, 0},
		{good[:17], ErrUSCCLength, 0},
		{good + "0", ErrUSCCLength, 0},
		{"91440300192203821６", ErrUSCCCharset, 18}, // full-width digit: 18 characters, one outside the set
		{"9144030019220382I6", ErrUSCCCharset, 17},
		{"O14403001922038216", ErrUSCCCharset, 1},
		{"9144030019220382S6", ErrUSCCCharset, 17},
		{"9144030019220382V6", ErrUSCCCharset, 17},
		{"9144030019220382Z6", ErrUSCCCharset, 17},
		{"9144030071526726xg", ErrUSCCCharset, 17}, // lower case is not the standard's form
		{"91440300 922038216", ErrUSCCCharset, 9},
		{"914403001922038217", ErrUSCCCheck, 18},
		{"914403001922038261", ErrUSCCCheck, 18}, // two characters swapped
		{"9144030071526726X0", ErrUSCCCheck, 18},
		{"914403001922038215", ErrUSCCCheck, 18},
	}
	for _, c := range cases {
		err := ValidateUSCC(c.code)
		var ue *USCCError
		if !errors.Is(err, c.want) || !errors.As(err, &ue) {
			t.Errorf("ValidateUSCC(%q) = %v, want %v", c.code, err, c.want)
			continue
		}
		if ue.Pos != c.pos {
			t.Errorf("ValidateUSCC(%q): position %d, want %d", c.code, ue.Pos, c.pos)
		}
		if !strings.Contains(err.Error(), "unified social credit code") {
			t.Errorf("error lacks context: %v", err)
		}
	}
	err := ValidateUSCC("914403001922038217")
	if want := `got '7', want '6'`; !strings.Contains(err.Error(), want) {
		t.Errorf("check error %q does not say %s", err, want)
	}
}

// Every single-character substitution in a valid code is caught (mod 31 with weights prime to 31).
func TestValidateUSCCSingleErrors(t *testing.T) {
	good := []rune("9144030071526726XG")
	for i := range good {
		for _, r := range usccCharset {
			if r == good[i] {
				continue
			}
			bad := append([]rune(nil), good...)
			bad[i] = r
			if ValidateUSCC(string(bad)) == nil {
				t.Fatalf("%q accepted", string(bad))
			}
		}
	}
}
