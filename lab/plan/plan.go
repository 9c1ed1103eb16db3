package plan

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Product types a plan can be for.
const (
	ProductRideOnCar = "electric_ride_on_car" // 电动童车, GB 6675 + GB 19865
	ProductStroller  = "stroller"             // 儿童推车, GB 14748
	ProductTricycle  = "tricycle"             // 儿童三轮车, GB 14747
)

var productTypes = []string{ProductRideOnCar, ProductStroller, ProductTricycle}

// Reductions: how an item's readings become one value.
const (
	ReduceMax        = "max"
	ReduceMin        = "min"
	ReduceSteadyMean = "steady_mean" // mean after settle_s from the first sample
	ReduceTimeAbove  = "time_above"  // seconds with the value above threshold
	ReduceDiff       = "diff"        // channels[0] − channels[1] per timestamp, then Then
	ReduceManual     = "manual"      // entered by hand, no rig channel
)

var reductions = []string{ReduceMax, ReduceMin, ReduceSteadyMean, ReduceTimeAbove, ReduceDiff, ReduceManual}

// Limit directions: the result must not exceed (max) or fall below (min) the limit.
const (
	DirMax = "max"
	DirMin = "min"
)

// ErrNoPlan is returned by For when no plan is in force for the product type on the date.
var ErrNoPlan = errors.New("no plan in force")

// Text is a label in Chinese and English; both are required.
type Text struct {
	Zh string `toml:"zh"`
	En string `toml:"en"`
}

// Lang returns the text in "zh" or "en", and both joined by " / " for any other lang.
func (t Text) Lang(lang string) string {
	switch lang {
	case "zh":
		return t.Zh
	case "en":
		return t.En
	}
	return t.Zh + " / " + t.En
}

// Standard is one standard a plan tests to, with its edition.
type Standard struct {
	Code    string `toml:"code"`    // e.g. "GB/T 19865"
	Edition string `toml:"edition"` // e.g. "2024"
	Title   Text   `toml:"title"`
}

// String is the code and edition as cited on a report, e.g. "GB/T 19865-2024".
func (s Standard) String() string { return s.Code + "-" + s.Edition }

// Limit is what an item's result is judged against: Value, or for a force that depends on the toy,
// Value + PerKg × (M + AddKg) with AddKg chosen by age group (see Resolve).
type Limit struct {
	Value     float64 `toml:"value"`
	Direction string  `toml:"direction"`
	PerKg     float64 `toml:"per_kg"`        // 0: a plain value
	AddKg     float64 `toml:"add_kg"`        // toys for children under 36 months
	AddKg36Up float64 `toml:"add_kg_36m_up"` // toys for 36 months and over
	set       bool
}

// Resolve is the limit value for a toy of mass massKg (kg); over36 selects the age group.
func (l Limit) Resolve(massKg float64, over36 bool) float64 {
	if l.PerKg == 0 {
		return l.Value
	}
	add := l.AddKg
	if over36 {
		add = l.AddKg36Up
	}
	return l.Value + l.PerKg*(massKg+add)
}

// Item is one measured or observed requirement of a plan.
type Item struct {
	ID               string
	Clause           string
	ClauseUnverified bool
	Title            Text
	Step             string   // rig step that produces the readings; "" for manual items
	Channels         []string // rig channels; diff: [part, reference]
	Reduction        string
	Then             string        // diff only: max, min or steady_mean of the differences
	Settle           time.Duration // steady_mean: samples before first+Settle are ignored
	Threshold        float64       // time_above, in the channel's unit
	Unit             string
	Limit            Limit // zero with HasLimit false when the reference gives no value
	U                float64
	Scope            Text
	LimitUnverified  bool
	MaxGap           time.Duration // larger gaps between a channel's samples are refused
}

// HasLimit reports whether the item carries a limit value.
func (it Item) HasLimit() bool { return it.Limit.set }

// LimitText is the limit as printed on a report in "zh", "en" or both (any other lang).
// An unverified limit prints as "限值待确认 / limit to be confirmed", never as a number.
func (it Item) LimitText(lang string) string {
	if it.LimitUnverified || !it.Limit.set {
		return Text{"限值待确认", "limit to be confirmed"}.Lang(lang)
	}
	l := it.Limit
	var sym string
	if l.Direction == DirMax {
		sym = "≤ "
	} else {
		sym = "≥ "
	}
	if l.PerKg != 0 {
		if lang != "zh" && lang != "en" {
			return it.LimitText("zh") + " / " + it.LimitText("en")
		}
		v := ""
		if l.Value != 0 {
			v = fmtNum(l.Value) + " + "
		}
		f := func(add float64) string {
			return fmt.Sprintf("%s%s × (M + %s) %s", v, fmtNum(l.PerKg), fmtNum(add), it.Unit)
		}
		return sym + f(l.AddKg) + Text{"; 36个月及以上: ", "; 36 months and over: "}.Lang(lang) + f(l.AddKg36Up)
	}
	return sym + fmtNum(l.Value) + " " + it.Unit
}

// ClauseText is the clause as printed, or "条款待确认 / clause to be confirmed" when the reference
// does not give the clause number for this edition.
func (it Item) ClauseText(lang string) string {
	if it.ClauseUnverified || it.Clause == "" {
		t := Text{"条款待确认", "clause to be confirmed"}.Lang(lang)
		if it.Clause != "" {
			t = it.Clause + " (" + t + ")"
		}
		return t
	}
	return it.Clause
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}

// Plan is the test plan for one product type under one set of standard editions.
type Plan struct {
	File        string // file name it was loaded from
	ID          string
	ProductType string
	Title       Text
	Standards   []Standard
	ValidFrom   time.Time // first day in force (UTC midnight)
	ValidTo     time.Time // last day in force; zero = open-ended
	Steps       []string  // rig steps in running order
	Items       []Item
}

// Item returns the item with the id, or false.
func (p *Plan) Item(id string) (Item, bool) {
	for _, it := range p.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// InForce reports whether the plan applies on the calendar date of d (in d's own location).
func (p *Plan) InForce(d time.Time) bool {
	day := dateOf(d)
	if day.Before(p.ValidFrom) {
		return false
	}
	return p.ValidTo.IsZero() || !day.After(p.ValidTo)
}

func dateOf(d time.Time) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// Set is every loaded plan.
type Set struct {
	Plans []*Plan
}

// For returns the plan in force for productType on the calendar date of testDate (taken in
// testDate's own location, so pass local time).
func (s *Set) For(productType string, testDate time.Time) (*Plan, error) {
	var known []string
	for _, p := range s.Plans {
		if p.ProductType != productType {
			continue
		}
		if p.InForce(testDate) {
			return p, nil
		}
		to := "open"
		if !p.ValidTo.IsZero() {
			to = p.ValidTo.Format(time.DateOnly)
		}
		known = append(known, fmt.Sprintf("%s %s..%s", p.ID, p.ValidFrom.Format(time.DateOnly), to))
	}
	if len(known) == 0 {
		return nil, fmt.Errorf("plan: product type %q on %s: %w (no plans for this type; have %s)",
			productType, testDate.Format(time.DateOnly), ErrNoPlan, strings.Join(productTypes, ", "))
	}
	return nil, fmt.Errorf("plan: product type %q on %s: %w (plans: %s)",
		productType, testDate.Format(time.DateOnly), ErrNoPlan, strings.Join(known, "; "))
}
