package devices_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
	"github.com/onestop-station/onestop/kiosk/devices"
)

// Generous on purpose: the tests must pass on a loaded 2-core machine under -race, and they
// assert no upper bound on latency (they log it).
const waitLong = 15 * time.Second

var quiet = slog.New(slog.DiscardHandler)

// running is a twin served until stop (or the test's end): stopping it closes its PTY, which
// is what unplugging a USB serial device does to the tty.
type running struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

func serve(t *testing.T, tw simtest.Twin) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- tw.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	wctx, wcancel := context.WithTimeout(ctx, simtest.Patience)
	defer wcancel()
	if _, err := tw.WaitPath(wctx, ""); err != nil {
		select {
		case runErr := <-r.done:
			t.Fatalf("twin did not start: %v", runErr)
		default:
		}
		t.Fatalf("twin did not serve within %v: %v", simtest.Patience, err)
	}
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("twin Run: %v", err)
			}
		case <-time.After(simtest.Patience):
			t.Error("twin did not stop")
		}
	})
}

func port(link string) serialport.Config {
	return serialport.Config{Path: link, MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}
}

func newReader(t *testing.T, link, card string) *idreader.Twin {
	t.Helper()
	tw, err := idreader.New(idreader.Opts{Link: link, Card: card, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

func newPrinter(t *testing.T, link string) *simprinter.Twin {
	t.Helper()
	if _, err := os.Stat(simprinter.DefaultFont); err != nil {
		t.Fatalf("printer twin font missing (apt-get install fonts-arphic-gbsn00lp): %v", err)
	}
	tw, err := simprinter.New(simprinter.Opts{OutDir: t.TempDir(), Link: link, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

func newScanner(t *testing.T, link string) *simscanner.Twin {
	t.Helper()
	tw, err := simscanner.New(simscanner.Opts{Link: link, AIM: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

func link(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }

// logBuf collects the devices' log, to check it holds no personal data.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start opens cfg and runs it until the test ends, then checks that Run returned nil and
// closed Events.
func start(t *testing.T, cfg devices.Config) (*devices.Devices, *logBuf) {
	t.Helper()
	logs := &logBuf{}
	d := devices.Open(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitLong):
			t.Error("Run did not return after cancel")
			return
		}
		for range d.Events() { // must be closed, after what was left in it
		}
	})
	return d, logs
}

// next waits for an event that ok accepts, skipping others (logged).
func next(t *testing.T, d *devices.Devices, what string, ok func(devices.Event) bool) devices.Event {
	t.Helper()
	timeout := time.After(waitLong)
	for {
		select {
		case ev, open := <-d.Events():
			if !open {
				t.Fatalf("Events closed while waiting for %s", what)
			}
			if ok(ev) {
				return ev
			}
			t.Logf("skipped %v", ev)
		case <-timeout:
			t.Fatalf("no %s within %v", what, waitLong)
		}
	}
}

// none checks that no event ok accepts comes within d.
func none(t *testing.T, dv *devices.Devices, what string, d time.Duration, ok func(devices.Event) bool) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev := <-dv.Events():
			if ok(ev) {
				t.Fatalf("unexpected %s: %v", what, ev)
			}
		case <-timeout:
			return
		}
	}
}

func is(kind devices.Kind, dev string) func(devices.Event) bool {
	return func(ev devices.Event) bool { return ev.Kind == kind && ev.Device == dev }
}

func state(dev string, st interface{ String() string }) func(devices.Event) bool {
	return func(ev devices.Event) bool {
		return ev.Kind == devices.DeviceState && ev.Device == dev && ev.State.String() == st.String()
	}
}

var idreaderReadFailed = idcard.ErrReadFailed

func scannerOpts() scanner.Opts { return scanner.Opts{AIM: true} }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func waitReceipts(t *testing.T, tw *simprinter.Twin, n int) []simprinter.Receipt {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		if rs := tw.Receipts(); len(rs) >= n {
			return rs
		}
		if time.Now().After(deadline) {
			t.Fatalf("twin wrote %d receipts, want %d", len(tw.Receipts()), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
