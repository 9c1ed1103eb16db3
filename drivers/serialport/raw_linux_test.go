//go:build linux

package serialport

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestOpenRawRoundTripAllBytes(t *testing.T) {
	d := newFakeDevice(t)
	r, err := OpenRaw(Config{Path: d.Path, Baud: 115200, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d.Slave.Close()

	// Every byte value passes untouched: raw mode, no XON/XOFF, no CR/LF mapping.
	d.send(t, allBytes())
	if got := readN(t, r, 256); !bytes.Equal(got, allBytes()) {
		t.Errorf("port read % x", got)
	}
	if _, err := r.Write(allBytes()); err != nil {
		t.Fatal(err)
	}
	if got := d.readMaster(t, 256); !bytes.Equal(got, allBytes()) {
		t.Errorf("device read % x", got)
	}
}

// The line settings reach the tty. A PTY keeps speed and stop bits though it
// ignores them; Linux forces CS8 and no parity on pseudo-terminals, so those
// two cannot be checked here.
func TestOpenRawAppliesMode(t *testing.T) {
	d := newFakeDevice(t)
	defer d.Slave.Close()
	r, err := OpenRaw(Config{Path: d.Path, Baud: 9600, DataBits: 7, Parity: ParityEven, StopBits: TwoStopBits})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tio, err := unix.IoctlGetTermios(int(d.Slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	c := tio.Cflag
	if c&unix.CBAUD != unix.B9600 || c&unix.CSTOPB == 0 {
		t.Errorf("cflag %#o is not 9600 baud with 2 stop bits", c)
	}
}

func TestOpenRawViaSymlink(t *testing.T) {
	d := newFakeDevice(t)
	link := filepath.Join(t.TempDir(), "usb-Newland_Scanner-if00")
	if err := os.Symlink(d.Path, link); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRaw(Config{Path: link})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d.Slave.Close()
	if r.Path() != d.Path {
		t.Errorf("Path() = %q, want the link target %q", r.Path(), d.Path)
	}
}

func TestOpenRawMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ttyUSB9")
	_, err := OpenRaw(Config{Path: path})
	if !errors.Is(err, fs.ErrNotExist) || !isPortError(err, path) {
		t.Errorf("err = %v; want a *PortError for %s wrapping fs.ErrNotExist", err, path)
	}
	if _, err := OpenRaw(Config{Path: "x", DataBits: 9}); err == nil || !strings.Contains(err.Error(), "data bits") {
		t.Errorf("9 data bits: err = %v", err)
	}
}

// go.bug.st semantics, kept: a read timeout is (0, nil), not an error.
func TestRawReadTimeoutIsZeroNil(t *testing.T) {
	d := newFakeDevice(t)
	r, err := OpenRaw(Config{Path: d.Path, ReadTimeout: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d.Slave.Close()
	for range fastZeroLimit + 1 { // genuine timeouts must never look like a hang-up
		if n, err := r.Read(make([]byte, 8)); n != 0 || err != nil {
			t.Fatalf("Read = %d, %v; want 0, nil", n, err)
		}
	}
	if err := r.SetReadTimeout(0); err != nil { // poll
		t.Fatal(err)
	}
	if n, err := r.Read(make([]byte, 8)); n != 0 || err != nil {
		t.Fatalf("polling Read = %d, %v; want 0, nil", n, err)
	}
}

// What go.bug.st/serial does on a hang-up (measured; see doc.go) and how we report it.
func TestRawHangUp(t *testing.T) {
	d := newFakeDevice(t)
	r, err := OpenRaw(Config{Path: d.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d.unplug()

	_, err = r.Read(make([]byte, 8))
	want := "serialport: read " + d.Path + ": device gone: hang-up"
	if !errors.Is(err, ErrGone) || err.Error() != want {
		t.Errorf("Read err = %v; want %q", err, want)
	}
	_, err = r.Write([]byte("x"))
	want = "serialport: write " + d.Path + ": device gone: input/output error"
	if !errors.Is(err, ErrGone) || !errors.Is(err, unix.EIO) || err.Error() != want {
		t.Errorf("Write err = %v; want %q", err, want)
	}
}

// After our own Close the library reports the same PortClosed code as for a
// hang-up; it must come out as ErrClosed, not ErrGone.
func TestRawClosedByUs(t *testing.T) {
	d := newFakeDevice(t)
	defer d.unplug()
	r, err := OpenRaw(Config{Path: d.Path})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := r.Read(make([]byte, 8)); done <- err }()
	time.Sleep(10 * time.Millisecond) // only biases toward closing mid-Read; both orders must pass
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) || errors.Is(err, ErrGone) {
			t.Errorf("Read after Close: %v; want ErrClosed", err)
		}
	case <-time.After(patience):
		t.Fatal("Read still blocked after Close")
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
