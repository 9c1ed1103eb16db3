package serialport

import (
	"sync/atomic"
	"time"

	"go.bug.st/serial"
)

// Raw is one open serial port, without reconnection. Its errors are
// *PortError values wrapping ErrGone or ErrClosed where those apply.
//
// Read and Write may run concurrently with each other and with Close.
// SetReadTimeout must not run concurrently with Read (go.bug.st reads the
// timeout without a lock).
type Raw struct {
	port   serial.Port
	path   string
	closed atomic.Bool

	timeout   atomic.Int64 // current read timeout, for the fast-zero check
	fastZeros atomic.Int32 // consecutive (0, nil) reads that came back too early
}

// Fast-zero check: a read that times out cannot return before its timeout, so
// (0, nil) well before it, fastZeroLimit times in a row, means a hang-up that
// the library did not report. Below minCheckedTimeout early returns are too
// close to scheduling noise to mean anything.
const (
	fastZeroLimit     = 3
	minCheckedTimeout = 20 * time.Millisecond
)

// OpenRaw resolves cfg (symlink or USB match) and opens the port once with
// the mode applied.
func OpenRaw(cfg Config) (*Raw, error) {
	cfg = cfg.withDefaults()
	if _, err := cfg.mode(); err != nil {
		return nil, &PortError{Op: "open", Path: cfg.target(), Err: err}
	}
	path, err := Resolve(cfg)
	if err != nil {
		return nil, &PortError{Op: "open", Path: cfg.target(), Err: err}
	}
	r, err := openPath(path, cfg, cfg.readTimeout())
	if err != nil {
		return nil, &PortError{Op: "open", Path: path, Err: err}
	}
	return r, nil
}

// openPath opens an already resolved path; errors are returned bare so the
// caller can wrap them once.
func openPath(path string, cfg Config, timeout time.Duration) (*Raw, error) {
	mode, err := cfg.mode()
	if err != nil {
		return nil, err
	}
	p, err := serial.Open(path, mode)
	if err != nil {
		return nil, err
	}
	r := &Raw{port: p, path: path}
	if err := r.setTimeout(timeout); err != nil {
		p.Close()
		return nil, err
	}
	return r, nil
}

// Path returns the device path that was opened (symlinks resolved).
func (r *Raw) Path() string { return r.path }

// Read reads what has arrived, blocking up to the read timeout; on timeout
// it returns (0, nil) as go.bug.st/serial does.
func (r *Raw) Read(p []byte) (int, error) {
	start := time.Now()
	n, err := r.port.Read(p)
	if err != nil {
		return n, r.wrap("read", err)
	}
	if n == 0 && len(p) > 0 && r.earlyZero(time.Since(start)) {
		return 0, r.wrap("read", errHangUp)
	}
	return n, nil
}

// earlyZero counts (0, nil) reads that returned well before their timeout.
func (r *Raw) earlyZero(took time.Duration) bool {
	timeout := time.Duration(r.timeout.Load())
	if timeout < minCheckedTimeout || took >= timeout/2 {
		r.fastZeros.Store(0)
		return false
	}
	return r.fastZeros.Add(1) >= fastZeroLimit
}

// Write writes p; a serial write blocks until the kernel has taken all of it.
func (r *Raw) Write(p []byte) (int, error) {
	n, err := r.port.Write(p)
	if err != nil {
		return n, r.wrap("write", err)
	}
	return n, nil
}

// SetReadTimeout sets how long Read waits for the first byte. As in
// go.bug.st/serial: 0 returns at once with what is buffered, a negative value
// (NoTimeout) waits forever.
func (r *Raw) SetReadTimeout(d time.Duration) error {
	if err := r.setTimeout(d); err != nil {
		return r.wrap("set read timeout", err)
	}
	return nil
}

func (r *Raw) setTimeout(d time.Duration) error {
	if d < 0 {
		d = NoTimeout // go.bug.st refuses other negative values
	}
	if err := r.port.SetReadTimeout(d); err != nil {
		return err
	}
	r.timeout.Store(int64(d))
	r.fastZeros.Store(0)
	return nil
}

// NoTimeout makes Read wait until data arrives.
const NoTimeout time.Duration = -1

// ResetInputBuffer discards received bytes not yet read, e.g. a stale reply
// before a new request.
func (r *Raw) ResetInputBuffer() error {
	if err := r.port.ResetInputBuffer(); err != nil {
		return r.wrap("reset input", err)
	}
	return nil
}

// Drain waits until everything written has left the output buffer.
func (r *Raw) Drain() error {
	if err := r.port.Drain(); err != nil {
		return r.wrap("drain", err)
	}
	return nil
}

// Close closes the port and makes a Read blocked in another goroutine return
// ErrClosed. Later calls do nothing.
func (r *Raw) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	if err := r.port.Close(); err != nil {
		return &PortError{Op: "close", Path: r.path, Err: err}
	}
	return nil
}

func (r *Raw) wrap(op string, err error) error {
	return classify(op, r.path, err, r.closed.Load())
}
