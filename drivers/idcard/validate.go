package idcard

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// More number errors.
var (
	// ErrIDMismatch: the number's birth date or sex digit disagrees with the card's fields.
	ErrIDMismatch = errors.New("does not match the birth date or sex on the card")
	// ErrPermitFormat: a foreign permanent resident number has neither known format.
	ErrPermitFormat = errors.New("not a foreign permanent resident number (AAA + 12 digits, or 9 + 16 digits + check)")
)

// Formats of foreign permanent resident numbers (reference 1.7, howardli/CredentialKit): the
// 2017 card's 15 characters and the 2023 card's 18. Whether the 2023 number uses the
// GB 11643 check digit is not confirmed, so only the format is checked.
var (
	permit2017 = regexp.MustCompile(`^[A-Z]{3}[0-9]{12}$`)
	permit2023 = regexp.MustCompile(`^9[0-9]{16}[0-9X]$`)
)

// ValidatePermitNumber checks the format of a foreign permanent resident number.
func ValidatePermitNumber(n string) error {
	if permit2017.MatchString(n) || permit2023.MatchString(n) {
		return nil
	}
	return fmt.Errorf("idcard: permit number: %w", ErrPermitFormat)
}

// Validate checks the card's number: for resident cards and HK/Macau/Taiwan permits the
// GB 11643 rules (ValidateIDNumber), a permit prefix of 810000, 820000 or 830000, and agreement
// with Birth and Sex; for foreign cards the number format.
func (c *Card) Validate() error {
	id := c.IDNumber.Reveal()
	if c.Type == ForeignPermanentResident {
		return ValidatePermitNumber(id)
	}
	if err := ValidateIDNumber(id); err != nil {
		return err
	}
	if c.Type == HMTResidencePermit && !hmtPrefix(id) {
		return fmt.Errorf("idcard: ID number: %w (a residence permit starts 810000, 820000 or 830000)", ErrIDRegion)
	}
	birth, _ := IDBirthDate(id)
	sex, _ := IDSex(id)
	if !c.Birth.IsZero() && !birth.Equal(c.Birth) || (c.Sex == SexMale || c.Sex == SexFemale) && sex != c.Sex {
		return fmt.Errorf("idcard: ID number: %w", ErrIDMismatch)
	}
	return nil
}

func hmtPrefix(id string) bool {
	for _, p := range []string{"810000", "820000", "830000"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}
