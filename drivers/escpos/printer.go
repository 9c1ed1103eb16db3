package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
)

// Sentinel errors callers act on; test with errors.Is.
var (
	ErrPaperOut  = errors.New("paper out")
	ErrCoverOpen = errors.New("cover open")
	ErrOffline   = errors.New("printer offline") // offline for another cause: cutter or unrecoverable error
	ErrTimeout   = errors.New("no reply (timeout)")
	ErrClosed    = errors.New("printer closed")
)

// Port is the serial line to the printer: a drivers/serialport Port, a
// go.bug.st/serial Port or a conntest.Playback. Read must return (0, nil) or
// a timeout error when its read timeout passes without data.
type Port interface {
	io.ReadWriter
	SetReadTimeout(time.Duration) error
}

// Opts configures a Printer. Zero fields take the DefaultOpts value.
type Opts struct {
	Name    string        // device name in events and errors
	Timeout time.Duration // wait for each status reply
}

// DefaultOpts names the device "printer" and waits a second for each reply,
// far more than a printer needs even at 9600 baud.
var DefaultOpts = Opts{Name: "printer", Timeout: time.Second}

func (o Opts) withDefaults() Opts {
	if o.Name == "" {
		o.Name = DefaultOpts.Name
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultOpts.Timeout
	}
	return o
}

// Timing of the reader goroutine: how long one Read may block (so Close is
// quick), and how long to wait after a read error before trying again (a
// serialport Port reopens a vanished device meanwhile).
const (
	pollInterval = 50 * time.Millisecond
	errorPause   = 100 * time.Millisecond
	writeChunk   = 4096
)

// Printer is an ESC/POS receipt printer on a Port. A goroutine reads the
// port all the time, so ASB frames are seen whenever they come; commands
// take turns. Close stops the goroutine; the Port stays the caller's.
type Printer struct {
	port    Port
	opts    Opts
	events  *device.Emitter
	turn    chan struct{} // holds a token while a command runs
	replies chan byte     // DLE EOT reply bytes from the reader
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once

	mu      sync.Mutex
	last    Status
	known   bool  // last holds a real status
	readErr error // the last read error, for messages
}

// New returns a Printer on port and starts reading it.
func New(port Port, opts Opts) *Printer {
	opts = opts.withDefaults()
	p := &Printer{
		port: port, opts: opts,
		events:  device.NewEmitter(opts.Name, device.DefaultEmitterSize),
		turn:    make(chan struct{}, 1),
		replies: make(chan byte, 16),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if err := port.SetReadTimeout(pollInterval); err != nil {
		p.readErr = err
	}
	go p.readLoop()
	return p
}

// Events delivers PaperNearEnd, PaperOut, PaperOK, CoverOpen and CoverClosed
// as Status calls and ASB frames reveal them; the first status seen reports
// what is wrong already. It is closed by Close.
func (p *Printer) Events() <-chan device.Event { return p.events.Events() }

// Capabilities of an ESC/POS receipt printer with the usual sensors.
func (p *Printer) Capabilities() device.Capabilities {
	return device.CapOutput | device.CapPaperSensor | device.CapPaperNearEnd |
		device.CapCoverSensor | device.CapCutter | device.CapHealthCheck
}

// Last returns the newest status seen (from Status, Print or ASB) and
// whether there was one.
func (p *Printer) Last() (Status, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.known
}

// Close stops the reader and closes Events. Commands in progress fail with
// ErrClosed. It does not close the Port.
func (p *Printer) Close() error {
	p.once.Do(func() {
		close(p.quit)
		<-p.done
		p.events.Close()
	})
	return nil
}

// Status asks DLE EOT 1, 2, 3 and 4 and returns the status they make up.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	if err := p.acquire(ctx); err != nil {
		return Status{}, fmt.Errorf("escpos: status: %w", err)
	}
	defer p.release()
	st, err := p.status(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("escpos: status: %w", err)
	}
	return st, nil
}

// Health asks the printer and sums the answer up for a kiosk status message.
func (p *Printer) Health(ctx context.Context) device.Health {
	st, err := p.Status(ctx)
	now := time.Now()
	switch {
	case err != nil:
		return device.Health{State: device.Offline, Detail: err.Error(), CheckedAt: now}
	case !st.Ready():
		return device.Health{State: device.Error, Detail: st.String(), CheckedAt: now}
	}
	return device.Health{State: device.Idle, Detail: st.String(), CheckedAt: now}
}

// EnableASB makes the printer send a 4-byte status frame by itself whenever
// the selected status changes (GS a n); ASBMask 0 switches it off. Printers
// send the current status at once, which this Printer turns into events.
func (p *Printer) EnableASB(ctx context.Context, mask ASBMask) error {
	if err := p.acquire(ctx); err != nil {
		return fmt.Errorf("escpos: enable asb: %w", err)
	}
	defer p.release()
	if err := p.write(ctx, []byte{gs, 'a', byte(mask)}); err != nil {
		return fmt.Errorf("escpos: enable asb: %w", err)
	}
	return nil
}

// Print checks the printer first and sends the receipt only if it would
// print: paper out gives ErrPaperOut, an open cover ErrCoverOpen, any other
// offline cause ErrOffline, because a printer that is offline keeps the data
// and prints it whenever someone fixes it, long after the customer left.
func (p *Printer) Print(ctx context.Context, r *Receipt) error {
	data, err := r.Bytes()
	if err != nil {
		return err
	}
	if err := p.acquire(ctx); err != nil {
		return fmt.Errorf("escpos: print: %w", err)
	}
	defer p.release()
	st, err := p.status(ctx)
	if err != nil {
		return fmt.Errorf("escpos: print: status: %w", err)
	}
	if err := refusal(st); err != nil {
		return fmt.Errorf("escpos: print: %w", err)
	}
	if err := p.write(ctx, data); err != nil {
		return fmt.Errorf("escpos: print: %w", err)
	}
	return nil
}

func refusal(st Status) error {
	switch {
	case st.PaperOut:
		return ErrPaperOut
	case st.CoverOpen:
		return ErrCoverOpen
	case !st.Ready():
		return fmt.Errorf("%w (%v)", ErrOffline, st)
	}
	return nil
}

func (p *Printer) acquire(ctx context.Context) error {
	select {
	case <-p.quit:
		return ErrClosed
	default:
	}
	select {
	case p.turn <- struct{}{}:
		return nil
	case <-p.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Printer) release() { <-p.turn }

// status asks the four DLE EOT questions in turn; the caller holds the turn.
func (p *Printer) status(ctx context.Context) (Status, error) {
	var st Status
	for n := byte(1); n <= 4; n++ {
		b, err := p.query(ctx, n)
		if err != nil {
			return Status{}, fmt.Errorf("DLE EOT %d: %w", n, err)
		}
		if err := st.Apply(n, b); err != nil {
			return Status{}, err // cannot happen: the demux passes only reply bytes
		}
	}
	p.observe(st)
	return st, nil
}

// query sends DLE EOT n and waits for the next reply byte. Replies left over
// from an earlier query that timed out are dropped first, so they cannot be
// taken for this one's.
func (p *Printer) query(ctx context.Context, n byte) (byte, error) {
	for drained := false; !drained; {
		select {
		case <-p.replies:
		default:
			drained = true
		}
	}
	if err := p.write(ctx, []byte{dle, eot, n}); err != nil {
		return 0, err
	}
	t := time.NewTimer(p.opts.Timeout)
	defer t.Stop()
	select {
	case b := <-p.replies:
		return b, nil
	case <-t.C:
		if err := p.lastReadErr(); err != nil {
			return 0, fmt.Errorf("%w; last read error: %v", ErrTimeout, err)
		}
		return 0, ErrTimeout
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-p.quit:
		return 0, ErrClosed
	}
}

// write sends b in chunks, checking ctx between them so a long raster image
// can be abandoned.
func (p *Printer) write(ctx context.Context, b []byte) error {
	for len(b) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(b), writeChunk)
		if _, err := p.port.Write(b[:n]); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		b = b[n:]
	}
	return nil
}

func (p *Printer) lastReadErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.readErr
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
