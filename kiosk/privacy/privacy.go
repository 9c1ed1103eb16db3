// Package privacy masks personal data — names, ID numbers, addresses read from an ID card —
// for kiosk screens, receipts and logs.
//
// Why: the Personal Information Protection Law (PIPL) and GB/T 35273 treat an ID number as
// sensitive personal information; a kiosk shows just enough for a person to recognise their
// own card ("张*", "110***********123X") and logs no more than that. Drivers never print
// personal data at all (drivers/idcard's Card prints only its type), so this package is the
// one place where partial values are made, and the one to review when the rules change.
package privacy

import (
	"strings"
	"unicode/utf8"
)

// Mask is the character that replaces hidden runes.
const Mask = '*'

// MaskName keeps the first character and hides the rest, one * per character: "张三" → "张*",
// "欧阳娜娜" → "欧***", "SMITH JOHN" → "S*********". A one-character name becomes "*".
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return string(Mask)
	}
	return string(r[0]) + strings.Repeat(string(Mask), len(r)-1)
}

// MaskIDNumber keeps the first 3 and the last 4 characters of an 18-character ID or permit
// number and hides the rest: "11010519491231002X" → "110***********002X". Three digits name a
// province and a city only; the last four are what people check against their card. Shorter
// numbers (a 9-character pass number) keep only their first and last character, and one too
// short for that is hidden entirely. Show no birth date beside it (see MaskDate): together they
// would give the number back.
func MaskIDNumber(id string) string {
	r := []rune(strings.TrimSpace(id))
	switch {
	case len(r) <= 8:
		return strings.Repeat(string(Mask), len(r))
	case len(r) < 15:
		return string(r[0]) + strings.Repeat(string(Mask), len(r)-2) + string(r[len(r)-1])
	}
	return string(r[:3]) + strings.Repeat(string(Mask), len(r)-7) + string(r[len(r)-4:])
}

// MaskDate keeps the year of a YYYY-MM-DD date: "1990-03-07" → "1990-**-**". A birth date is
// the middle of an ID number, so a screen that masks the number masks the date too.
func MaskDate(date string) string {
	if len(date) != len("2006-01-02") {
		return strings.Repeat(string(Mask), len(date))
	}
	return date[:5] + "**-**"
}

// MaskAddress keeps the first 6 characters (province and city, as a rule) and replaces the
// rest with "…". Addresses of 6 characters or fewer keep only their first half.
func MaskAddress(addr string) string {
	addr = strings.TrimSpace(addr)
	n := utf8.RuneCountInString(addr)
	if n == 0 {
		return ""
	}
	keep := 6
	if n <= keep {
		keep = n / 2
	}
	return string([]rune(addr)[:keep]) + "…"
}

// MaskDigits keeps the first 3 and the last 4 characters of a phone or account number and hides
// the rest: "13800000011" → "138****0011". Numbers of 7 characters or fewer are hidden entirely.
func MaskDigits(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 7 {
		return strings.Repeat(string(Mask), len(r))
	}
	return string(r[:3]) + strings.Repeat(string(Mask), len(r)-7) + string(r[len(r)-4:])
}
