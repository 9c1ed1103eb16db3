package catalogue

// Text is a user-facing string in the kiosk's three languages. Simplified Chinese is required;
// Traditional Chinese and English fall back to it when empty (see In).
type Text struct {
	Hans string `toml:"zh_hans" json:"zh_hans"`
	Hant string `toml:"zh_hant" json:"zh_hant,omitempty"`
	En   string `toml:"en" json:"en,omitempty"`
}

// In returns the text in lang ("zh-Hans", "zh-Hant" or "en"), or the Simplified text when that
// language is missing.
func (t Text) In(lang string) string {
	switch lang {
	case "zh-Hant":
		if t.Hant != "" {
			return t.Hant
		}
	case "en":
		if t.En != "" {
			return t.En
		}
	}
	return t.Hans
}

// Audience says whose life cycle an item belongs to.
type Audience string

const (
	Person     Audience = "person"
	Enterprise Audience = "enterprise"
)

// Role is who applies and for whom. Self: the card holder for themself. The others are
// "acting for someone else": the card holder is the applicant, the subject is another.
type Role string

const (
	RoleSelf     Role = "self"     // the applicant is the subject
	RoleNewborn  Role = "newborn"  // a parent or guardian applies for a newborn child
	RoleDeceased Role = "deceased" // a relative or agent applies for a deceased person
	RoleCompany  Role = "company"  // a legal representative or agent applies for a company
	RoleProxy    Role = "proxy"    // an agent applies for a living adult (帮办代办, 亲友代办)
)

// Category groups items on the catalogue screen (life-cycle stages, after 国办发〔2025〕24号).
type Category struct {
	ID       string   `toml:"id"`
	Name     Text     `toml:"name"`
	Audience Audience `toml:"audience"`
}

// Licence is a type of electronic licence or certificate (电子证照) the city's store holds.
type Licence struct {
	ID     string `toml:"id"`
	Name   Text   `toml:"name"`
	Issuer Text   `toml:"issuer"` // issuing department
}

// Procedure is one of the matters bundled into an item, with the department that handles it.
type Procedure struct {
	Name       Text `toml:"name"`
	Department Text `toml:"department"`
}

// Material is a document the item needs. When one of its Licences is in the e-licence store
// for the person in Whose, it is covered (免提交); otherwise Provide says how to bring it.
type Material struct {
	ID       string   `toml:"id"`
	Name     Text     `toml:"name"`
	Whose    string   `toml:"whose"`    // "applicant", "subject" or "company"
	Licences []string `toml:"licences"` // Licence IDs that cover it; empty: never covered
	Provide  Text     `toml:"provide"`  // how to provide it when not covered
	Optional bool     `toml:"optional"`
}

// FieldKind selects the on-screen keypad and the validation of a form field.
type FieldKind string

const (
	FieldText     FieldKind = "text"      // free text; prefilled or typed by staff
	FieldDigits   FieldKind = "digits"    // digits only (bank card, postcode)
	FieldPhone    FieldKind = "phone"     // 11-digit mainland mobile number
	FieldIDNumber FieldKind = "id_number" // 18 characters, GB 11643 check digit
	FieldDate     FieldKind = "date"      // YYYY-MM-DD
	FieldChoice   FieldKind = "choice"    // one of Choices
)

// Field is one entry of the item's short form.
type Field struct {
	ID       string    `toml:"id"`
	Label    Text      `toml:"label"`
	Kind     FieldKind `toml:"kind"`
	Required bool      `toml:"required"`
	// Personal fields (names, numbers, phones, accounts) are masked on screen and receipts.
	Personal bool `toml:"personal"`
	// Prefill names where the value comes from: "card:name", "card:id_number",
	// "card:address", or "licence:TYPE:FIELD" (a field of an e-licence record of the
	// applicant). Empty: the citizen enters it.
	Prefill string `toml:"prefill"`
	Choices []Text `toml:"choices"`
	MaxLen  int    `toml:"max_len"`
}

// Item is one "one thing" (一件事): a bundle of procedures applied for together.
type Item struct {
	ID         string      `toml:"id"`
	Name       Text        `toml:"name"`
	Summary    Text        `toml:"summary"`
	Category   string      `toml:"category"` // Category ID
	Audience   Audience    `toml:"audience"`
	National   bool        `toml:"national"` // one of the 13 national key items of 2024
	Keywords   []string    `toml:"keywords"` // extra search words (pinyin initials, synonyms)
	Roles      []Role      `toml:"roles"`    // who may apply; the first is the default
	Procedures []Procedure `toml:"procedures"`
	Materials  []Material  `toml:"materials"`
	Fields     []Field     `toml:"fields"`
	// Time limits in working days: the sum the law allows for the bundled procedures, and
	// what the center promises for the bundle.
	StatutoryDays int `toml:"statutory_days"`
	PromisedDays  int `toml:"promised_days"`
	// AtTerminal: the application can be completed at the terminal. Otherwise the terminal
	// prepares it and hands the citizen to the comprehensive window with a queue ticket.
	AtTerminal bool `toml:"at_terminal"`
	// Window is the queue the window hand-off uses ("A" personal, "B" enterprise, ...).
	Window string `toml:"window"`

	File string `toml:"-"` // the file it was loaded from, for error messages
}
