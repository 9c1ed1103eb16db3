package poll_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onestop-station/onestop/agent/metrics"
	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/poll"
	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/drivers/rig"
	simrig "github.com/onestop-station/onestop/firmware-sim/sim/rig"
)

// Generous on purpose: the tests run under -race on a loaded 2-core machine, wait with deadlines
// and never assert an upper bound on how long anything takes.
const (
	rigName     = "rig0"
	baud        = 115200
	waitLimit   = 10 * time.Second
	slowPolls   = time.Minute // "never again by itself": only a command or the first poll polls
	fastPolls   = 20 * time.Millisecond
	modbusReply = 2 * time.Second // far above a reply's 5 ms, so a slow machine never times out
)

// modelStart is the twin's model time. It never advances, so a started step stays running for as
// long as a test needs, and the calibration due date (a year on) is known.
var modelStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testIdentity differs from simrig.DefaultIdentity, so the meta must come from the wire.
var testIdentity = simrig.Identity{
	Model:          "RT-EC2000",
	Serial:         "SN-TEST-0042",
	Firmware:       "1.4.2",
	CalibrationDue: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC),
}

// bench is one rig twin on a PTY behind a --link style symlink, an outbox file and a poller.
type bench struct {
	t       *testing.T
	twin    *simrig.Twin
	link    string
	out     *outbox.Outbox
	metrics *metrics.Metrics
	poller  *poll.Poller
	logs    *logRecorder

	notifies atomic.Int64
	metaMu   sync.Mutex
	metas    []telemetry.Meta

	stopTwin   func()
	stopPoller func()
}

func newBench(t *testing.T, interval time.Duration) *bench {
	t.Helper()
	b := &bench{t: t, link: filepath.Join(t.TempDir(), "rig0"), metrics: metrics.New(), logs: captureLogs(t)}
	b.startTwin()
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	b.out = ob
	b.startPoller(interval)
	return b
}

func (b *bench) startTwin() {
	t := b.t
	t.Helper()
	b.twin = simrig.New(simrig.Opts{
		Scenario: mustScenario(t, "nominal"),
		Baud:     baud,
		Link:     b.link,
		Clock:    func() time.Time { return modelStart },
		Identity: testIdentity,
		Logger:   slog.New(slog.DiscardHandler),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.twin.Run(ctx) }()
	var once sync.Once
	b.stopTwin = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("twin Run: %v", err)
				}
			case <-time.After(waitLimit):
				t.Errorf("twin Run did not return after cancel")
			}
		})
	}
	t.Cleanup(b.stopTwin)
	wctx, wcancel := context.WithTimeout(context.Background(), waitLimit)
	defer wcancel()
	if _, err := b.twin.WaitPath(wctx, ""); err != nil {
		select {
		case err := <-done:
			t.Fatalf("rig twin did not start: %v", err)
		default:
		}
		t.Fatal(err)
	}
}

func (b *bench) startPoller(interval time.Duration) {
	t := b.t
	t.Helper()
	b.poller = poll.New(poll.Opts{
		Name:     rigName,
		Port:     b.link,
		Baud:     baud,
		Unit:     1,
		Interval: interval,
		Timeout:  modbusReply,
		Out:      b.out,
		Notify:   func() { b.notifies.Add(1) },
		OnMeta: func(dev string, m telemetry.Meta) {
			if dev != rigName {
				t.Errorf("OnMeta for device %q, want %q", dev, rigName)
			}
			b.metaMu.Lock()
			b.metas = append(b.metas, m)
			b.metaMu.Unlock()
		},
		Metrics: b.metrics,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.poller.Run(ctx) }()
	var once sync.Once
	b.stopPoller = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("poller Run: %v", err)
				}
			case <-time.After(waitLimit):
				t.Fatalf("poller Run did not return within %v of cancel", waitLimit)
			}
		})
	}
	t.Cleanup(b.stopPoller)
}

// stop ends the poller, then the twin. Once the twin's Run has returned, its Serve has finished
// the reply it was writing and counted it, so its counters can be compared exactly.
func (b *bench) stop() {
	b.t.Helper()
	b.stopPoller()
	b.stopTwin()
}

func (b *bench) rows() []outbox.Row {
	b.t.Helper()
	rows, err := b.out.Pending(context.Background(), 0, 1_000_000)
	if err != nil {
		b.t.Fatal(err)
	}
	return rows
}

func (b *bench) metaList() []telemetry.Meta {
	b.metaMu.Lock()
	defer b.metaMu.Unlock()
	return append([]telemetry.Meta(nil), b.metas...)
}

// do runs a command with a deadline far above anything a healthy poller needs.
func (b *bench) do(name, args string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	defer cancel()
	var raw json.RawMessage
	if args != "" {
		raw = json.RawMessage(args)
	}
	return b.poller.Do(ctx, name, raw)
}

// waitPolls waits until n more snapshots than now have been stored and notified.
func (b *bench) waitPolls(n int64) {
	b.t.Helper()
	target := b.notifies.Load() + n
	waitUntil(b.t, "snapshots to be stored", func() bool { return b.notifies.Load() >= target })
}

// counter reads one sample of a counter vector from the registry, as /metrics would show it.
func (b *bench) counter(name string, labels map[string]string) float64 {
	b.t.Helper()
	mfs, err := b.metrics.Registry.Gather()
	if err != nil {
		b.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func (b *bench) polls(result string) float64 {
	return b.counter("onestop_agent_polls_total", map[string]string{"rig": rigName, "result": result})
}

// assertServedMatchesOutbox: every snapshot the twin put on the line whole is in the outbox, and
// nothing else is. Call it after stop.
func (b *bench) assertServedMatchesOutbox() {
	b.t.Helper()
	rows := len(b.rows())
	cn := b.twin.Counters()
	if cn.ReadingsServed != int64(rows) || cn.SnapshotReplies*rig.NumChannels != int64(rows) {
		b.t.Errorf("twin served %d readings in %d snapshots, outbox holds %d readings",
			cn.ReadingsServed, cn.SnapshotReplies, rows)
	}
	if ok := b.polls("ok"); ok*rig.NumChannels != float64(rows) {
		b.t.Errorf("polls{ok} = %v, outbox holds %d readings (%d per poll)", ok, rows, rig.NumChannels)
	}
}

func mustScenario(t *testing.T, name string) *simrig.Scenario {
	t.Helper()
	sc, err := simrig.LoadScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// logRecorder counts the poller's log messages: the poller reports state changes on slog's default
// logger, and a failing rig must be logged once, not once per poll.
type logRecorder struct {
	mu   sync.Mutex
	msgs []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Clone())
	return nil
}

// count returns how many records had msg, and the attribute key of the last of them.
func (l *logRecorder) count(msg, key string) (n int, last string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.msgs {
		if r.Message != msg {
			continue
		}
		n++
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == key {
				last = a.Value.String()
			}
			return true
		})
	}
	return n, last
}

// captureLogs swaps slog's default logger for the test; the package's tests do not run in
// parallel, so no other test sees it.
func captureLogs(t *testing.T) *logRecorder {
	t.Helper()
	l := &logRecorder{}
	prev := slog.Default()
	slog.SetDefault(slog.New(l))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return l
}

func TestPollStoresSnapshots(t *testing.T) {
	b := newBench(t, fastPolls)
	b.waitPolls(5)
	b.stop()

	rows := b.rows()
	if len(rows) == 0 || len(rows)%rig.NumChannels != 0 {
		t.Fatalf("outbox holds %d readings, want a positive multiple of %d", len(rows), rig.NumChannels)
	}
	snaps := len(rows) / rig.NumChannels
	if got := b.notifies.Load(); got != int64(snaps) {
		t.Errorf("Notify called %d times for %d stored snapshots", got, snaps)
	}
	if got := b.polls("error"); got != 0 {
		t.Errorf("polls{error} = %v on a healthy rig", got)
	}
	if got := b.counter("onestop_agent_readings_appended_total", nil); got != float64(len(rows)) {
		t.Errorf("readings_appended = %v, outbox holds %d", got, len(rows))
	}
	b.assertServedMatchesOutbox()

	// Each snapshot is 11 readings in channel order, stamped with one time; times go up.
	chans := rig.New(nil, rig.DefaultOpts).Channels()
	var prevT int64
	for i, r := range rows {
		c := chans[i%rig.NumChannels]
		if r.Dev != rigName || r.Reading.Ch != c.Name || r.Reading.U != c.Unit || r.Reading.Q != telemetry.QualityGood {
			t.Fatalf("row %d: %+v, want %s %s in %s, quality good", i, r, rigName, c.Name, c.Unit)
		}
		if i > 0 && r.Seq != rows[i-1].Seq+1 {
			t.Fatalf("row %d: seq %d after %d", i, r.Seq, rows[i-1].Seq)
		}
		switch {
		case i%rig.NumChannels != 0 && r.Reading.T != prevT:
			t.Fatalf("row %d: time %d within a snapshot stamped %d", i, r.Reading.T, prevT)
		case i%rig.NumChannels == 0 && r.Reading.T <= prevT:
			t.Fatalf("row %d: snapshot time %d not after the previous %d", i, r.Reading.T, prevT)
		}
		prevT = r.Reading.T
	}
	// The twin at rest reads ambient on every temperature and the battery at open circuit.
	for _, r := range rows[:rig.NumChannels] {
		switch r.Reading.Ch {
		case "ambient_temp", "motor_temp":
			if r.Reading.V < 22 || r.Reading.V > 24 {
				t.Errorf("%s = %v °C, want about 23 (nominal ambient)", r.Reading.Ch, r.Reading.V)
			}
		case "supply_voltage":
			if r.Reading.V < 12.5 || r.Reading.V > 12.9 {
				t.Errorf("supply_voltage = %v V, want about 12.8 less the idle sag", r.Reading.V)
			}
		}
	}

	metas := b.metaList()
	if len(metas) != 1 {
		t.Fatalf("OnMeta called %d times, want once", len(metas))
	}
	m := metas[0]
	want := testIdentity
	if m.V != telemetry.Version || m.Model != want.Model || m.Serial != want.Serial || m.Firmware != want.Firmware ||
		m.CalibrationDue != "2027-01-31" || m.Steps != len(mustScenario(t, "nominal").Steps) {
		t.Errorf("meta %+v, want the twin's identity %+v with 3 steps", m, want)
	}
	if len(m.Channels) != rig.NumChannels {
		t.Fatalf("meta has %d channels, want %d", len(m.Channels), rig.NumChannels)
	}
	for i, c := range m.Channels {
		if c.Name != chans[i].Name || c.Unit != chans[i].Unit || c.Description == "" {
			t.Errorf("meta channel %d: %+v, want %s in %s with a description", i, c, chans[i].Name, chans[i].Unit)
		}
	}
}

func TestPollCommands(t *testing.T) {
	b := newBench(t, fastPolls)
	b.waitPolls(1)

	// Checked one after another: each command acts on the rig state the previous one left.
	steps := []struct {
		name, cmd, args string
		wantErr         string // substring of the error; "" means success
		wantState       string // the twin's step state afterwards, when set
	}{
		{name: "start", cmd: poll.CmdStartStep, args: `{"step":1}`, wantState: "running"},
		{name: "start while running", cmd: poll.CmdStartStep, args: `{"step":1}`, wantErr: "busy", wantState: "running"},
		{name: "start step out of programme", cmd: poll.CmdStartStep, args: `{"step":99}`, wantErr: "rejected", wantState: "running"},
		{name: "stop", cmd: poll.CmdStopStep, wantState: "aborted"},
		{name: "stop when idle", cmd: poll.CmdStopStep, wantState: "aborted"},
		{name: "start step 0", cmd: poll.CmdStartStep, args: `{"step":0}`, wantErr: "rejected"},
		{name: "start without args", cmd: poll.CmdStartStep, wantErr: "rejected"},
		{name: "interval too short", cmd: poll.CmdSetPollInterval, args: `{"interval_ms":5}`, wantErr: "10..60000"},
		{name: "interval too long", cmd: poll.CmdSetPollInterval, args: `{"interval_ms":70000}`, wantErr: "10..60000"},
		{name: "interval missing", cmd: poll.CmdSetPollInterval, wantErr: "10..60000"},
		{name: "unknown command", cmd: "self_destruct", wantErr: "unknown command"},
		{name: "args not JSON", cmd: poll.CmdStartStep, args: `{"step":`, wantErr: "bad args"},
		{name: "args of the wrong type", cmd: poll.CmdStartStep, args: `{"step":"one"}`, wantErr: "bad args"},
	}
	for _, s := range steps {
		_, err := b.do(s.cmd, s.args)
		switch {
		case s.wantErr == "" && err != nil:
			t.Errorf("%s: %v", s.name, err)
		case s.wantErr != "" && err == nil:
			t.Errorf("%s: no error, want one mentioning %q", s.name, s.wantErr)
		case s.wantErr != "" && !strings.Contains(err.Error(), s.wantErr):
			t.Errorf("%s: error %q does not mention %q", s.name, err, s.wantErr)
		}
		if s.wantState != "" {
			if got := b.twin.State().StepState; got != s.wantState {
				t.Errorf("%s: twin step state %q, want %q", s.name, got, s.wantState)
			}
		}
	}
	if _, err := b.do(poll.CmdStartStep, `{"step":1}`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.do(poll.CmdStartStep, `{"step":1}`); !errors.Is(err, rig.ErrBusy) {
		t.Errorf("second start: %v, want rig.ErrBusy", err)
	}
	if t.Failed() {
		return
	}

	// Status answers from the last snapshot, which is one taken after the start: commands run
	// between polls, so any poll notified from now on began after the step started.
	b.waitPolls(1)
	out, err := b.do(poll.CmdStatus, "")
	if err != nil {
		t.Fatal(err)
	}
	st, ok := out.(poll.Status)
	if !ok {
		t.Fatalf("status result %T, want poll.Status", out)
	}
	if st.Step != 1 || st.StepState != "running" || !strings.Contains(st.Status, "running") || len(st.Readings) != rig.NumChannels {
		t.Errorf("status %+v, want step 1 running with %d readings", st, rig.NumChannels)
	}
	if _, err := b.do(poll.CmdStopStep, ""); err != nil {
		t.Fatal(err)
	}
	b.waitPolls(1)
	out, err = b.do(poll.CmdStatus, "")
	if st, _ := out.(poll.Status); err != nil || st.Step != 1 || st.StepState != "aborted" {
		t.Errorf("status after stop: %+v, %v; want step 1 aborted", out, err)
	}

	// identify re-reads the identity and publishes the meta again.
	before := len(b.metaList())
	if _, err := b.do(poll.CmdIdentify, ""); err != nil {
		t.Fatal(err)
	}
	if metas := b.metaList(); len(metas) != before+1 || metas[len(metas)-1].Serial != testIdentity.Serial {
		t.Errorf("after identify: %d metas (was %d): %+v", len(metas), before, metas)
	}

	b.stop()
	b.assertServedMatchesOutbox()
}

// A new interval applies at once, not when the old wait runs out: a rig polled once a minute and
// asked for 50 ms must speed up now. Only lower bounds are asserted on counts and times.
func TestPollSetIntervalChangesRate(t *testing.T) {
	b := newBench(t, slowPolls)
	b.waitPolls(1) // the first poll runs at start; the next would be a minute away
	if _, err := b.do(poll.CmdSetPollInterval, `{"interval_ms":50}`); err != nil {
		t.Fatal(err)
	}
	const more = 6
	b.waitPolls(more)
	b.stop()

	// Polls start at least 50 ms apart; the reply time varies a little around each start, so the
	// span of the snapshot times gets one interval of slack.
	rows := b.rows()
	last := rows[len(rows)-1].Reading.T
	first := rows[len(rows)-more*rig.NumChannels].Reading.T
	if span := time.Duration(last - first); span < (more-2)*50*time.Millisecond {
		t.Errorf("%d polls at 50 ms spanned only %v", more, span)
	}
	b.assertServedMatchesOutbox()
}

// Interval 0 polls back to back: the next request goes out as soon as the last reply is in,
// so snapshots follow each other by about one exchange (≈ 6 ms here at 115200, ≈ 14 ms under
// the race detector), never by a wait such as the 200 ms default or a 50 ms interval. The rate
// against the line's physical limit is measured by bench/run.sh, not asserted here.
func TestPollIntervalZeroIsBackToBack(t *testing.T) {
	b := newBench(t, slowPolls)
	b.waitPolls(1)
	if _, err := b.do(poll.CmdSetPollInterval, `{"interval_ms":0}`); err != nil {
		t.Fatal(err)
	}
	const more = 40
	b.waitPolls(more)
	b.stop()
	rows := b.rows()
	var gaps []time.Duration
	for i := len(rows) - more*rig.NumChannels + rig.NumChannels; i < len(rows); i += rig.NumChannels {
		gaps = append(gaps, time.Duration(rows[i].Reading.T-rows[i-rig.NumChannels].Reading.T))
	}
	slices.Sort(gaps)
	if med := gaps[len(gaps)/2]; med >= 40*time.Millisecond {
		t.Errorf("median gap between back-to-back snapshots %v, want one exchange, < 40 ms (gaps %v)", med, gaps)
	}
	b.assertServedMatchesOutbox()
}

// The twin hangs up and comes back a second later under another /dev/pts path; the poller fails
// meanwhile, reopens through the link, identifies the rig again and goes on, losing nothing it
// was sent.
func TestPollSurvivesHangup(t *testing.T) {
	b := newBench(t, fastPolls)
	b.waitPolls(3)
	if n := len(b.metaList()); n != 1 {
		t.Fatalf("OnMeta called %d times before the hang-up, want once", n)
	}
	first := b.twin.Path()
	if err := b.twin.InjectFault(simrig.Fault{Kind: simrig.FaultHangup, Down: time.Second}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a serial error", func() bool {
		return b.counter("onestop_agent_serial_errors_total", map[string]string{"rig": rigName}) > 0
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	second, err := b.twin.WaitPath(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the meta to be published again", func() bool { return len(b.metaList()) == 2 })
	b.waitPolls(3)
	b.stop()

	if got := b.twin.Counters().Hangups; got != 1 {
		t.Errorf("twin hung up %d times, want 1", got)
	}
	if got := b.polls("error"); got < 1 {
		t.Errorf("polls{error} = %v, want failures while the port was away", got)
	}
	metas := b.metaList()
	if len(metas) != 2 || metas[1].Model != testIdentity.Model || metas[1].Serial != testIdentity.Serial {
		t.Errorf("metas after reconnect: %+v, want the identity twice", metas)
	}
	// One warning for the whole outage, however many polls failed, and one line when it ended.
	if n, _ := b.logs.count("poll: rig not answering", "err"); n != 1 {
		t.Errorf("logged %q %d times, want once", "poll: rig not answering", n)
	}
	if n, port := b.logs.count("poll: rig answering again", "port"); n != 1 || port != second {
		t.Errorf("logged %q %d times, last on port %q; want once, on %s", "poll: rig answering again", n, port, second)
	}
	b.assertServedMatchesOutbox()
}

// Cancelling Run while the rig answers slowly still ends Run: it finishes the poll in progress
// (whose readings the rig has already sent) and returns.
func TestPollRunReturnsAfterCancel(t *testing.T) {
	b := newBench(t, fastPolls)
	b.waitPolls(1)
	if err := b.twin.InjectFault(simrig.Fault{Kind: simrig.FaultSlow, Delay: 200 * time.Millisecond, Count: 1}); err != nil {
		t.Fatal(err)
	}
	// Delays counts when the twin takes the request, 200 ms before it replies: cancel in between.
	waitUntil(t, "the slow request", func() bool { return b.twin.Counters().Delays > 0 })
	b.stop() // fails the test if Run does not return
	if got := b.twin.Counters().SnapshotReplies; got < 2 {
		t.Errorf("twin served %d snapshots, want the slow one after the first", got)
	}
	b.assertServedMatchesOutbox() // so the slow reply, sent after the cancel, was stored
	// A command that comes after Run returned (the agent is draining) is refused at once.
	if _, err := b.poller.Do(context.Background(), poll.CmdStatus, nil); !errors.Is(err, poll.ErrStopped) {
		t.Errorf("Do after Run returned: %v, want ErrStopped", err)
	}
}

// Hang-ups aimed at the instant a snapshot reply has just been written, when it is still on its
// way to the poller, leave the twin's count and the outbox equal all the same: such a reply is
// lost to the client, and the twin takes it back from the line and does not count it. Before the
// twin did that, most of these hang-ups left it a snapshot ahead of the outbox.
func TestPollCountsExactAcrossHangups(t *testing.T) {
	b := newBench(t, 2*time.Millisecond)
	const hangups = 8
	for i := range hangups {
		b.waitPolls(2)
		served := b.twin.Counters().SnapshotReplies
		deadline := time.Now().Add(waitLimit)
		for b.twin.Counters().SnapshotReplies == served { // spin: a sleep would miss the instant
			if time.Now().After(deadline) {
				t.Fatal("timed out waiting for a snapshot reply")
			}
			runtime.Gosched()
		}
		if err := b.twin.InjectFault(simrig.Fault{Kind: simrig.FaultHangup, Down: 20 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the hang-up", func() bool { return b.twin.Counters().Hangups == int64(i+1) })
	}
	b.waitPolls(2)
	b.stop()
	if n := len(b.metaList()); n != hangups+1 {
		t.Errorf("OnMeta called %d times across %d hang-ups, want once more than that", n, hangups)
	}
	b.assertServedMatchesOutbox()
}
