package outbox

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkAppend13 appends one rig poll (13 readings) per operation, one transaction each.
func BenchmarkAppend13(b *testing.B) {
	for _, s := range []Sync{SyncNormal, SyncFull} {
		b.Run(string(s), func(b *testing.B) {
			o := quiet
			o.Synchronous = s
			ob := must(OpenWith(filepath.Join(b.TempDir(), "outbox.db"), o))
			defer closeT(b, ob)
			ctx, rs := context.Background(), readings(13, 0)
			for b.Loop() {
				if _, _, err := ob.Append(ctx, "rig0", rs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*13)/b.Elapsed().Seconds(), "readings/s")
		})
	}
}

// BenchmarkPendingAck measures the forwarder's side of a backlog drain: read a page of 100 rows,
// then ack it. The backlog is refilled outside the timer when it runs dry.
func BenchmarkPendingAck(b *testing.B) {
	const page, refill = 100, 100_000
	ob := must(OpenWith(filepath.Join(b.TempDir(), "outbox.db"), quiet))
	defer closeT(b, ob)
	ctx, bulk := context.Background(), readings(1000, 0)
	var last int64
	for b.Loop() {
		rows, err := ob.Pending(ctx, last, page)
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) < page {
			b.StopTimer()
			for range refill / len(bulk) {
				appendT(b, ob, "rig0", bulk)
			}
			b.StartTimer()
			continue
		}
		last = rows[len(rows)-1].Seq
		if _, err := ob.Ack(ctx, ob.Epoch(), last); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*page)/b.Elapsed().Seconds(), "rows/s")
}
