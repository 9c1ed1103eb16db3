package fleet

import (
	"context"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/labtest"
)

func TestReporterEmbeddedBroker(t *testing.T) {
	testReporter(t, startMochi(t))
}

// Against Debian's mosquitto with a password file (skipped without it, failed under
// scripts/test.sh, which sets ONESTOP_REQUIRE_PEERS).
func TestReporterMosquitto(t *testing.T) {
	url, _, _ := labtest.StartMosquitto(t, map[string]string{kioskUser: kioskPass, watcherUser: watcherPass})
	testReporter(t, url)
}

// startReporter runs a Reporter for the test terminal through brokerURL until the test ends;
// stop cancels it and returns Run's error.
func startReporter(t *testing.T, brokerURL string, interval time.Duration, init func(*Status)) (r *Reporter, stop func() error) {
	t.Helper()
	r, err := New(Config{Broker: brokerURL, Site: testSite, Terminal: testTerminal,
		Username: kioskUser, Password: kioskPass, Version: "1.4.0", Interval: interval},
		labtest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	if init != nil {
		r.Update(init)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var stopped bool
	var runErr error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
		}
		return runErr
	}
	t.Cleanup(func() { stop() })
	return r, stop
}

func testReporter(t *testing.T, brokerURL string) {
	px := startProxy(t, brokerURL)
	w := watch(t, brokerURL)
	r, stop := startReporter(t, px.url(), time.Hour, func(s *Status) {
		s.Devices[DeviceReader] = DeviceStatus{State: "idle"}
		s.Devices[DevicePrinter] = DeviceStatus{State: "idle"}
		s.Devices[DeviceScanner] = DeviceStatus{State: "offline", Detail: "no port /dev/onestop-scanner"}
		s.Paper = PaperNearEnd
	})

	// Online, with the devices set before Run.
	s := w.next(t, "online status", func(s Status) bool { return s.State == StateOnline })
	if s.Version != "1.4.0" || s.Paper != PaperNearEnd || len(s.Devices) != 3 ||
		s.Devices[DeviceScanner] != (DeviceStatus{"offline", "no port /dev/onestop-scanner"}) ||
		time.Since(s.At) > time.Minute || !s.LastService.IsZero() {
		t.Errorf("first status: %+v", s)
	}

	// Updates in a burst: the last state arrives.
	served := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	for i := range 5 {
		r.Update(func(s *Status) {
			s.Paper = PaperOut
			s.Devices[DevicePrinter] = DeviceStatus{State: "error", Detail: "paper out"}
			s.LastService = served.Add(time.Duration(i) * time.Second)
		})
	}
	last := served.Add(4 * time.Second)
	w.next(t, "updated status", func(s Status) bool { return s.Paper == PaperOut && s.LastService.Equal(last) })

	// A newcomer gets it retained.
	late := watch(t, brokerURL)
	s = late.next(t, "retained status", func(Status) bool { return true })
	if s.State != StateOnline || s.Paper != PaperOut || !s.LastService.Equal(last) || s.Devices[DevicePrinter].State != "error" {
		t.Errorf("retained status: %+v", s)
	}

	// The connection dies without DISCONNECT: the broker publishes the will. Once the network
	// is back, the reporter reconnects and says online again, with the state as it is now.
	severed := time.Now()
	px.sever()
	will := w.next(t, "last will", func(s Status) bool { return s.State == StateOffline })
	if will.Version != "1.4.0" || will.Paper != PaperUnknown || len(will.Devices) != 0 {
		t.Errorf("will: %+v", will)
	}
	px.restore()
	w.next(t, "online after reconnecting", func(s Status) bool {
		return s.State == StateOnline && s.Paper == PaperOut && s.At.After(severed)
	})

	// A clean stop says offline, with the last known state, and leaves it retained.
	if err := stop(); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	s = w.next(t, "offline on stop", func(s Status) bool { return s.State == StateOffline })
	if s.Paper != PaperOut || !s.LastService.Equal(last) {
		t.Errorf("offline on stop: %+v", s)
	}
	s = watch(t, brokerURL).next(t, "retained offline", func(Status) bool { return true })
	if s.State != StateOffline || s.Paper != PaperOut {
		t.Errorf("retained after stop: %+v\nwatcher history:\n%s", s, w.history())
	}
}

// Without changes, the status is republished every Interval.
func TestReporterHeartbeat(t *testing.T) {
	brokerURL := startMochi(t)
	w := watch(t, brokerURL)
	startReporter(t, brokerURL, 200*time.Millisecond, nil)
	first := w.next(t, "first status", func(s Status) bool { return s.State == StateOnline })
	prev := first.At
	for range 3 {
		s := w.next(t, "heartbeat", func(s Status) bool { return s.State == StateOnline && s.At.After(prev) })
		prev = s.At
	}
	if gap := prev.Sub(first.At); gap < 500*time.Millisecond || gap > 10*time.Second {
		t.Errorf("3 heartbeats in %v at a 200 ms interval", gap)
	}
}

// A reporter whose broker never answers still stops at once when asked.
func TestReporterStopsWithoutBroker(t *testing.T) {
	_, stop := startReporter(t, "tcp://"+labtest.FreeAddr(t), time.Hour, nil)
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stop took %v", d)
	}
}

func TestRunTwice(t *testing.T) {
	r, err := New(Config{Broker: "tcp://127.0.0.1:1", Site: "s", Terminal: "t"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.running.Store(true) // as if Run were running
	if err := r.Run(context.Background()); err == nil {
		t.Error("second Run started")
	}
}
