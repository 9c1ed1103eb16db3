package plan

import (
	"math"
	"testing"
)

func TestLimitText(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	p05, p24 := planByID(t, s, "rideon-gb19865-2005"), planByID(t, s, "rideon-gbt19865-2024")
	cases := []struct {
		p    *Plan
		item string
		lang string
		want string
	}{
		{p05, "supply_voltage", "en", "≤ 24 V"},
		{p05, "handheld_temp_rise", "zh", "≤ 35 K"},
		{p05, "accessible_temp_rise", "", "≤ 55 K"},
		{p05, "motor_temp_rise", "zh", "限值待确认"},
		{p05, "motor_brake_force", "", "限值待确认 / limit to be confirmed"},
		{p05, "max_speed", "en", "limit to be confirmed"},
		{p24, "handheld_temp_rise", "", "限值待确认 / limit to be confirmed"},
		{p24, "supply_voltage", "en", "≤ 24 V"},
	}
	for _, c := range cases {
		it, ok := c.p.Item(c.item)
		if !ok {
			t.Fatalf("%s: no item %s", c.p.ID, c.item)
		}
		if got := it.LimitText(c.lang); got != c.want {
			t.Errorf("%s %s LimitText(%q) = %q, want %q", c.p.ID, c.item, c.lang, got, c.want)
		}
	}
	// Every unverified item, in every plan, prints as "to be confirmed" and never as a number.
	for _, p := range s.Plans {
		for _, it := range p.Items {
			if it.LimitUnverified && it.LimitText("") != "限值待确认 / limit to be confirmed" {
				t.Errorf("%s %s: unverified limit prints %q", p.ID, it.ID, it.LimitText(""))
			}
		}
	}
}

func TestLimitTextComputed(t *testing.T) {
	it := Item{Unit: "N", Limit: Limit{Direction: DirMin, PerKg: 1.7, AddKg: 25, AddKg36Up: 50, set: true}}
	if got, want := it.LimitText("en"), "≥ 1.7 × (M + 25) N; 36 months and over: 1.7 × (M + 50) N"; got != want {
		t.Errorf("LimitText = %q, want %q", got, want)
	}
	if got, want := it.LimitText(""), "≥ 1.7 × (M + 25) N; 36个月及以上: 1.7 × (M + 50) N / ≥ 1.7 × (M + 25) N; 36 months and over: 1.7 × (M + 50) N"; got != want {
		t.Errorf("LimitText = %q, want %q", got, want)
	}
	if got := it.Limit.Resolve(20, false); math.Abs(got-76.5) > 1e-9 { // (20 + 25) × 1.7, the twin's nominal car
		t.Errorf("Resolve(20, under 36) = %v", got)
	}
	if got := it.Limit.Resolve(20, true); math.Abs(got-119) > 1e-9 {
		t.Errorf("Resolve(20, 36+) = %v", got)
	}
	plain := Limit{Value: 24, Direction: DirMax, set: true}
	if plain.Resolve(99, true) != 24 {
		t.Error("plain limit depends on mass")
	}
	it = Item{Unit: "V", Limit: Limit{Value: 24.5, Direction: DirMax, set: true}}
	if got := it.LimitText("zh"); got != "≤ 24.5 V" {
		t.Errorf("LimitText = %q", got)
	}
}

func TestClauseText(t *testing.T) {
	cases := []struct {
		it   Item
		want string
	}{
		{Item{Clause: "9.3"}, "9.3"},
		{Item{ClauseUnverified: true}, "条款待确认 / clause to be confirmed"},
		{Item{Clause: "3.4.2", ClauseUnverified: true}, "3.4.2 (条款待确认 / clause to be confirmed)"},
	}
	for _, c := range cases {
		if got := c.it.ClauseText(""); got != c.want {
			t.Errorf("ClauseText = %q, want %q", got, c.want)
		}
	}
}

func TestStandardString(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	p := planByID(t, s, "rideon-gbt19865-2024")
	if got := p.Standards[1].String(); got != "GB/T 19865-2024" {
		t.Errorf("got %q", got)
	}
}

func planByID(t *testing.T, s *Set, id string) *Plan {
	t.Helper()
	for _, p := range s.Plans {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no plan %s", id)
	return nil
}
