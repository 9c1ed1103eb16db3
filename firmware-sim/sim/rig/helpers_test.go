package rig

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

// Generous on purpose: the tests must pass on a loaded 2-core machine, and
// they never assert an upper bound on time.
const (
	testTimeout = 2 * time.Second
	testBaud    = 115200
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fakeClock drives model time by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustScenario(t testing.TB, name string) *Scenario {
	t.Helper()
	sc, err := LoadScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// startTwin runs a twin until the test ends and returns it with its path.
func startTwin(t testing.TB, opts Opts) (*Twin, string) {
	t.Helper()
	if opts.Baud == 0 {
		opts.Baud = testBaud
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	tw := New(opts)
	path := simtest.Start(t, tw)
	return tw, path
}

// dial opens the PTY slave as the agent would open a USB adapter and
// returns a client on it.
func dial(t testing.TB, path string, baud int, timeout time.Duration) (*modbus.Client, serial.Port) {
	t.Helper()
	p, err := serial.Open(path, &serial.Mode{BaudRate: baud})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { p.Close() })
	return modbus.NewClient(p, modbus.ClientOpts{Baud: baud, Timeout: timeout}), p
}

// client starts a twin on opts and returns a client on it.
func client(t testing.TB, opts Opts) (*Twin, *modbus.Client) {
	t.Helper()
	tw, path := startTwin(t, opts)
	c, _ := dial(t, path, testBaud, testTimeout)
	return tw, c
}

func snapshot(t testing.TB, c *modbus.Client) []uint16 {
	t.Helper()
	regs, err := c.ReadInputRegisters(context.Background(), 1, irStatus, snapshotQty)
	if err != nil {
		t.Fatalf("read snapshot: %v", err)
	}
	return regs
}

// value decodes channel ch of a snapshot.
func value(regs []uint16, ch string) float64 {
	i := channelIndex(ch)
	return float64(int16(regs[irChannel0+i])) * channels[i].scale
}

func startStep(t testing.TB, c *modbus.Client, step uint16) {
	t.Helper()
	if err := c.WriteMultipleRegisters(context.Background(), 1, hrStep, []uint16{step, cmdStart}); err != nil {
		t.Fatalf("start step %d: %v", step, err)
	}
}

func exceptionCode(err error) modbus.ExceptionCode {
	var ex *modbus.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	return 0
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
