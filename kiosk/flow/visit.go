package flow

import (
	"time"

	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/i18n"
	"github.com/onestop-station/onestop/kiosk/privacy"
)

// Screen is where a visit stands; kiosk/ui draws one screen per value.
type Screen string

// The screens of a visit.
const (
	Attract   Screen = "attract"
	Identify  Screen = "identify"
	Choose    Screen = "catalogue"
	Who       Screen = "role"
	Consent   Screen = "consent"
	Checklist Screen = "checklist"
	Form      Screen = "form"
	Review    Screen = "review"
	Receipt   Screen = "receipt"
	Rating    Screen = "rating"
	Done      Screen = "done"
	Progress  Screen = "progress"
	Ticket    Screen = "ticket"
)

// Method is how the applicant was identified.
type Method string

const (
	ByCard  Method = "card"  // second-generation ID card on the reader
	ByCode  Method = "code"  // e-ID / 居民码 QR code on the scanner
	ByStaff Method = "staff" // a staff member checked the person and typed the number
)

// Identity is the applicant. It is personal data: it lives only in the Visit, which Wipe drops.
type Identity struct {
	Name     string
	IDNumber string
	Address  string
	Method   Method
}

// String hides the person: a stray %v never prints them.
func (Identity) String() string { return "flow.Identity{…}" }

// Material is one checklist line: the catalogue's material and whether an e-licence covers it.
type Material struct {
	catalogue.Material
	Covered bool
	Licence string // covering licence type
	Source  string // where the licence came from, shown beside 免提交
}

// Visit is one citizen's session. View returns a copy; only Flow changes it.
type Visit struct {
	ID      string
	Started time.Time
	Lang    i18n.Lang
	Elder   bool
	Screen  Screen

	Applicant *Identity
	Item      *catalogue.Item
	Role      catalogue.Role
	Subject   *backend.Person
	ConsentAt time.Time
	Materials []Material
	Fields    map[string]string // form values by field ID
	Prefilled map[string]bool   // which Fields came from the card or a licence
	FieldErr  map[string]string // i18n key of the problem, by field ID

	Receipt   *backend.Receipt
	Printed   bool  // the receipt came out of the printer
	PrintErr  error // why not (the screen then shows the receipt as a QR code)
	Ticket    *backend.Ticket
	Help      *backend.HelpCall
	Progress  *backend.Progress
	Rating    int
	Notice    string // i18n key of a message for the citizen; "" none
	NoticeArg []any

	history []Screen
	lics    []backend.Licence
}

// Covered counts the checklist lines an e-licence covers.
func (v Visit) Covered() (covered, total int) {
	for _, m := range v.Materials {
		if m.Covered {
			covered++
		}
	}
	return covered, len(v.Materials)
}

// ApplicantMasked is the applicant's name and ID number as a screen may show them.
func (v Visit) ApplicantMasked() (name, id string) {
	if v.Applicant == nil {
		return "", ""
	}
	return privacy.MaskName(v.Applicant.Name), privacy.MaskIDNumber(v.Applicant.IDNumber)
}

// Display returns a form value as the screen shows it: personal values masked by kind.
func Display(f catalogue.Field, value string) string {
	if !f.Personal || value == "" {
		return value
	}
	switch f.Kind {
	case catalogue.FieldIDNumber:
		return privacy.MaskIDNumber(value)
	case catalogue.FieldPhone, catalogue.FieldDigits:
		return privacy.MaskDigits(value)
	case catalogue.FieldDate:
		return privacy.MaskDate(value)
	}
	return privacy.MaskName(value)
}

// copyVisit is deep enough that the caller cannot change the Flow's maps or slices.
func copyVisit(v *Visit) Visit {
	c := *v
	c.Materials = append([]Material(nil), v.Materials...)
	c.Fields = copyMap(v.Fields)
	c.Prefilled = copyMap(v.Prefilled)
	c.FieldErr = copyMap(v.FieldErr)
	c.NoticeArg = append([]any(nil), v.NoticeArg...)
	c.history = nil
	c.lics = nil
	if v.Applicant != nil {
		a := *v.Applicant
		c.Applicant = &a
	}
	if v.Subject != nil {
		s := *v.Subject
		c.Subject = &s
	}
	return c
}

func copyMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
