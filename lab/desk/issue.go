package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/job"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/runner"
	"github.com/onestop-station/onestop/lab/store"
)

// Release verifies the job by its reviewer and issues its signed report.
func (d *Desk) Release(ctx context.Context, id, by string) (console.JobView, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.load(ctx, id)
	if err != nil {
		return console.JobView{}, err
	}
	if err := wrap(r.Job.Release(by, d.o.Now())); err != nil {
		return console.JobView{}, err
	}
	no, err := d.issue(ctx, r, "", "")
	if err != nil {
		return console.JobView{}, err
	}
	r.Job.Note(by, d.o.Now(), "report issued", no)
	if err := d.save(ctx, r); err != nil {
		return console.JobView{}, err
	}
	d.publish(id, "report", map[string]string{"id": id, "number": no})
	return d.view(ctx, r)
}

// Reissue issues a new report for a released job; the current one is marked superseded by it.
func (d *Desk) Reissue(ctx context.Context, id, by, reason string) (console.JobView, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.load(ctx, id)
	if err != nil {
		return console.JobView{}, err
	}
	if r.Job.State != job.Released {
		return console.JobView{}, fmt.Errorf("%w: only a released job's report is reissued (job is %s)", console.ErrConflict, r.Job.State)
	}
	if by != r.Job.Reviewer {
		return console.JobView{}, fmt.Errorf("%w: only the job's reviewer %s reissues", console.ErrForbidden, r.Job.Reviewer)
	}
	if strings.TrimSpace(reason) == "" {
		return console.JobView{}, fmt.Errorf("%w: a reissue needs a reason", console.ErrInvalid)
	}
	reps, err := d.o.Records.Reports(ctx, id)
	if err != nil || len(reps) == 0 {
		return console.JobView{}, fmt.Errorf("%w: job %s has no report to reissue (%v)", console.ErrConflict, id, err)
	}
	no, err := d.issue(ctx, r, reps[0].Number, reason)
	if err != nil {
		return console.JobView{}, err
	}
	r.Job.Note(by, d.o.Now(), "report reissued", fmt.Sprintf("%s replaces %s: %s", no, reps[0].Number, reason))
	if err := d.save(ctx, r); err != nil {
		return console.JobView{}, err
	}
	d.publish(id, "report", map[string]string{"id": id, "number": no, "supersedes": reps[0].Number})
	return d.view(ctx, r)
}

// issue builds, renders, signs and stores the report of r (replacing old when not "").
func (d *Desk) issue(ctx context.Context, r *record, old, reason string) (string, error) {
	no, err := d.nextID(ctx, "report-", "OSL-%s-%04d")
	if err != nil {
		return "", err
	}
	rep, err := d.build(ctx, r, no, old, reason)
	if err != nil {
		return "", err
	}
	pdf, err := report.Render(rep, report.Opts{Font: d.o.Font, VerifyBase: d.o.VerifyBase})
	if err != nil {
		return "", err
	}
	signed, err := d.o.Signer.Sign(pdf)
	if err != nil {
		return "", err
	}
	content, err := json.Marshal(rep)
	if err != nil {
		return "", err
	}
	hash, err := rep.Hash()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(signed)
	row := store.ReportRow{Number: no, Job: r.Job.ID, Hash: hash, FileSHA256: hex.EncodeToString(sum[:]),
		Issued: rep.Issued, Content: content, PDF: signed, Reason: reason}
	if d.o.ReportDir != "" {
		if err := writeFile(filepath.Join(d.o.ReportDir, no+".pdf"), signed); err != nil {
			return "", err
		}
	}
	if err := d.o.Records.AddReport(ctx, row, old); err != nil {
		return "", err
	}
	return no, nil
}

// writeFile writes through a temporary file and a rename, so a reader never sees half a report.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReportPath is where a report's file is written when the desk has a report directory.
func (d *Desk) ReportPath(no string) string {
	if d.o.ReportDir == "" {
		return ""
	}
	return filepath.Join(d.o.ReportDir, no+".pdf")
}

// build states the report of r: everything decided, for report.Render to lay out.
func (d *Desk) build(ctx context.Context, r *record, no, old, reason string) (report.Report, error) {
	p, err := d.plan(r)
	if err != nil {
		return report.Report{}, err
	}
	j := r.Job
	now := d.o.Now()
	rep := report.Report{
		Number:   no,
		Lab:      d.o.Lab,
		Location: j.Location,
		Customer: report.Customer{Name: j.Customer.Name, USCC: j.Customer.USCC},
		Mode:     report.Bilingual{Zh: j.Mode.Text("zh"), En: j.Mode.Text("en")},
		Sample:   report.Sample{ID: j.Sample.ID, Description: describe(j), Received: j.Sample.Received},
		Issued:   now,
		Rule:     j.Rule,
		Auth:     report.Authorisation{Operator: j.Operator, Reviewer: j.Reviewer, Released: j.Released},
	}
	for _, s := range p.Standards {
		rep.Methods = append(rep.Methods, report.Method{Code: s.Code, Edition: s.Edition, Title: report.Bilingual{Zh: s.Title.Zh, En: s.Title.En}})
	}
	rep.Tested = [2]time.Time{j.Started, j.Started}
	for _, s := range r.Steps {
		if s.To.After(rep.Tested[1]) {
			rep.Tested[1] = s.To
		}
	}
	var unjudged []string
	for _, it := range p.Items {
		res, ok := find(r.Results, it.ID)
		if !ok {
			res = runner.Result{Item: it.ID, Problem: "not tested"}
		}
		line := report.LineFor(it, plan.Result{Value: res.Value, Unit: res.Unit}, res.Outcome)
		line.Problem = res.Problem
		rep.Lines = append(rep.Lines, line)
		switch {
		case res.Problem != "":
			rep.Deviations = append(rep.Deviations, fmt.Sprintf("%s 未评定 / not evaluated: %s", it.ID, res.Problem))
		case res.Note != "":
			unjudged = append(unjudged, it.ID)
		}
	}
	for _, s := range r.Steps {
		if len(s.Alarms) > 0 {
			rep.Deviations = append(rep.Deviations, fmt.Sprintf("步骤 %s 设备报警 / rig alarm during step %s: %s", s.Name, s.Name, strings.Join(s.Alarms, ", ")))
		}
	}
	if len(unjudged) > 0 {
		rep.Deviations = append(rep.Deviations, "限值待确认，仅报告结果不作判定 / limit to be confirmed, value reported without a verdict: "+strings.Join(unjudged, ", "))
	}
	if old != "" {
		rep.Deviations = append(rep.Deviations, fmt.Sprintf("本报告替代 %s / this report replaces %s: %s", old, old, reason))
	}
	rep.Overall = runner.Overall(r.Steps, r.Results)
	if rep.Charts, err = d.charts(ctx, r, p); err != nil {
		return rep, err
	}
	return rep, nil
}

func find(rs []runner.Result, item string) (runner.Result, bool) {
	for _, r := range rs {
		if r.Item == item {
			return r, true
		}
	}
	return runner.Result{}, false
}

// productNames name the plans' product types on reports.
var productNames = map[string]string{
	plan.ProductRideOnCar: "电动童车 electric ride-on car",
	plan.ProductStroller:  "儿童推车 stroller",
	plan.ProductTricycle:  "儿童三轮车 tricycle",
}

func describe(j *job.Job) string {
	name := productNames[j.Product.Type]
	if name == "" {
		name = j.Product.Type
	}
	parts := []string{name, j.Product.Model}
	if j.Product.Batch != "" {
		parts = append(parts, "batch "+j.Product.Batch)
	}
	names := make([]string, 0, len(j.Product.Rated))
	for n := range j.Product.Rated {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		parts = append(parts, n+" "+j.Product.Rated[n].String())
	}
	if j.Product.MassKg > 0 {
		parts = append(parts, fmt.Sprintf("%g kg", j.Product.MassKg))
	}
	if j.Product.AgeGroup != 0 {
		parts = append(parts, j.Product.AgeGroup.String())
	}
	return strings.Join(parts, ", ")
}

// charts draws each evaluated temperature and speed item from its stored readings: the
// difference for a rise, the channel itself otherwise, at most 400 points.
func (d *Desk) charts(ctx context.Context, r *record, p *plan.Plan) ([]report.Chart, error) {
	var out []report.Chart
	for _, it := range p.Items {
		res, ok := find(r.Results, it.ID)
		if !ok || res.Problem != "" || len(it.Channels) == 0 || !chartUnit(it.Unit) {
			continue
		}
		rows, err := d.o.Store.Readings(ctx, r.Agent, r.Dev, res.From, res.To.Add(time.Nanosecond))
		if err != nil {
			return nil, err
		}
		byT := map[int64]map[string]float64{}
		var ts []int64
		for _, row := range rows {
			m := byT[row.Reading.T]
			if m == nil {
				m = map[string]float64{}
				byT[row.Reading.T] = m
				ts = append(ts, row.Reading.T)
			}
			m[row.Reading.Ch] = row.Reading.V
		}
		sort.Slice(ts, func(a, b int) bool { return ts[a] < ts[b] })
		c := report.Chart{Item: it.ID, Title: report.Bilingual{Zh: it.Title.Zh, En: it.Title.En}, Unit: it.Unit}
		for _, t := range ts {
			v, ok := byT[t][it.Channels[0]]
			if !ok {
				continue
			}
			if it.Reduction == plan.ReduceDiff {
				ref, ok := byT[t][it.Channels[1]]
				if !ok {
					continue
				}
				v -= ref
			}
			c.Times = append(c.Times, time.Unix(0, t).UTC())
			c.Vals = append(c.Vals, v)
		}
		thin(&c, 400)
		if res.Limit != nil {
			lim := res.Limit.Value
			c.Limit = &lim
		}
		if len(c.Vals) > 1 {
			out = append(out, c)
		}
	}
	return out, nil
}

func chartUnit(u string) bool { return u == "°C" || u == "K" || u == "km/h" }

// thin keeps at most n points, evenly spaced, always with the largest value kept.
func thin(c *report.Chart, n int) {
	if len(c.Vals) <= n {
		return
	}
	peak := 0
	for i, v := range c.Vals {
		if v > c.Vals[peak] {
			peak = i
		}
	}
	var ts []time.Time
	var vs []float64
	step := float64(len(c.Vals)) / float64(n)
	last := -1
	for k := 0; k < n; k++ {
		i := int(float64(k) * step)
		if last < peak && i > peak {
			ts, vs = append(ts, c.Times[peak]), append(vs, c.Vals[peak])
		}
		ts, vs = append(ts, c.Times[i]), append(vs, c.Vals[i])
		last = i
	}
	c.Times, c.Vals = ts, vs
}
