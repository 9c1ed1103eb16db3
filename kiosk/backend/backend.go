// Package backend is what a kiosk asks of the government-service platform: e-licences of a
// person (after consent), submitting an application, its progress, the window queue, helper
// calls and ratings. Backend is the contract; Store is the embedded default (SQLite, personal
// data encrypted), Server serves a Store as the HTTP JSON API of docs/kiosk-backend-api.md so
// every terminal of a center shares one, Client speaks that API (a city platform can implement
// it), and Spool keeps submissions made while the backend is unreachable, encrypted and with a
// time limit, and sends them later.
package backend

import (
	"context"
	"errors"
	"time"
)

// Errors callers act on.
var (
	ErrNotFound    = errors.New("not found")           // no such tracking number
	ErrInvalid     = errors.New("invalid request")     // the request fails validation
	ErrUnavailable = errors.New("backend unavailable") // network or server down: spool and retry
)

// Backend is one center's platform as a terminal sees it. Every method is safe for
// concurrent use and honours ctx.
type Backend interface {
	// Licences returns the e-licences held for the person with holderID (an ID number) whose
	// type is in types (all types when types is empty). Ask only after the person consented.
	Licences(ctx context.Context, holderID string, types []string) ([]Licence, error)
	// Submit records an application and returns its receipt. Submitting the same
	// Application.ID again returns the first receipt (idempotent), so a retry is harmless.
	Submit(ctx context.Context, a Application) (Receipt, error)
	// Progress returns an application's state by tracking number.
	Progress(ctx context.Context, tracking string) (Progress, error)
	// TakeTicket issues a queue number for a window, with the people ahead and the wait.
	TakeTicket(ctx context.Context, r TicketRequest) (Ticket, error)
	// CallHelper asks a certified helper (帮办代办) to come to the terminal.
	CallHelper(ctx context.Context, r HelpRequest) (HelpCall, error)
	// Rate records a 好差评 rating (one per visit).
	Rate(ctx context.Context, r Rating) error
	// Popular returns up to n item IDs, most applied for first (the "most used" row).
	Popular(ctx context.Context, n int) ([]string, error)
}

// Person identifies someone in an application. It is personal data: the Store keeps it
// encrypted, and nothing prints it (see String).
type Person struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Relation string `json:"relation,omitempty"` // the applicant's relation to the subject
}

// String hides the person: logs and errors never carry personal data.
func (Person) String() string { return "backend.Person{…}" }

// Licence is one e-licence record (电子证照). Fields holds what the licence states that forms
// may be prefilled from (e.g. a birth certificate's child_name); it is personal data.
type Licence struct {
	Type    string            `json:"type"`   // catalogue Licence ID
	Number  string            `json:"number"` // licence number
	Source  string            `json:"source"` // the store it came from, shown as 免提交's source
	Issuer  string            `json:"issuer"` // issuing department
	ValidTo string            `json:"valid_to,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// MaterialState is what happened to one material of the item's checklist.
type MaterialState struct {
	ID      string `json:"id"`                // catalogue Material ID
	Covered bool   `json:"covered"`           // 免提交: an e-licence covers it
	Licence string `json:"licence,omitempty"` // the covering licence type
	Source  string `json:"source,omitempty"`
}

// Application is what a terminal submits.
type Application struct {
	ID        string            `json:"id"` // chosen by the terminal (random); idempotency key
	Site      string            `json:"site"`
	Terminal  string            `json:"terminal"`
	ItemID    string            `json:"item_id"`
	Role      string            `json:"role"` // catalogue Role
	Applicant Person            `json:"applicant"`
	Subject   *Person           `json:"subject,omitempty"` // nil when the applicant is the subject
	Fields    map[string]string `json:"fields"`            // form values by field ID (personal)
	Materials []MaterialState   `json:"materials"`
	Window    bool              `json:"window"` // needs the comprehensive window to finish
	ConsentAt time.Time         `json:"consent_at"`
	CreatedAt time.Time         `json:"created_at"`
}

// State is where an application stands.
type State string

const (
	StateSubmitted State = "submitted" // received from the terminal
	StateAccepted  State = "accepted"  // front desk accepted (受理)
	StateReview    State = "review"    // back office reviewing (审核)
	StateCompleted State = "completed" // done (办结); results ready
	StateReturned  State = "returned"  // returned for more material (退回补正)
	StatePending   State = "pending"   // kept on the terminal, not yet sent (Spool only)
)

// Receipt is what Submit returns and the printer prints.
type Receipt struct {
	ApplicationID string    `json:"application_id"`
	Tracking      string    `json:"tracking"` // empty while Pending
	ItemID        string    `json:"item_id"`
	State         State     `json:"state"`
	SubmittedAt   time.Time `json:"submitted_at"`
	PromisedBy    time.Time `json:"promised_by"`  // the promised time limit, from the item
	ProgressURL   string    `json:"progress_url"` // what the receipt's QR code carries
	// Pending: the backend was unreachable; the application is kept encrypted on the
	// terminal and sent by SendBy at the latest.
	Pending bool      `json:"pending,omitempty"`
	SendBy  time.Time `json:"send_by,omitempty"`
}

// Step is one entry in an application's history.
type Step struct {
	State State     `json:"state"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

// Progress is an application's state for a progress query. It carries no personal data but
// the applicant's masked name.
type Progress struct {
	Tracking      string    `json:"tracking"`
	ItemID        string    `json:"item_id"`
	State         State     `json:"state"`
	Steps         []Step    `json:"steps"`
	SubmittedAt   time.Time `json:"submitted_at"`
	PromisedBy    time.Time `json:"promised_by"`
	ApplicantMask string    `json:"applicant_mask"` // e.g. "张*"
}

// TicketRequest asks for a queue number.
type TicketRequest struct {
	Site     string `json:"site"`
	Terminal string `json:"terminal"`
	Window   string `json:"window"`            // queue letter from the item, "A" by default
	ItemID   string `json:"item_id,omitempty"` // why, for the window's screen
	Tracking string `json:"tracking,omitempty"`
	Priority bool   `json:"priority,omitempty"` // 绿色通道: elderly, disabled
}

// Ticket is a queue number.
type Ticket struct {
	Number   string        `json:"number"` // e.g. "A017"
	Window   string        `json:"window"`
	Ahead    int           `json:"ahead"`   // people waiting before this one
	Wait     time.Duration `json:"wait_ns"` // estimated
	IssuedAt time.Time     `json:"issued_at"`
}

// HelpRequest calls a helper to a terminal.
type HelpRequest struct {
	Site     string `json:"site"`
	Terminal string `json:"terminal"`
	Screen   string `json:"screen"` // where the citizen is stuck, no personal data
	ItemID   string `json:"item_id,omitempty"`
}

// HelpCall is an accepted helper call.
type HelpCall struct {
	ID       string        `json:"id"`
	Position int           `json:"position"` // calls before this one
	ETA      time.Duration `json:"eta_ns"`
	At       time.Time     `json:"at"`
}

// Rating is a 好差评 rating: Level 5 非常满意 … 1 非常不满意.
type Rating struct {
	VisitID  string    `json:"visit_id"`
	Tracking string    `json:"tracking,omitempty"`
	ItemID   string    `json:"item_id,omitempty"`
	Terminal string    `json:"terminal"`
	Level    int       `json:"level"`
	At       time.Time `json:"at"`
}
