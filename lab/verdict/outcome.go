package verdict

import "fmt"

// Outcome is a statement of conformity. ILAC-G8:09/2019 §4.2 names exactly these four; the reference
// knows no "inconclusive" outcome, so there is none (a reading that cannot be evaluated is the
// procedure runner's business, not a verdict).
type Outcome int

// The outcomes, from best to worst: a larger value never conforms better.
const (
	Pass            Outcome = iota + 1 // within the acceptance zone
	ConditionalPass                    // ILACG8 only: within the tolerance limit, inside the guard band
	ConditionalFail                    // ILACG8 only: outside the tolerance limit by no more than U
	Fail                               // outside
)

var outcomeText = [...][2]string{ // {en, zh}
	Pass:            {"pass", "合格"},
	ConditionalPass: {"conditional pass", "有条件合格"},
	ConditionalFail: {"conditional fail", "有条件不合格"},
	Fail:            {"fail", "不合格"},
}

// Valid reports whether o is one of the four outcomes.
func (o Outcome) Valid() bool { return o >= Pass && o <= Fail }

// String returns the English name, e.g. "conditional pass".
func (o Outcome) String() string { return o.Text("en") }

// Text returns the outcome's name in lang "zh" or "en" (anything else gives English).
func (o Outcome) Text(lang string) string {
	if !o.Valid() {
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
	if lang == "zh" {
		return outcomeText[o][1]
	}
	return outcomeText[o][0]
}

// Conforms reports whether the outcome is on the pass side (Pass or ConditionalPass).
func (o Outcome) Conforms() bool { return o == Pass || o == ConditionalPass }
