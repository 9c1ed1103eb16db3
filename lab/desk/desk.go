package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/job"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/runner"
	"github.com/onestop-station/onestop/lab/store"
)

// Opts configure a Desk. Store, Plans, Sender and Signer are required.
type Opts struct {
	Store      *store.Store // the readings (and, unless Records is set, the jobs and reports)
	Records    *store.Store // where jobs and reports are kept; nil means Store
	Plans      *plan.Set
	Sender     runner.Sender
	Signer     *report.Signer
	Lab        report.Party
	Font       string // report font; "" for report.DefaultFont
	VerifyBase string // where /verify/{no} is served, e.g. http://127.0.0.1:8080
	ReportDir  string // signed files are also written here; "" keeps them in the database only
	// Runner tunes the runner (Poll, StepLimit, Settle, Programme); its Sender, Store, Agent and
	// Dev are set per job.
	Runner runner.Opts
	Now    func() time.Time
	Logger *slog.Logger
}

// DefaultLab is the laboratory named on reports when the configuration names none.
var DefaultLab = report.Party{
	Name:    report.Bilingual{Zh: "滕州市童车童床检测站 驻厂预检点", En: "Tengzhou children's vehicle test station, on-site pre-test point"},
	Address: "山东省滕州市 / Tengzhou, Shandong",
}

// Desk is the lab's job service. Its methods are safe for concurrent use.
type Desk struct {
	o   Opts
	log *slog.Logger
	hub hub

	mu sync.Mutex // serialises changes to job records

	runMu   sync.Mutex
	running map[string]bool // jobs whose plan runs in this process: the one truth of Progress.Running
	ctx     context.Context // lifetime of background runs
	cancel  context.CancelFunc
	runs    sync.WaitGroup
}

var _ console.Service = (*Desk)(nil)

// New returns a desk. Runs started through it stop when Close is called.
func New(o Opts) (*Desk, error) {
	if o.Store == nil || o.Plans == nil || o.Sender == nil || o.Signer == nil {
		return nil, errors.New("desk: Store, Plans, Sender and Signer are required")
	}
	if o.Records == nil {
		o.Records = o.Store
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Lab.Name.Zh == "" {
		o.Lab = DefaultLab
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Desk{o: o, log: o.Logger, hub: hub{subs: map[*sub]bool{}}, running: map[string]bool{}, ctx: ctx, cancel: cancel}, nil
}

// Close stops running plans (their jobs keep the steps done so far) and waits for them.
func (d *Desk) Close() {
	d.cancel()
	d.runs.Wait()
}

// record is a job as the desk stores it.
type record struct {
	Job      *job.Job         `json:"job"`
	Plan     string           `json:"plan"`
	Agent    string           `json:"agent"`
	Dev      string           `json:"dev"`
	Steps    []runner.Step    `json:"steps"`
	Results  []runner.Result  `json:"results"`
	Progress console.Progress `json:"progress"`
}

func (d *Desk) load(ctx context.Context, id string) (*record, error) {
	row, err := d.o.Records.Job(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("job %q: %w", id, console.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return d.decode(row)
}

// decode reads a stored record. Whether its plan runs is this process's to say: a record saved
// as running by a station that stopped mid-run is not running any more.
func (d *Desk) decode(row store.JobRow) (*record, error) {
	var r record
	if err := json.Unmarshal(row.Doc, &r); err != nil {
		return nil, fmt.Errorf("desk: job %s: stored record: %w", row.ID, err)
	}
	r.Progress.Running = d.isRunning(row.ID)
	return &r, nil
}

func (d *Desk) isRunning(id string) bool {
	d.runMu.Lock()
	defer d.runMu.Unlock()
	return d.running[id]
}

func (d *Desk) setRunning(id string, on bool) {
	d.runMu.Lock()
	defer d.runMu.Unlock()
	if on {
		d.running[id] = true
	} else {
		delete(d.running, id)
	}
}

func (d *Desk) save(ctx context.Context, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("desk: job %s: %w", r.Job.ID, err)
	}
	return d.o.Records.SaveJob(ctx, r.Job.ID, r.Job.State.String(), b)
}

func (d *Desk) plan(r *record) (*plan.Plan, error) {
	for _, p := range d.o.Plans.Plans {
		if p.ID == r.Plan {
			return p, nil
		}
	}
	return nil, fmt.Errorf("desk: job %s: plan %q is no longer loaded", r.Job.ID, r.Plan)
}

// update loads a job, lets f change it and saves it, all under the desk's lock.
func (d *Desk) update(ctx context.Context, id string, f func(*record) error) (*record, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := f(r); err != nil {
		return nil, err
	}
	return r, d.save(ctx, r)
}

// wrap maps the job workflow's errors onto the console's.
func wrap(err error) error {
	var te *job.TransitionError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return fmt.Errorf("%w: %v", console.ErrConflict, err)
	case errors.Is(err, job.ErrSameReviewer), errors.Is(err, job.ErrNotReviewer), errors.Is(err, job.ErrNotOperator):
		return fmt.Errorf("%w: %v", console.ErrForbidden, err)
	case errors.Is(err, job.ErrRequired), errors.Is(err, job.ErrInvalid), errors.Is(err, job.ErrCalibrationOverdue),
		errors.Is(err, job.ErrCalibrationUnknown), errors.Is(err, plan.ErrNoPlan):
		return fmt.Errorf("%w: %v", console.ErrInvalid, err)
	}
	return err
}
