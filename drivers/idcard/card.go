package idcard

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// CardType is the kind of card, from the type flag at byte 248 of the text block.
type CardType string

// Card types.
const (
	Resident                 CardType = "resident"                   // 居民身份证
	HMTResidencePermit       CardType = "hmt_residence_permit"       // 港澳台居民居住证, flag 'J'
	ForeignPermanentResident CardType = "foreign_permanent_resident" // 外国人永久居留身份证, flag 'I' (2017) or 'Y' (2023)
)

// Type flags at byte 248 of the text block (reference 1.7).
const (
	FlagResident    byte = ' ' // or 0: anything but the letters below
	FlagHMT         byte = 'J'
	FlagForeign2017 byte = 'I'
	FlagForeign2023 byte = 'Y'
	textBlockLen         = 256
	typeFlagOffset       = 248
)

// Sex is the GB/T 2261.1 code stored on the card.
type Sex byte

// Sex codes.
const (
	SexUnknown     Sex = '0'
	SexMale        Sex = '1'
	SexFemale      Sex = '2'
	SexUnspecified Sex = '9'
)

func (s Sex) String() string {
	switch s {
	case SexUnknown:
		return "unknown"
	case SexMale:
		return "male"
	case SexFemale:
		return "female"
	case SexUnspecified:
		return "unspecified"
	}
	return fmt.Sprintf("Sex(%q)", rune(s))
}

// LongTerm is what a card valid for life holds instead of an end date.
const LongTerm = "长期"

// Expiry is the valid-to date: a date, or long-term (长期).
type Expiry struct {
	Date     time.Time // zero when LongTerm
	LongTerm bool
}

func (e Expiry) String() string {
	if e.LongTerm {
		return LongTerm
	}
	if e.Date.IsZero() {
		return ""
	}
	return e.Date.Format(time.DateOnly)
}

// Expired reports whether the card has expired at t (never for long-term cards). A card is
// valid through its last day.
func (e Expiry) Expired(t time.Time) bool {
	if e.LongTerm || e.Date.IsZero() {
		return false
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).After(e.Date)
}

// Card is what a read returns. Dates are calendar dates at midnight UTC. Which fields a type
// fills is in the field comments; the rest stay empty.
//
// It holds personal data: fmt, slog and encoders print only its type (see String, LogValue,
// MarshalJSON, MarshalText). The names, numbers, address, photo and fingerprints are Secrets,
// so they stay hidden even where those methods are not called (a Card in an unexported field
// of a struct that is printed); read them with Reveal.
type Card struct {
	Type     CardType
	TypeFlag byte // ' ', 'J', 'I' or 'Y' as read

	Name        Secret[string] // Chinese name (all types; may be empty on an 'I' card)
	EnglishName Secret[string] // 'I' and 'Y' cards
	Sex         Sex
	Nation      string // resident: "01"…"56", "97", "98"; see NationName
	NationName  string // the nation's name for Nation, "" if unknown
	Birth       time.Time
	Address     Secret[string] // resident and 'J'
	IDNumber    Secret[string] // ID number; the permit number on foreign cards
	Authority   string         // issuing authority; the authority code on 'I' cards
	ValidFrom   time.Time
	ValidTo     Expiry

	PassNumber   Secret[string] // 'J': 通行证号码, 9 characters
	IssueCount   string         // 'J': 签发次数, two digits
	Nationality  string         // 'I' and 'Y': ISO 3166-1 alpha-3
	RenewalCount string         // 'Y': 换证次数, two digits
	CardVersion  string         // 'I': card version, two characters
	OldNumber    Secret[string] // 'Y': the linked old permit number field, as stored

	Photo       Secret[[]byte] // WLT, normally 1024 bytes; see PhotoDecoder
	Fingerprint Secret[[]byte] // 0, 512 or 1024 bytes (ReadFingerprint only)
}

// String prints the type only: a card is personal data, and a log line or a %v in an error
// must not leak it. Value receivers, so a Card and a *Card both hide it (fmt prints <nil> for a
// nil *Card). Mask fields for display with kiosk/privacy.
func (c Card) String() string {
	return fmt.Sprintf("idcard.Card{type=%s, personal data hidden}", c.Type)
}

// Format makes every fmt verb, %+v and %#v included, print String.
func (c Card) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// LogValue lets slog log a card without its personal data: type, and whether a photo and
// fingerprints were read.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", string(c.Type)),
		slog.Int("photo_bytes", c.Photo.Len()),
		slog.Int("fingerprint_bytes", c.Fingerprint.Len()),
		slog.String("personal_data", "hidden"),
	)
}

// MarshalJSON says what LogValue says: encoding/json would otherwise write every field, and a
// Card inside a struct a program marshals (an API reply, a log record) would carry the person.
// Code that must store or send the clear values copies them into its own type on purpose.
func (c Card) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type             CardType `json:"type"`
		PhotoBytes       int      `json:"photo_bytes"`
		FingerprintBytes int      `json:"fingerprint_bytes"`
		PersonalData     string   `json:"personal_data"`
	}{c.Type, c.Photo.Len(), c.Fingerprint.Len(), "hidden"})
}

// MarshalText is String, for encoders that use encoding.TextMarshaler (encoding/xml, TOML, YAML).
func (c Card) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
