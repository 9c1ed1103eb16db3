// Package simulate runs the kiosk's three device twins — ID-card reader, receipt printer, QR
// scanner, from firmware-sim/sim — inside the kiosk process, so `kiosk --simulate` needs no
// hardware. Each twin serves on a real pseudo-terminal behind a stable symlink under Opts.Dir,
// so the kiosk opens them with kiosk/devices exactly as it opens real devices, and one HTTP
// control server on loopback mounts every twin's control API for a tester or a script:
//
//	GET  /                     what is mounted where
//	     /idreader/...         idreader.Twin.Handler: POST /idreader/card {"name":"zhangsan"} ...
//	     /printer/...          printer.Twin.Handler:  POST /printer/paper {"state":"out"} ...
//	     /scanner/...          scanner.Twin.Handler:  POST /scanner/code, POST /scanner/trigger ...
//	POST /sim/unplug           {"device":"printer","down_ms":3000}: unplug a twin, replug it later
//
// The control server has no authentication: it listens on 127.0.0.1 only.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
	"github.com/onestop-station/onestop/kiosk/devices"
)

// Opts configures a simulation.
type Opts struct {
	// Dir holds the device links (Dir/idreader, Dir/printer, Dir/scanner) and the printed
	// receipts (Dir/receipts, PNG and text). Created if missing; "" makes a temporary one.
	Dir  string
	Card string       // card on the reader at start, one of idreader.CardNames(); "" for none
	Log  *slog.Logger // nil: slog.Default()
}

// Twin names: the link names under Dir, the control API prefixes, and Unplug's names.
const (
	IDReader = "idreader"
	Printer  = "printer"
	Scanner  = "scanner"
)

// startPatience bounds waiting for the twins' pseudo-terminals at Start: generous, for a
// loaded 2-core machine.
const startPatience = 15 * time.Second

// ErrUnknownDevice: a name other than IDReader, Printer and Scanner.
var ErrUnknownDevice = errors.New("simulate: unknown device")

// Sim is a running simulation. Its goroutines end when the context given to Start ends; Wait
// joins them.
type Sim struct {
	dir     string
	log     *slog.Logger
	reader  *idreader.Twin
	printer *simprinter.Twin
	scanner *simscanner.Twin
	unplug  map[string]chan time.Duration
	ln      net.Listener
	wg      sync.WaitGroup
}

// Start starts the three twins and the control server. It returns once every twin serves on
// its pseudo-terminal, or with an error (then everything it started has stopped): a missing
// printer font (fonts-arphic-gbsn00lp), no PTY, no loopback port.
func Start(ctx context.Context, o Opts) (*Sim, error) {
	s, err := newSim(o)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	failed, fail := context.WithCancelCause(ctx)
	twins := map[string]twin{IDReader: s.reader, Printer: s.printer, Scanner: s.scanner}
	for name, tw := range twins {
		s.wg.Go(func() { s.supervise(ctx, name, tw, fail) })
	}
	abort := func(err error) (*Sim, error) {
		cancel()
		s.wg.Wait()
		fail(nil)
		return nil, err
	}
	wctx, wcancel := context.WithTimeout(failed, startPatience)
	defer wcancel()
	for name, tw := range twins {
		if _, err := tw.WaitPath(wctx, ""); err != nil {
			if cause := context.Cause(failed); cause != nil && !errors.Is(cause, context.Canceled) {
				err = cause
			}
			return abort(fmt.Errorf("simulate: %s twin did not start: %w", name, err))
		}
	}
	s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return abort(fmt.Errorf("simulate: control listener: %w", err))
	}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second}
	s.wg.Go(func() {
		if err := srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("simulate: control server", "err", err)
		}
	})
	s.wg.Go(func() {
		<-ctx.Done()
		srv.Close()
		fail(nil)
		cancel()
	})
	s.log.Info("simulate: devices ready", "dir", s.dir, "control", s.ControlURL())
	return s, nil
}

func newSim(o Opts) (*Sim, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Dir == "" {
		dir, err := os.MkdirTemp("", "kiosk-simulate-")
		if err != nil {
			return nil, fmt.Errorf("simulate: %w", err)
		}
		o.Dir = dir
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	s := &Sim{dir: o.Dir, log: o.Log, unplug: map[string]chan time.Duration{}}
	var err error
	if s.reader, err = idreader.New(idreader.Opts{Card: o.Card, Link: s.Link(IDReader), Logger: o.Log.With("twin", IDReader)}); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	if s.printer, err = simprinter.New(simprinter.Opts{OutDir: filepath.Join(o.Dir, "receipts"), Link: s.Link(Printer),
		Logger: o.Log.With("twin", Printer)}); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	if s.scanner, err = simscanner.New(simscanner.Opts{Suffix: scannerOpts.Suffix, AIM: scannerOpts.AIM,
		Link: s.Link(Scanner), Logger: o.Log.With("twin", Scanner)}); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	for _, name := range []string{IDReader, Printer, Scanner} {
		s.unplug[name] = make(chan time.Duration, 1)
	}
	return s, nil
}

// scannerOpts is how the scanner twin is set up, and so how the kiosk must read it: no
// serial trigger (codes come when presented), CR LF, AIM identifiers, UTF-8.
var scannerOpts = scanner.Opts{Dialect: scanner.DialectNone, Suffix: scanner.SuffixLine, AIM: true, Charset: scanner.CharsetAuto}

type twin interface {
	Run(ctx context.Context) error
	WaitPath(ctx context.Context, old string) (string, error)
}

// supervise runs a twin until ctx ends, and again after each unplug's down time: a new
// pseudo-terminal behind the same link, as a replugged USB device comes back as another tty.
// A twin that stops by itself is logged and reported through fail.
func (s *Sim) supervise(ctx context.Context, name string, tw twin, fail context.CancelCauseFunc) {
	for {
		rctx, rcancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- tw.Run(rctx) }() // joined below in every case
		select {
		case down := <-s.unplug[name]:
			rcancel()
			<-done
			s.log.Info("simulate: unplugged", "device", name, "down", down)
			if !device.Sleep(ctx, down) {
				return
			}
			s.log.Info("simulate: plugged back", "device", name)
			continue
		case <-ctx.Done():
			rcancel()
			if err := <-done; err != nil {
				s.log.Error("simulate: twin stopped", "device", name, "err", err)
			}
			return
		case err := <-done:
			rcancel()
			if err == nil {
				err = errors.New("stopped by itself")
			}
			s.log.Error("simulate: twin stopped", "device", name, "err", err)
			fail(fmt.Errorf("%s twin: %w", name, err))
			return
		}
	}
}

// Wait blocks until every goroutine of the simulation has stopped (after Start's ctx ended).
func (s *Sim) Wait() { s.wg.Wait() }

// Dir is the directory of links and receipts.
func (s *Sim) Dir() string { return s.dir }

// Link is the stable path of a twin's port (Dir/idreader, Dir/printer, Dir/scanner).
func (s *Sim) Link(name string) string { return filepath.Join(s.dir, name) }

// ControlURL is the control server's base URL, e.g. http://127.0.0.1:41234.
func (s *Sim) ControlURL() string { return "http://" + s.ln.Addr().String() }

// Devices is the kiosk's device configuration for the twins: their links, 115200 8N1, a
// quick reopen after an unplug, and scanner options matching the scanner twin.
func (s *Sim) Devices() devices.Config {
	port := func(name string) serialport.Config {
		return serialport.Config{Path: s.Link(name), Baud: 115200, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	}
	return devices.Config{Reader: port(IDReader), Printer: port(Printer), Scanner: port(Scanner), ScannerOpts: scannerOpts}
}

// PlaceCard puts an embedded card on the reader (a fresh placement); "" puts the last
// lifted card back.
func (s *Sim) PlaceCard(name string) error { return s.reader.PlaceCard(name) }

// LiftCard takes the card off the reader.
func (s *Sim) LiftCard() { s.reader.LiftCard() }

// SetPaper sets the printer's paper sensors: printer.PaperOK, PaperNearEnd or PaperOut.
func (s *Sim) SetPaper(p simprinter.Paper) error { return s.printer.SetPaper(p) }

// SetCover opens or closes the printer's cover.
func (s *Sim) SetCover(open bool) error { return s.printer.SetCover(open) }

// Scan presents a QR code holding text to the scanner: it becomes the next code, emitted now.
func (s *Sim) Scan(text string) error {
	if err := s.scanner.SetNext(simscanner.Code{Data: text, Symbology: "qr"}); err != nil {
		return fmt.Errorf("simulate: scan: %w", err)
	}
	if err := s.scanner.Trigger(); err != nil {
		return fmt.Errorf("simulate: scan: %w", err)
	}
	return nil
}

// Receipts lists the receipts printed so far (PNG and text transcript paths).
func (s *Sim) Receipts() []simprinter.Receipt { return s.printer.Receipts() }

// Unplug takes a twin's port away (its pseudo-terminal hangs up, its link goes) and brings it
// back on a new pseudo-terminal behind the same link after down. The twin keeps its state
// (card, paper). One call may wait while the device is down: it unplugs it again once back;
// a further one fails.
func (s *Sim) Unplug(name string, down time.Duration) error {
	ch, ok := s.unplug[name]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownDevice, name)
	}
	select {
	case ch <- down:
		return nil
	default:
		return fmt.Errorf("simulate: %s is being unplugged already", name)
	}
}

// Twins gives the twins themselves, for faults and counters beyond the methods here.
func (s *Sim) Twins() (*idreader.Twin, *simprinter.Twin, *simscanner.Twin) {
	return s.reader, s.printer, s.scanner
}
