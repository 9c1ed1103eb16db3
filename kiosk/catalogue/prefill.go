package catalogue

import (
	"fmt"
	"strings"
)

// Where a form field's value comes from (see Field.Prefill).
const (
	SourceCard    = "card"    // the identity card on the reader
	SourceLicence = "licence" // a field of one of the applicant's e-licences
)

// CardFields are the identity-card values a field may be prefilled from ("card:NAME").
var CardFields = []string{"name", "id_number", "address"}

// Prefill is a parsed Field.Prefill.
type Prefill struct {
	Source  string // SourceCard or SourceLicence
	Licence string // Licence ID, for SourceLicence
	Field   string // card field, or the licence record's field
}

// String gives the Field.Prefill form back.
func (p Prefill) String() string {
	if p.Source == SourceLicence {
		return p.Source + ":" + p.Licence + ":" + p.Field
	}
	return p.Source + ":" + p.Field
}

// ParsePrefill parses "card:FIELD" or "licence:TYPE:FIELD". It checks the syntax and the
// card fields only; whether TYPE and FIELD exist is the catalogue's business (Load checks it).
func ParsePrefill(s string) (Prefill, error) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) == 2 && parts[0] == SourceCard:
		for _, f := range CardFields {
			if parts[1] == f {
				return Prefill{Source: SourceCard, Field: f}, nil
			}
		}
		return Prefill{}, fmt.Errorf("prefill %q: unknown card field %q (want one of %s)",
			s, parts[1], strings.Join(CardFields, ", "))
	case len(parts) == 3 && parts[0] == SourceLicence:
		if !isSnake(parts[1]) || !isSnake(parts[2]) {
			return Prefill{}, fmt.Errorf("prefill %q: licence type and field must be snake_case", s)
		}
		return Prefill{Source: SourceLicence, Licence: parts[1], Field: parts[2]}, nil
	}
	return Prefill{}, fmt.Errorf("prefill %q: want \"card:FIELD\" or \"licence:TYPE:FIELD\"", s)
}

// isSnake reports whether s is a lowercase snake_case identifier: a letter first, then
// letters, digits and single underscores, no trailing underscore.
func isSnake(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
