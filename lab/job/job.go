package job

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/onestop-station/onestop/lab/verdict"
)

// Customer is the enterprise that ordered the test (ISO/IEC 17025 §7.8.2.1 e).
type Customer struct {
	Name string
	USCC string // unified social credit code, GB 32100-2015
}

// Product describes the item tested (§7.8.2.1 g).
type Product struct {
	Type     string           // product type as the test plans name it, e.g. "electric ride-on car"
	Model    string           // model designation
	Batch    string           // batch or lot; optional
	Rated    map[string]Rated // rated values from the marking, by name ("voltage", "power")
	MassKg   float64          // mass M in kg, for the brake requirement; 0 if not weighed
	AgeGroup AgeGroup         // for the brake requirement; zero if not stated
}

// Sample is the unit received (§7.8.2.1 g, h).
type Sample struct {
	ID       string
	Received time.Time // date of receipt
}

// Rig is the test equipment used, with the calibration due date from its identity.
type Rig struct {
	ID     string
	CalDue time.Time // zero until known; Start records the one it was given
}

// Spec is what a job is registered with.
type Spec struct {
	ID       string
	Customer Customer
	Product  Product
	Sample   Sample
	Location string // where the work is done, e.g. "customer site, <address>" (§7.8.2.1 c)
	Mode     Mode
	Rig      Rig
	Operator string // who tests and submits
	Reviewer string // who verifies and releases; never the operator
	Rule     verdict.Rule
}

// Job is a registered job and its history. Its methods are not safe for concurrent use.
type Job struct {
	Spec
	State    State
	Started  time.Time // when testing started (date of performance), zero before
	Released time.Time // when released (basis for the date of issue), zero before
	RetestOf string    // the invalidated job this one retests, "" if none
	Retest   string    // the job that retests this one once it is Invalid, "" if none
	Audit    []Entry
}

// Entry is one line of the audit trail: who did what, when, and the states before and after.
type Entry struct {
	When     time.Time // UTC
	Who      string
	What     string // the action: "register", "start", "submit", "release", "invalidate"
	From, To State  // From is zero for "register"
	Note     string // e.g. the invalidation reason, the rig's calibration due date
}

// String returns e.g. "2026-05-01T08:00:00Z alice start: registered → testing (rig R1, calibration due 2026-12-31)".
func (e Entry) String() string {
	s := fmt.Sprintf("%s %s %s: ", e.When.Format(time.RFC3339), e.Who, e.What)
	if e.From != 0 {
		s += e.From.String() + " → "
	}
	s += e.To.String()
	if e.Note != "" {
		s += " (" + e.Note + ")"
	}
	return s
}

// Errors for fields New refuses, wrapped with the job and field.
var (
	ErrRequired = errors.New("required")
	ErrInvalid  = errors.New("invalid")
)

// New registers a job: it validates spec and returns it in state Registered with one audit entry
// by who at when. Every problem found is reported (errors.Join); each wraps ErrRequired, ErrInvalid,
// ErrSameReviewer or a *USCCError.
func New(spec Spec, by string, at time.Time) (*Job, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if err := actor(spec.ID, "register", by, at); err != nil {
		return nil, err
	}
	spec.Product.Rated = maps.Clone(spec.Product.Rated)
	j := &Job{Spec: spec, State: Registered}
	j.log(by, at, "register", 0, Registered, "")
	return j, nil
}

func (s *Spec) validate() error {
	var errs []error
	bad := func(field string, err error) {
		errs = append(errs, fmt.Errorf("job %s: %s: %w", s.ID, field, err))
	}
	for _, f := range [...]struct{ name, value string }{
		{"id", s.ID}, {"customer name", s.Customer.Name}, {"product type", s.Product.Type},
		{"product model", s.Product.Model}, {"sample id", s.Sample.ID}, {"location", s.Location},
		{"rig id", s.Rig.ID}, {"operator", s.Operator}, {"reviewer", s.Reviewer},
	} {
		if strings.TrimSpace(f.value) == "" {
			bad(f.name, ErrRequired)
		}
	}
	if s.Customer.USCC == "" {
		bad("customer USCC", ErrRequired)
	} else if err := ValidateUSCC(s.Customer.USCC); err != nil {
		errs = append(errs, fmt.Errorf("job %s: customer: %w", s.ID, err))
	}
	if s.Sample.Received.IsZero() {
		bad("sample receipt date", ErrRequired)
	}
	if !s.Mode.Valid() {
		bad("mode", fmt.Errorf("%w: %s", ErrRequired, s.Mode))
	}
	if !s.Rule.Valid() {
		bad("decision rule", fmt.Errorf("%w: %s (agree it before testing, ISO/IEC 17025 §7.1.3)", ErrRequired, s.Rule))
	}
	if s.Operator != "" && s.Operator == s.Reviewer {
		bad("reviewer", ErrSameReviewer)
	}
	if m := s.Product.MassKg; m < 0 || math.IsNaN(m) || math.IsInf(m, 0) {
		bad("product mass", fmt.Errorf("%w: %v kg", ErrInvalid, m))
	}
	if a := s.Product.AgeGroup; a != 0 && a != Under36Months && a != From36Months {
		bad("product age group", fmt.Errorf("%w: %s", ErrInvalid, a))
	}
	for name, r := range s.Product.Rated {
		if strings.TrimSpace(name) == "" || math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
			bad("rated value "+name, fmt.Errorf("%w: %s", ErrInvalid, r))
		}
	}
	return errors.Join(errs...)
}

func (j *Job) log(who string, at time.Time, what string, from, to State, note string) {
	j.Audit = append(j.Audit, Entry{When: at.UTC(), Who: who, What: what, From: from, To: to, Note: note})
}

// actor checks that an action names who did it and when.
func actor(id, action, by string, at time.Time) error {
	if strings.TrimSpace(by) == "" {
		return fmt.Errorf("job %s: %s: who: %w", id, action, ErrRequired)
	}
	if at.IsZero() {
		return fmt.Errorf("job %s: %s: time: %w", id, action, ErrRequired)
	}
	return nil
}

// Note adds an audit entry that changes no state, e.g. a step of the run starting or an item
// evaluated: who did what at when, with a note. The state is recorded as it stands.
func (j *Job) Note(who string, at time.Time, what, note string) {
	j.log(who, at, what, j.State, j.State, note)
}
