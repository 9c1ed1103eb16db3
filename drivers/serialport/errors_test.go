package serialport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"

	"go.bug.st/serial"
)

func TestPortErrorMessage(t *testing.T) {
	err := classify("read", "/dev/pts/5", syscall.EIO, false)
	if got, want := err.Error(), "serialport: read /dev/pts/5: device gone: input/output error"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, ErrGone) || !errors.Is(err, syscall.EIO) {
		t.Errorf("%v must wrap both ErrGone and EIO", err)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		gone bool
	}{
		{syscall.EIO, true},
		{syscall.ENXIO, true},
		{syscall.ENODEV, true},
		{syscall.EBADF, true},
		{&os.PathError{Op: "read", Path: "/dev/ttyUSB0", Err: syscall.EIO}, true},
		{fmt.Errorf("wrapped: %w", syscall.ENODEV), true},
		{errHangUp, true},
		{syscall.EAGAIN, false},
		{syscall.EINTR, false},
		{fs.ErrNotExist, false},
		{&serial.PortError{}, false}, // PortBusy, the zero code
	}
	for _, tt := range tests {
		err := classify("write", "/dev/x", tt.err, false)
		if errors.Is(err, ErrGone) != tt.gone {
			t.Errorf("%v: gone = %v, want %v", tt.err, !tt.gone, tt.gone)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("%v: cause lost in %v", tt.err, err)
		}
		if err := classify("write", "/dev/x", tt.err, true); !errors.Is(err, ErrClosed) || errors.Is(err, ErrGone) {
			t.Errorf("%v after our Close: %v; want ErrClosed only", tt.err, err)
		}
	}
}

// stuckPort is a serial.Port whose Read returns (0, nil) at once for ever:
// the hang-up form we did not see with go.bug.st v1.8.0 but must survive.
type stuckPort struct{ serial.Port }

func (stuckPort) Read([]byte) (int, error)           { return 0, nil }
func (stuckPort) SetReadTimeout(time.Duration) error { return nil }
func (stuckPort) Close() error                       { return nil }

func TestEarlyZeroReadsMeanHangUp(t *testing.T) {
	r := &Raw{port: stuckPort{}, path: "/dev/ttyACM0"}
	if err := r.SetReadTimeout(time.Hour); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	for i := 1; i < fastZeroLimit; i++ {
		if n, err := r.Read(buf); n != 0 || err != nil {
			t.Fatalf("read %d: %d, %v; a single early zero is not yet a hang-up", i, n, err)
		}
	}
	_, err := r.Read(buf)
	if !errors.Is(err, ErrGone) || err.Error() != "serialport: read /dev/ttyACM0: device gone: hang-up" {
		t.Errorf("read %d: %v; want a hang-up", fastZeroLimit, err)
	}

	// Polling (timeout 0) or blocking reads never count: (0, nil) is normal there.
	for _, d := range []time.Duration{0, NoTimeout, minCheckedTimeout / 2} {
		r := &Raw{port: stuckPort{}, path: "x"}
		r.SetReadTimeout(d)
		for range 2 * fastZeroLimit {
			if _, err := r.Read(buf); err != nil {
				t.Fatalf("timeout %v: %v", d, err)
			}
		}
	}
}
