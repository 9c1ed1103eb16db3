package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
)

// Port is what a Scanner reads: a drivers/serialport Port, a conntest
// Playback, or anything with go.bug.st/serial's read-timeout semantics
// (a timeout gives (0, nil)). A Port with an Events method (serialport.Port)
// has its Gone and Back events passed on.
type Port interface {
	io.ReadWriter
	SetReadTimeout(time.Duration) error
}

type eventPort interface {
	Events() <-chan device.Event
}

// Opts configures a Scanner; zero fields take DefaultOpts' values.
type Opts struct {
	Name           string        // logical device name in events; "scanner"
	Dialect        Dialect       // how Trigger and Stop talk to the scanner
	Suffix         Suffix        // terminator the scanner is set to send
	IdleTimeout    time.Duration // a pause this long also ends a code
	MaxLen         int           // longest code kept, in bytes (suffix excluded)
	AIM            bool          // codes start with an AIM identifier, parsed and removed
	Charset        Charset       // payload encoding; CharsetAuto tells UTF-8 from GBK
	CommandTimeout time.Duration // longest wait for a command's answer
	Queue          int           // codes kept for Scan; the oldest go first when full
	Logger         *slog.Logger  // for codes Run cannot deliver; slog.Default()
}

// DefaultOpts: any line end, 100 ms idle (the notes advise 50–100 ms between
// characters), 4 KiB codes, 1 s for a command's answer.
var DefaultOpts = Opts{
	Name:           "scanner",
	IdleTimeout:    100 * time.Millisecond,
	MaxLen:         4096,
	CommandTimeout: time.Second,
	Queue:          16,
}

func (o Opts) withDefaults() Opts {
	d := DefaultOpts
	if o.Name == "" {
		o.Name = d.Name
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = d.IdleTimeout
	}
	if o.MaxLen <= 0 {
		o.MaxLen = d.MaxLen
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = d.CommandTimeout
	}
	if o.Queue <= 0 {
		o.Queue = d.Queue
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Code is one scanned barcode.
type Code struct {
	Data      string    // the payload as text (AIM identifier removed)
	Raw       []byte    // the bytes as received, AIM identifier included, suffix removed
	Symbology Symbology // from the AIM identifier; Unknown without one
	AIM       string    // the identifier itself, e.g. "]Q1"; "" without
	Charset   Charset   // UTF8 or GBK: how Raw was decoded
	End       End       // EndSuffix, or EndIdle when the line went quiet first
	At        time.Time // when its last byte arrived
}

// Scanner reads codes from a serial barcode/QR scanner. It owns one reader
// goroutine, started by New and stopped by Close; it does not own the port.
type Scanner struct {
	port   Port
	opts   Opts
	events *device.Emitter

	cmdMu   sync.Mutex // one command (Trigger, Stop) at a time
	replies chan Reply

	mu      sync.Mutex
	queue   []result
	notify  chan struct{} // a result was queued (capacity 1)
	state   device.State
	cause   error         // why the state is Offline or Error
	changed chan struct{} // closed and replaced at every state change
	closed  bool

	stop chan struct{}
	wg   sync.WaitGroup
}

type result struct {
	code Code
	err  error
}

// New returns a Scanner reading port and starts its reader.
func New(port Port, opts Opts) *Scanner {
	opts = opts.withDefaults()
	s := &Scanner{
		port:    port,
		opts:    opts,
		events:  device.NewEmitter(opts.Name, device.DefaultEmitterSize),
		replies: make(chan Reply, 4),
		notify:  make(chan struct{}, 1),
		changed: make(chan struct{}),
		stop:    make(chan struct{}),
	}
	s.wg.Add(1)
	go s.readLoop()
	if ep, ok := port.(eventPort); ok {
		s.wg.Add(1)
		go s.forward(ep.Events())
	}
	return s
}

// Events delivers a Data event per code (Data holds the text, Detail the
// symbology; a code that could not be decoded has Err set and Data raw), the
// port's Gone and Back, and a last StatusChanged (closed) at Close.
func (s *Scanner) Events() <-chan device.Event { return s.events.Events() }

// Capabilities: input, and power reporting when the port reports it.
func (s *Scanner) Capabilities() device.Capabilities {
	c := device.CapInput
	if _, ok := s.port.(eventPort); ok {
		c |= device.CapPowerReporting
	}
	return c
}

// Health reports the reader's state: idle while reading, offline while the
// device is away, error when the port fails otherwise, closed after Close.
func (s *Scanner) Health() device.Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := device.Health{State: s.state, CheckedAt: time.Now()}
	if s.cause != nil {
		h.Detail = s.cause.Error()
	} else {
		h.Detail = fmt.Sprintf("%s trigger, suffix %s", s.opts.Dialect, s.opts.Suffix)
	}
	return h
}

// Scan returns the next code. It fails at once while the device is offline
// or the port is failing (try again after Events reports Back), with a
// *CodeError for a code that arrived damaged, and with ctx's error.
func (s *Scanner) Scan(ctx context.Context) (Code, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			r := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return r.code, r.err
		}
		err := s.stateErrLocked("scan")
		changed := s.changed
		s.mu.Unlock()
		if err != nil {
			return Code{}, err
		}
		select {
		case <-s.notify:
		case <-changed:
		case <-ctx.Done():
			return Code{}, fmt.Errorf("scanner: scan: %w", ctx.Err())
		}
	}
}

// stateErrLocked is the error a call gets in the current state, nil when usable.
func (s *Scanner) stateErrLocked(op string) error {
	switch {
	case s.closed:
		return fmt.Errorf("scanner: %s: %w", op, ErrClosed)
	case s.state == device.Offline || s.state == device.Error:
		return fmt.Errorf("scanner: %s: %s: %w", op, s.state, s.cause)
	}
	return nil
}

// Run calls fn for each code until ctx is done or the Scanner is closed.
// Damaged codes are logged and skipped; while the device is away it waits.
func (s *Scanner) Run(ctx context.Context, fn func(Code)) error {
	for {
		c, err := s.Scan(ctx)
		var ce *CodeError
		switch {
		case err == nil:
			fn(c)
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ErrClosed):
			return err
		case errors.As(err, &ce):
			s.opts.Logger.Warn("scanner: code dropped", "device", s.opts.Name, "err", err, "bytes", len(ce.Raw))
		default:
			if !s.waitChange(ctx) {
				return ctx.Err()
			}
		}
	}
}

// waitChange waits for the next state change; false when ctx ended first.
func (s *Scanner) waitChange(ctx context.Context) bool {
	s.mu.Lock()
	ch := s.changed
	s.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// Close stops the reader (within one read timeout) and closes Events. The
// port stays open: its owner closes it.
func (s *Scanner) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.setStateLocked(device.Closed, nil)
	s.mu.Unlock()
	close(s.stop)
	s.wg.Wait()
	s.events.Emit(device.Event{Kind: device.StatusChanged, State: device.Closed})
	s.events.Close()
	return nil
}

func (s *Scanner) setState(st device.State, cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.setStateLocked(st, cause)
	}
}

func (s *Scanner) setStateLocked(st device.State, cause error) {
	if s.state == st && (cause == nil) == (s.cause == nil) {
		return
	}
	s.state, s.cause = st, cause
	close(s.changed)
	s.changed = make(chan struct{})
}

// push queues a result for Scan, dropping the oldest when full: a kiosk
// wants the newest code, not one scanned minutes ago.
func (s *Scanner) push(r result) {
	s.mu.Lock()
	if len(s.queue) >= s.opts.Queue {
		s.queue = s.queue[1:]
	}
	s.queue = append(s.queue, r)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *Scanner) clearQueue() {
	s.mu.Lock()
	s.queue = nil
	s.mu.Unlock()
}

// forward passes the port's power events on under the scanner's name.
func (s *Scanner) forward(in <-chan device.Event) {
	defer s.wg.Done()
	for {
		select {
		case ev, ok := <-in:
			if !ok {
				return
			}
			if ev.Kind == device.Gone || ev.Kind == device.Back {
				ev.Device = s.opts.Name
				s.events.Emit(ev)
			}
		case <-s.stop:
			return
		}
	}
}
