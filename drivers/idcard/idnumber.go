package idcard

import (
	"errors"
	"fmt"
	"time"
)

// ID-number errors (GB 11643-1999). Messages never carry the number.
var (
	ErrIDFormat    = errors.New("not 17 digits and a check digit or X")
	ErrIDChecksum  = errors.New("check digit does not match")
	ErrIDBirthDate = errors.New("birth date is not a real date")
	ErrIDRegion    = errors.New("region prefix is not a province code")
)

// weights W1..W17 = 2^(18-i) mod 11; checkChars indexed by the sum mod 11 (reference 1.8).
var (
	weights    = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	checkChars = "10X98765432"
)

// provinces are the two-digit GB/T 2260 province codes, plus 81 (Hong Kong), 82 (Macau) and
// 83 (Taiwan) that HK/Macau/Taiwan residence permits use. The full county table changes yearly,
// so only the province is checked.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true, "41": true,
	"42": true, "43": true, "44": true, "45": true, "46": true, "50": true, "51": true, "52": true,
	"53": true, "54": true, "61": true, "62": true, "63": true, "64": true, "65": true, "71": true,
	"81": true, "82": true, "83": true,
}

// CheckDigit returns the GB 11643 check character ('0'…'9' or 'X') for the first 17 digits.
func CheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, ErrIDFormat
	}
	sum := 0
	for i := range 17 {
		d := first17[i]
		if d < '0' || d > '9' {
			return 0, ErrIDFormat
		}
		sum += int(d-'0') * weights[i]
	}
	return checkChars[sum%11], nil
}

// ValidateIDNumber checks an 18-character ID number (resident ID card or HK/Macau/Taiwan
// residence permit): format, check digit, a real birth date between 1900 and now, and the
// province prefix. The error wraps one of the ErrID sentinels.
func ValidateIDNumber(id string) error {
	if err := validateID(id, time.Now()); err != nil {
		return fmt.Errorf("idcard: ID number: %w", err)
	}
	return nil
}

func validateID(id string, now time.Time) error {
	if len(id) != 18 {
		return ErrIDFormat
	}
	want, err := CheckDigit(id[:17])
	if err != nil {
		return err
	}
	if c := id[17]; c != want && !(want == 'X' && c == 'x') {
		if (c < '0' || c > '9') && c != 'X' && c != 'x' {
			return ErrIDFormat
		}
		return ErrIDChecksum
	}
	if _, err := IDBirthDate(id); err != nil || id[6:8] < "19" || id[6:14] > now.Format("20060102") {
		return ErrIDBirthDate
	}
	if !provinces[id[:2]] {
		return ErrIDRegion
	}
	return nil
}

// IDBirthDate returns the birth date digits 7–14 of an ID number hold.
func IDBirthDate(id string) (time.Time, error) {
	if len(id) != 18 {
		return time.Time{}, ErrIDFormat
	}
	t, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return time.Time{}, ErrIDBirthDate
	}
	return t, nil
}

// IDSex returns the sex the 17th digit encodes: odd male, even female.
func IDSex(id string) (Sex, error) {
	if len(id) != 18 || id[16] < '0' || id[16] > '9' {
		return 0, ErrIDFormat
	}
	if (id[16]-'0')%2 == 1 {
		return SexMale, nil
	}
	return SexFemale, nil
}
