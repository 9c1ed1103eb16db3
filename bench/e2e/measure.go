package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/bench/internal/probe"
	"github.com/onestop-station/onestop/lab/demo"
)

type runOpts struct {
	synthetic      string // the bench build of the agent: its synthetic rigs are the load
	rigs           int
	poll           time.Duration
	window, warmup time.Duration
	cpuprofile     string // of this process (the lab) over the window
	agentProfile   string // of the agent, its whole run
	keep           bool
}

// result is one load's row. CPU percentages are of one core (200 % is both of a 2-core machine).
type result struct {
	load             string
	rigs             int
	poll             time.Duration
	offered, stored  float64 // readings/s over the window
	p50, p99         time.Duration
	latencies        int // stored readings the percentiles are taken over
	agentCPU, labCPU float64
	rigsCPU          float64
	agentRSS, labRSS float64
	loadAvg          string  // the machine's 1-minute load average at the window's end
	batches          float64 // data messages the lab stored per second (one store transaction each)
	perBatch         float64 // readings per stored message
}

// sample is what the window's two ends read.
type sample struct {
	at               time.Time
	stored, served   int64
	agent, lab, rigs time.Duration
}

// measure runs one load from scratch: a lab in a new folder, the twins, the agent; traffic for
// warm-up, then the window; then everything stops.
func measure(ctx context.Context, tools demo.Tools, o runOpts) (result, error) {
	r := result{rigs: o.rigs, poll: o.poll}
	dir, err := os.MkdirTemp("", "onestop-e2e-load-")
	if err != nil {
		return r, err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "e2e: load folder", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	var batches, batchReadings atomic.Int64
	stack, err := demo.StartLab(ctx, dir, tools, demo.LabOpts{OnStored: func(_, _ string, b telemetry.Batch) {
		batches.Add(1)
		batchReadings.Add(int64(len(b.R)))
	}})
	if err != nil {
		return r, err
	}
	defer stack.Close()
	host, agent, err := startLoad(tools, stack, dir, o)
	if err != nil {
		return r, err
	}
	defer host.stop()
	defer stopAgent(agent)
	if _, err := stack.WaitStored(ctx, 1, 30*time.Second); err != nil {
		return r, err
	}
	if o.poll == 0 && o.synthetic == "" { // once data flows, the agent is connected and listens for commands
		if err := backToBack(ctx, stack, o.rigs); err != nil {
			return r, err
		}
	}
	time.Sleep(o.warmup)
	a, err := take(ctx, stack, host, agent.Process.Pid)
	if err != nil {
		return r, err
	}
	batches0, batchReadings0 := batches.Load(), batchReadings.Load()
	stopProfile, err := probe.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return r, err
	}
	select {
	case <-time.After(o.window):
	case <-ctx.Done():
		stopProfile()
		return r, ctx.Err()
	}
	b, err := take(ctx, stack, host, agent.Process.Pid)
	nBatches, nBatchReadings := batches.Load()-batches0, batchReadings.Load()-batchReadings0
	stopProfile()
	if err != nil {
		return r, err
	}
	if r.agentRSS, err = probe.RSSMB(agent.Process.Pid); err != nil {
		return r, err
	}
	if r.labRSS, err = probe.RSSMB(os.Getpid()); err != nil {
		return r, err
	}
	r.loadAvg = probe.LoadAvg()
	span := b.at.Sub(a.at)
	r.offered = float64(b.served-a.served) / span.Seconds()
	r.stored = float64(b.stored-a.stored) / span.Seconds()
	r.batches = float64(nBatches) / span.Seconds()
	if nBatches > 0 {
		r.perBatch = float64(nBatchReadings) / float64(nBatches)
	}
	r.agentCPU = probe.Pct(b.agent-a.agent, span)
	r.labCPU = probe.Pct(b.lab-a.lab, span)
	r.rigsCPU = probe.Pct(b.rigs-a.rigs, span)
	lat, err := probe.Latencies(ctx, filepath.Join(dir, "lab.db"), a.at, b.at, false)
	if err != nil {
		return r, err
	}
	if len(lat) == 0 {
		return r, fmt.Errorf("e2e: no reading stored within the window")
	}
	r.latencies = len(lat)
	r.p50, r.p99 = probe.Percentile(lat, 0.50), probe.Percentile(lat, 0.99)
	return r, nil
}

func take(ctx context.Context, stack *demo.Stack, host source, agentPID int) (sample, error) {
	var s sample
	var err error
	s.at = time.Now()
	if s.served, err = host.offered(ctx); err != nil {
		return s, err
	}
	if s.stored, err = stack.Store.Count(ctx); err != nil {
		return s, err
	}
	if s.agent, err = probe.CPUTime(agentPID); err != nil {
		return s, err
	}
	if s.lab, err = probe.CPUTime(os.Getpid()); err != nil {
		return s, err
	}
	if host.pid() != 0 {
		s.rigs, err = probe.CPUTime(host.pid())
	}
	return s, err
}

// startLoad starts the load's source and the agent.
func startLoad(tools demo.Tools, stack *demo.Stack, dir string, o runOpts) (source, *exec.Cmd, error) {
	if o.synthetic != "" {
		src, err := newSynthSource()
		if err != nil {
			return nil, nil, err
		}
		agent, err := startAgent(o.synthetic, stack, dir, o,
			[]string{"--metrics", src.metrics}, []string{src.env(o.rigs, o.poll)})
		return src, agent, err
	}
	host, err := startTwinHost(o.rigs, dir)
	if err != nil {
		return nil, nil, err
	}
	var rigs []string
	for i := range o.rigs {
		rigs = append(rigs, "--rig", fmt.Sprintf("rig%d=%s", i, rigLink(dir, i)))
	}
	agent, err := startAgent(tools.Agent, stack, dir, o, append(rigs, "--metrics", "off"), nil)
	if err != nil {
		host.stop()
	}
	return host, agent, err
}

// startAgent starts the agent with extra arguments and environment; its log goes to dir/agent.log.
func startAgent(bin string, stack *demo.Stack, dir string, o runOpts, extra, env []string) (*exec.Cmd, error) {
	poll := o.poll
	if poll == 0 {
		poll = 10 * time.Millisecond // the config's floor; backToBack lowers it by command
	}
	args := []string{"--broker", stack.URL, "--username", demo.AgentName, "--password", demo.AgentPass,
		"--site", demo.Site, "--agent", demo.AgentName, "--outbox", stack.OutboxPath(),
		"--poll", poll.String()}
	if o.agentProfile != "" {
		args = append(args, "--cpuprofile", o.agentProfile)
	}
	args = append(args, extra...)
	logf, err := os.Create(filepath.Join(dir, "agent.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr, cmd.Stdout = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("e2e: start agent: %w", err)
	}
	go func() { cmd.Wait(); logf.Close() }()
	return cmd, nil
}

// stopAgent asks the agent to stop and kills it if it takes longer than its own drain timeout
// (15 s; a backlog is not ours to drain), by when it has written its CPU profile.
func stopAgent(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cmd.Process.Signal(syscall.Signal(0)) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
}

// backToBack tells every rig's poller to poll back to back (interval 0).
func backToBack(ctx context.Context, stack *demo.Stack, rigs int) error {
	for i := range rigs {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := stack.Cmd.Send(cctx, demo.AgentName, fmt.Sprintf("rig%d", i), "set_poll_interval",
			map[string]int{"interval_ms": 0}, nil)
		cancel()
		if err != nil {
			return fmt.Errorf("e2e: poll rig%d back to back: %w", i, err)
		}
	}
	return nil
}

func numCPU() int { return runtime.NumCPU() }
