package demo

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/desk"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/runner"
	"github.com/onestop-station/onestop/lab/store"
)

// The demo's technicians and customer.
const (
	Operator = "operator"
	Reviewer = "reviewer"
	// DemoUSCC is a unified social credit code with a valid check character.
	DemoUSCC = "91370481MA3C8XKJ06"
)

// runJob does what the technicians do at the console: register a job for an electric ride-on
// car, run its plan on the rig, enter the observed item, submit, and release as the reviewer,
// which issues the signed report.
func runJob(ctx context.Context, s *Stack, o Opts, sum *Summary, say func(string, ...any)) error {
	if o.DataDir == "" {
		o.DataDir = "onestop-data"
	}
	if o.VerifyBase == "" {
		o.VerifyBase = "http://127.0.0.1:8080"
	}
	dataDir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return err
	}
	signer, err := report.LoadOrCreateKey(dataDir)
	if err != nil {
		return err
	}
	records, err := store.Open(filepath.Join(dataDir, "lab.db"))
	if err != nil {
		return err
	}
	defer records.Close()
	plans, err := plan.Load("")
	if err != nil {
		return err
	}
	d, err := desk.New(desk.Opts{Store: s.Store, Records: records, Plans: plans, Sender: s.Cmd, Signer: signer,
		Font: o.Font, VerifyBase: o.VerifyBase, ReportDir: filepath.Join(dataDir, "reports"), Logger: quietLogger()})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := WaitRig(ctx, s.Store, 20*time.Second); err != nil {
		return err
	}
	var req console.NewJob
	req.Customer.Name, req.Customer.USCC = "滕州市某童车有限公司", DemoUSCC
	req.Product.Type, req.Product.Model, req.Product.Batch = plan.ProductRideOnCar, "TZ-6688", "2026-11-A"
	req.Product.Voltage, req.Product.MassKg, req.Product.AgeGroup = 12, 20, "under36"
	req.SampleID, req.Received = "S-"+time.Now().Format("20060102-150405"), time.Now().Format(time.DateOnly)
	req.Location, req.Mode, req.Rule = "企业现场 / on site at the maker's plant, Tengzhou", "pre-test", "simple"
	req.Agent, req.Dev, req.Reviewer = AgentName, RigName, Reviewer
	j, err := d.CreateJob(ctx, Operator, req)
	if err != nil {
		return err
	}
	sum.Job = j.ID
	say("job %s registered: plan %s (%s)", j.ID, j.Plan.ID, j.Plan.Title.En)
	events, cancel := d.Subscribe(j.ID)
	defer cancel()
	if _, err := d.Start(ctx, j.ID, Operator); err != nil {
		return err
	}
	if j, err = waitRun(ctx, d, j.ID, events, say); err != nil {
		return err
	}
	sum.Steps = j.Progress.StepsDone
	if j.Progress.Error != "" {
		return fmt.Errorf("demo: the run stopped: %s", j.Progress.Error)
	}
	for _, it := range j.Plan.Items {
		if it.Manual {
			say("%s entered by the operator: 0", it.ID)
			if _, err := d.Manual(ctx, j.ID, Operator, it.ID, 0); err != nil {
				return err
			}
		}
	}
	if _, err := d.Submit(ctx, j.ID, Operator); err != nil {
		return err
	}
	if j, err = d.Release(ctx, j.ID, Reviewer); err != nil {
		return err
	}
	if len(j.Reports) == 0 {
		return errors.New("demo: released without a report")
	}
	sum.Overall, sum.Report, sum.VerifyURL = j.Overall, d.ReportPath(j.Reports[0].Number), j.Reports[0].VerifyURL
	say("released by %s: report %s, overall %s", Reviewer, j.Reports[0].Number, j.Overall)
	return nil
}

// WaitRig waits until the demo's rig has described itself to the lab (its calibration date and
// steps): a job cannot start on it before.
func WaitRig(ctx context.Context, st *store.Store, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		devs, err := st.Devices(ctx, AgentName)
		if err != nil {
			return err
		}
		for _, d := range devs {
			if d.Dev == RigName && d.Meta.Steps > 0 {
				return nil
			}
		}
		if !device.Sleep(ctx, 200*time.Millisecond) {
			return ctx.Err()
		}
	}
	return errors.New("demo: the rig's description (meta) never reached the lab")
}

// waitRun follows the run's events until it ends, saying each step's end and result.
func waitRun(ctx context.Context, d *desk.Desk, id string, events <-chan console.Event, say func(string, ...any)) (console.JobView, error) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case e := <-events:
			switch v := e.Data.(type) {
			case runner.Step:
				if v.State != "running" {
					say("step %d %s %s: %d readings %s %s", v.Number, v.Name, v.State, v.Readings, strings.Join(v.Alarms, " "), strings.Join(v.Problems, "; "))
				} else if v.To.IsZero() && len(v.Alarms) == 0 {
					say("step %d %s started", v.Number, v.Name)
				}
			case console.ResultView:
				val := fmt.Sprintf("%.2f %s", v.Value, v.Unit)
				if v.Problem != "" && v.Outcome == "not evaluated" {
					val = "—"
				}
				say("  %-22s %-14s %s", v.Item, val, v.Outcome)
			}
			if e.Type != "job" {
				continue
			}
		case <-tick.C:
		case <-ctx.Done():
			return console.JobView{}, ctx.Err()
		}
		j, err := d.Job(ctx, id)
		if err != nil {
			return j, err
		}
		if !j.Progress.Running {
			return j, nil
		}
	}
}
