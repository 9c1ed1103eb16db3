package job

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors the transitions return, wrapped with the job and action; errors.Is tells them apart.
var (
	ErrTransition         = errors.New("transition not allowed")
	ErrCalibrationOverdue = errors.New("rig calibration overdue")
	ErrCalibrationUnknown = errors.New("rig calibration due date unknown")
	ErrSameReviewer       = errors.New("reviewer must not be the operator")
	ErrNotReviewer        = errors.New("only the job's reviewer may release")
	ErrNotOperator        = errors.New("only the job's operator may do this")
	ErrRetestID           = errors.New("retest needs a new job id")
)

// TransitionError is an action refused in the job's current state. It wraps ErrTransition.
type TransitionError struct {
	Job    string
	Action string
	From   State // the state the job is in
	To     State // the state the action leads to
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("job %s: %s: %v: from %s to %s", e.Job, e.Action, ErrTransition, e.From, e.To)
}

func (e *TransitionError) Unwrap() error { return ErrTransition }

// CalibrationError is a rig whose calibration was due before the test date. It wraps ErrCalibrationOverdue.
type CalibrationError struct {
	Job, Rig string
	Due, At  time.Time
}

func (e *CalibrationError) Error() string {
	return fmt.Sprintf("job %s: start: %v: rig %s was due %s, test date %s", e.Job, ErrCalibrationOverdue,
		e.Rig, e.Due.Format(time.DateOnly), e.At.Format(time.DateOnly))
}

func (e *CalibrationError) Unwrap() error { return ErrCalibrationOverdue }

// transitions lists, per action, the states it may start from and the state it leads to.
var transitions = map[string]struct {
	from []State
	to   State
}{
	"start":      {[]State{Registered}, Testing},
	"submit":     {[]State{Testing}, ToBeVerified},
	"release":    {[]State{ToBeVerified}, Released},
	"invalidate": {[]State{ToBeVerified, Released}, Invalid},
}

// check refuses action unless the job is in a state it may start from and by and at are given.
func (j *Job) check(action, by string, at time.Time) error {
	t := transitions[action]
	allowed := false
	for _, s := range t.from {
		allowed = allowed || s == j.State
	}
	if !allowed {
		return &TransitionError{Job: j.ID, Action: action, From: j.State, To: t.to}
	}
	return actor(j.ID, action, by, at)
}

func (j *Job) move(action, by string, at time.Time, note string) {
	to := transitions[action].to
	j.log(by, at, action, j.State, to, note)
	j.State = to
}

// Start moves a Registered job to Testing. Only the operator starts, and only on a rig calibrated
// through the test date: rigCalDue is the due date the rig reports now, and a due date before the
// date of at (each read as a calendar date in its own location; pass local times) is refused with a
// *CalibrationError; a zero one with ErrCalibrationUnknown. A rig due on the test day may still be used.
func (j *Job) Start(by string, at, rigCalDue time.Time) error {
	if err := j.check("start", by, at); err != nil {
		return err
	}
	if by != j.Operator {
		return fmt.Errorf("job %s: start: %w: %s is not %s", j.ID, ErrNotOperator, by, j.Operator)
	}
	if rigCalDue.IsZero() {
		return fmt.Errorf("job %s: start: rig %s: %w", j.ID, j.Rig.ID, ErrCalibrationUnknown)
	}
	if civilDate(rigCalDue).Before(civilDate(at)) {
		return &CalibrationError{Job: j.ID, Rig: j.Rig.ID, Due: rigCalDue, At: at}
	}
	j.Rig.CalDue = rigCalDue
	j.Started = at.UTC()
	j.move("start", by, at, fmt.Sprintf("rig %s, calibration due %s", j.Rig.ID, rigCalDue.Format(time.DateOnly)))
	return nil
}

// civilDate is t's calendar date in t's own location, as a UTC midnight for comparison.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Submit moves a Testing job to ToBeVerified: the operator hands the results to the reviewer.
func (j *Job) Submit(by string, at time.Time) error {
	if err := j.check("submit", by, at); err != nil {
		return err
	}
	if by != j.Operator {
		return fmt.Errorf("job %s: submit: %w: %s is not %s", j.ID, ErrNotOperator, by, j.Operator)
	}
	j.move("submit", by, at, "")
	return nil
}

// Release moves a ToBeVerified job to Released. It refuses the operator (ErrSameReviewer: no self
// verification, as SENAITE's default) and anyone but the job's reviewer (ErrNotReviewer).
func (j *Job) Release(by string, at time.Time) error {
	if err := j.check("release", by, at); err != nil {
		return err
	}
	if by == j.Operator {
		return fmt.Errorf("job %s: release: %w: %s operated the test", j.ID, ErrSameReviewer, by)
	}
	if by != j.Reviewer {
		return fmt.Errorf("job %s: release: %w: %s is not %s", j.ID, ErrNotReviewer, by, j.Reviewer)
	}
	j.Released = at.UTC()
	j.move("release", by, at, "")
	return nil
}

// Invalidate marks a ToBeVerified or Released job Invalid and returns its retest: a new Registered
// job with id newID, the same spec, and RetestOf pointing back (SENAITE's invalidate → create_retest).
// A job is retested once: an Invalid job cannot be invalidated again. The reason is required and
// recorded on both jobs; a released job's report is then no longer valid (ISO/IEC 17025 §7.8.8).
func (j *Job) Invalidate(by string, at time.Time, newID, reason string) (*Job, error) {
	if err := j.check("invalidate", by, at); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, fmt.Errorf("job %s: invalidate: reason: %w", j.ID, ErrRequired)
	}
	if strings.TrimSpace(newID) == "" || newID == j.ID {
		return nil, fmt.Errorf("job %s: invalidate: %w (got %q)", j.ID, ErrRetestID, newID)
	}
	spec := j.Spec
	spec.ID = newID
	retest, err := New(spec, by, at)
	if err != nil {
		return nil, fmt.Errorf("job %s: invalidate: %w", j.ID, err)
	}
	retest.RetestOf = j.ID
	retest.Audit[0].Note = fmt.Sprintf("retest of %s: %s", j.ID, reason)
	j.Retest = newID
	j.move("invalidate", by, at, fmt.Sprintf("%s; retest %s", reason, newID))
	return retest, nil
}
