package serialport

import (
	"testing"
	"time"

	"go.bug.st/serial"
)

func TestDefaults(t *testing.T) {
	c := Config{Path: "/dev/ttyUSB0"}.withDefaults()
	if c.frame() != "115200 8N1" || c.MinBackoff != 100*time.Millisecond || c.MaxBackoff != 5*time.Second {
		t.Errorf("defaults: %s, backoff %v..%v", c.frame(), c.MinBackoff, c.MaxBackoff)
	}
	if c.readTimeout() != serial.NoTimeout {
		t.Errorf("zero ReadTimeout must block, got %v", c.readTimeout())
	}
	c = Config{Baud: 9600, DataBits: 7, Parity: ParityEven, StopBits: TwoStopBits, MinBackoff: time.Second, MaxBackoff: time.Millisecond}.withDefaults()
	if c.frame() != "9600 7E2" || c.MaxBackoff != time.Second {
		t.Errorf("got %s, max backoff %v; want 9600 7E2 and max raised to min", c.frame(), c.MaxBackoff)
	}
}

func TestModeMatchesGoBugSt(t *testing.T) {
	// Parity and StopBits convert by value; this pins the two orders together.
	pairs := map[Parity]serial.Parity{ParityNone: serial.NoParity, ParityOdd: serial.OddParity,
		ParityEven: serial.EvenParity, ParityMark: serial.MarkParity, ParitySpace: serial.SpaceParity}
	for ours, theirs := range pairs {
		m, err := Config{Parity: ours}.withDefaults().mode()
		if err != nil || m.Parity != theirs {
			t.Errorf("%v -> %v, %v; want %v", ours, m, err, theirs)
		}
	}
	stops := map[StopBits]serial.StopBits{OneStopBit: serial.OneStopBit,
		OnePointFiveStopBits: serial.OnePointFiveStopBits, TwoStopBits: serial.TwoStopBits}
	for ours, theirs := range stops {
		if m, err := (Config{StopBits: ours}).withDefaults().mode(); err != nil || m.StopBits != theirs {
			t.Errorf("%v -> %v, %v; want %v", ours, m, err, theirs)
		}
	}
	for _, bad := range []Config{{DataBits: 4}, {DataBits: 9}, {Parity: 5}, {StopBits: 3}} {
		if _, err := bad.withDefaults().mode(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestParityAndStopBitsText(t *testing.T) {
	for in, want := range map[string]Parity{"none": ParityNone, "N": ParityNone, "Even": ParityEven, "e": ParityEven, " odd ": ParityOdd, "M": ParityMark, "space": ParitySpace} {
		var p Parity
		if err := p.UnmarshalText([]byte(in)); err != nil || p != want {
			t.Errorf("parity %q = %v, %v; want %v", in, p, err, want)
		}
	}
	for _, in := range []string{"", "x", "evens", "1"} {
		var p Parity
		if err := p.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("parity %q accepted as %v", in, p)
		}
	}
	for in, want := range map[string]StopBits{"1": OneStopBit, "1.5": OnePointFiveStopBits, " 2": TwoStopBits} {
		var s StopBits
		if err := s.UnmarshalText([]byte(in)); err != nil || s != want {
			t.Errorf("stop bits %q = %v, %v; want %v", in, s, err, want)
		}
	}
	var s StopBits
	if err := s.UnmarshalText([]byte("3")); err == nil {
		t.Error("stop bits 3 accepted")
	}
	if Parity(7).String() != "Parity(7)" || StopBits(7).String() != "StopBits(7)" {
		t.Error("unknown values must print their number")
	}
	if _, err := Parity(7).MarshalText(); err == nil {
		t.Error("marshalled an invalid parity")
	}
}

// Config files are written by people: any text either parses to a value that
// round-trips or is refused, never a panic.
func FuzzParityText(f *testing.F) {
	for _, s := range []string{"none", "E", "odd", "", "\xff", "1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p Parity
		if p.UnmarshalText([]byte(s)) == nil {
			b, err := p.MarshalText()
			var q Parity
			if err != nil || q.UnmarshalText(b) != nil || q != p {
				t.Fatalf("%q -> %v does not round-trip", s, p)
			}
		}
		var sb StopBits
		if sb.UnmarshalText([]byte(s)) == nil {
			b, err := sb.MarshalText()
			var q StopBits
			if err != nil || q.UnmarshalText(b) != nil || q != sb {
				t.Fatalf("%q -> %v does not round-trip", s, sb)
			}
		}
	})
}
