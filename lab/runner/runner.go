package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/lab/command"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/store"
)

// Programme is the rig's test programme as docs/rig-modbus.md and the rig twin's scenarios run it:
// step 1 drives, 2 brakes, 3 tilts. A plan's step name is found here to get its number.
var Programme = []string{plan.StepDrive, plan.StepBrake, plan.StepStability}

// Sender sends one command to an agent's device and waits for its result (lab/command.Sender).
type Sender interface {
	Send(ctx context.Context, agent, dev, name string, args, out any) error
}

// Opts say which rig to drive and how patiently.
type Opts struct {
	Sender     Sender
	Store      *store.Store
	Agent, Dev string
	Programme  []string      // step names by number; nil means Programme
	Poll       time.Duration // status poll; default 200 ms
	StepLimit  time.Duration // longest a step may run; default 10 min
	Settle     time.Duration // longest wait for readings in flight after a step; default 15 s
	Now        func() time.Time
}

// Step is one run step: its window of readings and what happened in it.
type Step struct {
	Name     string    `json:"name"`
	Number   int       `json:"number"`
	State    string    `json:"state"` // running, done, aborted
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Readings int       `json:"readings"`
	Alarms   []string  `json:"alarms,omitempty"`
	Problems []string  `json:"problems,omitempty"`
}

// Errors of a step that could not run.
var (
	ErrNotInProgramme = errors.New("step not in the rig's programme")
	ErrStepTimeout    = errors.New("step did not end in time")
	ErrInFlight       = errors.New("readings of the step still in flight")
)

// status is the agent's answer to "status" (agent/poll.Status).
type status struct {
	Step      int     `json:"step"`
	StepState string  `json:"step_state"`
	Alarms    string  `json:"alarms"`
	ElapsedS  float64 `json:"elapsed_s"`
	At        string  `json:"at"`
}

func (o *Opts) defaults() {
	if o.Programme == nil {
		o.Programme = Programme
	}
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.StepLimit <= 0 {
		o.StepLimit = 10 * time.Minute
	}
	if o.Settle <= 0 {
		o.Settle = 15 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Number is the rig's step number of name in the programme, or 0.
func (o Opts) Number(name string) int {
	prog := o.Programme
	if prog == nil {
		prog = Programme
	}
	for i, n := range prog {
		if n == name {
			return i + 1
		}
	}
	return 0
}

// RunStep runs the plan's step name on the rig and returns it with the stored rows of its window.
// progress, if not nil, is called with the step as it changes (started, alarm seen, ended).
func RunStep(ctx context.Context, o Opts, name string, progress func(Step)) (Step, []store.Row, error) {
	o.defaults()
	if progress == nil {
		progress = func(Step) {}
	}
	st := Step{Name: name, Number: o.Number(name), State: "running"}
	if st.Number == 0 {
		return st, nil, fmt.Errorf("runner: %q: %w %v", name, ErrNotInProgramme, o.Programme)
	}
	var before status
	if err := o.Sender.Send(ctx, o.Agent, o.Dev, "status", nil, &before); err != nil {
		return st, nil, fmt.Errorf("runner: step %s: rig status: %w", name, err)
	}
	latched := map[string]bool{}
	for a := range alarmSet(before.Alarms) {
		latched[a] = latchedAlarms[a]
	}
	st.From = o.Now()
	if err := start(ctx, o, st.Number); err != nil {
		return st, nil, fmt.Errorf("runner: step %s: %w", name, err)
	}
	progress(st)
	end, err := waitEnd(ctx, o, &st, latched, progress)
	if err != nil {
		return st, nil, err
	}
	st.To = end
	if err := waitSettled(ctx, o, end); err != nil {
		st.Problems = append(st.Problems, err.Error())
		progress(st)
		return st, nil, err
	}
	rows, err := o.Store.Readings(ctx, o.Agent, o.Dev, st.From, st.To.Add(time.Nanosecond))
	if err != nil {
		return st, nil, err
	}
	st.Readings = len(rows)
	if st.State == "aborted" {
		st.Problems = append(st.Problems, "step aborted by the rig (stop or emergency stop)")
	}
	progress(st)
	return st, rows, nil
}

// start sends start_step, retrying while the rig is busy with a step started before.
func start(ctx context.Context, o Opts, number int) error {
	deadline := o.Now().Add(30 * time.Second)
	for {
		err := o.Sender.Send(ctx, o.Agent, o.Dev, "start_step", map[string]int{"step": number}, nil)
		if err == nil || !errors.Is(err, command.ErrRefused) || !strings.Contains(err.Error(), "busy") || o.Now().After(deadline) {
			return err
		}
		if !device.Sleep(ctx, 300*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// waitEnd polls status until the step is done or aborted and returns the time of the snapshot
// that said so: the end of the step's window.
func waitEnd(ctx context.Context, o Opts, st *Step, latched map[string]bool, progress func(Step)) (time.Time, error) {
	deadline := o.Now().Add(o.StepLimit)
	for o.Now().Before(deadline) {
		var s status
		if err := o.Sender.Send(ctx, o.Agent, o.Dev, "status", nil, &s); err != nil {
			return time.Time{}, fmt.Errorf("runner: step %s: rig status: %w", st.Name, err)
		}
		at, err := time.Parse(time.RFC3339Nano, s.At)
		if err != nil {
			return time.Time{}, fmt.Errorf("runner: step %s: rig status time %q: %w", st.Name, s.At, err)
		}
		if s.Step == st.Number && !at.Before(st.From) {
			if newAlarms(st, s.Alarms, latched) {
				progress(*st)
			}
			if s.StepState == "done" || s.StepState == "aborted" {
				st.State = s.StepState
				return at, nil
			}
		}
		if !device.Sleep(ctx, o.Poll) {
			return time.Time{}, ctx.Err()
		}
	}
	return time.Time{}, fmt.Errorf("runner: step %s: %w within %v", st.Name, ErrStepTimeout, o.StepLimit)
}

// waitSettled waits until every reading measured up to end is stored: the first stored reading
// after end exists and the watermark of its epoch has reached it.
func waitSettled(ctx context.Context, o Opts, end time.Time) error {
	deadline := o.Now().Add(o.Settle)
	for {
		epoch, seq, ok, err := o.Store.FirstAfter(ctx, o.Agent, o.Dev, end)
		if err != nil {
			return err
		}
		if ok {
			wm, err := o.Store.Watermark(ctx, o.Agent, epoch)
			if err != nil {
				return err
			}
			if wm >= seq {
				return nil
			}
		}
		if o.Now().After(deadline) {
			return fmt.Errorf("runner: %w %v after the step ended", ErrInFlight, o.Settle)
		}
		if !device.Sleep(ctx, 50*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// latchedAlarms stay set after their step ended (docs/rig-modbus.md §3.4): one still set from
// an earlier step says nothing about this one. Every other alarm is a live condition and counts
// whenever it is seen during the step, also if it was already there before the start.
var latchedAlarms = map[string]bool{"brake-fault": true}

func alarmSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, a := range strings.Split(s, "|") {
		if a = strings.TrimSpace(a); a != "" && a != "none" {
			m[a] = true
		}
	}
	return m
}

// newAlarms adds the alarms of s not latched before the start and not yet listed; true if any.
func newAlarms(st *Step, s string, latched map[string]bool) bool {
	added := false
	for a := range alarmSet(s) {
		if latched[a] {
			continue
		}
		dup := false
		for _, b := range st.Alarms {
			dup = dup || a == b
		}
		if !dup {
			st.Alarms = append(st.Alarms, a)
			added = true
		}
	}
	return added
}
