package rig

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/firmware-sim/sim/simpty"
)

// Opts configures a Twin. The zero value serves the nominal scenario at
// 115200 baud as unit 1 on wall-clock time.
type Opts struct {
	Scenario *Scenario        // nil: the embedded DefaultScenario
	Baud     int              // reply pacing; 0: 115200
	Unit     byte             // 0: 1
	Link     string           // optional symlink kept pointing at the current PTY
	Clock    func() time.Time // model time; nil: time.Now
	Identity Identity         // zero: DefaultIdentity
	Logger   *slog.Logger     // nil: slog.Default()
	// OnPath is called from Run each time a PTY starts serving (its path),
	// and with "" when a hang-up takes it away. It must not block.
	OnPath func(path string)
}

// Twin is the simulated rig: a register bank and physical model served as
// Modbus RTU on a pseudo-terminal, with fault injection and counters.
type Twin struct {
	initErr error
	opts    Opts
	bank    *Bank
	faults  *faults
	hangup  chan time.Duration
	port    simpty.PathWatch
}

// New returns a twin ready to Run.
func New(opts Opts) *Twin {
	var initErr error
	if opts.Scenario == nil {
		opts.Scenario, initErr = LoadScenario(DefaultScenario)
		if initErr != nil {
			// Only a broken build gets here (the tests load every embedded
			// scenario); Run reports it, and the bank gets a one-step stand-in
			// so the other methods stay usable.
			opts.Scenario = &Scenario{Name: "none", Steps: []Step{{Name: "idle", Kind: KindDrive, Duration: 1}}}
		}
	}
	if opts.Baud <= 0 {
		opts.Baud = 115200
	}
	if opts.Unit == 0 {
		opts.Unit = 1
	}
	if opts.Identity == (Identity{}) {
		opts.Identity = DefaultIdentity
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Twin{
		initErr: initErr,
		opts:    opts,
		bank:    NewBank(opts.Scenario, opts.Identity, opts.Clock),
		faults:  newFaults(opts.Scenario.Seed),
		hangup:  make(chan time.Duration, 1),
		port:    simpty.PathWatch{OnSet: opts.OnPath},
	}
}

// Bank returns the register bank, e.g. to press the emergency stop.
func (t *Twin) Bank() *Bank { return t.bank }

// Path is the PTY slave path clients open now; "" before Run has opened
// one and while a hang-up keeps the port away.
func (t *Twin) Path() string { return t.port.Path() }

// WaitPath blocks until the twin serves on a path other than old (pass ""
// for the first one) and returns it.
func (t *Twin) WaitPath(ctx context.Context, old string) (string, error) {
	p, err := t.port.Wait(ctx, old)
	if err != nil {
		return "", fmt.Errorf("rig twin: %w", err)
	}
	return p, nil
}

// Counters returns the tallies so far.
func (t *Twin) Counters() Counters { return t.faults.counters() }

// ResetCounters zeroes the tallies.
func (t *Twin) ResetCounters() { t.faults.resetCounters() }

// InjectFault arms a fault; a hang-up happens at once (while Run runs).
func (t *Twin) InjectFault(f Fault) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("rig twin: %w", err)
	}
	if f.Kind != FaultHangup {
		t.faults.arm(f)
		return nil
	}
	select {
	case t.hangup <- f.Down:
		return nil
	default:
		return fmt.Errorf("rig twin: a hang-up is already pending")
	}
}

// SetScenario swaps the car and programme; the model restarts at rest.
func (t *Twin) SetScenario(sc *Scenario) { t.bank.SetScenario(sc) }

// Run serves until ctx is done, reopening a new PTY after each hang-up.
func (t *Twin) Run(ctx context.Context) error {
	if t.initErr != nil {
		return fmt.Errorf("rig twin: %w", t.initErr)
	}
	p, err := simpty.Open()
	if err != nil {
		return fmt.Errorf("rig twin: %w", err)
	}
	for {
		if err := t.publish(p); err != nil {
			p.Close()
			return err
		}
		down, err := t.serve(ctx, p)
		if err != nil || ctx.Err() != nil {
			t.unpublish(p)
			p.Close()
			return err
		}
		// Closing the master discards what the client has not read yet. A
		// reply caught on the line that way never arrived, so it must not
		// stay counted; taking its bytes back first also decides the race
		// with the client's read, since the kernel gives each byte to one
		// reader only.
		unread := p.Reclaim()
		if unread > 0 {
			t.faults.unsent()
		}
		// Open the successor before closing p so the kernel cannot hand out
		// the same /dev/pts number again: the device must come back elsewhere.
		next, err := simpty.Open()
		t.unpublish(p)
		p.Close()
		t.faults.countHangup()
		t.opts.Logger.Info("rig twin: hung up", "path", p.Path, "down", down, "unread_bytes_lost", unread)
		if err != nil {
			return fmt.Errorf("rig twin: reopen after hang-up: %w", err)
		}
		if !simpty.SleepCtx(ctx, down) {
			next.Close()
			return nil
		}
		p = next
	}
}

func (t *Twin) publish(p *simpty.Port) error {
	if t.opts.Link != "" {
		if err := simpty.PointLink(t.opts.Link, p.Path); err != nil {
			return fmt.Errorf("rig twin: %w", err)
		}
	}
	t.port.Set(p.Path)
	t.opts.Logger.Info("rig twin: serving", "path", p.Path, "link", t.opts.Link, "baud", t.opts.Baud)
	return nil
}

func (t *Twin) unpublish(p *simpty.Port) {
	if t.opts.Link != "" {
		simpty.RemoveLink(t.opts.Link, p.Path)
	}
	t.port.Set("")
}

// serve runs modbus.Serve on p until ctx is done (0, nil), a hang-up is
// ordered (its down time, nil) or the port fails.
func (t *Twin) serve(ctx context.Context, p *simpty.Port) (time.Duration, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := modbus.ServerOpts{Unit: t.opts.Unit, Baud: t.opts.Baud, Filter: t.faults.filter, OnReply: t.faults.onReply}
	errc := make(chan error, 1)
	go func() { errc <- modbus.Serve(sctx, p.Master, t.bank, opts) }()
	select {
	case <-ctx.Done():
		cancel()
		<-errc
		return 0, nil
	case down := <-t.hangup:
		cancel()
		<-errc
		return down, nil
	case err := <-errc:
		if err != nil {
			return 0, fmt.Errorf("rig twin: serve %s: %w", p.Path, err)
		}
		return 0, nil
	}
}
