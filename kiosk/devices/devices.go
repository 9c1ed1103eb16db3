package devices

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
)

// Sentinel errors callers act on; test with errors.Is.
var (
	// ErrNotConfigured: the device has no port in the configuration (Present is false).
	// Print's error also wraps escpos.ErrOffline then, so one check covers "no receipt now".
	ErrNotConfigured = errors.New("device not configured")
	// ErrStopped: Run has returned; the devices are closed.
	ErrStopped = errors.New("devices stopped")
	// ErrRunning: Run was called a second time.
	ErrRunning = errors.New("devices already running")
	// ErrNotConfirmed: the receipt was sent, but the printer's status afterwards says it may
	// not have come out whole (paper ran out, cover opened, no answer). The error also wraps
	// that cause.
	ErrNotConfirmed = errors.New("receipt sent but not confirmed")
)

// Config says where the devices are. A zero serialport.Config (no Path, no Match) means the
// device is absent: not configured, no loop runs for it.
type Config struct {
	Reader, Printer, Scanner serialport.Config

	ReaderOpts  idcard.Opts  // zero fields: idcard.DefaultOpts, Baud from Reader
	PrinterOpts escpos.Opts  // zero fields: name "printer", 2 s per status reply
	ScannerOpts scanner.Opts // zero fields: scanner.DefaultOpts; Logger: the Open logger

	StatusEvery time.Duration // printer status poll; 0: 5 s
	EventBuffer int           // Events capacity; 0: 64
}

const (
	defaultStatusEvery    = 5 * time.Second
	defaultCardPoll       = 50 * time.Millisecond
	defaultEventBuffer    = 64
	defaultPrinterTimeout = 2 * time.Second
	// retryPause paces the reader loop after an error, so a failing reader or a card that
	// cannot be read costs a few exchanges a second, not a busy loop.
	retryPause = 500 * time.Millisecond
)

func configured(c serialport.Config) bool { return c.Path != "" || !c.Match.IsZero() }

// Devices runs the kiosk's devices. Make it with Open, start it with Run (once); Print,
// PrinterStatus, TriggerScan and Health may be called from any goroutine meanwhile.
type Devices struct {
	cfg Config
	log *slog.Logger
	out *queue

	readerPort, printerPort, scannerPort *serialport.Port // nil when absent
	reader                               *idcard.Reader

	started atomic.Bool
	ready   chan struct{} // closed by Run once printer and scanner exist
	done    chan struct{} // closed when Run has closed everything
	printer *escpos.Printer
	scanner *scanner.Scanner

	mu     sync.Mutex
	states map[string]seen
}

// seen is the last state reported for a device, to report changes only.
type seen struct {
	state device.State
	paper escpos.PaperState
	fault error // the sentinel class of Err, see faultClass
}

// Open prepares the configured devices. It touches no device: ports open when Run's loops
// first use them, so Open cannot fail; a missing device shows as a DeviceState event.
func Open(cfg Config, log *slog.Logger) *Devices {
	if log == nil {
		log = slog.Default()
	}
	if cfg.ReaderOpts.PollInterval <= 0 {
		// A citizen waits for the screen to react to the card: poll often. A find-card
		// exchange is about 2 ms of a 115200 line, so 50 ms costs the line 4 %.
		cfg.ReaderOpts.PollInterval = defaultCardPoll
	}
	if cfg.StatusEvery <= 0 {
		cfg.StatusEvery = defaultStatusEvery
	}
	if cfg.EventBuffer <= 0 {
		cfg.EventBuffer = defaultEventBuffer
	}
	if cfg.PrinterOpts.Name == "" {
		cfg.PrinterOpts.Name = Printer
	}
	if cfg.PrinterOpts.Timeout <= 0 {
		cfg.PrinterOpts.Timeout = defaultPrinterTimeout
	}
	if cfg.ScannerOpts.Name == "" {
		cfg.ScannerOpts.Name = Scanner
	}
	if cfg.ScannerOpts.Logger == nil {
		cfg.ScannerOpts.Logger = log
	}
	d := &Devices{cfg: cfg, log: log, out: newQueue(cfg.EventBuffer, log),
		ready: make(chan struct{}), done: make(chan struct{}), states: map[string]seen{}}
	if configured(cfg.Reader) {
		d.readerPort = serialport.New(cfg.Reader, Reader)
		opts := cfg.ReaderOpts
		if opts.Baud <= 0 {
			opts.Baud = cfg.Reader.Baud
		}
		d.reader = idcard.New(d.readerPort, opts)
	}
	if configured(cfg.Printer) {
		d.printerPort = serialport.New(cfg.Printer, Printer)
	}
	if configured(cfg.Scanner) {
		d.scannerPort = serialport.New(cfg.Scanner, Scanner)
	}
	return d
}

// Events delivers what the devices report; see the package documentation for the buffer.
// It is closed when Run returns.
func (d *Devices) Events() <-chan Event { return d.out.ch }

// Dropped counts the events dropped because Events was full.
func (d *Devices) Dropped() uint64 { return d.out.droppedCount() }

// Present reports whether the named device is configured at all.
func (d *Devices) Present(name string) bool {
	switch name {
	case Reader:
		return d.readerPort != nil
	case Printer:
		return d.printerPort != nil
	case Scanner:
		return d.scannerPort != nil
	}
	return false
}

// Run runs the loops of the configured devices until ctx ends, then closes the drivers and
// ports, closes Events and returns nil. A second call returns ErrRunning.
func (d *Devices) Run(ctx context.Context) error {
	if !d.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	if d.printerPort != nil {
		d.printer = escpos.New(d.printerPort, d.cfg.PrinterOpts)
	}
	if d.scannerPort != nil {
		// The scanner gets the port without its Events, which the scanner loop reads itself:
		// a channel has one reader, and the port's events also tell its first open.
		d.scanner = scanner.New(quietPort{d.scannerPort}, d.cfg.ScannerOpts)
	}
	close(d.ready)
	var wg sync.WaitGroup
	if d.reader != nil {
		wg.Go(func() { d.readerLoop(ctx) })
	}
	if d.printer != nil {
		wg.Go(func() { d.printerLoop(ctx) })
	}
	if d.scanner != nil {
		wg.Go(func() { d.scanCodes(ctx) })
		wg.Go(func() { d.scannerStates(ctx) })
	}
	<-ctx.Done()
	wg.Wait()
	d.shutdown()
	return nil
}

func (d *Devices) shutdown() {
	if d.scanner != nil {
		d.scanner.Close()
	}
	if d.printer != nil {
		d.printer.Close()
	}
	for _, p := range []*serialport.Port{d.readerPort, d.printerPort, d.scannerPort} {
		if p != nil {
			p.Close()
		}
	}
	close(d.done)
	d.out.close()
}

// await waits until Run has made the drivers; ErrStopped once Run has returned.
func (d *Devices) await(ctx context.Context) error {
	select {
	case <-d.done:
		return ErrStopped
	default:
	}
	select {
	case <-d.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isReady reports without waiting whether Run has made the drivers.
func (d *Devices) isReady() bool {
	select {
	case <-d.ready:
		return true
	default:
		return false
	}
}

// Health asks every configured device how it is, at the same time, and reports an absent
// one as closed, "not configured". It may be called before Run: the printer and scanner then
// report their ports only.
func (d *Devices) Health(ctx context.Context) map[string]device.Health {
	out := map[string]device.Health{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	check := func(name string, present bool, f func() device.Health) {
		if !present {
			out[name] = device.Health{State: device.Closed, Detail: "not configured", CheckedAt: time.Now()}
			return
		}
		wg.Go(func() {
			h := f()
			mu.Lock()
			out[name] = h
			mu.Unlock()
		})
	}
	mu.Lock() // the absent entries are written under the lock too
	check(Reader, d.reader != nil, func() device.Health { return d.reader.Health(ctx) })
	check(Printer, d.printerPort != nil, func() device.Health {
		if !d.isReady() {
			return d.printerPort.Health()
		}
		return d.printer.Health(ctx)
	})
	check(Scanner, d.scannerPort != nil, func() device.Health {
		h := d.scannerPort.Health()
		if !d.isReady() || !h.State.Usable() {
			return h
		}
		// The driver knows read errors the port does not; before its first read it says closed.
		sh := d.scanner.Health()
		if sh.State == device.Error || sh.State == device.Offline {
			return sh
		}
		h.Detail = sh.Detail + ", " + h.Detail
		return h
	})
	mu.Unlock()
	wg.Wait()
	return out
}

// report emits a DeviceState event when the device's state, paper or kind of fault changed.
func (d *Devices) report(name string, st device.State, paper escpos.PaperState, err error) {
	now := seen{state: st, paper: paper}
	if st != device.Offline { // offline is offline, whatever the words: gone, no reply, no file
		now.fault = faultClass(err)
	}
	// Under the lock, so that two reports racing (the printer loop and a Print) reach Events in
	// the order they changed the state.
	d.mu.Lock()
	defer d.mu.Unlock()
	prev, known := d.states[name]
	d.states[name] = now
	if known && prev == now {
		return
	}
	ev := Event{Kind: DeviceState, Device: name, State: st, Paper: paper, Err: err}
	d.log.Info("devices: state", "event", ev)
	d.out.push(ev)
}

// lastPaper is the paper state last reported for the printer (ok before any).
func (d *Devices) lastPaper() escpos.PaperState {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.states[Printer].paper
}

// faultClass is the sentinel an error is about, so that a fault reported again in other words
// is not a new state, but paper out after cover open is.
func faultClass(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{escpos.ErrPaperOut, escpos.ErrCoverOpen, escpos.ErrOffline} {
		if errors.Is(err, s) {
			return s
		}
	}
	var st *idcard.StatusError
	if errors.As(err, &st) {
		return st.Unwrap()
	}
	return errOther
}

var errOther = errors.New("other fault")

// offline reports whether err means the device is away or silent, rather than faulty.
func offline(err error) bool {
	for _, s := range []error{serialport.ErrGone, serialport.ErrOffline, serialport.ErrClosed,
		idcard.ErrTimeout, escpos.ErrTimeout} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
