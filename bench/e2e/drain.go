package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/bench/internal/probe"
	"github.com/onestop-station/onestop/lab/demo"
)

// Backlog drain (issue 9, row 4): the outbox holds readings buffered while the broker was down,
// the agent comes back with one live rig, and the bench times until the lab holds the whole
// backlog, with the live rig's latency meanwhile.
//
// The backlog is written into the agent's outbox before it starts, as the one synthetic rig's
// older snapshots spread over the hour before: to the agent that is what an outage leaves (rows
// nobody acknowledged), and it replays them on connecting exactly as after reconnecting.

type drainOpts struct {
	backlog    int           // readings buffered
	live       time.Duration // the live rig's poll interval (11 readings a poll)
	replayRate int           // the agent's [publish] replay_rate
}

type drainResult struct {
	drainOpts
	took             time.Duration // agent start → the lab holds the whole backlog
	liveRate         float64       // live readings/s appended meanwhile
	liveP50, liveP99 time.Duration // sample → stored, live readings stored while draining
	liveN            int
	agentCPU, labCPU float64
}

func (r drainResult) rate() float64 { return float64(r.backlog) / r.took.Seconds() }

func measureDrain(ctx context.Context, bin string, tools demo.Tools, o drainOpts) (drainResult, error) {
	r := drainResult{drainOpts: o}
	dir, err := os.MkdirTemp("", "onestop-e2e-drain-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	stack, err := demo.StartLab(ctx, dir, tools, demo.LabOpts{})
	if err != nil {
		return r, err
	}
	defer stack.Close()
	epoch, last, err := fillBacklog(ctx, stack.OutboxPath(), o.backlog)
	if err != nil {
		return r, err
	}
	cfg := filepath.Join(dir, "agent.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "[publish]\nreplay_rate = %d\n", o.replayRate), 0o600); err != nil {
		return r, err
	}
	src, err := newSynthSource()
	if err != nil {
		return r, err
	}
	lab0, err := probe.CPUTime(os.Getpid())
	if err != nil {
		return r, err
	}
	start := time.Now()
	agent, err := startAgent(bin, stack, dir, runOpts{rigs: 1, poll: o.live},
		[]string{"--config", cfg, "--metrics", src.metrics}, []string{src.env(1, o.live)})
	if err != nil {
		return r, err
	}
	defer stopAgent(agent)
	appended0, err := src.offered(ctx)
	if err != nil {
		return r, err
	}
	for {
		wm, err := stack.Store.Watermark(ctx, demo.AgentName, epoch)
		if err != nil {
			return r, err
		}
		if wm >= last {
			break
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return r, ctx.Err()
		}
	}
	end := time.Now()
	r.took = end.Sub(start)
	appended, err := src.offered(ctx)
	if err != nil {
		return r, err
	}
	agentCPU, err := probe.CPUTime(agent.Process.Pid)
	if err != nil {
		return r, err
	}
	labCPU, err := probe.CPUTime(os.Getpid())
	if err != nil {
		return r, err
	}
	r.agentCPU, r.labCPU = probe.Pct(agentCPU, r.took), probe.Pct(labCPU-lab0, r.took)
	r.liveRate = float64(appended-appended0) / r.took.Seconds()
	lat, err := probe.Latencies(ctx, filepath.Join(dir, "lab.db"), start, end, true)
	if err != nil {
		return r, err
	}
	if r.liveN = len(lat); r.liveN > 0 {
		r.liveP50, r.liveP99 = probe.Percentile(lat, 0.50), probe.Percentile(lat, 0.99)
	}
	return r, nil
}

// fillBacklog appends n readings of synth0, sampled over the hour before now, to a new outbox and
// returns its epoch and last seq.
func fillBacklog(ctx context.Context, path string, n int) (epoch, last int64, err error) {
	ob, err := outbox.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer ob.Close()
	t0 := time.Now().Add(-time.Hour)
	step := time.Hour / time.Duration(max(n, 1))
	rs := make([]telemetry.Reading, 0, 500)
	for i := 0; i < n; {
		rs = rs[:0]
		for ; i < n && len(rs) < cap(rs); i++ {
			rs = append(rs, telemetry.Reading{Ch: fmt.Sprintf("ch%d", i%11), T: t0.Add(time.Duration(i) * step).UnixNano(),
				V: float64(i % 1000), U: "V", Q: telemetry.QualityGood})
		}
		if _, last, err = ob.Append(ctx, "synth0", rs); err != nil {
			return 0, 0, err
		}
	}
	return ob.Epoch(), last, nil
}

func printDrain(out io.Writer, r drainResult) {
	fmt.Fprintf(out, "\n# backlog drain: %d readings in the outbox, one live rig every %v, replay_rate %d\n",
		r.backlog, r.live, r.replayRate)
	fmt.Fprintf(out, "%9s | %7s | %9s | %8s | %11s | %5s | %12s | %12s | %11s | %9s\n",
		"backlog", "drain s", "drained/s", "live/s", "drain/live", "live n", "live p50 ms", "live p99 ms", "agent CPU %", "lab CPU %")
	fmt.Fprintf(out, "%9d | %7.1f | %9.0f | %8.0f | %11.0f | %5d | %12.1f | %12.1f | %11.0f | %9.0f\n",
		r.backlog, r.took.Seconds(), r.rate(), r.liveRate, r.rate()/max(r.liveRate, 1), r.liveN,
		ms(r.liveP50), ms(r.liveP99), r.agentCPU, r.labCPU)
}
