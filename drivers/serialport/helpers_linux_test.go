//go:build linux

package serialport

import (
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/onestop-station/onestop/drivers/device"
)

// Generous: success paths may be slow on a loaded machine, and a deadline is
// only ever reached when a test is failing.
const patience = 10 * time.Second

// fakeDevice is the far end of a pseudo-terminal, standing in for a device:
// what is written to Master arrives on the port and vice versa.
type fakeDevice struct {
	Master *os.File // pollable, so reads honour deadlines
	Slave  *os.File // close it once the port under test is open
	Path   string   // the slave's /dev/pts/N
}

func newFakeDevice(t *testing.T) *fakeDevice {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatalf("pseudo-terminal: %v", err)
	}
	return &fakeDevice{Master: pollable(t, m), Slave: s, Path: s.Name()}
}

// pollable re-wraps the blocking master from creack/pty as a non-blocking
// descriptor so SetReadDeadline works and no test can hang on it.
func pollable(t *testing.T, m *os.File) *os.File {
	t.Helper()
	fd, err := syscall.Dup(int(m.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "ptmx")
	t.Cleanup(func() { f.Close() })
	return f
}

// unplug closes the master: a hang-up for whoever has the slave open.
func (d *fakeDevice) unplug() { d.Slave.Close(); d.Master.Close() }

// readMaster reads exactly n bytes the port sent.
func (d *fakeDevice) readMaster(t *testing.T, n int) []byte {
	t.Helper()
	d.Master.SetReadDeadline(time.Now().Add(patience))
	b := make([]byte, n)
	if _, err := io.ReadFull(d.Master, b); err != nil {
		t.Fatalf("reading %d bytes from the device side: %v", n, err)
	}
	return b
}

func (d *fakeDevice) send(t *testing.T, b []byte) {
	t.Helper()
	if _, err := d.Master.Write(b); err != nil {
		t.Fatalf("device side write: %v", err)
	}
}

// readN reads n bytes from r, which must have a read timeout set so that
// the deadline is checked between reads.
func readN(t *testing.T, r io.Reader, n int) []byte {
	t.Helper()
	deadline := time.Now().Add(patience)
	var got []byte
	buf := make([]byte, 512)
	for len(got) < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d of %d bytes before the deadline", len(got), n)
		}
		k, err := r.Read(buf[:min(len(buf), n-len(got))])
		if err != nil {
			t.Fatalf("read after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:k]...)
	}
	return got
}

// waitFor polls cond until it holds; fixed sleeps would be flaky under load.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expectEvent returns the next event of kind, skipping StatusChanged events
// (failed reopen attempts) but failing on any other kind.
func expectEvent(t *testing.T, p *Port, kind device.EventKind) device.Event {
	t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case ev, ok := <-p.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %v", kind)
			}
			if ev.Kind == kind {
				return ev
			}
			if ev.Kind != device.StatusChanged {
				t.Fatalf("got event %v while waiting for %v", ev, kind)
			}
		case <-timeout:
			t.Fatalf("no %v event", kind)
		}
	}
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func isPortError(err error, path string) bool {
	var pe *PortError
	return errors.As(err, &pe) && pe.Path == path
}
