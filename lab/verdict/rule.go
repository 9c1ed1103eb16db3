package verdict

import (
	"fmt"
	"strings"
)

// Rule is a decision rule of ILAC-G8:09/2019 §4.2. The zero value is no rule: ISO/IEC 17025 §7.1.3
// wants the rule agreed before work starts, so a job must name one.
type Rule int

// The decision rules. String gives the names the test-plan files use (lab-standards.md §3.3,
// "design consequence").
const (
	Simple    Rule = iota + 1 // binary, simple acceptance, w = 0 (ILAC-G8 §4.2.1)
	GuardBand                 // binary with guard band w = U (ILAC-G8 §4.2.2)
	ILACG8                    // non-binary with guard band w = U, four outcomes (ILAC-G8 §4.2.3)
)

var ruleNames = [...]string{Simple: "simple", GuardBand: "guard_band_U", ILACG8: "non_binary_guard_band"}

// ruleAliases are other spellings ParseRule accepts (lower case, '-' and ' ' read as '_').
var ruleAliases = map[string]Rule{
	"simple_acceptance": Simple,
	"guard_band":        GuardBand,
	"guardband":         GuardBand,
	"guard_band_u":      GuardBand,
	"ilac_g8":           ILACG8,
	"ilacg8":            ILACG8,
	"non_binary":        ILACG8,
}

// String returns the rule's name as test-plan files spell it, e.g. "guard_band_U".
func (r Rule) String() string {
	if r.Valid() {
		return ruleNames[r]
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// Valid reports whether r is one of the defined rules.
func (r Rule) Valid() bool { return r >= Simple && r <= ILACG8 }

// ParseRule reads a rule name: "simple", "guard_band_U", "non_binary_guard_band", or one of the
// aliases "guard-band", "ilac-g8", "non-binary" (case-insensitive).
func ParseRule(s string) (Rule, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	key = strings.NewReplacer("-", "_", " ", "_").Replace(key)
	for r := Simple; r <= ILACG8; r++ {
		if key == strings.ToLower(ruleNames[r]) {
			return r, nil
		}
	}
	if r, ok := ruleAliases[key]; ok {
		return r, nil
	}
	return 0, fmt.Errorf("verdict: parse rule %q: want simple, guard_band_U or non_binary_guard_band", s)
}

// MarshalText implements encoding.TextMarshaler with the rule's name.
func (r Rule) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("verdict: marshal rule: invalid %s", r)
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseRule.
func (r *Rule) UnmarshalText(b []byte) error {
	v, err := ParseRule(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// statements are the sentences a report prints to state the rule (ISO/IEC 17025 §7.8.6.2 c), in
// ILAC-G8:09/2019 §4.2 wording; the risk figures are those accredited labs publish (lab-standards.md §3.3).
var statements = map[Rule]map[string]string{
	Simple: {
		"en": "Decision rule: binary statement for simple acceptance (ILAC-G8:09/2019 §4.2.1, guard band w = 0). " +
			"Pass – the measured value is within the tolerance limit; Fail – the measured value is outside it. " +
			"Measurement uncertainty is not taken into account; the probability of false acceptance may reach 50 % for a result at the limit.",
		"zh": "判定规则:简单接受的二元判定(ILAC-G8:09/2019 第4.2.1条,CNAS-GL015:2022,保护带 w = 0)。" +
			"测量值在允许限内判为合格,超出允许限判为不合格。判定未计入测量不确定度,测量值位于限值处时误判接受的概率可达50%。",
	},
	GuardBand: {
		"en": "Decision rule: binary statement with guard band (ILAC-G8:09/2019 §4.2.2), guard band w = U, the expanded uncertainty (k = 2, about 95 %). " +
			"Acceptance limit AL = tolerance limit reduced by U. Pass – the measured value is within the acceptance limit; Fail – otherwise. " +
			"The probability of false acceptance is less than 2.5 %.",
		"zh": "判定规则:带保护带的二元判定(ILAC-G8:09/2019 第4.2.2条,CNAS-GL015:2022),保护带 w = U(扩展不确定度,k = 2,约95%)。" +
			"接受限 AL = 允许限向合格区内收缩 U。测量值在接受限内判为合格,否则判为不合格。误判接受的概率小于2.5%。",
	},
	ILACG8: {
		"en": "Decision rule: non-binary statement with guard band (ILAC-G8:09/2019 §4.2.3), guard band w = U, the expanded uncertainty (k = 2, about 95 %). " +
			"Pass – the measured value is within the tolerance limit by more than U; Conditional Pass – within the tolerance limit by U or less; " +
			"Conditional Fail – outside the tolerance limit by U or less; Fail – outside the tolerance limit by more than U.",
		"zh": "判定规则:带保护带的非二元判定(ILAC-G8:09/2019 第4.2.3条,CNAS-GL015:2022),保护带 w = U(扩展不确定度,k = 2,约95%)。" +
			"测量值在允许限内且距限值大于U判为合格;在允许限内且距限值不大于U判为有条件合格;" +
			"超出允许限但不大于U判为有条件不合格;超出允许限大于U判为不合格。",
	},
}

// Statement returns the sentence a report prints to state the rule, in lang "zh" or "en"
// (anything else gives English). An invalid rule gives "".
func (r Rule) Statement(lang string) string {
	s, ok := statements[r]
	if !ok {
		return ""
	}
	if lang == "zh" {
		return s["zh"]
	}
	return s["en"]
}
