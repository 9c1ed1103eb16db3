//go:build linux

package serialport

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.bug.st/serial/enumerator"
)

// fakeEnumerator makes List report the given ports, as if they were USB
// adapters, for the rest of the test.
func fakeEnumerator(t *testing.T, ports ...*enumerator.PortDetails) {
	t.Helper()
	old := enumerate
	enumerate = func() ([]*enumerator.PortDetails, error) { return ports, nil }
	t.Cleanup(func() { enumerate = old })
}

func TestPortMatchPicksTheRightDevice(t *testing.T) {
	reader, scanner := newFakeDevice(t), newFakeDevice(t)
	defer reader.Slave.Close()
	defer scanner.Slave.Close()
	fakeEnumerator(t,
		&enumerator.PortDetails{Name: "/dev/ttyS0"},
		&enumerator.PortDetails{Name: reader.Path, IsUSB: true, VID: "1A86", PID: "7523", SerialNumber: "SAM-01"},
		&enumerator.PortDetails{Name: scanner.Path, IsUSB: true, VID: "1a86", PID: "7523", SerialNumber: "NLS-77"},
	)

	p := New(Config{Match: Match{VID: "0x1a86", PID: "7523", Serial: "NLS-77"}, Path: reader.Path}, "scanner")
	defer p.Close()
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	if p.Path() != scanner.Path {
		t.Fatalf("Match opened %q, want the scanner %q (Match wins over Path)", p.Path(), scanner.Path)
	}
	scanner.send(t, []byte("6901234567892\r"))
	if err := p.SetReadTimeout(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, p, 14); string(got) != "6901234567892\r" {
		t.Errorf("read %q", got)
	}

	_, err := OpenRaw(Config{Match: Match{VID: "1a86", PID: "7523"}})
	if err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("two adapters, no serial: err = %v; want ambiguous", err)
	}
	_, err = OpenRaw(Config{Match: Match{VID: "0403"}})
	if !errors.Is(err, ErrNoMatch) || !isPortError(err, "usb 0403:*") {
		t.Errorf("no such adapter: err = %v; want ErrNoMatch for usb 0403:*", err)
	}
}

func TestMatchFits(t *testing.T) {
	p := PortInfo{Name: "/dev/ttyUSB0", IsUSB: true, VID: "067b", PID: "2303", SerialNumber: "A9"}
	tests := []struct {
		m    Match
		want bool
	}{
		{Match{VID: "067B"}, true},
		{Match{VID: "0x067b", PID: "2303"}, true},
		{Match{PID: "2303", Serial: "A9"}, true},
		{Match{Serial: "a9"}, false}, // serial numbers are compared exactly
		{Match{VID: "067b", PID: "2304"}, false},
	}
	for _, tt := range tests {
		if got := tt.m.fits(p); got != tt.want {
			t.Errorf("%v fits %+v = %v, want %v", tt.m, p, got, tt.want)
		}
	}
	if (Match{}).fits(PortInfo{}) != true || !(Match{}).IsZero() {
		t.Error("the zero Match must be recognised as unset")
	}
}
