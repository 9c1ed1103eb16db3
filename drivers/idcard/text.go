package idcard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrText is wrapped by every error about a malformed text block. The messages name the field,
// never its value: the value is personal data.
var ErrText = errors.New("bad text block")

// field is one item of the 256-byte text block.
type field uint8

const (
	fName field = iota + 1
	fSex
	fNation
	fBirth
	fAddress
	fID
	fAuthority
	fFrom
	fTo
	fPass
	fIssueCount
	fEnglish  // the whole English name ('I'), or its chars 1–35 ('Y')
	fEnglish2 // 'Y': chars 36–46 of the English name
	fNationality
	fVersion
	fRenewal
	fOldNumber
)

var fieldNames = map[field]string{
	fName: "name", fSex: "sex", fNation: "nation", fBirth: "birth date", fAddress: "address",
	fID: "ID number", fAuthority: "issuing authority", fFrom: "valid-from date",
	fTo: "valid-to date", fPass: "pass number", fIssueCount: "issue count",
	fEnglish: "English name", fEnglish2: "English name (part 2)", fNationality: "nationality",
	fVersion: "card version", fRenewal: "renewal count", fOldNumber: "old number",
}

// slot places a field: byte offset and size in the text block (reference 1.5 and 1.7).
type slot struct {
	f         field
	off, size int
}

var residentSlots = []slot{
	{fName, 0, 30}, {fSex, 30, 2}, {fNation, 32, 4}, {fBirth, 36, 16}, {fAddress, 52, 70},
	{fID, 122, 36}, {fAuthority, 158, 30}, {fFrom, 188, 16}, {fTo, 204, 16},
}

// layouts by type flag; every other flag value reads as a resident card.
var layouts = map[byte][]slot{
	FlagResident: residentSlots,
	FlagHMT:      append(append([]slot(nil), residentSlots...), slot{fPass, 220, 18}, slot{fIssueCount, 238, 4}),
	FlagForeign2017: {
		{fEnglish, 0, 120}, {fSex, 120, 2}, {fID, 122, 30}, {fNationality, 152, 6}, {fName, 158, 30},
		{fFrom, 188, 16}, {fTo, 204, 16}, {fBirth, 220, 16}, {fVersion, 236, 4}, {fAuthority, 240, 8},
	},
	FlagForeign2023: {
		{fName, 0, 30}, {fSex, 30, 2}, {fRenewal, 32, 4}, {fBirth, 36, 16}, {fEnglish, 52, 70},
		{fID, 122, 36}, {fFrom, 188, 16}, {fTo, 204, 16}, {fEnglish2, 220, 22},
		{fNationality, 242, 6}, {fOldNumber, 250, 6},
	},
}

// typeFlag reads the UCS-2 character at byte 248.
func typeFlag(block []byte) byte {
	switch c := binary.LittleEndian.Uint16(block[typeFlagOffset:]); c {
	case 'J', 'I', 'Y':
		return byte(c)
	}
	return FlagResident
}

// ucs2 decodes UCS-2LE; padding is trimmed by the caller.
func ucs2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// trimPad removes the padding of a fixed-width field: spaces, ideographic spaces and NULs.
func trimPad(s string) string { return strings.Trim(s, " \u3000\x00") }

// DecodeText decodes the 256-byte UCS-2LE text block of a read into a Card (no photo yet).
func DecodeText(block []byte) (*Card, error) {
	if len(block) != textBlockLen {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrText, len(block), textBlockLen)
	}
	flag := typeFlag(block)
	raw := map[field]string{}
	for _, s := range layouts[flag] {
		raw[s.f] = ucs2(block[s.off : s.off+s.size])
	}
	c := &Card{TypeFlag: flag}
	switch flag {
	case FlagHMT:
		c.Type = HMTResidencePermit
	case FlagForeign2017, FlagForeign2023:
		c.Type = ForeignPermanentResident
	default:
		c.Type = Resident
	}
	return c, c.fill(raw)
}

// fill sets the fields from the raw strings of a layout.
func (c *Card) fill(raw map[field]string) error {
	get := func(f field) string { return trimPad(raw[f]) }
	secret := func(f field) Secret[string] { return NewSecret(get(f)) }
	c.Name, c.Address, c.IDNumber, c.Authority = secret(fName), secret(fAddress), secret(fID), get(fAuthority)
	c.EnglishName = NewSecret(trimPad(raw[fEnglish] + raw[fEnglish2])) // part 1 untrimmed: a space may sit at char 35
	c.Nation, c.PassNumber, c.IssueCount = get(fNation), secret(fPass), get(fIssueCount)
	c.Nationality, c.CardVersion = get(fNationality), get(fVersion)
	c.RenewalCount, c.OldNumber = get(fRenewal), secret(fOldNumber)
	c.NationName = NationName(c.Nation)
	if sex := get(fSex); len(sex) == 1 {
		c.Sex = Sex(sex[0])
	} else if sex != "" {
		return fmt.Errorf("%w: sex is not one character", ErrText)
	}
	var err error
	if c.Birth, err = parseDate(fBirth, get(fBirth)); err != nil {
		return err
	}
	if c.ValidFrom, err = parseDate(fFrom, get(fFrom)); err != nil {
		return err
	}
	c.ValidTo, err = parseExpiry(get(fTo))
	return err
}

// parseDate reads YYYYMMDD; empty gives the zero time.
func parseDate(f field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s is not a YYYYMMDD date", ErrText, fieldNames[f])
	}
	return t, nil
}

// parseExpiry reads a date, or 长期: the reference says to test the first character for a digit.
func parseExpiry(s string) (Expiry, error) {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		d, err := parseDate(fTo, s)
		return Expiry{Date: d}, err
	}
	if strings.HasPrefix(s, LongTerm) {
		return Expiry{LongTerm: true}, nil
	}
	return Expiry{}, fmt.Errorf("%w: valid-to is neither a date nor %s", ErrText, LongTerm)
}

// EncodeText lays a Card out as the 256-byte text block a reader sends, padding with UCS-2
// spaces. Twins and tests use it. A foreign card gets the 2023 layout unless TypeFlag is 'I'.
func EncodeText(c *Card) ([]byte, error) {
	flag, err := c.flag()
	if err != nil {
		return nil, err
	}
	block := make([]byte, textBlockLen)
	for i := 0; i < len(block); i += 2 {
		block[i] = ' '
	}
	binary.LittleEndian.PutUint16(block[typeFlagOffset:], uint16(flag))
	vals := c.values(flag)
	for _, s := range layouts[flag] {
		if err := put(block[s.off:s.off+s.size], vals[s.f]); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrText, fieldNames[s.f], err)
		}
	}
	return block, nil
}

func (c *Card) flag() (byte, error) {
	switch c.Type {
	case Resident:
		return FlagResident, nil
	case HMTResidencePermit:
		return FlagHMT, nil
	case ForeignPermanentResident:
		if c.TypeFlag == FlagForeign2017 {
			return FlagForeign2017, nil
		}
		return FlagForeign2023, nil
	}
	return 0, fmt.Errorf("%w: unknown card type %q", ErrText, c.Type)
}

// values renders the fields of c as the text block stores them.
func (c *Card) values(flag byte) map[field]string {
	english := c.EnglishName.Reveal()
	v := map[field]string{
		fName: c.Name.Reveal(), fNation: c.Nation, fBirth: fmtDate(c.Birth), fAddress: c.Address.Reveal(),
		fID: c.IDNumber.Reveal(), fAuthority: c.Authority, fFrom: fmtDate(c.ValidFrom), fTo: fmtDate(c.ValidTo.Date),
		fPass: c.PassNumber.Reveal(), fIssueCount: c.IssueCount, fEnglish: english,
		fNationality: c.Nationality, fVersion: c.CardVersion, fRenewal: c.RenewalCount,
		fOldNumber: c.OldNumber.Reveal(),
	}
	if c.Sex != 0 {
		v[fSex] = string(rune(c.Sex))
	}
	if c.ValidTo.LongTerm {
		v[fTo] = LongTerm
	}
	if flag == FlagForeign2023 && utf8.RuneCountInString(english) > 35 {
		r := []rune(english)
		v[fEnglish], v[fEnglish2] = string(r[:35]), string(r[35:])
	}
	return v
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("20060102")
}

// put writes s as UTF-16LE (UCS-2 for every character a card uses) into dst, which keeps its space padding after s.
func put(dst []byte, s string) error {
	u := utf16.Encode([]rune(s))
	if 2*len(u) > len(dst) {
		return fmt.Errorf("%d characters do not fit in %d", len(u), len(dst)/2)
	}
	for i, c := range u {
		binary.LittleEndian.PutUint16(dst[2*i:], c) // characters beyond the BMP as surrogate pairs, as decoding reads them
	}
	return nil
}

// EncodeUCS2 encodes s as UCS-2LE padded with spaces to size bytes, like every fixed-width
// field; twins use it for the 70-byte appended address.
func EncodeUCS2(s string, size int) ([]byte, error) {
	b := make([]byte, size)
	for i := 0; i+1 < size; i += 2 {
		b[i] = ' '
	}
	return b, put(b, s)
}
