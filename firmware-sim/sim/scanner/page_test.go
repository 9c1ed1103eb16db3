package scanner

import (
	"testing"

	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

func TestControlPage(t *testing.T) {
	tw, err := New(Opts{})
	if err != nil {
		t.Fatal(err)
	}
	simtest.CheckPage(t, tw.Handler(), "POST /code", "POST /trigger", "POST /fault", "POST /counters/reset")
}
