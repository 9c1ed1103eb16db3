package publish

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/telemetry"
)

func TestForwardAckDelete(t *testing.T) {
	b := startBroker(t, "")
	lab := startLab(t, b.url())
	ob := openOutbox(t)
	p := runPublisher(t, ob, b.url(), nil)
	appendN(t, ob, 20)
	p.Notify()
	waitFor(t, "outbox drained by acks", 15*time.Second, func() bool { return depth(t, ob) == 0 })
	if got := lab.distinct(); got != 20*13 {
		t.Errorf("lab saw %d distinct seqs, want %d", got, 20*13)
	}
	if lab.epoch != ob.Epoch() {
		t.Errorf("epoch on the wire %d, outbox %d", lab.epoch, ob.Epoch())
	}
}

func TestAckStallReplays(t *testing.T) {
	b := startBroker(t, "")
	lab := startLab(t, b.url())
	lab.setSilent(true)
	ob := openOutbox(t)
	p := runPublisher(t, ob, b.url(), func(o *Opts) { o.AckTimeout = 500 * time.Millisecond })
	appendN(t, ob, 5)
	p.Notify()
	waitFor(t, "first delivery", 10*time.Second, func() bool { return lab.distinct() == 65 })
	lab.setSilent(false)
	waitFor(t, "replay after the ack stalled, then drained", 15*time.Second, func() bool { return depth(t, ob) == 0 })
	lab.mu.Lock()
	defer lab.mu.Unlock()
	if lab.replayed == 0 {
		t.Error("nothing was replayed although no ack came for longer than AckTimeout")
	}
}

func TestBrokerRestartLosesNothing(t *testing.T) {
	b := startBroker(t, "")
	lab := startLab(t, b.url())
	ob := openOutbox(t)
	p := runPublisher(t, ob, b.url(), nil)
	appendN(t, ob, 10)
	p.Notify()
	waitFor(t, "first rows", 10*time.Second, func() bool { return lab.distinct() > 0 })
	b.stop()
	waitFor(t, "the agent to see the broker gone", 10*time.Second, func() bool { return sample(t, p, connectedGauge) == 0 })
	appendN(t, ob, 10) // while the broker is down: they wait in the outbox
	p.Notify()
	b.start()
	appendN(t, ob, 10)
	p.Notify()
	waitFor(t, "all rows acked after the broker came back", 30*time.Second, func() bool { return depth(t, ob) == 0 })
	if got := lab.distinct(); got != 30*13 {
		t.Errorf("lab saw %d distinct seqs, want %d", got, 30*13)
	}
	if n := sample(t, p, rewindsConnected); n < 2 {
		t.Errorf("%v rewinds on connect, want 2: the agent did not reconnect", n)
	}
}

// A backlog is replayed flagged, rate-limited, and live rows are not held behind it.
func TestReplayIsRateLimitedAndInterleaved(t *testing.T) {
	b := startBroker(t, "")
	lab := startLab(t, b.url())
	ob := openOutbox(t)
	appendN(t, ob, 200) // 2600 readings waiting from "before the outage"
	const rate = 1000
	start := time.Now()
	p := runPublisher(t, ob, b.url(), func(o *Opts) { o.ReplayRate = rate; o.BatchMax = 100 })
	stopLive := make(chan struct{})
	liveDone := make(chan struct{})
	go func() {
		defer close(liveDone)
		for {
			select {
			case <-stopLive:
				return
			case <-time.After(100 * time.Millisecond):
				appendN(t, ob, 1)
				p.Notify()
			}
		}
	}()
	waitFor(t, "backlog replayed", 30*time.Second, func() bool {
		lab.mu.Lock()
		defer lab.mu.Unlock()
		return lab.replayed >= 2600
	})
	elapsed := time.Since(start)
	close(stopLive)
	<-liveDone
	waitFor(t, "drained", 15*time.Second, func() bool { return depth(t, ob) == 0 })
	lab.mu.Lock()
	defer lab.mu.Unlock()
	// 2600 readings at 1000/s with a 200-reading burst allowance need at least 2.4 s.
	if elapsed < 2*time.Second {
		t.Errorf("backlog of 2600 replayed in %v: faster than %d/s", elapsed, rate)
	}
	if !lab.liveDuringReplay || lab.live == 0 {
		t.Errorf("live data was not interleaved with the replay (live %d)", lab.live)
	}
}

func TestCommandRoundTrip(t *testing.T) {
	b := startBroker(t, "")
	lab := startLab(t, b.url())
	ob := openOutbox(t)
	runPublisher(t, ob, b.url(), nil)
	cmd, _ := telemetry.Encode(telemetry.Command{ID: "c42", Expires: time.Now().Add(time.Minute).UnixMilli()})
	deadline := time.Now().Add(10 * time.Second)
	for {
		lab.client.Publish(telemetry.CommandTopic("s1", "a1", "rig0", "start_step"), 1, false, cmd).WaitTimeout(time.Second)
		select {
		case r := <-lab.results:
			if r.ID != "c42" || !r.OK || string(r.Result) != `{"dev":"rig0","name":"start_step"}` {
				t.Errorf("result %+v", r)
			}
			return
		case <-time.After(500 * time.Millisecond): // the agent may not have subscribed yet
		}
		if time.Now().After(deadline) {
			t.Fatal("no result for the command")
		}
	}
}

func TestStatusRetainedOnlineThenOffline(t *testing.T) {
	b := startBroker(t, "")
	ob := openOutbox(t)
	ctx, cancel := context.WithCancel(context.Background())
	p := New(ob, Opts{Site: "s1", Agent: "a1", BrokerURL: b.url(), Version: "t"})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	got := make(chan telemetry.Status, 8)
	lab := startLab(t, b.url())
	lab.client.Subscribe(telemetry.StatusTopic("s1", "a1"), 1, func(_ mqttClient, m mqttMessage) {
		s, err := telemetry.DecodeStatus(m.Payload())
		if err == nil {
			got <- s
		}
	})
	waitStatus(t, got, telemetry.StateOnline, ob.Epoch())
	cancel()
	<-done
	waitStatus(t, got, telemetry.StateOffline, ob.Epoch())
}

func waitStatus(t *testing.T, got chan telemetry.Status, state string, epoch int64) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-got:
			if s.State == state {
				if s.Epoch != epoch {
					t.Errorf("status epoch %d, want %d", s.Epoch, epoch)
				}
				return
			}
		case <-timeout:
			t.Fatalf("no %s status", state)
		}
	}
}

// An agent restarted after everything was acknowledged has nothing outstanding: it must not keep
// rewinding for acks that will never come. Its device description may be set before Run starts
// (pollers do) without racing with it.
func TestRestartWithAckedOutboxStaysQuiet(t *testing.T) {
	b := startBroker(t, "")
	lab := startLab(t, b.url())
	ob := openOutbox(t)
	appendN(t, ob, 3)
	last, _ := ob.LastSeq(context.Background())
	ob.Pending(context.Background(), 0, 100) // hand them out, as a forwarder did before the restart
	if n, err := ob.Ack(context.Background(), ob.Epoch(), last); err != nil || n != 39 {
		t.Fatalf("ack deleted %d: %v", n, err)
	}
	const ackTimeout = 200 * time.Millisecond
	src := &turnCounter{Source: ob}
	m := New(src, Opts{Site: "s1", Agent: "a1", BrokerURL: b.url(), AckTimeout: ackTimeout, WaitTimeout: 2 * time.Second})
	m.SetMeta("rig0", telemetry.Meta{Model: "RT", Channels: []telemetry.Channel{{Name: "speed", Unit: "km/h"}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()

	waitFor(t, "the agent to connect", 10*time.Second, func() bool { return sample(t, m, connectedGauge) == 1 })
	// Several ack timeouts, counted in turns of the forwarder's loop rather than slept: it asks
	// for rows only once connected, and two turns that began after them mean checkStall ran at
	// least once past them.
	after := time.Now().Add(5 * ackTimeout)
	waitFor(t, "the forwarder to run past several ack timeouts", 10*time.Second, func() bool { return src.turnsSince(after) >= 2 })

	for key, n := range samples(t, m) {
		if strings.HasPrefix(key, rewindsMetric+"{") && key != rewindsConnected && n > 0 {
			t.Errorf("%s = %v: rewinds for acks while nothing was outstanding", key, n)
		}
	}
	if n := sample(t, m, rewindsConnected); n != 1 {
		t.Errorf("%v rewinds on connect, want 1", n)
	}
	if lab.distinct() != 0 {
		t.Errorf("acknowledged readings were sent again: %d", lab.distinct())
	}
}

// turnCounter notes when the forwarder asks the outbox for rows, which it does on every turn of
// its loop while connected: tests wait for turns instead of sleeping.
type turnCounter struct {
	Source
	mu    sync.Mutex
	turns []time.Time
}

func (s *turnCounter) Pending(ctx context.Context, afterSeq int64, limit int) ([]outbox.Row, error) {
	s.mu.Lock()
	s.turns = append(s.turns, time.Now())
	s.mu.Unlock()
	return s.Source.Pending(ctx, afterSeq, limit)
}

func (s *turnCounter) turnsSince(t time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, at := range s.turns {
		if at.After(t) {
			n++
		}
	}
	return n
}

// Metrics the tests read, by name and labels as samples keys them.
const (
	rewindsMetric    = "onestop_agent_rewinds_total"
	rewindsConnected = rewindsMetric + `{why="connected"}`
	connectedGauge   = "onestop_agent_broker_connected"
)

// samples returns every counter and gauge of p's registry, keyed by name and labels:
// onestop_agent_rewinds_total{why="connected"}. A vector has a sample only once something
// counted in it.
func samples(t *testing.T, p *Publisher) map[string]float64 {
	t.Helper()
	mfs, err := p.opts.Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			key := mf.GetName()
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// sample returns one sample; a missing one fails the test, so a renamed metric or label cannot
// read as 0.
func sample(t *testing.T, p *Publisher, key string) float64 {
	t.Helper()
	all := samples(t, p)
	v, ok := all[key]
	if !ok {
		keys := make([]string, 0, len(all))
		for k := range all {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Fatalf("no metric %s; the registry has %s", key, strings.Join(keys, ", "))
	}
	return v
}

// Under a stream that never pauses (every page full), the lab's acks are still applied and the
// outbox is emptied behind it: the forwarder returns to its loop after each page.
func TestAcksAppliedUnderSteadyStream(t *testing.T) {
	b := startBroker(t, "")
	startLab(t, b.url())
	ob := openOutbox(t)
	const page = 100
	p := runPublisher(t, ob, b.url(), func(o *Opts) { o.PageRows = page })
	ctx, stop := context.WithCancel(context.Background())
	var producer sync.WaitGroup
	producer.Go(func() {
		rs := make([]telemetry.Reading, 2*page) // every Pending finds more than a page
		for i := range rs {
			rs[i] = telemetry.Reading{Ch: "ch0", T: time.Now().UnixNano(), V: float64(i), U: "V", Q: "good"}
		}
		for ctx.Err() == nil {
			if _, _, err := ob.Append(ctx, "rig0", rs); err != nil && ctx.Err() == nil {
				t.Error(err)
				return
			}
			p.Notify()
		}
	})
	defer producer.Wait()
	defer stop()
	defer func() { t.Logf("metrics: %v", samples(t, p)) }()
	waitFor(t, "acks applied while the stream runs", 20*time.Second, func() bool {
		return sample(t, p, "onestop_agent_readings_acked_total") >= 20*page
	})
}
