//go:build bench

package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/poll"
	"github.com/onestop-station/onestop/agent/telemetry"
)

// Synthetic rigs, for the end-to-end benchmark only (bench/e2e builds the agent with -tags bench).
// ONESTOP_BENCH_RIGS=N@INTERVAL (say "48@10ms"; "64@7.6ms" is 64 rigs at the line rate of 115 200
// baud; "48@0s" as fast as the outbox takes them) starts N generators that each take an
// 11-reading snapshot of device synthI every INTERVAL and store it as a polled rig does, with no
// serial line: the agent's cost is then its outbox and its forwarding alone, and the
// load source costs next to nothing. A build without the tag has none of this, so a real agent
// can never publish invented readings.
func init() { synthetic = startSynthetic }

const syntheticChannels = 11 // a rig snapshot's readings (docs/rig-modbus.md)

func startSynthetic(ctx context.Context, ob *outbox.Outbox, notify func(), m *metrics.Metrics, wg *sync.WaitGroup) error {
	spec := os.Getenv("ONESTOP_BENCH_RIGS")
	if spec == "" {
		return nil
	}
	var n int
	var every string
	if _, err := fmt.Sscanf(spec, "%d@%s", &n, &every); err != nil || n < 1 {
		return fmt.Errorf("ONESTOP_BENCH_RIGS=%q: want N@INTERVAL, e.g. 48@10ms", spec)
	}
	interval, err := time.ParseDuration(every)
	if err != nil || interval < 0 {
		return fmt.Errorf("ONESTOP_BENCH_RIGS=%q: want N@INTERVAL, e.g. 48@10ms", spec)
	}
	slog.Warn("agent: SYNTHETIC rigs for benchmarking, not real readings", "rigs", n, "interval", interval)
	for i := range n {
		dev := fmt.Sprintf("synth%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			generate(ctx, ob, dev, interval, notify, m)
		}()
	}
	return nil
}

// generate takes one snapshot every interval (back to back for 0) until ctx ends and hands it to
// a poll.Storer, as the poller of a real rig does.
func generate(ctx context.Context, ob *outbox.Outbox, dev string, interval time.Duration, notify func(), m *metrics.Metrics) {
	st := poll.NewStorer(dev, ob, m, notify)
	defer st.Close()
	chans := make([]string, syntheticChannels)
	for c := range chans {
		chans[c] = fmt.Sprintf("ch%d", c)
	}
	next := time.Now()
	for ctx.Err() == nil {
		now := time.Now()
		rs := make([]telemetry.Reading, syntheticChannels)
		for c := range rs {
			rs[c] = telemetry.Reading{Ch: chans[c], T: now.UnixNano(),
				V: math.Sin(float64(now.UnixMilli())/1000 + float64(c)), U: "V", Q: telemetry.QualityGood}
		}
		st.Put(rs)
		if interval > 0 {
			next = next.Add(interval)
			select {
			case <-time.After(time.Until(next)):
			case <-ctx.Done():
			}
		}
	}
}
