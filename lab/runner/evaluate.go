package runner

import (
	"fmt"
	"time"

	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/store"
	"github.com/onestop-station/onestop/lab/verdict"
)

// Job is what judging needs from a job: its decision rule and the toy for the brake limit.
type Job struct {
	Rule   verdict.Rule
	MassKg float64
	Over36 bool // age group 36 months and over
}

// Result is one item of a plan, reduced and judged, or the reason it was not.
type Result struct {
	Item    string          `json:"item"`
	Step    string          `json:"step,omitempty"`
	Value   float64         `json:"value"`
	Unit    string          `json:"unit"`
	Count   int             `json:"count"` // samples that went into Value
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	Limit   *verdict.Limit  `json:"limit,omitempty"` // resolved for the toy; nil when none is judged
	Outcome verdict.Outcome `json:"outcome"`         // zero: not judged
	// Problem is why the readings could not be evaluated (gap, bad quality, aborted step): the
	// item has no value. Note is why a value was not judged (no verified limit).
	Problem string `json:"problem,omitempty"`
	Note    string `json:"note,omitempty"`
}

// NoteLimitToBeConfirmed is the Note of an item whose limit the reference does not verify.
const NoteLimitToBeConfirmed = "limit to be confirmed: value reported, not judged"

// Evaluate reduces and judges every item of plan step st from rows, the step's stored readings.
func Evaluate(p *plan.Plan, st Step, rows []store.Row, j Job) []Result {
	samples := make([]plan.Sample, len(rows))
	for i, r := range rows {
		samples[i] = plan.Sample{Channel: r.Reading.Ch, T: time.Unix(0, r.Reading.T).UTC(), Val: r.Reading.V, Quality: r.Reading.Q}
	}
	var out []Result
	for _, it := range p.Items {
		if it.Step != st.Name || it.Reduction == plan.ReduceManual {
			continue
		}
		res := Result{Item: it.ID, Step: st.Name, Unit: it.Unit}
		switch {
		case len(st.Problems) > 0:
			res.Problem = "step " + st.Name + ": " + st.Problems[0]
		default:
			if err := edges(it, samples, st.From, st.To); err != nil {
				res.Problem = err.Error()
				break
			}
			r, err := it.Reduce(samples)
			if err != nil {
				res.Problem = err.Error()
				break
			}
			res.Value, res.Count, res.From, res.To = r.Value, r.Count, r.From, r.To
			if r.Unit != "" {
				res.Unit = r.Unit
			}
			judge(&res, it, j)
		}
		out = append(out, res)
	}
	return out
}

// Manual makes the result of a manual item entered by hand.
func Manual(it plan.Item, value float64, at time.Time, j Job) Result {
	res := Result{Item: it.ID, Value: value, Unit: it.Unit, Count: 1, From: at, To: at}
	judge(&res, it, j)
	return res
}

// judge sets the outcome of a reduced value, unless the item has no verified limit.
func judge(res *Result, it plan.Item, j Job) {
	if !it.HasLimit() || it.LimitUnverified {
		res.Note = NoteLimitToBeConfirmed
		return
	}
	kind := verdict.Max
	if it.Limit.Direction == plan.DirMin {
		kind = verdict.Min
	}
	lim := verdict.Limit{Value: it.Limit.Resolve(j.MassKg, j.Over36), Kind: kind}
	o, err := verdict.Decide(j.Rule, res.Value, it.U, lim)
	if err != nil {
		res.Problem = err.Error()
		return
	}
	res.Limit, res.Outcome = &lim, o
}

// edges refuses a window whose readings of an item's channel start later or end earlier than the
// item's largest gap allows: Reduce sees only gaps between samples, not a missing beginning or end.
func edges(it plan.Item, samples []plan.Sample, from, to time.Time) error {
	maxGap := it.MaxGap
	if maxGap <= 0 {
		maxGap = plan.DefaultMaxGap
	}
	for _, ch := range it.Channels {
		var first, last time.Time
		for _, s := range samples {
			if s.Channel != ch {
				continue
			}
			if first.IsZero() || s.T.Before(first) {
				first = s.T
			}
			if s.T.After(last) {
				last = s.T
			}
		}
		if first.IsZero() {
			continue // Reduce says ErrNoData with the item's words
		}
		if d := first.Sub(from); d > maxGap {
			return fmt.Errorf("plan: item %q: channel %s: %w: first reading %v after the step started",
				it.ID, ch, plan.ErrGap, d.Round(time.Millisecond))
		}
		if d := to.Sub(last); d > maxGap {
			return fmt.Errorf("plan: item %q: channel %s: %w: last reading %v before the step ended",
				it.ID, ch, plan.ErrGap, d.Round(time.Millisecond))
		}
	}
	return nil
}

// Overall is the report's overall verdict: Fail when any item fails; otherwise not judged (zero)
// when a step had an alarm or problem or an item could not be evaluated; otherwise the worst
// outcome of the judged items (zero when none was judged). Items without a verified limit do not
// count either way.
func Overall(steps []Step, results []Result) verdict.Outcome {
	worst := verdict.Outcome(0)
	incomplete := false
	for _, r := range results {
		if r.Problem != "" {
			incomplete = true
		}
		if r.Outcome.Valid() && r.Outcome > worst {
			worst = r.Outcome
		}
	}
	for _, s := range steps {
		if len(s.Alarms) > 0 || len(s.Problems) > 0 {
			incomplete = true
		}
	}
	if worst == verdict.Fail || !incomplete {
		return worst
	}
	return 0
}
