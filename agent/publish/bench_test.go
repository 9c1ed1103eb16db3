package publish

import (
	"testing"
	"time"
)

// BenchmarkBacklogDrain measures how fast a backlog leaves the outbox once the link is up:
// published, acknowledged by a lab stand-in and deleted, through a real mochi broker on loopback.
// The replay limit is lifted to measure the path, not the limiter. One op = 5200 readings.
func BenchmarkBacklogDrain(b *testing.B) {
	br := startBroker(b, "")
	startLab(b, br.url())
	ob := openOutbox(b)
	p := runPublisher(b, ob, br.url(), func(o *Opts) { o.ReplayRate = 1 << 30; o.BatchMax = 500 })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		appendN(b, ob, 400)
		b.StartTimer()
		p.Notify()
		for depth(b, ob) > 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	b.ReportMetric(float64(b.N*400*13)/b.Elapsed().Seconds(), "readings/s")
}
