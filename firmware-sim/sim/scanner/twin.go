package scanner

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	drv "github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/firmware-sim/sim/simpty"
)

// Code is one code the twin can emit.
type Code struct {
	Data      string `json:"data"`
	Symbology string `json:"symbology,omitempty"` // drivers/scanner name ("qr", "ean13"); "" = qr
}

// DefaultCode is emitted when no code was configured.
var DefaultCode = Code{Data: "办成一件事 https://x.cn/q?id=1", Symbology: "qr"}

// Opts configures a Twin. The zero value is a scanner with no serial trigger
// (auto-sense) sending DefaultCode in UTF-8 with CR LF, on POST /trigger only.
type Opts struct {
	Dialect     drv.Dialect   // which trigger commands it obeys
	Suffix      drv.Suffix    // SuffixLine sends CR LF
	AIM         bool          // prefix codes with their AIM identifier
	Charset     drv.Charset   // UTF8 (also for CharsetAuto) or GBK
	Codes       []Code        // the queue, cycled; empty: DefaultCode
	Every       time.Duration // emit on this schedule too; 0: off
	DecodeDelay time.Duration // trigger to code, as a real imager takes; 0: 30 ms
	Baud        int           // pacing; 0: 115200
	Link        string        // optional symlink kept pointing at the current PTY
	Logger      *slog.Logger  // nil: slog.Default()
	// OnPath is called from Run each time a PTY starts serving (its path),
	// and with "" when a hang-up takes it away. It must not block.
	OnPath func(path string)
}

// Twin is the simulated scanner.
type Twin struct {
	opts   Opts
	fire   chan struct{}      // POST /trigger: a code is presented now
	hangup chan time.Duration // a hang-up fault: the down time

	mu       sync.Mutex
	queue    []Code
	pos      int
	next     *Code // set by SetNext; goes before the queue
	faults   []Fault
	counters Counters

	port simpty.PathWatch
}

// New returns a twin ready to Run; it checks that every code can be encoded.
func New(opts Opts) (*Twin, error) {
	if opts.Baud <= 0 {
		opts.Baud = 115200
	}
	if opts.DecodeDelay <= 0 {
		opts.DecodeDelay = 30 * time.Millisecond
	}
	if opts.Charset == drv.CharsetAuto {
		opts.Charset = drv.UTF8
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if len(opts.Codes) == 0 {
		opts.Codes = []Code{DefaultCode}
	}
	t := &Twin{opts: opts, fire: make(chan struct{}, 8), hangup: make(chan time.Duration, 1),
		port: simpty.PathWatch{OnSet: opts.OnPath}}
	for _, c := range opts.Codes {
		if _, err := t.encode(c); err != nil {
			return nil, err
		}
	}
	t.queue = append([]Code(nil), opts.Codes...)
	return t, nil
}

// SetNext makes c the next code emitted, before the queue resumes.
func (t *Twin) SetNext(c Code) error {
	if _, err := t.encode(c); err != nil {
		return err
	}
	t.mu.Lock()
	t.next = &c
	t.mu.Unlock()
	return nil
}

// Trigger emits the next code now, as if someone held one under the scanner.
func (t *Twin) Trigger() error {
	select {
	case t.fire <- struct{}{}:
		return nil
	default:
		return fmt.Errorf("scanner twin: too many presented codes pending")
	}
}

// takeCode returns the code to emit now and advances the queue.
func (t *Twin) takeCode() Code {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.next != nil {
		c := *t.next
		t.next = nil
		return c
	}
	c := t.queue[t.pos%len(t.queue)]
	t.pos++
	return c
}

func (t *Twin) peekCode() Code {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.next != nil {
		return *t.next
	}
	return t.queue[t.pos%len(t.queue)]
}

// Path is the PTY slave path clients open now; "" before Run has opened
// one and while a hang-up keeps the port away.
func (t *Twin) Path() string { return t.port.Path() }

// WaitPath blocks until the twin serves on a path other than old (pass ""
// for the first one) and returns it.
func (t *Twin) WaitPath(ctx context.Context, old string) (string, error) {
	p, err := t.port.Wait(ctx, old)
	if err != nil {
		return "", fmt.Errorf("scanner twin: %w", err)
	}
	return p, nil
}

// Run serves until ctx is done, reopening a new PTY after each hang-up.
func (t *Twin) Run(ctx context.Context) error {
	p, err := simpty.Open()
	if err != nil {
		return fmt.Errorf("scanner twin: %w", err)
	}
	for {
		if t.opts.Link != "" {
			if err := simpty.PointLink(t.opts.Link, p.Path); err != nil {
				p.Close()
				return fmt.Errorf("scanner twin: %w", err)
			}
		}
		t.port.Set(p.Path)
		t.opts.Logger.Info("scanner twin: serving", "path", p.Path, "link", t.opts.Link, "dialect", t.opts.Dialect)
		down, err := t.serve(ctx, p)
		// Open the successor first so the kernel cannot hand out the same
		// /dev/pts number again: the device must come back elsewhere.
		var next *simpty.Port
		if err == nil && ctx.Err() == nil {
			next, err = simpty.Open()
		}
		if t.opts.Link != "" {
			simpty.RemoveLink(t.opts.Link, p.Path)
		}
		t.port.Set("")
		p.Close()
		if err != nil || ctx.Err() != nil {
			return err
		}
		t.count(func(c *Counters) { c.Hangups++ })
		t.opts.Logger.Info("scanner twin: hung up", "path", p.Path, "down", down)
		if !simpty.SleepCtx(ctx, down) {
			next.Close()
			return nil
		}
		p = next
	}
}
