package verdict

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"testing/quick"
)

// Points around a Max limit of 24 with U = 0.5, and their mirror around a Min limit of 10.
// "up" means "towards failing": larger for Max, smaller for Min.
func TestDecideTable(t *testing.T) {
	const u = 0.5
	type want struct{ simple, guard, ilac Outcome }
	P, CP, CF, F := Pass, ConditionalPass, ConditionalFail, Fail
	points := []struct {
		name string
		d    float64 // distance beyond the limit on its unfavourable side
		want want
	}{
		{"well inside", -5, want{P, P, P}},
		{"just inside TL-U", -u - 1e-9, want{P, P, P}},
		{"at TL-U", -u, want{P, P, P}},
		{"just past TL-U", -u + 1e-9, want{P, F, CP}},
		{"between TL-U and TL", -u / 2, want{P, F, CP}},
		{"just inside TL", -1e-9, want{P, F, CP}},
		{"at TL", 0, want{P, F, CP}},
		{"just past TL", 1e-9, want{F, F, CF}},
		{"between TL and TL+U", u / 2, want{F, F, CF}},
		{"just inside TL+U", u - 1e-9, want{F, F, CF}},
		{"at TL+U", u, want{F, F, CF}},
		{"just past TL+U", u + 1e-9, want{F, F, F}},
		{"well outside", 5, want{F, F, F}},
	}
	limits := []struct {
		lim Limit
		at  func(d float64) float64
	}{
		{Limit{24, Max}, func(d float64) float64 { return 24 + d }},
		{Limit{10, Min}, func(d float64) float64 { return 10 - d }},
		{Limit{-5, Max}, func(d float64) float64 { return -5 + d }},
		{Limit{0, Min}, func(d float64) float64 { return 0 - d }},
	}
	for _, l := range limits {
		for _, p := range points {
			result := l.at(p.d)
			for _, c := range []struct {
				rule Rule
				want Outcome
			}{{Simple, p.want.simple}, {GuardBand, p.want.guard}, {ILACG8, p.want.ilac}} {
				got, err := Decide(c.rule, result, u, l.lim)
				if err != nil {
					t.Fatalf("%s %s %s (%v): %v", l.lim, p.name, c.rule, result, err)
				}
				if got != c.want {
					t.Errorf("%s %s, rule %s: Decide(%v, U=%v) = %s, want %s", l.lim, p.name, c.rule, result, u, got, c.want)
				}
			}
		}
	}
}

// Exact values a report would carry: boundaries met by decimal inputs.
func TestDecideExactBoundaries(t *testing.T) {
	cases := []struct {
		rule   Rule
		result float64
		u      float64
		lim    Limit
		want   Outcome
	}{
		{ILACG8, 23.5, 0.5, Limit{24, Max}, Pass},
		{ILACG8, 24, 0.5, Limit{24, Max}, ConditionalPass},
		{ILACG8, 24.5, 0.5, Limit{24, Max}, ConditionalFail},
		{ILACG8, 24.6, 0.5, Limit{24, Max}, Fail},
		{GuardBand, 34.2, 0.8, Limit{35, Max}, Pass},
		{GuardBand, 34.3, 0.8, Limit{35, Max}, Fail},
		{Simple, 35, 0.8, Limit{35, Max}, Pass},
		{Simple, 35.1, 0.8, Limit{35, Max}, Fail},
		// Brake force ≥ (M + 50) × 1.7 N with M = 20 kg: 119 N.
		{ILACG8, 121, 2, Limit{119, Min}, Pass},
		{ILACG8, 120, 2, Limit{119, Min}, ConditionalPass},
		{ILACG8, 119, 2, Limit{119, Min}, ConditionalPass},
		{ILACG8, 117, 2, Limit{119, Min}, ConditionalFail},
		{ILACG8, 116.9, 2, Limit{119, Min}, Fail},
		{GuardBand, 121, 2, Limit{119, Min}, Pass},
		{GuardBand, 120.9, 2, Limit{119, Min}, Fail},
		{Simple, 119, 2, Limit{119, Min}, Pass},
		{Simple, 118.9, 2, Limit{119, Min}, Fail},
		// U = 0: every rule collapses to simple acceptance.
		{GuardBand, 24, 0, Limit{24, Max}, Pass},
		{ILACG8, 24, 0, Limit{24, Max}, Pass},
		{ILACG8, 23.999, 0, Limit{24, Max}, Pass},
		{ILACG8, 24.001, 0, Limit{24, Max}, Fail},
	}
	for _, c := range cases {
		got, err := Decide(c.rule, c.result, c.u, c.lim)
		if err != nil || got != c.want {
			t.Errorf("Decide(%s, %v, U=%v, %s) = %s, %v; want %s", c.rule, c.result, c.u, c.lim, got, err, c.want)
		}
	}
}

func TestDecideErrors(t *testing.T) {
	ok := Limit{24, Max}
	cases := []struct {
		name   string
		rule   Rule
		result float64
		u      float64
		lim    Limit
		want   error
	}{
		{"no rule", 0, 1, 0.1, ok, ErrRule},
		{"unknown rule", 9, 1, 0.1, ok, ErrRule},
		{"negative U", ILACG8, 1, -0.1, ok, ErrUncertainty},
		{"negative U under simple", Simple, 1, -0.1, ok, ErrUncertainty},
		{"NaN U", GuardBand, 1, math.NaN(), ok, ErrUncertainty},
		{"infinite U", GuardBand, 1, math.Inf(1), ok, ErrUncertainty},
		{"NaN result", Simple, math.NaN(), 0.1, ok, ErrResult},
		{"+Inf result", ILACG8, math.Inf(1), 0.1, ok, ErrResult},
		{"-Inf result", ILACG8, math.Inf(-1), 0.1, ok, ErrResult},
		{"no limit kind", Simple, 1, 0.1, Limit{Value: 24}, ErrLimit},
		{"NaN limit", Simple, 1, 0.1, Limit{math.NaN(), Max}, ErrLimit},
		{"infinite limit", Simple, 1, 0.1, Limit{math.Inf(1), Min}, ErrLimit},
	}
	for _, c := range cases {
		got, err := Decide(c.rule, c.result, c.u, c.lim)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Decide = %s, %v; want %v", c.name, got, err, c.want)
		}
	}
}

func decide(t *testing.T, r Rule, result, u float64, lim Limit) Outcome {
	t.Helper()
	o, err := Decide(r, result, u, lim)
	if err != nil {
		t.Fatalf("Decide(%s, %v, %v, %s): %v", r, result, u, lim, err)
	}
	return o
}

// Properties over random results, uncertainties and limits of both kinds.
func TestDecideProperties(t *testing.T) {
	cfg := &quick.Config{MaxCount: 3000}
	kinds := []LimitKind{Max, Min}
	prop := func(tl, result, u, step float64, kindBit bool) bool {
		// Keep values in a range where u + step and −tl stay finite.
		tl, result = math.Mod(tl, 1e6), math.Mod(result, 1e6)
		u, step = math.Mod(math.Abs(u), 1e3), math.Mod(math.Abs(step), 1e3)
		kind := kinds[0]
		if kindBit {
			kind = kinds[1]
		}
		lim := Limit{tl, kind}
		ilac := decide(t, ILACG8, result, u, lim)
		guard := decide(t, GuardBand, result, u, lim)
		simple := decide(t, Simple, result, u, lim)
		// ILACG8 Pass ⇔ GuardBand Pass; GuardBand Pass ⇒ Simple Pass.
		if (ilac == Pass) != (guard == Pass) {
			return false
		}
		if guard == Pass && simple != Pass {
			return false
		}
		// ILACG8 conforms ⇔ Simple passes.
		if ilac.Conforms() != (simple == Pass) {
			return false
		}
		// Moving the result away from the acceptance zone never improves an outcome.
		worse := result + step
		if kind == Min {
			worse = result - step
		}
		for _, r := range []Rule{Simple, GuardBand, ILACG8} {
			if decide(t, r, worse, u, lim) < decide(t, r, result, u, lim) {
				return false
			}
		}
		// A larger U never turns a Conditional Pass into a Pass nor a Fail into a Pass, and never
		// moves a result across the limit (it may turn a Fail into a Conditional Fail: the zone widens).
		for _, r := range []Rule{Simple, GuardBand, ILACG8} {
			before, after := decide(t, r, result, u, lim), decide(t, r, result, u+step, lim)
			if after.Conforms() != before.Conforms() && r != GuardBand || after == Pass && before != Pass {
				return false
			}
		}
		// Mirroring the axis swaps Max and Min without changing the outcome.
		mirror := Limit{-tl, Max}
		if kind == Max {
			mirror.Kind = Min
		}
		return decide(t, ILACG8, -result, u, mirror) == ilac
	}
	if err := quick.Check(prop, cfg); err != nil {
		t.Error(err)
	}
}

// A dense walk across every boundary: outcomes are monotone in the result for each rule and kind.
func TestDecideMonotoneWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		tl := rng.NormFloat64() * 100
		u := rng.Float64() * 5
		for _, kind := range []LimitKind{Max, Min} {
			lim := Limit{tl, kind}
			for _, r := range []Rule{Simple, GuardBand, ILACG8} {
				prev := Outcome(0)
				for i := -400; i <= 400; i++ {
					x := tl + float64(i)*(u+0.1)/100
					if kind == Min {
						x = tl - float64(i)*(u+0.1)/100
					}
					o := decide(t, r, x, u, lim)
					if o < prev {
						t.Fatalf("%s %s U=%v: outcome improved from %s to %s at %v", r, lim, u, prev, o, x)
					}
					prev = o
				}
			}
		}
	}
}
