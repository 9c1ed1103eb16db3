package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/lab/demo"
)

// startAgent starts the agent with its metrics on a fixed loopback port, so the run can read how
// many polls failed (each may have cost a reply the twin counted as served).
func (r *run) startAgent(o demo.AgentOpts) error {
	if r.metrics == "" {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		r.metrics = addr
	}
	if r.outbox == "" {
		r.outbox = r.s.OutboxPath()
	}
	// Later flags win: these override StartAgent's --metrics off and its outbox.
	o.Extra = append([]string{"--metrics", r.metrics, "--outbox", r.outbox}, o.Extra...)
	if _, err := r.s.StartAgent(o); err != nil {
		return err
	}
	r.errLast = 0
	return r.waitMetrics(10 * time.Second)
}

// killAgent ends the agent with SIGKILL, as a power cut would: its failed polls are read first.
func (r *run) killAgent() {
	r.agentErrors()
	r.s.Agent.Kill()
	r.errGone, r.errLast = r.errGone+r.errLast, 0
}

// stopAgent stops the agent with SIGTERM: it stops polling, then drains its outbox while its
// metrics are still served, so reading them until it exits catches its last poll too.
func (r *run) stopAgent() error {
	agent := r.s.Agent
	r.agentErrors()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !agent.Exited() {
			r.scrapeOnce()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	err := agent.Stop(40 * time.Second)
	<-done
	r.errGone, r.errLast = r.errGone+r.errLast, 0
	return err
}

// during runs a fault whose failed polls are expected (the rig or the disk is away) and keeps
// them out of the count that may excuse a lost reply.
func (r *run) during(fault func() error) error {
	before := r.agentErrors()
	err := fault()
	r.errFault += r.agentErrors() - before
	return err
}

// agentErrors reads onestop_agent_polls_total{result="error"} of the running agent, trying for
// a few seconds on a busy machine; the last value read when the agent cannot answer.
func (r *run) agentErrors() int64 {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if r.scrapeOnce() || r.s.Agent.Exited() || time.Now().After(deadline) {
			return r.errLast
		}
	}
}

// scrapeOnce reads the failed polls once and reports whether it could.
func (r *run) scrapeOnce() bool {
	n, err := scrapeErrors(r.metrics)
	if err == nil {
		r.errLast = max(r.errLast, n)
	}
	return err == nil
}

func (r *run) waitMetrics(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		n, err := scrapeErrors(r.metrics)
		if err == nil {
			r.errLast = n
			return nil
		}
		if time.Now().After(deadline) || r.s.Agent.Exited() {
			return fmt.Errorf("chaos: agent metrics: %w (see agent.log)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func scrapeErrors(addr string) (int64, error) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return pollErrorsIn(resp.Body)
}

// pollErrorsIn finds the failed polls in a Prometheus text page.
func pollErrorsIn(page io.Reader) (int64, error) {
	sc := bufio.NewScanner(page)
	var n int64
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, "onestop_agent_polls_total{") || !strings.Contains(l, `result="error"`) {
			continue
		}
		f := strings.Fields(l)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("chaos: metrics line %q: %w", l, err)
		}
		n += int64(v)
	}
	return n, sc.Err()
}

// outboxSeq opens a stopped agent's outbox and returns the highest seq it ever numbered and the
// readings still in it (not acknowledged by the lab).
func outboxSeq(path string) (last, left int64, err error) {
	ob, err := outbox.OpenWith(path, outbox.Opts{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, 0, err
	}
	defer ob.Close()
	ctx := context.Background()
	if last, err = ob.LastSeq(ctx); err != nil {
		return 0, 0, err
	}
	left, err = ob.Depth(ctx)
	return last, left, err
}
