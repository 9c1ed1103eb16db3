package runner

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/store"
	"github.com/onestop-station/onestop/lab/verdict"
)

var t0 = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// plan2005 is GB 19865-2005, whose temperature-rise and voltage limits are verified.
func plan2005(t *testing.T) *plan.Plan {
	t.Helper()
	set, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	p, err := set.For(plan.ProductRideOnCar, t0)
	if err != nil || p.ID != "rideon-gb19865-2005" {
		t.Fatalf("plan on %v: %v %v", t0, p, err)
	}
	return p
}

// driveRows makes 20 s of drive readings every 100 ms: supply at volts, handheld at ambient+rise.
func driveRows(volts, rise float64, q func(ch string, i int) string) []store.Row {
	var rows []store.Row
	seq := int64(0)
	for i := 0; i <= 200; i++ {
		at := t0.Add(time.Duration(i) * 100 * time.Millisecond).UnixNano()
		for _, c := range []struct {
			ch string
			v  float64
			u  string
		}{{"supply_voltage", volts, "V"}, {"ambient_temp", 23, "°C"}, {"handheld_temp", 23 + rise*float64(i)/200, "°C"},
			{"accessible_temp", 30, "°C"}, {"motor_temp", 40, "°C"}, {"speed", 5.5, "km/h"}} {
			seq++
			quality := telemetry.QualityGood
			if q != nil {
				quality = q(c.ch, i)
			}
			rows = append(rows, store.Row{Agent: "agent1", Dev: "rig1", Epoch: 1, Seq: seq,
				Reading: telemetry.Reading{Ch: c.ch, T: at, V: c.v, U: c.u, Q: quality}})
		}
	}
	return rows
}

func drive() Step {
	return Step{Name: "drive", Number: 1, State: "done", From: t0, To: t0.Add(20 * time.Second)}
}

func result(t *testing.T, rs []Result, item string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Item == item {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", item, rs)
	return Result{}
}

func TestEvaluateJudgesAtBelowAndAboveTheLimit(t *testing.T) {
	p := plan2005(t)
	for _, tc := range []struct {
		volts float64
		rule  verdict.Rule
		want  verdict.Outcome
	}{
		{23.90, verdict.Simple, verdict.Pass},
		{24.00, verdict.Simple, verdict.Pass}, // at the limit: ≤ 24 conforms
		{24.10, verdict.Simple, verdict.Fail},
		{23.97, verdict.GuardBand, verdict.Fail}, // inside the guard band w = U = 0.05
		{23.90, verdict.GuardBand, verdict.Pass},
		{23.97, verdict.ILACG8, verdict.ConditionalPass},
		{24.03, verdict.ILACG8, verdict.ConditionalFail},
		{24.10, verdict.ILACG8, verdict.Fail},
	} {
		rs := Evaluate(p, drive(), driveRows(tc.volts, 10, nil), Job{Rule: tc.rule})
		r := result(t, rs, "supply_voltage")
		if r.Outcome != tc.want || r.Value != tc.volts || r.Problem != "" || r.Limit == nil || r.Limit.Value != 24 {
			t.Errorf("%.2f V under %s: %+v, want %s", tc.volts, tc.rule, r, tc.want)
		}
	}
}

func TestEvaluateTemperatureRiseIsPartMinusAmbient(t *testing.T) {
	p := plan2005(t)
	rs := Evaluate(p, drive(), driveRows(12, 36, nil), Job{Rule: verdict.Simple})
	r := result(t, rs, "handheld_temp_rise")
	if r.Value < 35.99 || r.Value > 36.01 || r.Unit != "K" || r.Outcome != verdict.Fail {
		t.Errorf("handheld rise = %+v, want 36 K fail against 35 K", r)
	}
	if Overall([]Step{drive()}, rs) != verdict.Fail {
		t.Error("a failed item does not fail the report")
	}
}

func TestEvaluateRefusesBadQualityAndGaps(t *testing.T) {
	p := plan2005(t)
	bad := driveRows(12, 10, func(ch string, i int) string {
		if ch == "supply_voltage" && i == 150 {
			return telemetry.QualityBad
		}
		return telemetry.QualityGood
	})
	rs := Evaluate(p, drive(), bad, Job{Rule: verdict.Simple})
	if r := result(t, rs, "supply_voltage"); r.Outcome.Valid() || !strings.Contains(r.Problem, plan.ErrBadQuality.Error()) {
		t.Errorf("bad reading evaluated: %+v", r)
	}
	if r := result(t, rs, "handheld_temp_rise"); !r.Outcome.Valid() {
		t.Errorf("an item on good channels was not judged: %+v", r)
	}
	if o := Overall([]Step{drive()}, rs); o != 0 {
		t.Errorf("overall with an unevaluated item = %s, want not judged", o)
	}

	// The readings stop 5 s before the step ends: a missing end is a gap too.
	var cut []store.Row
	for _, r := range driveRows(12, 10, nil) {
		if time.Unix(0, r.Reading.T).Before(t0.Add(15 * time.Second)) {
			cut = append(cut, r)
		}
	}
	rs = Evaluate(p, drive(), cut, Job{Rule: verdict.Simple})
	if r := result(t, rs, "supply_voltage"); r.Outcome.Valid() || !strings.Contains(r.Problem, plan.ErrGap.Error()) {
		t.Errorf("a window missing its last 5 s evaluated: %+v", r)
	}
}

func TestEvaluateStepProblemsAndAlarms(t *testing.T) {
	p := plan2005(t)
	st := drive()
	st.State, st.Problems = "aborted", []string{"step aborted by the rig"}
	for _, r := range Evaluate(p, st, driveRows(12, 10, nil), Job{Rule: verdict.Simple}) {
		if r.Outcome.Valid() || r.Problem == "" {
			t.Errorf("item of an aborted step judged: %+v", r)
		}
	}
	st = drive()
	st.Alarms = []string{"OVERTEMP_HANDHELD"}
	rs := Evaluate(p, st, driveRows(12, 10, nil), Job{Rule: verdict.Simple})
	if r := result(t, rs, "supply_voltage"); r.Outcome != verdict.Pass {
		t.Errorf("measured values are judged despite an alarm: %+v", r)
	}
	if o := Overall([]Step{st}, rs); o != 0 {
		t.Errorf("overall of a run with an alarm and no failure = %s, want not judged", o)
	}
}

func TestUnverifiedLimitGetsAValueButNoVerdict(t *testing.T) {
	p := plan2005(t)
	rs := Evaluate(p, drive(), driveRows(12, 10, nil), Job{Rule: verdict.Simple})
	r := result(t, rs, "motor_temp_rise") // no limit in the reference
	if r.Outcome.Valid() || r.Note != NoteLimitToBeConfirmed || r.Value != 17 {
		t.Errorf("motor rise = %+v", r)
	}
	if o := Overall([]Step{drive()}, rs); o != verdict.Pass {
		t.Errorf("overall = %s, want pass (unjudged values do not count)", o)
	}
	it, _ := p.Item("stability_tip_over")
	if m := Manual(it, 1, t0, Job{Rule: verdict.Simple}); m.Outcome.Valid() || m.Value != 1 {
		t.Errorf("manual item with an unverified limit: %+v", m)
	}
}

func TestNumberFollowsTheProgramme(t *testing.T) {
	o := Opts{}
	if o.Number("drive") != 1 || o.Number("stability") != 3 || o.Number("tumble") != 0 {
		t.Error("programme numbers")
	}
	_, _, err := RunStep(t.Context(), Opts{Programme: []string{"drive"}}, "brake", nil)
	if !errors.Is(err, ErrNotInProgramme) {
		t.Errorf("RunStep of a step not in the programme: %v", err)
	}
}
