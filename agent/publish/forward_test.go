package publish

import (
	"context"
	"testing"
	"time"

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
	appendN(t, ob, 10) // while the broker is down: they wait in the outbox
	time.Sleep(1500 * time.Millisecond)
	b.start()
	appendN(t, ob, 10)
	p.Notify()
	waitFor(t, "all rows acked after the broker came back", 30*time.Second, func() bool { return depth(t, ob) == 0 })
	if got := lab.distinct(); got != 30*13 {
		t.Errorf("lab saw %d distinct seqs, want %d", got, 30*13)
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
	var m *Publisher
	m = runPublisher(t, ob, b.url(), func(o *Opts) {
		o.AckTimeout = 200 * time.Millisecond
	})
	m.SetMeta("rig0", telemetry.Meta{Model: "RT", Channels: []telemetry.Channel{{Name: "speed", Unit: "km/h"}}})
	time.Sleep(1500 * time.Millisecond) // several ack timeouts
	stalls := testutilCount(t, m, "ack_timeout")
	if stalls != 0 {
		t.Errorf("%v rewinds for acks while nothing was outstanding", stalls)
	}
	if lab.distinct() != 0 {
		t.Errorf("acknowledged readings were sent again: %d", lab.distinct())
	}
}

func testutilCount(t *testing.T, p *Publisher, why string) float64 {
	t.Helper()
	mfs, err := p.opts.Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "onestop_agent_rewinds_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "why" && l.GetValue() == why {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
