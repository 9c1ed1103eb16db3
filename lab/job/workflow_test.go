package job

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	testDay = time.Date(2026, 5, 6, 10, 0, 0, 0, cst)
	calDue  = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
)

// jobIn returns a job brought to state s through the ordinary path.
func jobIn(t *testing.T, s State) *Job {
	t.Helper()
	j, err := New(spec(), "alice", regTime)
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { return j.Start("alice", testDay, calDue) },
		func() error { return j.Submit("alice", testDay.Add(time.Hour)) },
		func() error { return j.Release("bob", testDay.Add(2*time.Hour)) },
	}
	path := map[State]int{Registered: 0, Testing: 1, ToBeVerified: 2, Released: 3, Invalid: 2}
	for _, step := range steps[:path[s]] {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if s == Invalid {
		if _, err := j.Invalidate("bob", testDay.Add(3*time.Hour), "J2026-0002", "thermocouple detached"); err != nil {
			t.Fatal(err)
		}
	}
	if j.State != s {
		t.Fatalf("jobIn(%s) gave %s", s, j.State)
	}
	return j
}

// Every action from every state, by the right person: allowed or ErrTransition naming from and to.
func TestTransitions(t *testing.T) {
	at := testDay.Add(4 * time.Hour)
	actions := []struct {
		name string
		to   State
		from []State
		do   func(*Job) error
	}{
		{"start", Testing, []State{Registered}, func(j *Job) error { return j.Start("alice", at, calDue) }},
		{"submit", ToBeVerified, []State{Testing}, func(j *Job) error { return j.Submit("alice", at) }},
		{"release", Released, []State{ToBeVerified}, func(j *Job) error { return j.Release("bob", at) }},
		{"invalidate", Invalid, []State{ToBeVerified, Released}, func(j *Job) error {
			_, err := j.Invalidate("bob", at, "J-RETEST", "wrong rig channel")
			return err
		}},
	}
	for _, a := range actions {
		for _, from := range []State{Registered, Testing, ToBeVerified, Released, Invalid} {
			j := jobIn(t, from)
			n := len(j.Audit)
			err := a.do(j)
			allowed := false
			for _, s := range a.from {
				allowed = allowed || s == from
			}
			if allowed {
				if err != nil || j.State != a.to || len(j.Audit) != n+1 {
					t.Errorf("%s from %s: err %v, state %s, audit %d→%d", a.name, from, err, j.State, n, len(j.Audit))
					continue
				}
				e := j.Audit[n]
				if e.What != a.name || e.From != from || e.To != a.to || !e.When.Equal(at) || e.Who == "" {
					t.Errorf("%s from %s: audit entry %v", a.name, from, e)
				}
				continue
			}
			var te *TransitionError
			if !errors.Is(err, ErrTransition) || !errors.As(err, &te) || te.From != from || te.To != a.to {
				t.Errorf("%s from %s: err %v, want ErrTransition from %s to %s", a.name, from, err, from, a.to)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "from "+from.String()) || !strings.Contains(msg, "to "+a.to.String()) {
				t.Errorf("%s from %s: message %q does not name both states", a.name, from, msg)
			}
			if j.State != from || len(j.Audit) != n {
				t.Errorf("%s from %s: refused transition changed the job", a.name, from)
			}
		}
	}
}

func TestStartCalibration(t *testing.T) {
	cases := []struct {
		name string
		at   time.Time
		due  time.Time
		want error
	}{
		{"due later", testDay, calDue, nil},
		{"due on the test day", testDay, time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC), nil},
		{"due the day before", testDay, time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC), ErrCalibrationOverdue},
		{"due a year ago", testDay, time.Date(2025, 5, 6, 0, 0, 0, 0, time.UTC), ErrCalibrationOverdue},
		// Local 07:00 on 6 May is 23:00 UTC on 5 May: the local calendar date counts.
		{"local date", time.Date(2026, 5, 6, 7, 0, 0, 0, cst), time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC), ErrCalibrationOverdue},
		{"unknown", testDay, time.Time{}, ErrCalibrationUnknown},
	}
	for _, c := range cases {
		j := jobIn(t, Registered)
		err := j.Start("alice", c.at, c.due)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Start = %v, want %v", c.name, err, c.want)
			continue
		}
		if c.want != nil {
			if j.State != Registered || len(j.Audit) != 1 {
				t.Errorf("%s: refused start changed the job", c.name)
			}
			continue
		}
		if !j.Rig.CalDue.Equal(c.due) || !j.Started.Equal(c.at) || !strings.Contains(j.Audit[1].Note, "calibration due") {
			t.Errorf("%s: rig %v, started %v, note %q", c.name, j.Rig, j.Started, j.Audit[1].Note)
		}
	}
	var ce *CalibrationError
	err := jobIn(t, Registered).Start("alice", testDay, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if !errors.As(err, &ce) || ce.Rig != "RIG-01" || !strings.Contains(err.Error(), "2026-05-01") {
		t.Errorf("calibration error %v", err)
	}
}

func TestWhoMayAct(t *testing.T) {
	at := testDay.Add(5 * time.Hour)
	cases := []struct {
		name string
		from State
		do   func(*Job) error
		want error
	}{
		{"start by another technician", Registered, func(j *Job) error { return j.Start("carol", at, calDue) }, ErrNotOperator},
		{"start by nobody", Registered, func(j *Job) error { return j.Start("", at, calDue) }, ErrRequired},
		{"start without time", Registered, func(j *Job) error { return j.Start("alice", time.Time{}, calDue) }, ErrRequired},
		{"submit by the reviewer", Testing, func(j *Job) error { return j.Submit("bob", at) }, ErrNotOperator},
		{"release by the operator", ToBeVerified, func(j *Job) error { return j.Release("alice", at) }, ErrSameReviewer},
		{"release by another reviewer", ToBeVerified, func(j *Job) error { return j.Release("carol", at) }, ErrNotReviewer},
		{"release by nobody", ToBeVerified, func(j *Job) error { return j.Release("", at) }, ErrRequired},
		{"invalidate without reason", Released, func(j *Job) error { _, err := j.Invalidate("bob", at, "J2", " "); return err }, ErrRequired},
		{"invalidate without new id", Released, func(j *Job) error { _, err := j.Invalidate("bob", at, "", "x"); return err }, ErrRetestID},
		{"invalidate onto itself", Released, func(j *Job) error { _, err := j.Invalidate("bob", at, "J2026-0001", "x"); return err }, ErrRetestID},
	}
	for _, c := range cases {
		j := jobIn(t, c.from)
		n := len(j.Audit)
		if err := c.do(j); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if j.State != c.from || len(j.Audit) != n {
			t.Errorf("%s: refused action changed the job", c.name)
		}
	}
}

func TestInvalidateMakesRetest(t *testing.T) {
	for _, from := range []State{ToBeVerified, Released} {
		j := jobIn(t, from)
		at := testDay.Add(6 * time.Hour)
		r, err := j.Invalidate("bob", at, "J2026-0002", "ambient probe out of calibration")
		if err != nil {
			t.Fatal(err)
		}
		if j.State != Invalid || j.Retest != "J2026-0002" || !strings.Contains(j.Audit[len(j.Audit)-1].Note, "ambient probe") {
			t.Errorf("from %s: old job %s, retest %q, audit %v", from, j.State, j.Retest, j.Audit[len(j.Audit)-1])
		}
		if r.ID != "J2026-0002" || r.State != Registered || r.RetestOf != j.ID || len(r.Audit) != 1 ||
			!strings.Contains(r.Audit[0].Note, "retest of J2026-0001") || !r.Started.IsZero() || !r.Released.IsZero() {
			t.Errorf("from %s: retest %+v", from, r)
		}
		if r.Customer != j.Customer || r.Rule != j.Rule || r.Operator != j.Operator || r.Reviewer != j.Reviewer {
			t.Errorf("from %s: retest spec differs", from)
		}
		r.Product.Rated["voltage"] = Rated{6, "V"}
		if j.Product.Rated["voltage"].Value != 12 {
			t.Error("retest shares the rated-values map")
		}
		// Only one retest per invalidated job.
		if _, err := j.Invalidate("bob", at, "J2026-0003", "again"); !errors.Is(err, ErrTransition) {
			t.Errorf("second invalidation: %v", err)
		}
		// The retest runs the whole workflow again.
		if err := r.Start("alice", at, calDue); err != nil {
			t.Fatal(err)
		}
		if err := r.Submit("alice", at); err != nil {
			t.Fatal(err)
		}
		if err := r.Release("bob", at); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditTrail(t *testing.T) {
	j := jobIn(t, Released)
	var got []string
	for _, e := range j.Audit {
		got = append(got, e.What)
	}
	if strings.Join(got, ",") != "register,start,submit,release" {
		t.Errorf("audit actions %v", got)
	}
	if s := j.Audit[3].String(); s != "2026-05-06T04:00:00Z bob release: to be verified → released" {
		t.Errorf("entry text %q", s)
	}
	if !j.Released.Equal(testDay.Add(2 * time.Hour)) {
		t.Errorf("released at %v", j.Released)
	}
}
