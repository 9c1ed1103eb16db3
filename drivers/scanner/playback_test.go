package scanner_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/conntest"
	"github.com/onestop-station/onestop/drivers/scanner"
)

const chinese = "办成一件事 https://x.cn/q?id=1"

// Generous: a loaded 2-core machine may stall for a while; nothing here
// depends on an upper time bound.
const patience = 10 * time.Second

func loadCapture(t *testing.T, name string) []conntest.IO {
	t.Helper()
	text, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := conntest.Parse(string(text))
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func newScanner(t *testing.T, port scanner.Port, o scanner.Opts) *scanner.Scanner {
	t.Helper()
	s := scanner.New(port, o)
	t.Cleanup(func() { s.Close() })
	return s
}

func scan(t *testing.T, s *scanner.Scanner) (scanner.Code, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	return s.Scan(ctx)
}

func TestPlaybackTrigger(t *testing.T) {
	tests := []struct {
		file string
		opts scanner.Opts
		cs   scanner.Charset
	}{
		{"honeywell_trigger.txt", scanner.Opts{Dialect: scanner.Honeywell, Suffix: scanner.SuffixCRLF, AIM: true}, scanner.UTF8},
		{"newland_trigger.txt", scanner.Opts{Dialect: scanner.Newland, Suffix: scanner.SuffixCR, AIM: true}, scanner.GBK},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pb := &conntest.Playback{Ops: loadCapture(t, tt.file)}
			s := newScanner(t, pb, tt.opts)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			if err := s.Trigger(ctx); err != nil {
				t.Fatal(err)
			}
			c, err := s.Scan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.Data != chinese || c.Symbology != scanner.QR || c.AIM != "]Q1" || c.Charset != tt.cs || c.End != scanner.EndSuffix || c.At.IsZero() {
				t.Errorf("got %+v", c)
			}
			s.Close()
			if err := pb.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestTriggerErrors(t *testing.T) {
	on := scanner.Newland.TriggerOn()
	tests := []struct {
		name string
		d    scanner.Dialect
		ops  []conntest.IO
		want error
		msg  string
	}{
		{"no ack", scanner.Newland, []conntest.IO{{W: on}}, scanner.ErrNoAck, "scanner: trigger (newland): no ack within 300ms"},
		{"enq", scanner.Newland, []conntest.IO{{W: on, R: scanner.NewlandReply("#SCNTRG1", scanner.ENQ)}}, scanner.ErrRefused, "scanner: trigger (newland): refused (ENQ)"},
		{"late ack to another command", scanner.Newland, []conntest.IO{{W: on, R: scanner.NewlandReply("#SCNTRG0", scanner.ACK)}}, scanner.ErrNoAck, "no ack"},
		{"no dialect", scanner.DialectNone, nil, scanner.ErrNoTrigger, "scanner: trigger (none): dialect has no serial trigger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pb := &conntest.Playback{Ops: tt.ops}
			s := newScanner(t, pb, scanner.Opts{Dialect: tt.d, CommandTimeout: 300 * time.Millisecond})
			err := s.Trigger(context.Background())
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Trigger: %v; want %v containing %q", err, tt.want, tt.msg)
			}
		})
	}
}

// A cancelled caller is told so, not "no ack".
func TestTriggerCancelled(t *testing.T) {
	pb := &conntest.Playback{Ops: []conntest.IO{{W: scanner.Newland.TriggerOn()}}}
	s := newScanner(t, pb, scanner.Opts{Dialect: scanner.Newland, CommandTimeout: patience})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := s.Trigger(ctx); !errors.Is(err, context.Canceled) || errors.Is(err, scanner.ErrNoAck) {
		t.Errorf("Trigger: %v", err)
	}
}

func TestStopHoneywell(t *testing.T) {
	pb := &conntest.Playback{Ops: []conntest.IO{{W: []byte{0x16, 'T', '\r'}}, {W: []byte{0x16, 'U', '\r'}}}}
	s := newScanner(t, pb, scanner.Opts{Dialect: scanner.Honeywell})
	if err := s.Trigger(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := pb.Close(); err != nil {
		t.Error(err)
	}
	if err := s.Trigger(context.Background()); !errors.Is(err, scanner.ErrClosed) {
		t.Errorf("Trigger after Close: %v", err)
	}
	if _, err := s.Scan(context.Background()); !errors.Is(err, scanner.ErrClosed) {
		t.Errorf("Scan after Close: %v", err)
	}
}
