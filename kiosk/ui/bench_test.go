package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/kiosk/flow"
)

// readBasicWire is the time the 1295-byte read-basic reply takes on the wire at 115200 baud
// (10 bits a byte): the part of card → screen no software can shorten.
const readBasicWire = 1295 * 10 * time.Second / 115200

// BenchmarkCardToScreen: a card put on the reader twin at 115200 baud until the catalogue shows
// the masked name, through the real driver, kiosk/devices, the flow and a render. Reported
// without the wire time (goal ≤ 100 ms; docs/performance.md).
func BenchmarkCardToScreen(b *testing.B) {
	tw := startTwins(b)
	u := newUIBench(b, tw.dev)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := tw.sim.PlaceCard("zhangsan"); err != nil {
			b.Fatal(err)
		}
		u.pump(b, tw, "the card", u.on(flow.Choose))
		total += time.Since(start)
		if !strings.Contains(u.markup(), "张*") {
			b.Fatal("the masked name is not on screen")
		}
		b.StopTimer()
		tw.sim.LiftCard()
		u.k.Wipe("bench")
		time.Sleep(120 * time.Millisecond) // the reader sees the card gone
		b.StartTimer()
	}
	per := total / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/card")
	b.ReportMetric(float64((per-readBasicWire).Microseconds())/1000, "ms-beyond-wire/card")
}
