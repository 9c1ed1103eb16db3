package rig

import (
	"fmt"
	"testing"
)

// Values go to the lab and to reports as decimal text: they must print as the register's resolution.
func TestRoundToPrintsResolution(t *testing.T) {
	for _, c := range []struct {
		raw   int16
		scale float64
		want  string
	}{{368, 0.1, "36.8"}, {229, 0.1, "22.9"}, {1256, 0.01, "12.56"}, {-5, 0.01, "-0.05"}, {151, 0.1, "15.1"}} {
		if got := fmt.Sprint(roundTo(float64(c.raw)*c.scale, c.scale)); got != c.want {
			t.Errorf("%d × %v = %s, want %s", c.raw, c.scale, got, c.want)
		}
	}
}
