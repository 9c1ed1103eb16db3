package escpos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/conntest"
	"github.com/onestop-station/onestop/drivers/device"
)

func playback(t *testing.T, capture string) (*Printer, *conntest.Playback) {
	t.Helper()
	ops, err := conntest.Parse(capture)
	if err != nil {
		t.Fatal(err)
	}
	pb := &conntest.Playback{Ops: ops}
	p := New(pb, Opts{Timeout: 3 * time.Second})
	t.Cleanup(func() { p.Close() })
	return p, pb
}

func nextEvent(t *testing.T, p *Printer) device.Event {
	t.Helper()
	select {
	case ev := <-p.Events():
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	return device.Event{}
}

func TestStatusPlayback(t *testing.T) {
	capture, err := os.ReadFile("testdata/status-near-end.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, pb := playback(t, string(capture))
	ctx := context.Background()
	st, err := p.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Online || st.Paper() != PaperLow || st.CoverOpen || !st.Ready() {
		t.Errorf("status %v", st)
	}
	if ev := nextEvent(t, p); ev.Kind != device.PaperNearEnd || ev.Device != "printer" || ev.State != device.Idle {
		t.Errorf("event %v", ev)
	}
	if err := p.EnableASB(ctx, ASBAll); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil { // every exchange made, none different
		t.Fatal(err)
	}
	// The first ASB frame repeats the status: no event; the second says paper out.
	if ev := nextEvent(t, p); ev.Kind != device.PaperOut || ev.State != device.Error {
		t.Errorf("event %v", ev)
	}
	if st, _ := p.Last(); !st.PaperOut || st.Online {
		t.Errorf("Last() = %v", st)
	}
}

// Print asks first and sends nothing to a printer that would not print.
func TestPrintRefuses(t *testing.T) {
	tests := []struct {
		replies string
		want    error
		event   device.EventKind
	}{
		{"1A 32 12 7E", ErrPaperOut, device.PaperOut},
		{"1A 16 12 12", ErrCoverOpen, device.CoverOpen},
		{"1A 52 1A 12", ErrOffline, 0},
	}
	for _, tt := range tests {
		r := strings.Fields(tt.replies)
		capture := ""
		for i, b := range r {
			capture += "> 10 04 0" + string(rune('1'+i)) + "\n< " + b + "\n"
		}
		p, pb := playback(t, capture)
		err := p.Print(context.Background(), NewReceipt().Init().Line("x").Cut(CutFull))
		if !errors.Is(err, tt.want) || !strings.HasPrefix(err.Error(), "escpos: print: ") {
			t.Errorf("replies %s: %v, want %v", tt.replies, err, tt.want)
		}
		if err := pb.Close(); err != nil {
			t.Errorf("replies %s: %v", tt.replies, err)
		}
		if tt.event != 0 {
			if ev := nextEvent(t, p); ev.Kind != tt.event || ev.State != device.Error {
				t.Errorf("replies %s: event %v", tt.replies, ev)
			}
		}
	}
}

func TestPrintSendsReceipt(t *testing.T) {
	r := NewReceipt().Init().Line("办成一件事").Cut(CutPartial)
	data, _ := r.Bytes()
	capture := "> 10 04 01\n< 12\n> 10 04 02\n< 12\n> 10 04 03\n< 12\n> 10 04 04\n< 12\n> " + fmt.Sprintf("% X", data) + "\n"
	p, pb := playback(t, capture)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
	if h := p.Health(context.Background()); h.State != device.Offline || !strings.Contains(h.Detail, "escpos: status:") {
		t.Errorf("health after the recording ran out: %v", h) // the playback refuses the extra query
	}
}

func TestStatusTimeout(t *testing.T) {
	ops, _ := conntest.Parse("> 10 04 01\n")
	p := New(&conntest.Playback{Ops: ops}, Opts{Timeout: 100 * time.Millisecond})
	defer p.Close()
	_, err := p.Status(context.Background())
	if !errors.Is(err, ErrTimeout) || err.Error() != "escpos: status: DLE EOT 1: no reply (timeout)" {
		t.Errorf("got %v", err)
	}
}

func TestClosedPrinter(t *testing.T) {
	p := New(&conntest.Playback{}, Opts{})
	p.Close()
	p.Close()
	if _, err := p.Status(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Status after Close: %v", err)
	}
	if err := p.Print(context.Background(), NewReceipt().Size(0, 0)); err == nil || !strings.Contains(err.Error(), "size 0x0") {
		t.Errorf("a broken receipt is reported before anything else: %v", err)
	}
	if p.Capabilities()&device.CapPaperNearEnd == 0 {
		t.Error("capabilities")
	}
}

// An ASB frame alone updates Last and raises the events.
func TestASBEvents(t *testing.T) {
	p, pb := playback(t, "> 1D 61 0F\n< 30 00 00 00\n> 1D 61 00\n")
	ctx := context.Background()
	if err := p.EnableASB(ctx, ASBAll); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, p); ev.Kind != device.CoverOpen {
		t.Errorf("event %v", ev)
	}
	if st, ok := p.Last(); !ok || !st.CoverOpen || !st.Online {
		t.Errorf("Last() = %v, %v", st, ok)
	}
	if err := p.EnableASB(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}
