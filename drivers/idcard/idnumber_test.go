package idcard

import (
	"errors"
	"testing"
	"time"
)

func TestCheckDigitReferenceExample(t *testing.T) {
	if c, err := CheckDigit("11010519491231002"); err != nil || c != 'X' {
		t.Errorf("CheckDigit = %c, %v; the reference says X", c, err)
	}
	if _, err := CheckDigit("1101051949123100A"); !errors.Is(err, ErrIDFormat) {
		t.Errorf("letter: %v", err)
	}
}

func TestValidateIDNumber(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for id, want := range map[string]error{
		"11010519491231002X": nil,
		"11010519491231002x": nil,
		"110101199003070011": nil,
		"810000199203040056": nil,
		"110101199003070012": ErrIDChecksum,  // wrong check digit
		"11010519491231002Y": ErrIDFormat,    // not a digit or X
		"1101011990030700":   ErrIDFormat,    // too short
		"110101199002300017": ErrIDBirthDate, // 30 February
		"110101189912310015": ErrIDBirthDate, // before 1900
		"110101203001010014": ErrIDBirthDate, // in the future
		"990101199003070017": ErrIDRegion,    // no province 99
	} {
		if len(id) == 18 && want != ErrIDFormat {
			// Make every case but the checksum one carry a correct check digit, so the test
			// exercises the rule it names.
			if c, err := CheckDigit(id[:17]); err == nil && want != ErrIDChecksum {
				id = id[:17] + string(c)
			}
		}
		err := validateID(id, now)
		if !errors.Is(err, want) && !(err == nil && want == nil) {
			t.Errorf("%s: %v, want %v", id, err, want)
		}
	}
	if err := ValidateIDNumber("110101199003070012"); err == nil || err.Error() != "idcard: ID number: check digit does not match" {
		t.Errorf("message: %v", err)
	}
}

func TestIDSexAndBirth(t *testing.T) {
	if s, _ := IDSex("110101199003070011"); s != SexMale {
		t.Error("odd 17th digit is male")
	}
	if s, _ := IDSex("310104196508120021"); s != SexFemale {
		t.Error("even 17th digit is female")
	}
	if err := ValidateIDNumber("11010519491231002x"); err != nil {
		t.Errorf("lower-case x: %v", err)
	}
	if b, err := IDBirthDate("310104196508120021"); err != nil || !b.Equal(date(1965, 8, 12)) {
		t.Errorf("%v %v", b, err)
	}
}

func TestCardValidate(t *testing.T) {
	c := &Card{Type: Resident, IDNumber: NewSecret("110101199003070011"), Birth: date(1990, 3, 7), Sex: SexMale}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	c.Sex = SexFemale
	if err := c.Validate(); !errors.Is(err, ErrIDMismatch) {
		t.Errorf("sex mismatch: %v", err)
	}
	c.Sex, c.Birth = SexMale, date(1990, 3, 8)
	if err := c.Validate(); !errors.Is(err, ErrIDMismatch) {
		t.Errorf("birth mismatch: %v", err)
	}
	hmt := &Card{Type: HMTResidencePermit, IDNumber: NewSecret("110101199003070011")}
	if err := hmt.Validate(); !errors.Is(err, ErrIDRegion) {
		t.Errorf("permit without 81/82/83 prefix: %v", err)
	}
	for n, ok := range map[string]bool{"USA110075112019": true, "911101198505120029": true, "usa110075112019": false, "11010119900307001": false} {
		err := (&Card{Type: ForeignPermanentResident, IDNumber: NewSecret(n)}).Validate()
		if (err == nil) != ok || err != nil && !errors.Is(err, ErrPermitFormat) {
			t.Errorf("%s: %v", n, err)
		}
	}
}
