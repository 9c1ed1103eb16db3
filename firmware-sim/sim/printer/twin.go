package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/onestop-station/onestop/firmware-sim/sim/simpty"
)

// Opts configures a Twin.
type Opts struct {
	OutDir string       // receipts go here (created); required
	Font   string       // a .ttf with Latin and Chinese glyphs; "": DefaultFont
	Baud   int          // reply pacing; 0: 115200
	Link   string       // optional symlink kept pointing at the PTY
	Logger *slog.Logger // nil: slog.Default()
	// OnPath is called from Run with the PTY path once it serves and with
	// "" when Run stops serving; OnReceipt after each receipt file is
	// written. They must not block.
	OnPath    func(path string)
	OnReceipt func(Receipt)
}

// Twin is the simulated receipt printer: an ESC/POS interpreter on a
// pseudo-terminal that renders receipts to PNG files, with paper, cover and
// fault state a technician or test can change while it runs.
type Twin struct {
	opts Opts
	in   *interp // owned by Run's goroutine (or a test feeding it directly)

	wmu sync.Mutex // orders everything sent to the host; taken before mu
	w   io.Writer  // the PTY master while Run runs

	mu       sync.Mutex
	panel    panel
	cnt      Counters
	receipts []Receipt
	next     int // number of the next receipt file

	port simpty.PathWatch
}

// New loads the font and prepares the output directory; a missing font is
// an error here, not blank receipts later.
func New(opts Opts) (*Twin, error) {
	if opts.Font == "" {
		opts.Font = DefaultFont
	}
	if opts.Baud <= 0 {
		opts.Baud = 115200
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.OutDir == "" {
		return nil, errors.New("printer twin: no output directory")
	}
	font, err := loadFont(opts.Font)
	if err != nil {
		return nil, fmt.Errorf("printer twin: %w", err)
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("printer twin: %w", err)
	}
	t := &Twin{opts: opts, panel: panel{Paper: PaperOK}, next: nextReceipt(opts.OutDir),
		port: simpty.PathWatch{OnSet: opts.OnPath}}
	t.in = newInterp(t, font)
	return t, nil
}

// nextReceipt numbers on from files an earlier run left, never over them.
func nextReceipt(dir string) int {
	names, _ := filepath.Glob(filepath.Join(dir, "receipt-*.png"))
	sort.Strings(names)
	n := 0
	for _, name := range names {
		var k int
		if _, err := fmt.Sscanf(filepath.Base(name), "receipt-%d.png", &k); err == nil {
			n = max(n, k)
		}
	}
	return n + 1
}

// Path is the PTY slave path clients open; "" until Run serves.
func (t *Twin) Path() string { return t.port.Path() }

// WaitPath blocks until Run serves on a path other than old ("" for the
// first) and returns it.
func (t *Twin) WaitPath(ctx context.Context, old string) (string, error) {
	p, err := t.port.Wait(ctx, old)
	if err != nil {
		return "", fmt.Errorf("printer twin: %w", err)
	}
	return p, nil
}

// Run serves on a new pseudo-terminal until ctx is done.
func (t *Twin) Run(ctx context.Context) error {
	p, err := simpty.Open()
	if err != nil {
		return fmt.Errorf("printer twin: %w", err)
	}
	defer p.Close()
	if t.opts.Link != "" {
		if err := simpty.PointLink(t.opts.Link, p.Path); err != nil {
			return fmt.Errorf("printer twin: %w", err)
		}
		defer simpty.RemoveLink(t.opts.Link, p.Path)
	}
	t.setWriter(p.Master)
	defer t.setWriter(nil)
	t.opts.Logger.Info("printer twin: serving", "path", p.Path, "link", t.opts.Link, "out", t.opts.OutDir)
	t.port.Set(p.Path)
	defer t.port.Set("")
	return t.serve(ctx, p.Master)
}

// serve reads the host's bytes and interprets them; ctx ends it by
// putting a deadline on the pending read.
func (t *Twin) serve(ctx context.Context, m *os.File) error {
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ctx.Done():
			_ = m.SetReadDeadline(time.Now())
		case <-stop:
		}
	}()
	buf := make([]byte, 4096)
	for {
		n, err := m.Read(buf)
		if n > 0 {
			t.in.feed(buf[:n])
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("printer twin: read: %w", err)
		}
	}
}

func (t *Twin) setWriter(w io.Writer) {
	t.wmu.Lock()
	t.w = w
	t.wmu.Unlock()
}

// send writes b to the host, paced at the line speed; the caller holds wmu.
func (t *Twin) send(b []byte) {
	if t.w == nil || len(b) == 0 {
		return
	}
	if _, err := t.w.Write(b); err != nil {
		t.count(func(c *Counters) { c.WriteErrors++ })
		return
	}
	time.Sleep(wireTime(len(b), t.opts.Baud))
}

func (t *Twin) count(f func(*Counters)) {
	t.mu.Lock()
	f(&t.cnt)
	t.mu.Unlock()
}

func (t *Twin) online() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.panel.offline()
}

// finish writes a cut receipt to the output directory. (Fuzz tests blank
// OutDir: receipts are then only counted.)
func (t *Twin) finish(s *sheet) {
	if t.opts.OutDir == "" {
		t.count(func(c *Counters) { c.Receipts++ })
		return
	}
	t.mu.Lock()
	n := t.next
	t.next++
	t.mu.Unlock()
	r, err := s.write(t.opts.OutDir, n)
	if err != nil {
		t.opts.Logger.Error("printer twin: write receipt", "n", n, "err", err)
		return
	}
	t.mu.Lock()
	t.receipts = append(t.receipts, r)
	t.cnt.Receipts++
	t.mu.Unlock()
	t.opts.Logger.Info("printer twin: receipt", "png", r.PNG, "lines", r.Lines)
	if t.opts.OnReceipt != nil {
		t.opts.OnReceipt(r)
	}
}
