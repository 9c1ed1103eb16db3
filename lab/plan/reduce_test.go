package plan

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

// at is a good sample of ch, s seconds after t0.
func at(ch string, s, v float64) Sample {
	return Sample{Channel: ch, T: t0.Add(time.Duration(s * float64(time.Second))), Val: v, Quality: QualityGood}
}

func series(ch string, vals ...float64) []Sample {
	var out []Sample
	for i, v := range vals {
		out = append(out, at(ch, float64(i), v))
	}
	return out
}

func join(ss ...[]Sample) []Sample {
	var out []Sample
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

func TestReduce(t *testing.T) {
	single := func(red string) Item {
		return Item{ID: "x", Channels: []string{"speed"}, Reduction: red, Unit: "km/h", MaxGap: 2 * time.Second}
	}
	diff := func(then string, settle time.Duration) Item {
		return Item{ID: "rise", Channels: []string{"handheld_temp", "ambient_temp"}, Reduction: ReduceDiff,
			Then: then, Settle: settle, Unit: "K", MaxGap: 2 * time.Second}
	}
	steady := single(ReduceSteadyMean)
	steady.Settle = 3 * time.Second
	above := single(ReduceTimeAbove)
	above.Threshold = 5
	manual := Item{ID: "tip", Reduction: ReduceManual, Unit: "count"}

	bad := at("speed", 1, 3)
	bad.Quality = "bad"
	uncertain := at("speed", 1, 3)
	uncertain.Quality = "uncertain"

	cases := []struct {
		name    string
		item    Item
		samples []Sample
		want    float64
		count   int
		err     error
	}{
		{"max", single(ReduceMax), series("speed", 1, 5, 3), 5, 3, nil},
		{"max one sample", single(ReduceMax), series("speed", -2), -2, 1, nil},
		{"max negative", single(ReduceMax), series("speed", -3, -1, -2), -1, 3, nil},
		{"min", single(ReduceMin), series("speed", 4, 2, 3), 2, 3, nil},
		{"other channels ignored", single(ReduceMax), join(series("speed", 1, 2), series("tilt_angle", 99)), 2, 2, nil},
		{"unsorted input", single(ReduceMax), []Sample{at("speed", 2, 1), at("speed", 0, 7), at("speed", 1, 2)}, 7, 3, nil},
		{"replayed duplicate counts once", single(ReduceMax), join(series("speed", 1, 2), series("speed", 1, 2)), 2, 2, nil},
		// settle 3 s: samples at 0, 1, 2 s (the ramp) are ignored, 3..5 s averaged.
		{"steady_mean ignores settle", steady, series("speed", 0, 10, 20, 5, 6, 7), 6, 3, nil},
		{"steady_mean sample at settle edge", steady, series("speed", 100, 100, 100, 4), 4, 1, nil},
		{"steady_mean nothing after settle", steady, series("speed", 1, 2), 0, 0, ErrNoData},
		// above 5 during [1,2) and [3,5): 1 s + 2 s; the last sample closes the window.
		{"time_above sums intervals", above, series("speed", 1, 6, 2, 7, 8, 9), 3, 6, nil},
		{"time_above at threshold is not above", above, series("speed", 5, 5, 5), 0, 3, nil},
		{"time_above never", above, series("speed", 1, 2), 0, 2, nil},
		{"time_above uneven spacing", above, []Sample{at("speed", 0, 6), at("speed", 0.5, 6), at("speed", 2, 1)}, 2, 3, nil},
		{"diff max", diff(ReduceMax, 0), join(series("handheld_temp", 30, 50, 40), series("ambient_temp", 20, 22, 21)), 28, 3, nil},
		{"diff min", diff(ReduceMin, 0), join(series("handheld_temp", 30, 50, 40), series("ambient_temp", 20, 22, 21)), 10, 3, nil},
		{"diff steady_mean", diff(ReduceSteadyMean, time.Second), join(series("handheld_temp", 30, 50, 40), series("ambient_temp", 20, 22, 21)), 23.5, 2, nil},
		// The ambient sample at 1.5 s has no partner and the part sample at 1 s none either: only
		// the pairs at 0 and 2 s count — but they are 2 s apart, within the gap.
		{"diff aligns by timestamp", diff(ReduceMax, 0),
			[]Sample{at("handheld_temp", 0, 30), at("handheld_temp", 1, 90), at("handheld_temp", 2, 40),
				at("ambient_temp", 0, 20), at("ambient_temp", 1.5, 20), at("ambient_temp", 2, 21)}, 19, 2, nil},
		{"diff never aligned", diff(ReduceMax, 0), []Sample{at("handheld_temp", 0, 30), at("ambient_temp", 0.5, 20)}, 0, 0, ErrNoData},
		{"diff aligned pairs too far apart", diff(ReduceMax, 0),
			[]Sample{at("handheld_temp", 0, 30), at("handheld_temp", 1.5, 30), at("handheld_temp", 3, 30),
				at("ambient_temp", 0, 20), at("ambient_temp", 0.8, 20), at("ambient_temp", 2.2, 20), at("ambient_temp", 3, 20)}, 0, 0, ErrGap},
		{"diff reference missing", diff(ReduceMax, 0), series("handheld_temp", 30), 0, 0, ErrNoData},
		{"no data", single(ReduceMax), series("tilt_angle", 1), 0, 0, ErrNoData},
		{"nil samples", single(ReduceMax), nil, 0, 0, ErrNoData},
		{"bad quality", single(ReduceMax), append(series("speed", 1), bad), 0, 0, ErrBadQuality},
		{"uncertain refused", single(ReduceMax), append(series("speed", 1), uncertain), 0, 0, ErrBadQuality},
		{"bad in diff reference", diff(ReduceMax, 0), []Sample{at("handheld_temp", 0, 30), {Channel: "ambient_temp", T: t0, Quality: "bad"}}, 0, 0, ErrBadQuality},
		{"NaN value", single(ReduceMax), series("speed", 1, math.NaN()), 0, 0, ErrBadQuality},
		{"gap", single(ReduceMax), []Sample{at("speed", 0, 1), at("speed", 2.5, 1)}, 0, 0, ErrGap},
		{"gap exactly max is fine", single(ReduceMax), []Sample{at("speed", 0, 1), at("speed", 2, 3)}, 3, 2, nil},
		{"gap in steady settle still refused", steady, []Sample{at("speed", 0, 1), at("speed", 2.5, 1), at("speed", 3, 1)}, 0, 0, ErrGap},
		{"manual", manual, []Sample{{T: t0, Val: 0, Quality: QualityGood}}, 0, 1, nil},
		{"manual last entry wins", manual, []Sample{{Channel: "tip", T: t0.Add(time.Minute), Val: 1, Quality: QualityGood}, {T: t0, Val: 0, Quality: QualityGood}}, 1, 1, nil},
		{"manual nothing entered", manual, []Sample{at("speed", 0, 1)}, 0, 0, ErrNoData},
		{"manual bad", manual, []Sample{{T: t0, Val: 0, Quality: "bad"}}, 0, 0, ErrBadQuality},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := c.item.Reduce(c.samples)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("got %+v, %v; want %v", r, err, c.err)
				}
				if !strings.Contains(err.Error(), `item "`+c.item.ID+`"`) {
					t.Errorf("error does not name the item: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(r.Value-c.want) > 1e-9 || r.Count != c.count || r.Unit != c.item.Unit || r.Item != c.item.ID {
				t.Fatalf("got %+v; want value %v count %d", r, c.want, c.count)
			}
			if r.To.Before(r.From) {
				t.Errorf("window %s..%s", r.From, r.To)
			}
		})
	}
}

func TestReduceWindow(t *testing.T) {
	it := Item{ID: "v", Channels: []string{"speed"}, Reduction: ReduceSteadyMean, Settle: 2 * time.Second, Unit: "km/h"}
	r, err := it.Reduce(series("speed", 0, 0, 5, 5, 5))
	if err != nil {
		t.Fatal(err)
	}
	if !r.From.Equal(t0.Add(2*time.Second)) || !r.To.Equal(t0.Add(4*time.Second)) || r.Value != 5 {
		t.Fatalf("got %+v", r)
	}
}

// TestDefaultMaxGap: an Item built in code without MaxGap uses DefaultMaxGap.
func TestDefaultMaxGap(t *testing.T) {
	it := Item{ID: "v", Channels: []string{"speed"}, Reduction: ReduceMax, Unit: "km/h"}
	if _, err := it.Reduce([]Sample{at("speed", 0, 1), at("speed", DefaultMaxGap.Seconds()+0.1, 1)}); !errors.Is(err, ErrGap) {
		t.Fatalf("got %v, want ErrGap", err)
	}
}

// TestEmbeddedItemsReduce runs every rig item of the embedded plans over a clean synthetic step.
func TestEmbeddedItemsReduce(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Plans {
		for _, it := range p.Items {
			var samples []Sample
			for i := 0; i < 20; i++ {
				for _, ch := range it.Channels {
					samples = append(samples, at(ch, float64(i)*0.5, float64(i)))
				}
				if len(it.Channels) == 0 {
					samples = append(samples, Sample{Channel: it.ID, T: t0, Val: 1, Quality: QualityGood})
				}
			}
			if _, err := it.Reduce(samples); err != nil {
				t.Errorf("%s: %v", p.ID, err)
			}
		}
	}
}
