package idreader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/firmware-sim/sim/simpty"
)

// Opts configures a Twin. The zero value is an empty reader with a healthy SAM at 115200 baud.
type Opts struct {
	Card   string       // embedded card on the reader at start; "" for none
	Baud   int          // reply pacing; 0: 115200
	Link   string       // optional symlink kept pointing at the PTY
	Logger *slog.Logger // nil: slog.Default()
	// OnPath is called from Run once the PTY serves (its path), and with ""
	// when Run stops serving. It must not block.
	OnPath func(path string)
}

// Twin is the simulated GA 467 SAM reader on a pseudo-terminal.
type Twin struct {
	opts   Opts
	mod    *module
	faults *faults
	port   simpty.PathWatch
}

// New returns a twin ready to Run; it fails only for an unknown card.
func New(opts Opts) (*Twin, error) {
	if opts.Baud <= 0 {
		opts.Baud = 115200
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	t := &Twin{opts: opts, mod: &module{samOK: true}, faults: newFaults(),
		port: simpty.PathWatch{OnSet: opts.OnPath}}
	if opts.Card != "" {
		if err := t.PlaceCard(opts.Card); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// PlaceCard puts an embedded card on the reader, taking off any other; "" puts the last
// lifted card back. A placed card is fresh: not latched.
func (t *Twin) PlaceCard(name string) error {
	var c *LoadedCard
	if name != "" {
		var err error
		if c, err = LoadCard(name); err != nil {
			return fmt.Errorf("idreader twin: %w", err)
		}
	}
	if !t.mod.place(c) {
		return errors.New("idreader twin: no card to put back")
	}
	return nil
}

// LiftCard takes the card off the reader, which also releases the latch.
func (t *Twin) LiftCard() { t.mod.lift() }

// SetSAM makes the SAM pass (true) or fail (false) its self-test; a failed SAM answers every
// SAM and card command with SW3 0x60.
func (t *Twin) SetSAM(ok bool) { t.mod.setSAM(ok) }

// InjectFault arms a fault.
func (t *Twin) InjectFault(f Fault) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("idreader twin: %w", err)
	}
	t.faults.arm(f)
	return nil
}

// Counters returns the tallies so far.
func (t *Twin) Counters() Counters { return t.faults.counters() }

// ResetCounters zeroes them.
func (t *Twin) ResetCounters() { t.faults.resetCounters() }

// Path is the PTY slave path clients open; "" before Run has opened it.
func (t *Twin) Path() string { return t.port.Path() }

// WaitPath blocks until the twin serves on a path other than old ("" for the first).
func (t *Twin) WaitPath(ctx context.Context, old string) (string, error) {
	p, err := t.port.Wait(ctx, old)
	if err != nil {
		return "", fmt.Errorf("idreader twin: %w", err)
	}
	return p, nil
}

// Run serves on a new PTY until ctx is done.
func (t *Twin) Run(ctx context.Context) error {
	p, err := simpty.Open()
	if err != nil {
		return fmt.Errorf("idreader twin: %w", err)
	}
	defer p.Close()
	if t.opts.Link != "" {
		if err := simpty.PointLink(t.opts.Link, p.Path); err != nil {
			return fmt.Errorf("idreader twin: %w", err)
		}
		defer simpty.RemoveLink(t.opts.Link, p.Path)
	}
	t.port.Set(p.Path)
	defer t.port.Set("")
	t.opts.Logger.Info("idreader twin: serving", "path", p.Path, "link", t.opts.Link, "baud", t.opts.Baud)
	if err := t.serve(ctx, p.Master); err != nil && ctx.Err() == nil {
		return fmt.Errorf("idreader twin: serve %s: %w", p.Path, err)
	}
	return nil
}

// Timing of the host side. A command is a handful of bytes written at once; a started frame
// that stalls this long was cut off, and is dropped so it cannot swallow the next command.
const (
	readPoll  = 50 * time.Millisecond
	stallDrop = 200 * time.Millisecond
)

func (t *Twin) serve(ctx context.Context, m *os.File) error {
	var buf []byte
	var last time.Time
	chunk := make([]byte, 4096)
	for ctx.Err() == nil {
		_ = m.SetReadDeadline(time.Now().Add(readPoll))
		n, err := m.Read(chunk)
		if n > 0 {
			buf, last = append(buf, chunk[:n]...), time.Now()
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		if buf, err = t.frames(ctx, m, buf); err != nil {
			return err
		}
		if len(buf) > 0 && time.Since(last) > stallDrop {
			t.faults.counted(func(c *Counters) { c.BadRequests++ })
			buf = nil
		}
	}
	return nil
}

// frames answers every whole command in buf and returns what is left.
func (t *Twin) frames(ctx context.Context, w *os.File, buf []byte) ([]byte, error) {
	for {
		f, n, bad := idcard.Scan(buf, false)
		if errors.Is(bad, idcard.ErrChecksum) {
			t.faults.counted(func(c *Counters) { c.BadRequests++ })
			if err := t.send(ctx, w, outcome{resp: idcard.Response{SW3: 0x10}, class: "other"}); err != nil {
				return nil, err
			}
		}
		buf = buf[n:]
		if f == nil {
			return buf, nil
		}
		cmd, err := idcard.DecodeCommand(f)
		if err != nil {
			continue // LEN 3 is the shortest Scan passes, and a command needs no more
		}
		t.faults.counted(func(c *Counters) { c.Requests++ })
		if err := t.send(ctx, w, t.mod.handle(cmd)); err != nil {
			return nil, err
		}
	}
}

// send applies the armed faults and writes the reply after its wire time at the baud rate
// (plus any injected delay), in one write like a UART's back-to-back bytes.
func (t *Twin) send(ctx context.Context, w *os.File, o outcome) error {
	p := t.faults.apply(o)
	if o.isRead && !p.replace {
		t.mod.latch() // the module finished the read; what the wire does to the reply is not its business
	}
	if p.out == nil {
		t.faults.count(o, p)
		return nil
	}
	wire := time.Duration(len(p.out)*10) * time.Second / time.Duration(t.opts.Baud)
	if !simpty.SleepCtx(ctx, wire+p.delay) {
		return nil
	}
	if _, err := w.Write(p.out); err != nil {
		return err
	}
	t.faults.count(o, p)
	return nil
}
