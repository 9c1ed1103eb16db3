package desk_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/demo"
	"github.com/onestop-station/onestop/lab/desk"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/runner"
)

var tools demo.Tools

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "onestop-desk-tools-")
	if err != nil {
		panic(err)
	}
	if tools, err = demo.BuildTools(context.Background(), dir); err != nil {
		os.RemoveAll(dir)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// rig is the real pipeline — embedded broker, lab store and ingest, the rig twin running the
// short scenario on a pseudo-terminal, an agent — with a desk over it.
type rig struct {
	stack *demo.Stack
	desk  *desk.Desk
	data  string
}

func start(t testing.TB) *rig {
	t.Helper()
	if report.DefaultFont == "" || !exists(report.DefaultFont) {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" {
			t.Fatal("report font missing (scripts/test.sh installs fonts-arphic-gbsn00lp)")
		}
		t.Skip("report font missing")
	}
	ctx := context.Background()
	var live atomic.Pointer[desk.Desk] // the ingest starts before the desk exists
	s, err := demo.StartLab(ctx, t.TempDir(), tools, demo.LabOpts{OnStored: func(agent, dev string, b telemetry.Batch) {
		if d := live.Load(); d != nil {
			d.Readings(agent, dev, b)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	scenario, _ := filepath.Abs("testdata/short.toml")
	if _, err := s.StartTwin(scenario); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartAgent(demo.AgentOpts{}); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	signer, err := report.LoadOrCreateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(desk.Opts{Store: s.Store, Plans: plans, Sender: s.Cmd, Signer: signer,
		VerifyBase: "http://lab.test", ReportDir: filepath.Join(data, "reports"),
		Runner: runner.Opts{Poll: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	live.Store(d)
	if err := demo.WaitRig(ctx, s.Store, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return &rig{stack: s, desk: d, data: data}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func waitFor(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func newJob(t testing.TB, d *desk.Desk, reviewer string) console.JobView {
	t.Helper()
	var req console.NewJob
	req.Customer.Name, req.Customer.USCC = "测试童车厂", demo.DemoUSCC
	req.Product.Type, req.Product.Model, req.Product.MassKg, req.Product.AgeGroup = plan.ProductRideOnCar, "M1", 20, "under36"
	req.SampleID, req.Received, req.Location = "S1", "2026-11-30", "on site"
	req.Mode, req.Rule, req.Agent, req.Dev, req.Reviewer = "pre-test", "ilac-g8", demo.AgentName, demo.RigName, reviewer
	j, err := d.CreateJob(context.Background(), "op", req)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func runToEnd(t *testing.T, d *desk.Desk, id string) console.JobView {
	t.Helper()
	ctx := context.Background()
	if _, err := d.Start(ctx, id, "op"); err != nil {
		t.Fatal(err)
	}
	var j console.JobView
	waitFor(t, 60*time.Second, "end of the run", func() bool {
		j, _ = d.Job(ctx, id)
		return !j.Progress.Running
	})
	return j
}

func is(t *testing.T, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// TestJobLifecycleReportReissueWithdraw follows one job through the whole workflow on the real
// pipeline and checks every refusal on the way, then the verification of its reports: genuine,
// altered (hash or file), superseded by a reissue, withdrawn with its invalidated job, unknown.
func TestJobLifecycleReportReissueWithdraw(t *testing.T) {
	r := start(t)
	d, ctx := r.desk, context.Background()
	if _, err := d.CreateJob(ctx, "op", console.NewJob{}); !errors.Is(err, console.ErrInvalid) {
		t.Fatalf("empty job registered: %v", err)
	}
	j := newJob(t, d, "rev")
	if j.State != "registered" || j.Plan.ID == "" || j.Progress.StepsTotal != 3 {
		t.Fatalf("new job %+v", j.JobSummary)
	}
	_, err := d.Start(ctx, j.ID, "rev")
	is(t, err, console.ErrForbidden, "start by the reviewer")
	events, cancel := d.Subscribe(j.ID)
	counted := make(chan [2]int)
	go func() { // a console reads as events come; a slow one would lose some, by design
		var n [2]int
		for e := range events {
			switch e.Type {
			case "reading":
				n[0]++
			case "result":
				n[1]++
			}
		}
		counted <- n
	}()
	j = runToEnd(t, d, j.ID)
	cancel()
	n := <-counted
	if j.Progress.Error != "" || j.Progress.StepsDone != 3 || len(j.Steps) != 3 {
		t.Fatalf("run: %+v steps %+v", j.Progress, j.Steps)
	}
	if readings, results := n[0], n[1]; readings < 100 || results != 7 {
		t.Errorf("events during the run: %d readings, %d results", readings, results)
	}
	for _, s := range j.Steps {
		if s.State != "done" || s.Readings < 11 || len(s.Problems) > 0 {
			t.Errorf("step %+v", s)
		}
	}
	var volts console.ResultView
	for _, res := range j.Results {
		if res.Item == "supply_voltage" {
			volts = res
		}
	}
	if volts.Outcome != "pass" || volts.Value < 12 || volts.Value > 13 {
		t.Errorf("supply voltage %+v", volts)
	}

	_, err = d.Submit(ctx, j.ID, "op")
	is(t, err, console.ErrConflict, "submit with the manual item missing")
	_, err = d.Manual(ctx, j.ID, "op", "supply_voltage", 1)
	is(t, err, console.ErrInvalid, "a rig item entered by hand")
	if _, err = d.Manual(ctx, j.ID, "op", "stability_tip_over", 0); err != nil {
		t.Fatal(err)
	}
	_, err = d.Submit(ctx, j.ID, "rev")
	is(t, err, console.ErrForbidden, "submit by the reviewer")
	if _, err = d.Submit(ctx, j.ID, "op"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Release(ctx, j.ID, "op")
	is(t, err, console.ErrForbidden, "release by the operator")
	if j, err = d.Release(ctx, j.ID, "rev"); err != nil {
		t.Fatal(err)
	}
	if j.State != "released" || len(j.Reports) != 1 {
		t.Fatalf("released job %+v", j.JobSummary)
	}
	first := j.Reports[0]
	pdf, err := d.ReportPDF(ctx, first.Number)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(d.ReportPath(first.Number))
	if !bytes.Equal(pdf, onDisk) {
		t.Error("the file in the report folder is not the one in the register")
	}
	h := first.VerifyURL[strings.Index(first.VerifyURL, "?h=")+3:]
	check := func(no, h string, pdf []byte, status string) console.Verification {
		t.Helper()
		v, err := d.Verify(ctx, no, h, pdf)
		if err != nil || v.Status != status {
			t.Errorf("verify %s h=%q file=%v: %+v %v, want %s", no, h, pdf != nil, v, err, status)
		}
		return v
	}
	if v := check(first.Number, h, pdf, "valid"); !*v.HashOK || !*v.FileOK || v.Customer != "测试童车厂" {
		t.Errorf("genuine report: %+v", v)
	}
	check(first.Number, "0000000000000000", nil, "altered")
	bad := bytes.Clone(pdf)
	bad[len(bad)/2] ^= 1
	check(first.Number, h, bad, "altered")
	check("OSL-19990101-0001", "", nil, "unknown")

	_, err = d.Reissue(ctx, j.ID, "rev", "")
	is(t, err, console.ErrInvalid, "reissue without a reason")
	if j, err = d.Reissue(ctx, j.ID, "rev", "customer name corrected"); err != nil {
		t.Fatal(err)
	}
	if len(j.Reports) != 2 || j.Reports[1].SupersededBy != j.Reports[0].Number || j.Reports[0].Reason == "" {
		t.Fatalf("after reissue: %+v", j.Reports)
	}
	if v := check(first.Number, h, pdf, "superseded"); v.SupersededBy != j.Reports[0].Number || !*v.FileOK {
		t.Errorf("old report after reissue: %+v", v)
	}
	second, _ := d.ReportPDF(ctx, j.Reports[0].Number)
	check(j.Reports[0].Number, "", second, "valid")

	retest, err := d.Invalidate(ctx, j.ID, "rev", "thermocouple found loose")
	if err != nil {
		t.Fatal(err)
	}
	if retest.RetestOf != j.ID || retest.State != "registered" {
		t.Errorf("retest %+v", retest.JobSummary)
	}
	check(j.Reports[0].Number, "", second, "withdrawn")
	old, _ := d.Job(ctx, j.ID)
	if old.State != "invalid" || old.Retest != retest.ID {
		t.Errorf("invalidated job %+v", old.JobSummary)
	}
	var whats []string
	for _, a := range old.Audit {
		if a.Who == "" || a.When.IsZero() {
			t.Errorf("audit entry without who or when: %+v", a)
		}
		whats = append(whats, a.What)
	}
	for _, want := range []string{"register", "start", "step start", "step end", "manual result", "submit", "release", "report issued", "report reissued", "invalidate"} {
		if !strings.Contains(" "+strings.Join(whats, " | ")+" ", want) {
			t.Errorf("audit trail lacks %q: %v", want, whats)
		}
	}
}

// TestRunRefusesOverdueRigAndReportsBadReadings: a rig past its calibration date does not start;
// a sensor that fails during a step leaves its items unevaluated and the report not judged.
func TestRunRefusesOverdueRigAndReportsBadReadings(t *testing.T) {
	r := start(t)
	d, ctx, st := r.desk, context.Background(), r.stack
	devs, err := st.Store.Devices(ctx, demo.AgentName)
	if err != nil {
		t.Fatal(err)
	}
	meta := devs[0].Meta
	overdue := meta
	overdue.CalibrationDue = time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	if err := st.Store.SetDeviceMeta(ctx, demo.AgentName, demo.RigName, overdue, time.Now()); err != nil {
		t.Fatal(err)
	}
	j := newJob(t, d, "rev")
	_, err = d.Start(ctx, j.ID, "op")
	is(t, err, console.ErrInvalid, "start on an overdue rig")
	if err := st.Store.SetDeviceMeta(ctx, demo.AgentName, demo.RigName, meta, time.Now()); err != nil {
		t.Fatal(err)
	}

	if err := st.Twin.Sensor("supply_voltage", true); err != nil {
		t.Fatal(err)
	}
	j = runToEnd(t, d, j.ID)
	for _, res := range j.Results {
		if res.Item == "supply_voltage" && (res.Outcome != "not evaluated" || !strings.Contains(res.Problem, "quality")) {
			t.Errorf("supply voltage from a faulty sensor: %+v", res)
		}
	}
	if j.Overall != "not judged" {
		t.Errorf("overall with an unevaluated item: %q", j.Overall)
	}
}

// BenchmarkLastReadingToSignedPDF measures, per job on the real pipeline (twin, agent, broker,
// lab), the time from the last reading of the plan's last step (the rig's "done" snapshot) to
// the signed report on disk, with submit and release sent as soon as the run ends — the machine's
// share of "a report at once" — and the size of that PDF. bench/report.sh runs it.
func BenchmarkLastReadingToSignedPDF(b *testing.B) {
	r := start(b)
	d, ctx := r.desk, context.Background()
	var total time.Duration
	var size int
	for i := 0; i < b.N; i++ {
		j := newJob(b, d, "rev")
		if _, err := d.Start(ctx, j.ID, "op"); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Manual(ctx, j.ID, "op", "stability_tip_over", 0); err != nil {
			b.Fatal(err)
		}
		var err error
		for {
			j, err = d.Job(ctx, j.ID)
			if err != nil {
				b.Fatal(err)
			}
			if !j.Progress.Running {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := d.Submit(ctx, j.ID, "op"); err != nil {
			b.Fatal(err)
		}
		if j, err = d.Release(ctx, j.ID, "rev"); err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(d.ReportPath(j.Reports[0].Number))
		if err != nil {
			b.Fatal(err)
		}
		last := j.Steps[len(j.Steps)-1].To
		total += fi.ModTime().Sub(last)
		size = int(fi.Size())
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-last-reading-to-pdf")
	b.ReportMetric(float64(size)/1024, "KB/report")
	b.ReportMetric(0, "ns/op")
}
