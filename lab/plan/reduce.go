package plan

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Errors Reduce returns instead of a value: readings that cannot be trusted are never evaluated.
// Test with errors.Is; the wrapping error names the item, channel and time.
var (
	ErrBadQuality = errors.New("reading not of good quality")
	ErrGap        = errors.New("gap in readings")
	ErrNoData     = errors.New("no readings")
)

// DefaultMaxGap is the largest gap between a channel's samples when an item does not set one.
const DefaultMaxGap = 2 * time.Second

// QualityGood is the only sample quality Reduce evaluates ("bad", "uncertain" … are refused).
const QualityGood = "good"

// Sample is one stored reading. For a manual item, Channel is "" or the item's id.
type Sample struct {
	Channel string
	T       time.Time
	Val     float64
	Quality string
}

// Result is an item's value reduced from its samples.
type Result struct {
	Item     string
	Value    float64
	Unit     string
	Count    int       // samples (for diff: aligned pairs) that went into Value
	From, To time.Time // window of those samples
}

// point is one value of the series being reduced.
type point struct {
	t time.Time
	v float64
}

// Reduce turns the samples of the item's step into its result. Samples of other channels are
// ignored; a sample of one of the item's channels that is not good, a gap longer than the item's
// MaxGap between two samples of a channel (or between aligned diff pairs), or no samples at all
// make it refuse with ErrBadQuality, ErrGap or ErrNoData. Samples of a channel with the same
// timestamp (a replayed batch) count once.
func (it Item) Reduce(samples []Sample) (Result, error) {
	if it.Reduction == ReduceManual {
		return it.reduceManual(samples)
	}
	if len(it.Channels) == 0 {
		return Result{}, fmt.Errorf("plan: item %q: no channels: %w", it.ID, ErrNoData)
	}
	series := make([][]point, len(it.Channels))
	for i, ch := range it.Channels {
		s, err := it.channelSeries(ch, samples)
		if err != nil {
			return Result{}, err
		}
		series[i] = s
	}
	pts := series[0]
	op := it.Reduction
	if it.Reduction == ReduceDiff {
		if len(series) != 2 {
			return Result{}, fmt.Errorf("plan: item %q: diff needs 2 channels, has %d", it.ID, len(series))
		}
		pts = align(series[0], series[1])
		if len(pts) == 0 {
			return Result{}, fmt.Errorf("plan: item %q: no samples of %s and %s at the same time: %w",
				it.ID, it.Channels[0], it.Channels[1], ErrNoData)
		}
		if err := it.checkGaps("aligned "+it.Channels[0]+" − "+it.Channels[1], pts); err != nil {
			return Result{}, err
		}
		op = it.Then
	}
	return it.reduceSeries(op, pts)
}

func (it Item) reduceManual(samples []Sample) (Result, error) {
	var last *Sample
	for i := range samples {
		s := &samples[i]
		if s.Channel != "" && s.Channel != it.ID {
			continue
		}
		if s.Quality != QualityGood {
			return Result{}, fmt.Errorf("plan: item %q: entry at %s is %q: %w", it.ID, s.T.Format(time.RFC3339), s.Quality, ErrBadQuality)
		}
		if last == nil || !s.T.Before(last.T) {
			last = s
		}
	}
	if last == nil {
		return Result{}, fmt.Errorf("plan: item %q: nothing entered: %w", it.ID, ErrNoData)
	}
	return Result{Item: it.ID, Value: last.Val, Unit: it.Unit, Count: 1, From: last.T, To: last.T}, nil
}

// channelSeries is the channel's samples in time order, checked for quality and gaps.
func (it Item) channelSeries(ch string, samples []Sample) ([]point, error) {
	var pts []point
	for _, s := range samples {
		if s.Channel != ch {
			continue
		}
		if s.Quality != QualityGood || math.IsNaN(s.Val) || math.IsInf(s.Val, 0) {
			return nil, fmt.Errorf("plan: item %q: channel %q at %s is %q (%v): %w",
				it.ID, ch, s.T.Format(time.RFC3339Nano), s.Quality, s.Val, ErrBadQuality)
		}
		pts = append(pts, point{s.T, s.Val})
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("plan: item %q: channel %q: %w", it.ID, ch, ErrNoData)
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].t.Before(pts[j].t) })
	out := pts[:1]
	for _, p := range pts[1:] {
		if !p.t.Equal(out[len(out)-1].t) {
			out = append(out, p)
		}
	}
	return out, it.checkGaps("channel "+ch, out)
}

func (it Item) checkGaps(what string, pts []point) error {
	maxGap := it.MaxGap
	if maxGap <= 0 {
		maxGap = DefaultMaxGap
	}
	for i := 1; i < len(pts); i++ {
		if d := pts[i].t.Sub(pts[i-1].t); d > maxGap {
			return fmt.Errorf("plan: item %q: %s: %s without a reading from %s (max %s): %w",
				it.ID, what, d, pts[i-1].t.Format(time.RFC3339Nano), maxGap, ErrGap)
		}
	}
	return nil
}

// align pairs a and b by equal timestamps and returns a − b for each pair.
func align(a, b []point) []point {
	at := make(map[int64]float64, len(b))
	for _, p := range b {
		at[p.t.UnixNano()] = p.v
	}
	var out []point
	for _, p := range a {
		if ref, ok := at[p.t.UnixNano()]; ok {
			out = append(out, point{p.t, p.v - ref})
		}
	}
	return out
}

func (it Item) reduceSeries(op string, pts []point) (Result, error) {
	r := Result{Item: it.ID, Unit: it.Unit}
	switch op {
	case ReduceMax, ReduceMin:
		v := pts[0].v
		for _, p := range pts[1:] {
			if (op == ReduceMax && p.v > v) || (op == ReduceMin && p.v < v) {
				v = p.v
			}
		}
		r.Value = v
	case ReduceSteadyMean:
		start := pts[0].t.Add(it.Settle)
		var kept []point
		for _, p := range pts {
			if !p.t.Before(start) {
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			return Result{}, fmt.Errorf("plan: item %q: no readings after the settle time %s: %w", it.ID, it.Settle, ErrNoData)
		}
		var sum float64
		for _, p := range kept {
			sum += p.v
		}
		pts, r.Value = kept, sum/float64(len(kept))
	case ReduceTimeAbove:
		// Each sample holds until the next one; the last sample closes the window.
		var above time.Duration
		for i := 0; i+1 < len(pts); i++ {
			if pts[i].v > it.Threshold {
				above += pts[i+1].t.Sub(pts[i].t)
			}
		}
		r.Value = above.Seconds()
	default:
		return Result{}, fmt.Errorf("plan: item %q: unknown reduction %q", it.ID, op)
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
		return Result{}, fmt.Errorf("plan: item %q: value %v: %w", it.ID, r.Value, ErrBadQuality)
	}
	r.Count, r.From, r.To = len(pts), pts[0].t, pts[len(pts)-1].t
	return r, nil
}
