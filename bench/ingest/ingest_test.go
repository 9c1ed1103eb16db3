package main

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the lab worker child, as the bench's own binary does.
func TestMain(m *testing.M) {
	maybeWorker()
	os.Exit(m.Run())
}

// tinyRow runs one agent for a second at 2 000 readings/s on s, then waits until the agent's
// outbox is acknowledged: everything appended must then be stored, once.
func tinyRow(t *testing.T, s setup) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := measure(ctx, rowOpts{setup: s, agents: 1, rate: 2000, window: time.Second,
		warmup: 500 * time.Millisecond, drain: true, dir: t.TempDir()})
	if errors.Is(err, errNoMosquitto) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.appended == 0 || r.storedTotal != r.appended {
		t.Errorf("stored %d readings in all, offered %d: want every one once", r.storedTotal, r.appended)
	}
	if r.latencies == 0 || r.p50 <= 0 || r.p99 < r.p50 {
		t.Errorf("latencies: %d, p50 %v, p99 %v", r.latencies, r.p50, r.p99)
	}
	if r.offered <= 0 || r.stored <= 0 || len(r.labCPU) != s.workers {
		t.Errorf("row %+v", r)
	}
	return r
}

func TestEmbeddedTiny(t *testing.T) {
	r := tinyRow(t, setups["embedded"])
	if r.brokerCPU != -1 {
		t.Errorf("broker CPU %v for the embedded broker, want -1 (in the lab)", r.brokerCPU)
	}
}

// TestSharedTiny is the scale-out path: mosquitto and two lab workers sharing the data through
// $share/lab/…; both must take batches. It is skipped when mosquitto is not installed.
func TestSharedTiny(t *testing.T) {
	if _, err := os.Stat(mosquittoBin); err != nil {
		t.Skipf("mosquitto not installed (%s missing): apt-get install mosquitto", mosquittoBin)
	}
	r := tinyRow(t, setups["shared"])
	if len(r.share) != 2 || r.share[0] == 0 || r.share[1] == 0 {
		t.Errorf("batches per worker in the window %v: want both workers busy", r.share)
	}
	if r.brokerCPU < 0 || r.brokerRSS <= 0 {
		t.Errorf("mosquitto CPU %v RSS %v not measured", r.brokerCPU, r.brokerRSS)
	}
}

func TestFlags(t *testing.T) {
	f, err := parseFlags([]string{"--rows", "shared", "--loads", "max", "--agents", "2"}, os.Stderr)
	if err != nil || len(f.rows) != 1 || f.rows[0].workers != 2 || len(f.loads) != 1 || f.loads[0] != 0 || f.agents != 2 {
		t.Errorf("flags %+v, %v", f, err)
	}
	if _, err := parseFlags([]string{"--rows", "nats"}, os.Stderr); err == nil {
		t.Error("unknown row accepted")
	}
}
