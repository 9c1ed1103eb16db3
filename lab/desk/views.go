package desk

import (
	"context"
	"time"

	"github.com/onestop-station/onestop/lab/console"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/runner"
	"github.com/onestop-station/onestop/lab/verdict"
)

// Plans lists every loaded plan.
func (d *Desk) Plans(ctx context.Context) ([]console.PlanView, error) {
	out := make([]console.PlanView, 0, len(d.o.Plans.Plans))
	for _, p := range d.o.Plans.Plans {
		out = append(out, planView(p))
	}
	return out, nil
}

func text(t plan.Text) console.Text { return console.Text{Zh: t.Zh, En: t.En} }

func planView(p *plan.Plan) console.PlanView {
	v := console.PlanView{ID: p.ID, ProductType: p.ProductType, Title: text(p.Title), Steps: p.Steps,
		ValidFrom: p.ValidFrom.Format(time.DateOnly)}
	if !p.ValidTo.IsZero() {
		v.ValidTo = p.ValidTo.Format(time.DateOnly)
	}
	for _, s := range p.Standards {
		v.Standards = append(v.Standards, s.String())
	}
	for _, it := range p.Items {
		v.Items = append(v.Items, console.ItemView{ID: it.ID, Clause: it.ClauseText(""), Title: text(it.Title),
			Step: it.Step, Unit: it.Unit, Limit: it.LimitText(""), U: it.U, Manual: it.Reduction == plan.ReduceManual})
	}
	return v
}

func overallText(o verdict.Outcome) string {
	if !o.Valid() {
		return "not judged"
	}
	return o.String()
}

func (d *Desk) summary(ctx context.Context, r *record, updated time.Time) console.JobSummary {
	j := r.Job
	s := console.JobSummary{ID: j.ID, State: j.State.String(), StateZh: j.State.Text("zh"), Customer: j.Customer.Name,
		ProductType: j.Product.Type, Model: j.Product.Model, Operator: j.Operator, Reviewer: j.Reviewer, Updated: updated}
	if len(r.Steps) > 0 || len(r.Results) > 0 {
		s.Overall = overallText(runner.Overall(r.Steps, r.Results))
	}
	if reps, err := d.o.Records.Reports(ctx, j.ID); err == nil && len(reps) > 0 {
		s.Report = reps[0].Number
	}
	return s
}

func (d *Desk) resultView(p *plan.Plan, res runner.Result) console.ResultView {
	v := console.ResultView{Item: res.Item, Step: res.Step, Value: res.Value, Unit: res.Unit,
		Outcome: "not evaluated", OutcomeZh: "未评定", Problem: res.Problem}
	if p != nil {
		if it, ok := p.Item(res.Item); ok {
			v.Clause, v.Title, v.Limit, v.U = it.ClauseText(""), text(it.Title), it.LimitText(""), it.U
		}
	}
	switch {
	case res.Outcome.Valid():
		v.Outcome, v.OutcomeZh = res.Outcome.String(), res.Outcome.Text("zh")
	case res.Problem == "" && res.Note != "":
		v.Outcome, v.OutcomeZh, v.Problem = "not judged", "不判定", res.Note
	}
	return v
}

func (d *Desk) view(ctx context.Context, r *record) (console.JobView, error) {
	row, err := d.o.Records.Job(ctx, r.Job.ID)
	updated := time.Now()
	if err == nil {
		updated = row.Updated
	}
	j := r.Job
	v := console.JobView{JobSummary: d.summary(ctx, r, updated), USCC: j.Customer.USCC, Batch: j.Product.Batch,
		SampleID: j.Sample.ID, Location: j.Location, Mode: j.Mode.String(), Rule: j.Rule.String(),
		Agent: r.Agent, Dev: r.Dev, Progress: r.Progress, RetestOf: j.RetestOf, Retest: j.Retest}
	if !j.Sample.Received.IsZero() {
		v.Received = j.Sample.Received.Format(time.DateOnly)
	}
	p, err := d.plan(r)
	if err == nil {
		v.Plan = planView(p)
	}
	for _, s := range r.Steps {
		v.Steps = append(v.Steps, console.StepView{Name: s.Name, Number: s.Number, State: s.State, From: s.From, To: s.To,
			Readings: s.Readings, Alarms: s.Alarms, Problems: s.Problems})
	}
	for _, res := range r.Results {
		v.Results = append(v.Results, d.resultView(p, res))
	}
	for _, e := range j.Audit {
		v.Audit = append(v.Audit, console.AuditView{When: e.When, Who: e.Who, What: e.What, Note: e.Note})
	}
	reps, err := d.o.Records.Reports(ctx, j.ID)
	if err != nil {
		return v, err
	}
	for _, rep := range reps {
		h := rep.Hash
		url := d.o.VerifyBase + "/verify/" + rep.Number + "?h=" + h
		v.Reports = append(v.Reports, console.ReportView{Number: rep.Number, Issued: rep.Issued, VerifyURL: url,
			SupersededBy: rep.SupersededBy, Reason: rep.Reason})
	}
	return v, nil
}
