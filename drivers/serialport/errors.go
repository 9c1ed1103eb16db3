package serialport

import (
	"errors"
	"fmt"
	"syscall"

	"go.bug.st/serial"
)

// Sentinel errors callers act on; test with errors.Is.
var (
	// ErrGone: the device vanished during this call (unplugged, powered off,
	// the far end of a pseudo-terminal closed). A Port reopens it later.
	ErrGone = errors.New("device gone")
	// ErrOffline: the device is not there now; the Port will try again after
	// its backoff. Returned at once, without touching the device.
	ErrOffline = errors.New("device offline")
	// ErrClosed: the port was closed by its owner.
	ErrClosed = errors.New("port closed")
	// ErrNoMatch: no port in List fits Config.Match.
	ErrNoMatch = errors.New("no port matches")
)

// errHangUp stands for the end-of-file a hung-up tty reads, which
// go.bug.st/serial reports as "Port has been closed" — misleading in a message.
var errHangUp = errors.New("hang-up")

// PortError carries the operation and the port with the cause, so a log line
// names the device: "serialport: read /dev/pts/5: device gone: input/output error".
type PortError struct {
	Op   string // "open", "read", "write", "reset input", ...
	Path string // the resolved device path, or the configured name when unresolved
	Err  error
}

func (e *PortError) Error() string {
	return "serialport: " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

func (e *PortError) Unwrap() error { return e.Err }

// isGone reports whether err from go.bug.st/serial means the device is no
// longer there. Only ask for ports we did not close: after our own Close the
// same PortClosed code means just that.
func isGone(err error) bool {
	if errors.Is(err, errHangUp) {
		return true
	}
	var pe *serial.PortError
	if errors.As(err, &pe) && pe.Code() == serial.PortClosed {
		return true
	}
	for _, errno := range []syscall.Errno{syscall.EIO, syscall.ENXIO, syscall.ENODEV, syscall.EBADF} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// classify turns an error from go.bug.st/serial into one of ours.
func classify(op, path string, err error, closedByUs bool) error {
	switch {
	case closedByUs:
		err = ErrClosed
	case isGone(err):
		var pe *serial.PortError
		if errors.As(err, &pe) && pe.Code() == serial.PortClosed {
			err = errHangUp
		}
		err = fmtGone(err)
	}
	return &PortError{Op: op, Path: path, Err: err}
}

func fmtGone(cause error) error { return fmt.Errorf("%w: %w", ErrGone, cause) }
