package job

import (
	"fmt"
	"strings"
)

// State is where a job is in its workflow (after SENAITE's sample workflow).
type State int

// The states. The zero value is no state; New gives Registered.
const (
	Registered   State = iota + 1 // created, sample received, not yet tested
	Testing                       // the operator started the procedure on the rig
	ToBeVerified                  // results submitted, awaiting the reviewer
	Released                      // verified and released by the reviewer; the report may be issued
	Invalid                       // invalidated after submission; a retest job replaces it
)

var stateText = [...][2]string{ // {en, zh}
	Registered:   {"registered", "已登记"},
	Testing:      {"testing", "检测中"},
	ToBeVerified: {"to be verified", "待审核"},
	Released:     {"released", "已发布"},
	Invalid:      {"invalid", "已作废"},
}

// String returns the English name, e.g. "to be verified".
func (s State) String() string { return s.Text("en") }

// Text returns the state's name in lang "zh" or "en" (anything else gives English).
func (s State) Text(lang string) string {
	if s < Registered || s > Invalid {
		return fmt.Sprintf("State(%d)", int(s))
	}
	if lang == "zh" {
		return stateText[s][1]
	}
	return stateText[s][0]
}

// Mode says what the result is for: a pre-test by the local centre is not itself a CCC type test
// unless run under a designated lab's TMP/WMT arrangement (lab-standards.md §5), and the report says which.
type Mode int

// The modes.
const (
	PreTest  Mode = iota + 1 // "pre-test" (预检)
	TypeTest                 // "CCC type test" (CCC型式试验)
)

var modeText = [...][2]string{PreTest: {"pre-test", "预检"}, TypeTest: {"CCC type test", "CCC型式试验"}}

// Valid reports whether m is one of the modes.
func (m Mode) Valid() bool { return m == PreTest || m == TypeTest }

// String returns "pre-test" or "CCC type test".
func (m Mode) String() string { return m.Text("en") }

// Text returns the mode's name in lang "zh" or "en" (anything else gives English).
func (m Mode) Text(lang string) string {
	if !m.Valid() {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	if lang == "zh" {
		return modeText[m][1]
	}
	return modeText[m][0]
}

// ParseMode reads "pre-test" or "CCC type test" (case-insensitive; also "pretest", "type-test", "type_test").
func ParseMode(s string) (Mode, error) {
	key := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
	switch key {
	case "pretest":
		return PreTest, nil
	case "ccctypetest", "typetest":
		return TypeTest, nil
	}
	return 0, fmt.Errorf("job: parse mode %q: want %q or %q", s, PreTest, TypeTest)
}

// AgeGroup is the age group a product is intended for. It selects the motor-brake requirement of an
// electric ride-on: F ≥ (M + 25) × 1.7 N under 36 months, (M + 50) × 1.7 N from 36 months
// (EN 71-1 as quoted in lab-standards.md §2.2 R3). The zero value is "not stated".
type AgeGroup int

// The age groups.
const (
	Under36Months AgeGroup = iota + 1
	From36Months
)

// String returns "under 36 months", "36 months and over" or "not stated".
func (a AgeGroup) String() string {
	switch a {
	case Under36Months:
		return "under 36 months"
	case From36Months:
		return "36 months and over"
	case 0:
		return "not stated"
	}
	return fmt.Sprintf("AgeGroup(%d)", int(a))
}

// Rated is a rated value on the product's marking, e.g. 12 V or 45 W.
type Rated struct {
	Value float64
	Unit  string
}

// String returns e.g. "12 V".
func (r Rated) String() string { return strings.TrimSpace(fmt.Sprintf("%g %s", r.Value, r.Unit)) }
