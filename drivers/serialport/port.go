package serialport

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
)

// Port is a serial port that outlives its device: it opens on first use,
// notices when the device vanishes, and reopens it (re-resolving the path or
// USB match) with exponential backoff. It is safe for concurrent use; Close
// may be called while a Read is blocked and makes it return ErrClosed.
//
// While the device is away every call fails fast with an error wrapping
// ErrGone (the call that noticed) or ErrOffline (later calls), so a driver's
// loop keeps running and can report the state instead of hanging.
type Port struct {
	cfg    Config
	name   string
	events *device.Emitter

	mu          sync.Mutex
	raw         *Raw   // nil while not open
	gen         uint64 // bumped at each open and close, so a late error from an old connection cannot close a new one
	closed      bool
	opens       int // successful opens; after the first, a reopen is a Back
	attempts    int // open attempts
	path        string
	readTimeout time.Duration
	writers     int           // Writes in progress: the port is Busy
	backoff     time.Duration // wait to apply after the next failure
	retryAt     time.Time
	lastErr     error
}

var _ io.ReadWriteCloser = (*Port)(nil)

// New returns a Port for cfg, not yet opened; name is the logical device name
// put in its events ("printer", "scanner"). Call Open to fail fast at start-up,
// or let the first Read or Write open it.
func New(cfg Config, name string) *Port {
	cfg = cfg.withDefaults()
	return &Port{
		cfg:         cfg,
		name:        name,
		events:      device.NewEmitter(name, device.DefaultEmitterSize),
		readTimeout: cfg.readTimeout(),
		backoff:     cfg.MinBackoff,
	}
}

// Open opens the device now if it is not open, subject to the backoff like
// any other call.
func (p *Port) Open() error {
	_, _, err := p.acquire("open")
	return err
}

// Read reads from the device. A read timeout gives (0, nil), as in go.bug.st.
func (p *Port) Read(b []byte) (int, error) {
	r, gen, err := p.acquire("read")
	if err != nil {
		return 0, err
	}
	n, err := r.Read(b)
	if err != nil {
		err = p.failed(gen, err)
	}
	return n, err
}

// Write writes to the device; the port reports Busy meanwhile.
func (p *Port) Write(b []byte) (int, error) {
	r, gen, err := p.acquire("write")
	if err != nil {
		return 0, err
	}
	p.addWriter(1)
	defer p.addWriter(-1)
	n, err := r.Write(b)
	if err != nil {
		err = p.failed(gen, err)
	}
	return n, err
}

// SetReadTimeout sets how long Read waits, now and after every reopen. As in
// go.bug.st/serial: 0 returns at once, NoTimeout (any negative) waits forever.
// Do not call it while a Read is in progress.
func (p *Port) SetReadTimeout(d time.Duration) error {
	if d < 0 {
		d = NoTimeout
	}
	p.mu.Lock()
	p.readTimeout = d
	r := p.raw
	p.mu.Unlock()
	if r == nil {
		return nil // applied at the next open
	}
	return r.SetReadTimeout(d)
}

// ResetInputBuffer discards received bytes not yet read.
func (p *Port) ResetInputBuffer() error {
	r, gen, err := p.acquire("reset input")
	if err != nil {
		return err
	}
	if err := r.ResetInputBuffer(); err != nil {
		return p.failed(gen, err)
	}
	return nil
}

// Close closes the device and the Events channel (after a last StatusChanged
// event with State Closed). Later calls return ErrClosed; Close again is a no-op.
func (p *Port) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.gen++
	r := p.raw
	p.raw = nil
	p.events.Emit(device.Event{Kind: device.StatusChanged, State: device.Closed, Detail: p.cfg.target()})
	p.events.Close()
	p.mu.Unlock()
	if r != nil {
		return r.Close()
	}
	return nil
}

// Events delivers Gone, Back and StatusChanged (the first open, or the first
// failed one; Close). Failed reopens change no state and are not reported;
// Health tells why the device is offline. Events never blocks the port: when
// nobody reads, the oldest events are dropped.
func (p *Port) Events() <-chan device.Event { return p.events.Events() }

// Path returns the device path last opened, with symlinks resolved ("" before
// the first open).
func (p *Port) Path() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.path
}

// State reports Closed (never opened, or closed), Idle, Busy (a Write in
// progress; waiting for input is idle) or Offline (the device is away).
func (p *Port) State() device.State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stateLocked()
}

func (p *Port) stateLocked() device.State {
	switch {
	case p.closed || p.attempts == 0:
		return device.Closed
	case p.raw == nil:
		return device.Offline
	case p.writers > 0:
		return device.Busy
	}
	return device.Idle
}

// Health reports the state with a line for an operator: the port and its
// settings, or why it is offline and when the next try is due.
func (p *Port) Health() device.Health {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	h := device.Health{State: p.stateLocked(), CheckedAt: now}
	switch h.State {
	case device.Idle, device.Busy:
		h.Detail = p.path + " " + p.cfg.frame()
	case device.Offline:
		wait := max(p.retryAt.Sub(now), 0).Round(time.Millisecond)
		h.Detail = fmt.Sprintf("%s: %v; next try in %v", p.cfg.target(), p.lastErr, wait)
	}
	return h
}
