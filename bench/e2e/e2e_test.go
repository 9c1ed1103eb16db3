package main

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

// TestMain lets the test binary be the twin host too: the bench starts a copy of itself.
func TestMain(m *testing.M) {
	maybeServeTwins()
	os.Exit(m.Run())
}

func TestTwoRigsStoredWithLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the agent")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The agent is built without -race even under go test -race: the code under test is the
	// bench's, and a race-built agent would measure something else, slowly.
	tools, err := demo.BuildTools(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := measure(ctx, tools, runOpts{rigs: 2, poll: 50 * time.Millisecond, window: 3 * time.Second, warmup: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	if r.offered <= 0 || r.stored <= 0 || r.latencies == 0 {
		t.Fatalf("offered %.0f/s, stored %.0f/s over %d latencies: want readings produced and stored", r.offered, r.stored, r.latencies)
	}
	// Two rigs at 50 ms offer 440/s; the lab keeps up with that, so what is stored matches.
	if r.stored < r.offered/2 {
		t.Errorf("stored %.0f/s of %.0f/s offered", r.stored, r.offered)
	}
	for name, d := range map[string]time.Duration{"p50": r.p50, "p99": r.p99} {
		if d <= 0 || d > time.Minute || math.IsNaN(float64(d)) {
			t.Errorf("%s latency %v: want positive and finite", name, d)
		}
	}
	if r.p50 > r.p99 {
		t.Errorf("p50 %v > p99 %v", r.p50, r.p99)
	}
	for name, v := range map[string]float64{"agent CPU": r.agentCPU, "agent RSS": r.agentRSS, "lab CPU": r.labCPU, "lab RSS": r.labRSS} {
		if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			t.Errorf("%s %v: want positive", name, v)
		}
	}
}

func TestShape(t *testing.T) {
	f := benchFlags{rigs: 48, poll: 10 * time.Millisecond}
	for _, c := range []struct {
		l    load
		rigs int
		poll time.Duration
	}{
		{load{rate: 1000}, 2, 22 * time.Millisecond},
		{load{rate: 10000}, 20, 22 * time.Millisecond},
		{load{name: "max"}, 48, 10 * time.Millisecond},
	} {
		rigs, poll := f.shape(c.l)
		if rigs != c.rigs || poll != c.poll {
			t.Errorf("shape(%+v) = %d rigs at %v, want %d at %v", c.l, rigs, poll, c.rigs, c.poll)
		}
	}
}

// The synthetic source (the agent built with -tags bench) produces what the lab stores, and the
// drain row empties a backlog beside live data, replayed faster than live.
func TestSyntheticLoadAndDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the agent")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	tools, err := demo.BuildTools(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := demo.BuildBenchAgent(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := measure(ctx, tools, runOpts{synthetic: bin, rigs: 2, poll: 50 * time.Millisecond,
		window: 2 * time.Second, warmup: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	// Two synthetic rigs at 50 ms append 440 readings/s.
	if r.offered < 300 || r.offered > 600 || r.stored < r.offered/2 || r.latencies == 0 {
		t.Errorf("offered %.0f/s, stored %.0f/s, %d latencies: want about 440/s offered and stored", r.offered, r.stored, r.latencies)
	}
	d, err := measureDrain(ctx, bin, tools, drainOpts{backlog: 20000, live: 110 * time.Millisecond, replayRate: 10000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", d)
	if d.took <= 0 || d.rate() > 15000 || d.rate() < 10*d.liveRate || d.liveN == 0 {
		t.Errorf("drained %d in %v (%.0f/s beside %.0f/s live, %d live latencies): want ≤ the replay rate, ≥ 10× live",
			d.backlog, d.took, d.rate(), d.liveRate, d.liveN)
	}
}
