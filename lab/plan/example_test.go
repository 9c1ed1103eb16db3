package plan_test

import (
	"fmt"
	"time"

	"github.com/onestop-station/onestop/lab/plan"
)

func Example() {
	set, err := plan.Load("")
	if err != nil {
		panic(err)
	}
	p, err := set.For(plan.ProductRideOnCar, time.Date(2026, 6, 1, 9, 0, 0, 0, time.Local))
	if err != nil {
		panic(err)
	}
	it, _ := p.Item("handheld_temp_rise")
	t0 := time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC)
	var samples []plan.Sample
	for i, part := range []float64{24.0, 40.5, 51.2} {
		t := t0.Add(time.Duration(i) * time.Second)
		samples = append(samples,
			plan.Sample{Channel: "handheld_temp", T: t, Val: part, Quality: "good"},
			plan.Sample{Channel: "ambient_temp", T: t, Val: 23.0, Quality: "good"})
	}
	r, err := it.Reduce(samples)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.ID, it.ClauseText("en"))
	fmt.Printf("%.1f %s (limit %s, U = %.1f %s)\n", r.Value, r.Unit, it.LimitText("en"), it.U, it.Unit)
	// Output:
	// rideon-gb19865-2005 9.3
	// 28.2 K (limit ≤ 35 K, U = 1.5 K)
}
