// Package poll runs one test rig: a goroutine that owns its serial port, reads a snapshot every
// poll interval, writes the readings to the outbox before anything is published, and runs the
// lab's commands for that rig between polls, so one request at a time is ever on the line.
//
// The outbox write runs beside the polling (Storer), on a second goroutine fed in order through a
// short queue: the next poll does not wait for the last one's commit (or for the forwarder's disk
// flush the commit may queue behind), so a slow disk does not slow the rig's sampling; a full
// queue does, rather than hold readings without bound.
package poll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/drivers/modbus"
	"github.com/onestop-station/onestop/drivers/rig"
	"github.com/onestop-station/onestop/drivers/serialport"
)

// Appender is what the poller needs of the outbox.
type Appender interface {
	Append(ctx context.Context, dev string, rs []telemetry.Reading) (from, to int64, err error)
}

// Opts configure a Poller.
type Opts struct {
	Name     string        // device id in topics
	Port     string        // serial path; a symlink is re-resolved at each reopen
	Baud     int           // serial speed, 8N1
	Unit     byte          // Modbus unit id
	Interval time.Duration // from the start of one snapshot to the next; 0: back to back, as fast as the line allows
	Timeout  time.Duration // Modbus reply timeout
	Out      Appender
	Notify   func()                             // new rows are in the outbox
	OnMeta   func(dev string, m telemetry.Meta) // the rig (re)identified itself
	Metrics  *metrics.Metrics
}

// Poller polls one rig. Run it once.
type Poller struct {
	opts     Opts
	store    *Storer // writes the snapshots to the outbox, in poll order
	port     *serialport.Port
	rig      *rig.Rig
	reqs     chan request
	done     chan struct{} // closed when Run returns: commands are refused from then on
	interval time.Duration
	known    bool // identity read since the port last (re)opened
	last     rig.Snapshot
	failing  bool // last poll failed; log state changes, not every failure
}

type request struct {
	name  string
	args  json.RawMessage
	reply chan result
}

type result struct {
	out any
	err error
}

// New prepares a poller; nothing is opened until Run.
func New(opts Opts) *Poller {
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	if opts.Notify == nil {
		opts.Notify = func() {}
	}
	if opts.OnMeta == nil {
		opts.OnMeta = func(string, telemetry.Meta) {}
	}
	port := serialport.New(serialport.Config{Path: opts.Port, Baud: opts.Baud}, opts.Name)
	client := modbus.NewClient(port, modbus.ClientOpts{Baud: opts.Baud, Timeout: opts.Timeout})
	return &Poller{
		opts:     opts,
		port:     port,
		rig:      rig.New(client, rig.Opts{Unit: opts.Unit, Name: opts.Name}),
		reqs:     make(chan request),
		done:     make(chan struct{}),
		interval: opts.Interval,
	}
}

// Run polls until ctx is done. A poll in progress is finished, and its readings (and every
// snapshot still queued) stored, before Run returns: the rig has already sent them, so dropping
// them would lose data.
func (p *Poller) Run(ctx context.Context) error {
	defer close(p.done)
	p.store = NewStorer(p.opts.Name, p.opts.Out, p.opts.Metrics, p.opts.Notify)
	defer p.store.Close()
	defer p.port.Close()
	t := time.NewTimer(0)
	defer t.Stop()
	var start time.Time // of the last poll
	for {
		select {
		case <-ctx.Done():
			return nil
		case req := <-p.reqs:
			interval := p.interval
			out, err := p.do(req.name, req.args)
			req.reply <- result{out, err}
			if p.interval != interval {
				// The new interval counts from the last poll, not from when the old wait runs
				// out: a rig polled once a minute and asked for 50 ms must speed up now.
				t.Reset(max(p.interval-time.Since(start), 0))
			}
		case <-t.C:
			start = time.Now()
			p.poll()
			t.Reset(max(p.interval-time.Since(start), 0))
		}
	}
}

// opCtx bounds one exchange with the rig without tying it to the caller's cancellation.
func (p *Poller) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 4*p.opts.Timeout+time.Second)
}

func (p *Poller) poll() {
	ctx, cancel := p.opCtx()
	defer cancel()
	if !p.known {
		if err := p.identify(ctx); err != nil {
			p.fail(err)
			return
		}
	}
	snap, err := p.rig.Read(ctx)
	if err != nil {
		p.fail(err)
		return
	}
	p.last = snap
	rs := make([]telemetry.Reading, 0, len(snap.Readings))
	t := snap.Time.UnixNano()
	for _, r := range snap.Readings {
		rs = append(rs, telemetry.Reading{Ch: r.Channel, T: t, V: r.Value, U: r.Unit, Q: r.Quality})
	}
	p.store.Put(rs)
	if p.failing {
		slog.Info("poll: rig answering again", "rig", p.opts.Name, "port", p.port.Path())
		p.failing = false
	}
}

func (p *Poller) identify(ctx context.Context) error {
	id, err := p.rig.Identity(ctx)
	if err != nil {
		return err
	}
	m := telemetry.Meta{V: telemetry.Version, Model: id.Model, Firmware: id.Firmware, Serial: id.Serial, Steps: id.Steps}
	if !id.CalibrationDue.IsZero() {
		m.CalibrationDue = id.CalibrationDue.Format(time.DateOnly)
	}
	for _, c := range p.rig.Channels() {
		m.Channels = append(m.Channels, telemetry.Channel{Name: c.Name, Unit: c.Unit, Description: c.Description})
	}
	p.opts.OnMeta(p.opts.Name, m)
	p.known = true
	slog.Info("poll: rig identified", "rig", p.opts.Name, "model", id.Model, "firmware", id.Firmware, "port", p.port.Path())
	return nil
}

func (p *Poller) fail(err error) {
	p.opts.Metrics.Polls.WithLabelValues(p.opts.Name, "error").Inc()
	p.opts.Metrics.SerialErrors.WithLabelValues(p.opts.Name).Inc()
	if errors.Is(err, serialport.ErrGone) || errors.Is(err, serialport.ErrOffline) {
		p.known = false // it may come back as another unit: identify again
	}
	if !p.failing {
		slog.Warn("poll: rig not answering", "rig", p.opts.Name, "err", err)
		p.failing = true
	}
}

// ErrStopped answers commands that arrive once the poller has stopped (the agent is shutting down).
var ErrStopped = errors.New("rig poller stopped")

// Do runs a command on the poller's goroutine, between polls.
func (p *Poller) Do(ctx context.Context, name string, args json.RawMessage) (any, error) {
	req := request{name: name, args: args, reply: make(chan result, 1)}
	select {
	case p.reqs <- req:
	case <-p.done:
		return nil, ErrStopped
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.reply:
		return r.out, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Commands the lab can send to a rig.
const (
	CmdStartStep       = "start_step"        // args {"step": N}
	CmdStopStep        = "stop_step"         // no args
	CmdSetPollInterval = "set_poll_interval" // args {"interval_ms": N}, 0 (back to back) or 10..60000
	CmdIdentify        = "identify"          // no args; re-reads identity, republishes meta
	CmdStatus          = "status"            // no args; the last snapshot's state (no new request)
)

// Status is the result of CmdStatus.
type Status struct {
	Step      int      `json:"step"`
	StepState string   `json:"step_state"`
	Status    string   `json:"status"`
	Alarms    string   `json:"alarms"`
	ElapsedS  float64  `json:"elapsed_s"`
	At        string   `json:"at"`
	Readings  []string `json:"readings"`
}

func (p *Poller) do(name string, args json.RawMessage) (any, error) {
	ctx, cancel := p.opCtx()
	defer cancel()
	var a struct {
		Step       int  `json:"step"`
		IntervalMS *int `json:"interval_ms"` // 0 is a value (back to back): missing is not 0
	}
	if len(args) > 0 {
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("%s: bad args: %v", name, err)
		}
	}
	switch name {
	case CmdStartStep:
		if err := p.rig.StartStep(ctx, a.Step); err != nil {
			return nil, err
		}
		return map[string]int{"step": a.Step}, nil
	case CmdStopStep:
		return nil, p.rig.StopStep(ctx)
	case CmdSetPollInterval:
		if a.IntervalMS == nil {
			return nil, fmt.Errorf("%s: interval_ms missing: want 0 (back to back) or 10..60000", name)
		}
		ms := *a.IntervalMS
		if ms != 0 && (ms < 10 || ms > 60000) {
			return nil, fmt.Errorf("%s: interval_ms %d: want 0 (back to back) or 10..60000", name, ms)
		}
		p.interval = time.Duration(ms) * time.Millisecond
		return map[string]int{"interval_ms": ms}, nil
	case CmdStatus:
		if p.last.Time.IsZero() {
			return nil, fmt.Errorf("%s: no snapshot yet", name)
		}
		s := Status{Step: p.last.Step, StepState: p.last.StepState.String(), Status: p.last.Status.String(),
			Alarms: p.last.Alarms.String(), ElapsedS: p.last.Elapsed.Seconds(), At: p.last.Time.Format(time.RFC3339Nano)}
		for _, r := range p.last.Readings {
			s.Readings = append(s.Readings, fmt.Sprintf("%s=%g%s", r.Channel, r.Value, r.Unit))
		}
		return s, nil
	case CmdIdentify:
		p.known = false
		return nil, p.identify(ctx)
	}
	return nil, fmt.Errorf("unknown command %q", name)
}
