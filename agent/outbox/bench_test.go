package outbox

import (
	"context"
	"path/filepath"
	"runtime"
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

// BenchmarkAppendRigs is the agent at its busiest: 48 pollers append one 11-reading snapshot each
// at the same time, as rigs polled back to back do. The writer commits what is waiting as one
// transaction, so readings/s grows with the rigs instead of queueing on one commit per snapshot.
func BenchmarkAppendRigs(b *testing.B) {
	const rigs = 48
	ob := must(OpenWith(filepath.Join(b.TempDir(), "outbox.db"), quiet))
	defer closeT(b, ob)
	ctx, rs := context.Background(), readings(11, 0)
	b.SetParallelism((rigs + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := ob.Append(ctx, "rig0", rs); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*11)/b.Elapsed().Seconds(), "readings/s")
}
