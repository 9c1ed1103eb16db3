package conntest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// A read of two holding registers (CRCs computed by drivers/modbus), replayed to the real client.
const capture = `
# read holding registers 0..1 of unit 1
> 01 03 00 00 00 02 C4 0B
< 01 03 04 00 2A 01 00 DA 6B
`

func TestPlaybackDrivesARealDriver(t *testing.T) {
	ops, err := Parse(capture)
	if err != nil {
		t.Fatal(err)
	}
	pb := &Playback{Ops: ops}
	c := modbus.NewClient(pb, modbus.ClientOpts{Baud: 115200, Timeout: 200 * time.Millisecond})
	regs, err := c.ReadHoldingRegisters(context.Background(), 1, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if regs[0] != 42 || regs[1] != 256 {
		t.Errorf("registers %v", regs)
	}
	if err := pb.Close(); err != nil {
		t.Error(err)
	}
}

func TestPlaybackCatchesWrongWrites(t *testing.T) {
	ops, _ := Parse(capture)
	pb := &Playback{Ops: ops}
	c := modbus.NewClient(pb, modbus.ClientOpts{Baud: 115200, Timeout: 50 * time.Millisecond})
	if _, err := c.ReadHoldingRegisters(context.Background(), 1, 5, 2); !errors.Is(err, ErrMismatch) {
		t.Errorf("reading other registers: %v", err)
	}
	if err := pb.Close(); !errors.Is(err, ErrMismatch) {
		t.Errorf("Close after a mismatch: %v", err)
	}
	pb = &Playback{Ops: ops}
	if err := pb.Close(); err == nil {
		t.Error("Close with an exchange never made reported nothing")
	}
}

func TestPlaybackTimesOutWithoutAnswer(t *testing.T) {
	pb := &Playback{Ops: []IO{{W: []byte{1, 2}}}}
	pb.SetReadTimeout(10 * time.Millisecond)
	pb.Write([]byte{1})
	pb.Write([]byte{2}) // a request may arrive in pieces
	buf := make([]byte, 4)
	if n, err := pb.Read(buf); n != 0 || err != nil {
		t.Errorf("Read = %d, %v; want a timeout (0, nil)", n, err)
	}
	if err := pb.Close(); err != nil {
		t.Error(err)
	}
}

// recorder stands in for a device that answers every write with its bytes reversed.
type echoPort struct{ out []byte }

func (e *echoPort) Write(p []byte) (int, error) {
	for i := len(p) - 1; i >= 0; i-- {
		e.out = append(e.out, p[i])
	}
	return len(p), nil
}
func (e *echoPort) Read(p []byte) (int, error)         { n := copy(p, e.out); e.out = e.out[n:]; return n, nil }
func (e *echoPort) SetReadTimeout(time.Duration) error { return nil }
func (e *echoPort) ResetInputBuffer() error            { e.out = nil; return nil }

func TestRecordFormatParseRoundTrip(t *testing.T) {
	r := &Record{Port: &echoPort{}}
	buf := make([]byte, 8)
	r.Write([]byte{1, 2, 3})
	r.Read(buf)
	r.Write([]byte{0xAA})
	r.Read(buf)
	want := []IO{{W: []byte{1, 2, 3}, R: []byte{3, 2, 1}}, {W: []byte{0xAA}, R: []byte{0xAA}}}
	if !Equal(r.Ops, want) {
		t.Fatalf("recorded %v", r.Ops)
	}
	back, err := Parse(Format(r.Ops))
	if err != nil || !Equal(back, want) {
		t.Errorf("round trip %v %v\n%s", back, err, Format(r.Ops))
	}
}

func TestParseRejects(t *testing.T) {
	for _, bad := range []string{"< 01", "> 0G", "hello", "> 012"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(capture)
	f.Add("> 01\n< \n> 02 03\n")
	f.Fuzz(func(t *testing.T, s string) {
		ops, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(Format(ops))
		if err != nil || !Equal(back, ops) {
			t.Fatalf("Format/Parse round trip lost bytes: %v", err)
		}
	})
}
