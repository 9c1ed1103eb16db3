package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/job"
	"github.com/onestop-station/onestop/lab/runner"
	"github.com/onestop-station/onestop/lab/verdict"
)

// Jobs lists every job, the most recently changed first.
func (d *Desk) Jobs(ctx context.Context) ([]console.JobSummary, error) {
	rows, err := d.o.Records.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]console.JobSummary, 0, len(rows))
	for _, row := range rows {
		r, err := d.decode(row)
		if err != nil {
			return nil, err
		}
		out = append(out, d.summary(ctx, r, row.Updated))
	}
	return out, nil
}

// Job returns one job in full.
func (d *Desk) Job(ctx context.Context, id string) (console.JobView, error) {
	r, err := d.load(ctx, id)
	if err != nil {
		return console.JobView{}, err
	}
	return d.view(ctx, r)
}

func (d *Desk) nextID(ctx context.Context, prefix, format string) (string, error) {
	day := d.o.Now().Format("20060102")
	n, err := d.o.Records.Next(ctx, prefix+day)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(format, day, n), nil
}

// CreateJob registers a job by the logged-in operator with the plan in force today.
func (d *Desk) CreateJob(ctx context.Context, by string, req console.NewJob) (console.JobView, error) {
	now := d.o.Now()
	spec, err := specOf(req)
	if err != nil {
		return console.JobView{}, fmt.Errorf("%w: %v", console.ErrInvalid, err)
	}
	p, err := d.o.Plans.For(req.Product.Type, now)
	if err != nil {
		return console.JobView{}, wrap(err)
	}
	spec.Operator = by
	if spec.ID, err = d.nextID(ctx, "job-", "J-%s-%03d"); err != nil {
		return console.JobView{}, err
	}
	j, err := job.New(spec, by, now)
	if err != nil {
		return console.JobView{}, fmt.Errorf("%w: %v", console.ErrInvalid, err)
	}
	r := &record{Job: j, Plan: p.ID, Agent: req.Agent, Dev: req.Dev}
	r.Progress.StepsTotal = len(p.Steps)
	d.mu.Lock()
	err = d.save(ctx, r)
	d.mu.Unlock()
	if err != nil {
		return console.JobView{}, err
	}
	d.publish(j.ID, "job", map[string]string{"id": j.ID, "state": j.State.String()})
	return d.view(ctx, r)
}

func specOf(req console.NewJob) (job.Spec, error) {
	var errs []error
	mode, err := job.ParseMode(req.Mode)
	errs = append(errs, err)
	rule, err := verdict.ParseRule(req.Rule)
	errs = append(errs, err)
	var received time.Time
	if req.Received != "" {
		received, err = time.ParseInLocation(time.DateOnly, req.Received, time.Local)
		errs = append(errs, err)
	}
	var age job.AgeGroup
	switch req.Product.AgeGroup {
	case "under36":
		age = job.Under36Months
	case "36up":
		age = job.From36Months
	case "":
	default:
		errs = append(errs, fmt.Errorf("age group %q: want under36 or 36up", req.Product.AgeGroup))
	}
	if req.Agent == "" || req.Dev == "" {
		errs = append(errs, errors.New("rig: agent and device are required"))
	}
	rated := map[string]job.Rated{}
	if req.Product.Voltage > 0 {
		rated["voltage"] = job.Rated{Value: req.Product.Voltage, Unit: "V"}
	}
	if req.Product.Power > 0 {
		rated["power"] = job.Rated{Value: req.Product.Power, Unit: "W"}
	}
	spec := job.Spec{
		Customer: job.Customer{Name: strings.TrimSpace(req.Customer.Name), USCC: strings.TrimSpace(req.Customer.USCC)},
		Product: job.Product{Type: req.Product.Type, Model: req.Product.Model, Batch: req.Product.Batch,
			Rated: rated, MassKg: req.Product.MassKg, AgeGroup: age},
		Sample:   job.Sample{ID: req.SampleID, Received: received},
		Location: req.Location, Mode: mode, Rig: job.Rig{ID: req.Agent + "/" + req.Dev},
		Reviewer: req.Reviewer, Rule: rule,
	}
	return spec, errors.Join(errs...)
}

// calibrationDue is the rig's calibration due date from the identity its agent published.
func (d *Desk) calibrationDue(ctx context.Context, agent, dev string) (time.Time, error) {
	devs, err := d.o.Store.Devices(ctx, agent)
	if err != nil {
		return time.Time{}, err
	}
	for _, dv := range devs {
		if dv.Dev == dev {
			if dv.Meta.CalibrationDue == "" {
				return time.Time{}, nil
			}
			return time.ParseInLocation(time.DateOnly, dv.Meta.CalibrationDue, time.Local)
		}
	}
	return time.Time{}, fmt.Errorf("%w: rig %s/%s has not described itself to the lab (is its agent running?)", console.ErrInvalid, agent, dev)
}

// Start moves the job to testing on a rig whose calibration is in date and runs its plan in the
// background.
func (d *Desk) Start(ctx context.Context, id, by string) (console.JobView, error) {
	var due time.Time
	r, err := d.update(ctx, id, func(r *record) error {
		if d.isRunning(id) {
			return fmt.Errorf("%w: job %s is already running", console.ErrConflict, id)
		}
		var err error
		if due, err = d.calibrationDue(ctx, r.Agent, r.Dev); err != nil {
			return err
		}
		if err := wrap(r.Job.Start(by, d.o.Now(), due)); err != nil {
			return err
		}
		d.setRunning(id, true)
		r.Progress.Running, r.Progress.Error = true, ""
		return nil
	})
	if err != nil {
		return console.JobView{}, err
	}
	d.publish(id, "job", map[string]string{"id": id, "state": r.Job.State.String()})
	d.runs.Add(1)
	go d.run(id, by, due)
	return d.view(ctx, r)
}

// run runs every step of the job's plan in order, saving after each, and stops at the first
// step that cannot run (the job says why; its results so far stay).
func (d *Desk) run(id, by string, calDue time.Time) {
	defer d.runs.Done()
	ctx := d.ctx
	err := d.runSteps(ctx, id, by, calDue)
	r, uerr := d.update(context.Background(), id, func(r *record) error {
		r.Progress.Running, r.Progress.Current = false, ""
		if err != nil {
			r.Progress.Error = err.Error()
			r.Job.Note(by, d.o.Now(), "run stopped", err.Error())
		} else {
			r.Job.Note(by, d.o.Now(), "run done", fmt.Sprintf("%d steps", r.Progress.StepsDone))
		}
		d.setRunning(id, false)
		return nil
	})
	if uerr != nil {
		d.log.Error("desk: run end not saved", "job", id, "error", uerr)
		d.setRunning(id, false)
		return
	}
	d.publish(id, "job", map[string]any{"id": id, "state": r.Job.State.String(), "progress": r.Progress})
}

func (d *Desk) runSteps(ctx context.Context, id, by string, calDue time.Time) error {
	r, err := d.load(ctx, id)
	if err != nil {
		return err
	}
	p, err := d.plan(r)
	if err != nil {
		return err
	}
	jb := runner.Job{Rule: r.Job.Rule, MassKg: r.Job.Product.MassKg, Over36: r.Job.Product.AgeGroup == job.From36Months}
	o := d.o.Runner
	o.Sender, o.Store, o.Agent, o.Dev, o.Now = d.o.Sender, d.o.Store, r.Agent, r.Dev, d.o.Now
	for i, name := range p.Steps {
		if due, err := d.calibrationDue(ctx, r.Agent, r.Dev); err == nil && !due.IsZero() && civil(due).Before(civil(d.o.Now())) {
			return fmt.Errorf("step %s not started: rig calibration was due %s", name, due.Format(time.DateOnly))
		}
		if _, err := d.update(ctx, id, func(r *record) error {
			r.Progress.Current = name
			r.Job.Note(by, d.o.Now(), "step start", fmt.Sprintf("%s (rig step %d)", name, o.Number(name)))
			return nil
		}); err != nil {
			return err
		}
		progress := func(st runner.Step) { // the step's end is published once saved, below
			if st.State == "running" {
				d.publish(id, "step", st)
			}
		}
		st, rows, stepErr := runner.RunStep(ctx, o, name, progress)
		var results []runner.Result
		if stepErr == nil || st.To.After(st.From) {
			results = runner.Evaluate(p, st, rows, jb)
		}
		if _, err := d.update(ctx, id, func(r *record) error {
			r.Steps = append(r.Steps, st)
			r.Results = append(r.Results, results...)
			r.Progress.StepsDone = i + 1
			note := fmt.Sprintf("%s %s, %d readings", name, st.State, st.Readings)
			if len(st.Alarms) > 0 {
				note += ", alarms " + strings.Join(st.Alarms, " ")
			}
			if len(st.Problems) > 0 {
				note += ", problems: " + strings.Join(st.Problems, "; ")
			}
			r.Job.Note(by, d.o.Now(), "step end", note)
			return nil
		}); err != nil {
			return err
		}
		d.publish(id, "step", st)
		for _, res := range results {
			d.publish(id, "result", d.resultView(p, res))
		}
		if stepErr != nil {
			return stepErr
		}
	}
	return nil
}

func civil(t time.Time) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// Manual records the value of a manual item, judged like any other.
func (d *Desk) Manual(ctx context.Context, id, by, item string, value float64) (console.JobView, error) {
	var res runner.Result
	r, err := d.update(ctx, id, func(r *record) error {
		if r.Job.State != job.Testing {
			return fmt.Errorf("%w: manual results are entered while testing (job is %s)", console.ErrConflict, r.Job.State)
		}
		if by != r.Job.Operator {
			return fmt.Errorf("%w: only the job's operator %s enters results", console.ErrForbidden, r.Job.Operator)
		}
		p, err := d.plan(r)
		if err != nil {
			return err
		}
		it, ok := p.Item(item)
		if !ok || it.Step != "" {
			return fmt.Errorf("%w: %q is not a manual item of plan %s", console.ErrInvalid, item, p.ID)
		}
		res = runner.Manual(it, value, d.o.Now(), runner.Job{Rule: r.Job.Rule})
		kept := r.Results[:0]
		for _, old := range r.Results {
			if old.Item != item {
				kept = append(kept, old)
			}
		}
		r.Results = append(kept, res)
		r.Job.Note(by, d.o.Now(), "manual result", fmt.Sprintf("%s = %g %s", item, value, it.Unit))
		return nil
	})
	if err != nil {
		return console.JobView{}, err
	}
	p, _ := d.plan(r)
	d.publish(id, "result", d.resultView(p, res))
	return d.view(ctx, r)
}

// Submit hands a finished run to the reviewer: every step ran and every manual item is entered.
func (d *Desk) Submit(ctx context.Context, id, by string) (console.JobView, error) {
	r, err := d.update(ctx, id, func(r *record) error {
		if r.Progress.Running {
			return fmt.Errorf("%w: job %s is still running", console.ErrConflict, id)
		}
		p, err := d.plan(r)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, res := range r.Results {
			have[res.Item] = true
		}
		var missing []string
		for _, it := range p.Items {
			if it.Step == "" && !have[it.ID] {
				missing = append(missing, it.ID)
			}
		}
		if r.Job.State == job.Testing && r.Progress.StepsDone < len(p.Steps) && r.Progress.Error == "" {
			return fmt.Errorf("%w: %d of %d steps ran", console.ErrConflict, r.Progress.StepsDone, len(p.Steps))
		}
		if len(missing) > 0 && r.Job.State == job.Testing {
			return fmt.Errorf("%w: enter the manual items first: %s", console.ErrConflict, strings.Join(missing, ", "))
		}
		return wrap(r.Job.Submit(by, d.o.Now()))
	})
	if err != nil {
		return console.JobView{}, err
	}
	d.publish(id, "job", map[string]string{"id": id, "state": r.Job.State.String()})
	return d.view(ctx, r)
}

// Invalidate withdraws a submitted or released job (and its reports) and registers its retest.
func (d *Desk) Invalidate(ctx context.Context, id, by, reason string) (console.JobView, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.load(ctx, id)
	if err != nil {
		return console.JobView{}, err
	}
	newID, err := d.nextID(ctx, "job-", "J-%s-%03d")
	if err != nil {
		return console.JobView{}, err
	}
	retest, err := r.Job.Invalidate(by, d.o.Now(), newID, reason)
	if err != nil {
		return console.JobView{}, wrap(err)
	}
	nr := &record{Job: retest, Plan: r.Plan, Agent: r.Agent, Dev: r.Dev}
	nr.Progress.StepsTotal = r.Progress.StepsTotal
	if err := d.save(ctx, nr); err != nil {
		return console.JobView{}, err
	}
	if err := d.o.Records.WithdrawReports(ctx, id, "job "+id+" invalidated: "+reason); err != nil {
		return console.JobView{}, err
	}
	if err := d.save(ctx, r); err != nil {
		return console.JobView{}, err
	}
	d.publish(id, "job", map[string]string{"id": id, "state": r.Job.State.String(), "retest": newID})
	return d.view(ctx, nr)
}
