package scanner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
)

// linePort is a scanner on a wire: what the test sends arrives for Read,
// which honours its read timeout like go.bug.st/serial; an error sent is
// returned once.
type linePort struct {
	in      chan any // []byte or error
	mu      sync.Mutex
	timeout time.Duration
	held    []byte
}

func newLinePort() *linePort { return &linePort{in: make(chan any, 64)} }

func (p *linePort) send(v any) { p.in <- v }

func (p *linePort) Read(b []byte) (int, error) {
	p.mu.Lock()
	d := p.timeout
	if len(p.held) > 0 {
		n := copy(b, p.held)
		p.held = p.held[n:]
		p.mu.Unlock()
		return n, nil
	}
	p.mu.Unlock()
	select {
	case v := <-p.in:
		if err, ok := v.(error); ok {
			return 0, err
		}
		n := copy(b, v.([]byte))
		p.mu.Lock()
		p.held = append(p.held, v.([]byte)[n:]...)
		p.mu.Unlock()
		return n, nil
	case <-time.After(d):
		return 0, nil
	}
}

func (p *linePort) Write(b []byte) (int, error) { return len(b), nil }

func (p *linePort) SetReadTimeout(d time.Duration) error {
	p.mu.Lock()
	p.timeout = d
	p.mu.Unlock()
	return nil
}

func TestStreamCodesAndFaults(t *testing.T) {
	gbk, _ := scanner.EncodeGBK(chinese)
	p := newLinePort()
	s := newScanner(t, p, scanner.Opts{Suffix: scanner.SuffixCRLF, MaxLen: 64, IdleTimeout: 50 * time.Millisecond})
	p.send([]byte("6901234"))
	p.send([]byte("567892\r"))
	p.send([]byte("\n"))
	c, err := scan(t, s)
	if err != nil || c.Data != "6901234567892" || c.Symbology != scanner.Unknown || c.End != scanner.EndSuffix {
		t.Fatalf("split arrival: %+v %v", c, err)
	}
	p.send(append(bytes.Clone(gbk), '\r', '\n'))
	if c, err = scan(t, s); err != nil || c.Data != chinese || c.Charset != scanner.GBK || !bytes.Equal(c.Raw, gbk) {
		t.Fatalf("GBK: %+v %v", c, err)
	}
	// Garbage, then a pause: a clear error keeping the bytes; the next code is fine.
	p.send([]byte{0xFF, 0xFE, 0x80})
	_, err = scan(t, s)
	var ce *scanner.CodeError
	if !errors.As(err, &ce) || !errors.Is(err, scanner.ErrCharset) || !bytes.Equal(ce.Raw, []byte{0xFF, 0xFE, 0x80}) {
		t.Fatalf("garbage: %v", err)
	}
	p.send([]byte(chinese + "\r\n"))
	if c, err = scan(t, s); err != nil || c.Data != chinese || c.Charset != scanner.UTF8 {
		t.Fatalf("after garbage: %+v %v", c, err)
	}
	// No suffix: the idle timeout ends the code.
	p.send([]byte("NOSUFFIX"))
	if c, err = scan(t, s); err != nil || c.Data != "NOSUFFIX" || c.End != scanner.EndIdle {
		t.Fatalf("no suffix: %+v %v", c, err)
	}
	// Over-long: one error, and its tail does not become a code.
	p.send(append(bytes.Repeat([]byte{'A'}, 100), '\r', '\n'))
	p.send([]byte("NEXT\r\n"))
	if _, err = scan(t, s); !errors.Is(err, scanner.ErrTooLong) || err.Error() != "scanner: scan: code too long: 100 bytes, limit 64 (is the suffix set to crlf?)" {
		t.Fatalf("oversize: %v", err)
	}
	if c, err = scan(t, s); err != nil || c.Data != "NEXT" {
		t.Fatalf("after oversize: %+v %v", c, err)
	}
}

func TestStreamAIMRequired(t *testing.T) {
	p := newLinePort()
	s := newScanner(t, p, scanner.Opts{Suffix: scanner.SuffixCR, AIM: true})
	p.send([]byte("plain\r]E06901234567892\r"))
	if _, err := scan(t, s); !errors.Is(err, scanner.ErrNoAIM) {
		t.Fatalf("no AIM: %v", err)
	}
	if c, err := scan(t, s); err != nil || c.Symbology != scanner.EAN13 || c.Data != "6901234567892" {
		t.Fatalf("EAN-13: %+v %v", c, err)
	}
}

// While the device is away Scan fails fast and says why; it works again once
// reads succeed, and the code cut off by the loss is kept.
func TestStreamDeviceGone(t *testing.T) {
	p := newLinePort()
	s := newScanner(t, p, scanner.Opts{Suffix: scanner.SuffixCR})
	gone := &serialport.PortError{Op: "read", Path: "/dev/pts/9", Err: fmt.Errorf("%w: input/output error", serialport.ErrGone)}
	p.send([]byte("CUT"))
	p.send(gone)
	c, err := scan(t, s)
	if err != nil || c.Data != "CUT" || c.End != scanner.EndIdle {
		t.Fatalf("code cut off by the loss: %+v %v", c, err)
	}
	waitState(t, s, device.Offline)
	if _, err := s.Scan(context.Background()); !errors.Is(err, serialport.ErrGone) || !strings.HasPrefix(err.Error(), "scanner: scan: offline: ") {
		t.Fatalf("Scan while gone: %v", err)
	}
	p.send([]byte("BACK\r"))
	waitState(t, s, device.Idle)
	if c, err := scan(t, s); err != nil || c.Data != "BACK" {
		t.Fatalf("after back: %+v %v", c, err)
	}
}

func waitState(t *testing.T, s *scanner.Scanner, want device.State) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for s.Health().State != want {
		if time.Now().After(deadline) {
			t.Fatalf("state %v, want %v", s.Health(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Run delivers good codes, skips damaged ones, and Events carries both.
func TestRunAndEvents(t *testing.T) {
	p := newLinePort()
	s := newScanner(t, p, scanner.Opts{Suffix: scanner.SuffixLF})
	p.send([]byte("one\n\xff\xfe\ntwo\n"))
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	var got []string
	err := s.Run(ctx, func(c scanner.Code) {
		got = append(got, c.Data)
		if len(got) == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || fmt.Sprint(got) != "[one two]" {
		t.Fatalf("Run: %v %v", got, err)
	}
	var kinds []string
	for range 3 {
		ev := <-s.Events()
		kinds = append(kinds, fmt.Sprintf("%v/%v/%q", ev.Kind, ev.Err != nil, ev.Data))
	}
	if fmt.Sprint(kinds) != `[data/false/"one" data/true/"\xff\xfe" data/false/"two"]` {
		t.Errorf("events %v", kinds)
	}
	if s.Capabilities() != device.CapInput {
		t.Errorf("capabilities %v", s.Capabilities())
	}
	s.Close()
	for ev := range s.Events() {
		if ev.Kind != device.StatusChanged || ev.State != device.Closed {
			t.Errorf("last event %v", ev)
		}
	}
}
