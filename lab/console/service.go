package console

import (
	"context"
	"errors"
	"time"
)

// Service is what the console serves: the lab's jobs, runs and reports (the agents list is GET /api/agents, served by lab/ingest). lab/desk
// implements it over the lab database, the procedure runner and the report issuer; the console
// adds only HTTP, sessions, roles and the pages. Every method that changes something takes the
// logged-in user's name as by; the service enforces the workflow (e.g. the job's reviewer, never
// its operator, releases), the console the roles.
type Service interface {
	Plans(ctx context.Context) ([]PlanView, error)
	Jobs(ctx context.Context) ([]JobSummary, error)
	Job(ctx context.Context, id string) (JobView, error)
	CreateJob(ctx context.Context, by string, req NewJob) (JobView, error)
	// Start moves the job to testing and runs its plan on the rig in the background; progress
	// and results arrive as events and in Job.
	Start(ctx context.Context, id, by string) (JobView, error)
	// Manual records a hand-entered result of a manual item (stroller, tricycle, inspections).
	Manual(ctx context.Context, id, by, item string, value float64) (JobView, error)
	Submit(ctx context.Context, id, by string) (JobView, error)
	// Release verifies the job and issues its signed report.
	Release(ctx context.Context, id, by string) (JobView, error)
	// Invalidate marks a submitted or released job invalid and registers its retest, returned.
	Invalidate(ctx context.Context, id, by, reason string) (JobView, error)
	// Reissue issues a new report for a released job; the old one stays verifiable as superseded.
	Reissue(ctx context.Context, id, by, reason string) (JobView, error)
	// ReportPDF is the signed file of report no, exactly as issued.
	ReportPDF(ctx context.Context, no string) ([]byte, error)
	// Verify checks report no against the hash from its QR code (h may be empty) and, when pdf
	// is not nil, the uploaded file byte for byte and by signature. Public: no login.
	Verify(ctx context.Context, no, h string, pdf []byte) (Verification, error)
	// Subscribe streams the events of one job ("" = every job) until cancel is called.
	Subscribe(job string) (events <-chan Event, cancel func())
}

// Errors a Service wraps so the console can pick the HTTP status.
var (
	ErrNotFound  = errors.New("not found")          // 404
	ErrInvalid   = errors.New("invalid request")    // 400, the message says what
	ErrConflict  = errors.New("not in this state")  // 409, e.g. release before submit
	ErrForbidden = errors.New("not allowed to you") // 403, e.g. the operator releasing
)

// Text is a label in Chinese and English.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// PlanView is a test plan as the job form shows it.
type PlanView struct {
	ID          string     `json:"id"`
	ProductType string     `json:"product_type"`
	Title       Text       `json:"title"`
	Standards   []string   `json:"standards"` // e.g. "GB 19865-2005"
	ValidFrom   string     `json:"valid_from"`
	ValidTo     string     `json:"valid_to,omitempty"`
	Steps       []string   `json:"steps"`
	Items       []ItemView `json:"items"`
}

// ItemView is one plan item.
type ItemView struct {
	ID     string  `json:"id"`
	Clause string  `json:"clause"`
	Title  Text    `json:"title"`
	Step   string  `json:"step,omitempty"` // "" for manual items
	Unit   string  `json:"unit"`
	Limit  string  `json:"limit"` // as printed; "限值待确认 / limit to be confirmed" when unverified
	U      float64 `json:"u"`
	Manual bool    `json:"manual"`
}

// NewJob is the job registration form.
type NewJob struct {
	Customer struct {
		Name string `json:"name"`
		USCC string `json:"uscc"`
	} `json:"customer"`
	Product struct {
		Type     string  `json:"type"` // plan product type, e.g. "electric_ride_on_car"
		Model    string  `json:"model"`
		Batch    string  `json:"batch"`
		Voltage  float64 `json:"rated_voltage_v"` // 0: not stated
		Power    float64 `json:"rated_power_w"`   // 0: not stated
		MassKg   float64 `json:"mass_kg"`
		AgeGroup string  `json:"age_group"` // "under36", "36up" or ""
	} `json:"product"`
	SampleID string `json:"sample_id"`
	Received string `json:"received"` // YYYY-MM-DD
	Location string `json:"location"`
	Mode     string `json:"mode"`  // "pre-test" or "CCC type test"
	Agent    string `json:"agent"` // the rig's agent and device
	Dev      string `json:"dev"`
	Reviewer string `json:"reviewer"`
	Rule     string `json:"rule"` // "simple", "guard-band" or "ilac-g8"
}

// JobSummary is one row of the jobs list.
type JobSummary struct {
	ID          string    `json:"id"`
	State       string    `json:"state"` // registered, testing, to be verified, released, invalid
	StateZh     string    `json:"state_zh"`
	Customer    string    `json:"customer"`
	ProductType string    `json:"product_type"`
	Model       string    `json:"model"`
	Operator    string    `json:"operator"`
	Reviewer    string    `json:"reviewer"`
	Overall     string    `json:"overall,omitempty"` // once evaluated: pass, conditional pass, …
	Report      string    `json:"report,omitempty"`  // current report number once released
	Updated     time.Time `json:"updated"`
}

// JobView is one job in full.
type JobView struct {
	JobSummary
	USCC     string       `json:"uscc"`
	Batch    string       `json:"batch"`
	SampleID string       `json:"sample_id"`
	Received string       `json:"received"`
	Location string       `json:"location"`
	Mode     string       `json:"mode"`
	Rule     string       `json:"rule"`
	Agent    string       `json:"agent"`
	Dev      string       `json:"dev"`
	Plan     PlanView     `json:"plan"`
	Progress Progress     `json:"progress"`
	Steps    []StepView   `json:"steps"`
	Results  []ResultView `json:"results"`
	Audit    []AuditView  `json:"audit"`
	Reports  []ReportView `json:"reports"` // newest first
	RetestOf string       `json:"retest_of,omitempty"`
	Retest   string       `json:"retest,omitempty"`
}

// Progress is how far the run over the plan's steps has got.
type Progress struct {
	StepsTotal int    `json:"steps_total"`
	StepsDone  int    `json:"steps_done"`
	Current    string `json:"current,omitempty"` // running step's name
	Running    bool   `json:"running"`
	Error      string `json:"error,omitempty"` // why the run stopped, if it failed
}

// StepView is one run step: its window of readings and what was wrong with them.
type StepView struct {
	Name     string    `json:"name"`
	Number   int       `json:"number"` // the rig's step number
	State    string    `json:"state"`  // running, done, aborted
	From     time.Time `json:"from"`
	To       time.Time `json:"to,omitempty"`
	Readings int       `json:"readings"`
	Alarms   []string  `json:"alarms,omitempty"`
	Problems []string  `json:"problems,omitempty"` // gap, bad quality: its items are not evaluated
}

// ResultView is one evaluated (or refused) item.
type ResultView struct {
	Item      string  `json:"item"`
	Step      string  `json:"step,omitempty"`
	Clause    string  `json:"clause"`
	Title     Text    `json:"title"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	Limit     string  `json:"limit"`
	U         float64 `json:"u"`
	Outcome   string  `json:"outcome"` // pass, conditional pass, conditional fail, fail, not evaluated
	OutcomeZh string  `json:"outcome_zh"`
	Problem   string  `json:"problem,omitempty"` // why not evaluated
}

// AuditView is one audit line.
type AuditView struct {
	When time.Time `json:"when"`
	Who  string    `json:"who"`
	What string    `json:"what"`
	Note string    `json:"note,omitempty"`
}

// ReportView is one issued report of a job.
type ReportView struct {
	Number       string    `json:"number"`
	Issued       time.Time `json:"issued"`
	VerifyURL    string    `json:"verify_url"`
	SupersededBy string    `json:"superseded_by,omitempty"`
	Reason       string    `json:"reason,omitempty"` // why it was reissued
}

// Verification is the answer of the public verification page.
type Verification struct {
	Number       string    `json:"number"`
	Known        bool      `json:"known"`         // the lab issued a report with this number
	HashOK       *bool     `json:"hash_ok"`       // the QR's hash matches; nil when none was given
	FileOK       *bool     `json:"file_ok"`       // the uploaded file is the issued one; nil when none
	Status       string    `json:"status"`        // "valid", "superseded", "withdrawn", "unknown", "altered"
	SupersededBy string    `json:"superseded_by"` // the report that replaces it
	Issued       time.Time `json:"issued"`        // zero when unknown
	Customer     string    `json:"customer"`      // enterprise name
	Product      string    `json:"product"`       // type and model
	Overall      string    `json:"overall"`       // the report's overall verdict
	Message      Text      `json:"message"`       // one sentence for people
}

// Event is one server-sent event. Type is "reading", "step", "result", "job" or "report".
type Event struct {
	Type string `json:"type"`
	Job  string `json:"job,omitempty"`
	Data any    `json:"data"`
}

// ReadingEvent is the data of a "reading" event.
type ReadingEvent struct {
	Agent string  `json:"agent"`
	Dev   string  `json:"dev"`
	Ch    string  `json:"ch"`
	T     int64   `json:"t"` // Unix ms
	V     float64 `json:"v"`
	Unit  string  `json:"unit"`
	Q     string  `json:"q"`
}
