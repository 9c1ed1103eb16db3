package scanner_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/conntest"
	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

// startTwin runs the twin on a real PTY and returns a serialport Port on it.
func startTwin(t *testing.T, o simscanner.Opts) (*serialport.Port, *simscanner.Twin) {
	t.Helper()
	o.Logger = slog.New(slog.DiscardHandler)
	tw, err := simscanner.New(o)
	if err != nil {
		t.Fatal(err)
	}
	path := simtest.Start(t, tw)
	if o.Link != "" {
		path = o.Link // as /dev/serial/by-id: the port follows it across hang-ups
	}
	port := serialport.New(serialport.Config{Path: path, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}, "scanner")
	if err := port.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return port, tw
}

func TestTwinTriggerModes(t *testing.T) {
	tests := []struct {
		name string
		tw   simscanner.Opts
		drv  scanner.Opts
	}{
		{"honeywell crlf utf8", simscanner.Opts{Dialect: scanner.Honeywell, Suffix: scanner.SuffixCRLF, AIM: true},
			scanner.Opts{Dialect: scanner.Honeywell, Suffix: scanner.SuffixCRLF, AIM: true}},
		{"newland cr gbk", simscanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixCR, AIM: true, Charset: scanner.GBK},
			scanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixCR, AIM: true}},
		{"newland tab utf8 no aim", simscanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixTab},
			scanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixTab}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.tw.Codes = []simscanner.Code{{Data: chinese, Symbology: "qr"}, {Data: "6901234567892", Symbology: "ean13"}}
			port, tw := startTwin(t, tt.tw)
			tt.drv.CommandTimeout = patience
			s := newScanner(t, port, tt.drv)
			for i, want := range tt.tw.Codes {
				ctx, cancel := context.WithTimeout(context.Background(), patience)
				if err := s.Trigger(ctx); err != nil {
					t.Fatal(err)
				}
				c, err := s.Scan(ctx)
				cancel()
				if err != nil || c.Data != want.Data {
					t.Fatalf("code %d: %+v %v", i, c, err)
				}
				if tt.drv.AIM && c.Symbology.String() != want.Symbology {
					t.Errorf("code %d: symbology %v, want %s", i, c.Symbology, want.Symbology)
				}
			}
			if err := s.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return tw.Counters().Stops == 1 })
			k := tw.Counters()
			if k.Triggers != 2 || k.Codes != 2 || k.UnknownBytes != 0 || (tt.drv.Dialect == scanner.Newland) != (k.Replies == 3) {
				t.Errorf("twin counters %+v", k)
			}
		})
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Schedule mode: the twin emits its queue in turn, the driver's Run gets it.
func TestTwinSchedule(t *testing.T) {
	codes := []simscanner.Code{{Data: "A-1"}, {Data: "B-2"}, {Data: "C-3"}}
	port, _ := startTwin(t, simscanner.Opts{Suffix: scanner.SuffixLF, Codes: codes, Every: 50 * time.Millisecond})
	s := newScanner(t, port, scanner.Opts{})
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	var got []string
	s.Run(ctx, func(c scanner.Code) {
		got = append(got, c.Data)
		if len(got) == 4 {
			cancel()
		}
	})
	// The first code may have gone out before the driver started reading;
	// after that they follow the queue.
	for i := 1; i < len(got); i++ {
		if next := codes[(indexOf(codes, got[i-1])+1)%3].Data; got[i] != next {
			t.Fatalf("codes out of turn: %v", got)
		}
	}
	if len(got) != 4 {
		t.Fatalf("got %v", got)
	}
}

func indexOf(codes []simscanner.Code, data string) int {
	for i, c := range codes {
		if c.Data == data {
			return i
		}
	}
	return -1
}

// Each fault gives a clear error or is recovered from, and the next good code
// still comes through.
func TestTwinFaults(t *testing.T) {
	port, tw := startTwin(t, simscanner.Opts{Dialect: scanner.Honeywell, Suffix: scanner.SuffixCRLF, Codes: []simscanner.Code{{Data: chinese}}})
	s := newScanner(t, port, scanner.Opts{Dialect: scanner.Honeywell, Suffix: scanner.SuffixCRLF, MaxLen: 1024, IdleTimeout: 150 * time.Millisecond})
	trigger := func() []scanResult {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		if err := s.Trigger(ctx); err != nil {
			t.Fatal(err)
		}
		c, err := s.Scan(ctx)
		return []scanResult{{c, err}}
	}
	next := func() scanResult {
		t.Helper()
		c, err := scan(t, s)
		return scanResult{c, err}
	}
	inject := func(f simscanner.Fault) {
		t.Helper()
		if err := tw.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}

	inject(simscanner.Fault{Kind: simscanner.FaultGarbage, Pause: 600 * time.Millisecond})
	r := trigger()[0]
	if !errors.Is(r.err, scanner.ErrCharset) {
		t.Fatalf("garbage: %+v", r)
	}
	if r := next(); r.err != nil || r.c.Data != chinese {
		t.Fatalf("code after garbage: %+v", r)
	}

	// A pause shorter than the idle timeout does not split a code.
	inject(simscanner.Fault{Kind: simscanner.FaultSplit, Pause: 20 * time.Millisecond})
	if r := trigger()[0]; r.err != nil || r.c.Data != chinese || r.c.End != scanner.EndSuffix {
		t.Fatalf("short split: %+v", r)
	}
	// A longer one does: two pieces, the first ended by the idle timeout.
	inject(simscanner.Fault{Kind: simscanner.FaultSplit, Pause: 600 * time.Millisecond})
	first := trigger()[0]
	second := next()
	wire := []byte(chinese + "\r\n")
	half := wire[:len(wire)/2]
	if first.c.End != scanner.EndIdle || !bytes.Equal(first.c.Raw, half) || second.err != nil || second.c.Data+"\r\n" != string(wire[len(wire)/2:]) {
		t.Fatalf("long split: %+v then %+v", first, second)
	}

	inject(simscanner.Fault{Kind: simscanner.FaultNoSuffix})
	if r := trigger()[0]; r.err != nil || r.c.Data != chinese || r.c.End != scanner.EndIdle {
		t.Fatalf("no suffix: %+v", r)
	}

	inject(simscanner.Fault{Kind: simscanner.FaultOversize, Bytes: 3000})
	if r := trigger()[0]; !errors.Is(r.err, scanner.ErrTooLong) {
		t.Fatalf("oversize: %+v", r)
	}
	if r := trigger()[0]; r.err != nil || r.c.Data != chinese {
		t.Fatalf("after oversize: %+v", r)
	}
}

type scanResult struct {
	c   scanner.Code
	err error
}

// A hang-up: Gone, Scan fails fast, then Back and codes again.
func TestTwinHangup(t *testing.T) {
	link := filepath.Join(t.TempDir(), "scanner0")
	port, tw := startTwin(t, simscanner.Opts{Suffix: scanner.SuffixCR, Codes: []simscanner.Code{{Data: "AFTER"}}, Link: link})
	s := newScanner(t, port, scanner.Opts{Suffix: scanner.SuffixCR})
	if s.Capabilities() != device.CapInput|device.CapPowerReporting {
		t.Errorf("capabilities %v", s.Capabilities())
	}
	if err := tw.InjectFault(simscanner.Fault{Kind: simscanner.FaultHangup, Down: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, s, device.Gone)
	waitState(t, s, device.Offline)
	// Fails fast while away (unless a stalled test saw the device come back).
	sctx, scancel := context.WithTimeout(context.Background(), time.Second)
	_, err := s.Scan(sctx)
	scancel()
	if !errors.Is(err, serialport.ErrGone) && !errors.Is(err, serialport.ErrOffline) && s.Health().State == device.Offline {
		t.Errorf("Scan while away: %v", err)
	}
	if ev := waitEvent(t, s, device.Back); ev.Device != "scanner" {
		t.Errorf("Back event %v", ev)
	}
	waitState(t, s, device.Idle)
	if err := tw.Trigger(); err != nil {
		t.Fatal(err)
	}
	if c, err := scan(t, s); err != nil || c.Data != "AFTER" {
		t.Fatalf("after the hang-up: %+v %v", c, err)
	}
	if tw.Counters().Hangups != 1 {
		t.Errorf("counters %+v", tw.Counters())
	}
}

func waitEvent(t *testing.T, s *scanner.Scanner, kind device.EventKind) device.Event {
	t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case ev := <-s.Events():
			if ev.Kind == kind {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %v event", kind)
		}
	}
}

// The capture files are what the twin really sends: recording a trigger
// exchange through conntest.Record gives the same bytes.
func TestCapturesMatchTwin(t *testing.T) {
	tests := []struct {
		file string
		tw   simscanner.Opts
		drv  scanner.Opts
	}{
		{"honeywell_trigger.txt", simscanner.Opts{Dialect: scanner.Honeywell, Suffix: scanner.SuffixCRLF, AIM: true},
			scanner.Opts{Dialect: scanner.Honeywell, Suffix: scanner.SuffixCRLF, AIM: true}},
		{"newland_trigger.txt", simscanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixCR, AIM: true, Charset: scanner.GBK},
			scanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixCR, AIM: true}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			port, _ := startTwin(t, tt.tw)
			rec := &conntest.Record{Port: port}
			tt.drv.CommandTimeout = patience
			s := newScanner(t, rec, tt.drv)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			if err := s.Trigger(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Scan(ctx); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if want := loadCapture(t, tt.file); !conntest.Equal(rec.Ops, want) {
				t.Errorf("recorded:\n%swant:\n%s", conntest.Format(rec.Ops), conntest.Format(want))
			}
		})
	}
}
