package verdict

import (
	"errors"
	"fmt"
	"math"
)

// LimitKind says on which side of a limit a result conforms.
type LimitKind int

// The limit kinds. The zero value is no kind, so a limit read from a file must say which.
const (
	Max LimitKind = iota + 1 // an upper limit: the result must be ≤ Value
	Min                      // a lower limit: the result must be ≥ Value
)

// String returns "max" or "min".
func (k LimitKind) String() string {
	switch k {
	case Max:
		return "max"
	case Min:
		return "min"
	}
	return fmt.Sprintf("LimitKind(%d)", int(k))
}

// Symbol returns "≤" or "≥", as a report prints the limit.
func (k LimitKind) Symbol() string {
	switch k {
	case Max:
		return "≤"
	case Min:
		return "≥"
	}
	return "?"
}

// Limit is a tolerance limit (TL in ILAC-G8) of one kind.
type Limit struct {
	Value float64
	Kind  LimitKind
}

// String returns the limit as a report prints it, e.g. "≤ 24".
func (l Limit) String() string { return fmt.Sprintf("%s %g", l.Kind.Symbol(), l.Value) }

// tolerance is the relative difference under which a result counts as equal to a boundary.
const tolerance = 1e-12

// Errors Decide returns, wrapped with the offending values.
var (
	ErrRule        = errors.New("verdict: invalid decision rule")
	ErrLimit       = errors.New("verdict: invalid limit")
	ErrResult      = errors.New("verdict: result is not a finite number")
	ErrUncertainty = errors.New("verdict: expanded uncertainty must be a finite number ≥ 0")
)

// Decide states the conformity of result, whose expanded uncertainty (k = 2) is u, with lim under
// rule. It errors on an invalid rule or limit kind, a NaN or infinite result or limit, and a NaN,
// infinite or negative u. Simple ignores u but still checks it, so a bad U is caught whatever the rule.
//
// Let d be how far the result lies beyond the limit on its unfavourable side (d = result − TL for a
// Max limit, TL − result for a Min limit), so d ≤ 0 means within the tolerance limit. Then:
//
//	Simple:    Pass if d ≤ 0, else Fail.
//	GuardBand: Pass if d ≤ −U, else Fail.
//	ILACG8:    Pass if d ≤ −U; ConditionalPass if −U < d ≤ 0; ConditionalFail if 0 < d ≤ U; Fail if d > U.
//
// Boundaries, decided here once and why (lab-standards.md §3.3 quotes ILAC-G8 §4.2):
//   - A result equal to the limit conforms (Simple Pass, ILACG8 ConditionalPass). ILAC-G8 §4.2.1 says
//     only "below AL / above AL"; the specification itself reads "≤ 24 V", which includes equality, and
//     the §4.2.3 intervals [TL − w, TL] and [TL, TL + w] overlap at TL, so the reference leaves the
//     point open and the limit's own wording decides it.
//   - A result exactly U inside the limit (d = −U) is a Pass under GuardBand and ILACG8. ILAC-G8 §4.2.3
//     writes Conditional Pass as the closed [TL − w, TL]; we take the acceptance side instead so that
//     every zone is half-open the same way, GuardBand with U = 0 equals Simple, and GuardBand's Pass
//     zone equals ILACG8's. The published guarantee still holds at that point: with a normal
//     distribution and k = 2 the probability that the true value is beyond the limit is 2.3 % < 2.5 %.
//   - A result exactly U beyond the limit (d = U) is a ConditionalFail, as §4.2.3's closed
//     [TL, TL + w] says; Fail is "> TL + w".
//   - GuardBand is binary (§4.2.2, "Pass if below AL, else Fail"): the zone between AL and TL is Fail,
//     not conditional.
//
// Equality is judged to within a relative 1e-12 of the largest of |result|, |TL| and U, so a result
// written in decimal as exactly a boundary (34.2 against 35 − 0.8, which differ in binary) gets the
// boundary's outcome; no reported digit is that fine. A result further from the acceptance zone, or a
// larger U, never gets a better outcome.
func Decide(rule Rule, result, u float64, lim Limit) (Outcome, error) {
	if !rule.Valid() {
		return 0, fmt.Errorf("%w: %s", ErrRule, rule)
	}
	if lim.Kind != Max && lim.Kind != Min {
		return 0, fmt.Errorf("%w: kind %s", ErrLimit, lim.Kind)
	}
	if math.IsNaN(lim.Value) || math.IsInf(lim.Value, 0) {
		return 0, fmt.Errorf("%w: value %v", ErrLimit, lim.Value)
	}
	if math.IsNaN(result) || math.IsInf(result, 0) {
		return 0, fmt.Errorf("%w: %v", ErrResult, result)
	}
	if math.IsNaN(u) || math.IsInf(u, 0) || u < 0 {
		return 0, fmt.Errorf("%w: U = %v", ErrUncertainty, u)
	}
	d := result - lim.Value
	if lim.Kind == Min {
		d = lim.Value - result
	}
	// Values equal to a boundary in decimal (34.2 against 35 − 0.8) differ from it in binary by a few
	// units in the last place; move d towards the acceptance side by far less than any reported digit.
	d -= tolerance * max(math.Abs(result), math.Abs(lim.Value), u)
	switch rule {
	case Simple:
		if d <= 0 {
			return Pass, nil
		}
		return Fail, nil
	case GuardBand:
		if d <= -u {
			return Pass, nil
		}
		return Fail, nil
	default: // ILACG8
		switch {
		case d <= -u:
			return Pass, nil
		case d <= 0:
			return ConditionalPass, nil
		case d <= u:
			return ConditionalFail, nil
		default:
			return Fail, nil
		}
	}
}
