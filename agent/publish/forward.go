package publish

import (
	"context"
	"log/slog"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/outbox"
	"github.com/onestop-station/onestop/agent/telemetry"
)

// cursor is the forwarder's position in the outbox. Rows with seq ≤ liveMark were there when the
// connection (or the last rewind) began: they go out as replay, rate-limited. Later rows are live.
type cursor struct {
	liveMark  int64     // rows up to here are replay
	live      int64     // highest live seq published
	replay    int64     // highest replay seq published
	applied   int64     // highest ack applied to the outbox
	waitSince time.Time // when we last saw ack progress with rows outstanding
	tokens    float64   // replay budget, refilled at ReplayRate
	refilled  time.Time
}

const tick = 100 * time.Millisecond

// alwaysReady is a closed channel: a select on it never waits.
var alwaysReady = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (p *Publisher) forward(ctx context.Context) error {
	var c cursor
	connected := false
	t := time.NewTicker(tick)
	defer t.Stop()
	var lag lagReport
	lastLag := time.Time{} // when the lag was last published
	more := false          // the last pump left rows waiting: go on at once
	for {
		var again <-chan struct{}
		if more {
			again = alwaysReady
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.conns:
			connected = true
			p.rewind(ctx, &c, "connected")
		case <-p.wake:
		case <-t.C:
		case <-again:
		}
		more = false
		p.applyAcks(ctx, &c)
		if time.Since(lag.at) >= min(time.Second, p.opts.LagEvery) {
			lag = p.measureLag(ctx, lag)
		}
		if !connected || !p.client.IsConnectionOpen() {
			continue
		}
		if time.Since(lastLag) >= p.opts.LagEvery && !lag.at.IsZero() {
			p.publishLag(lag)
			lastLag = time.Now()
		}
		var err error
		if more, err = p.pump(ctx, &c); err != nil {
			slog.Warn("publish: forwarding paused", "err", err)
			continue
		}
		p.checkStall(ctx, &c)
	}
}

// rewind restarts publishing from the last acknowledged seq: everything not yet acknowledged
// is sent again as replay.
func (p *Publisher) rewind(ctx context.Context, c *cursor, why string) {
	p.opts.Metrics.Rewinds.WithLabelValues(why).Inc()
	last, err := p.src.LastSeq(ctx)
	if err != nil {
		slog.Error("publish: outbox last seq", "err", err)
	}
	// Rows below the oldest one still waiting were acknowledged, maybe by an earlier run of the
	// agent: count them as applied, or an idle agent would wait for acks that never come.
	if first, err := p.src.Pending(ctx, 0, 1); err == nil {
		floor := last
		if len(first) > 0 {
			floor = first[0].Seq - 1
		}
		c.applied = max(c.applied, floor)
	}
	c.liveMark = max(last, c.live)
	c.live = c.liveMark
	c.replay = max(p.acked.Load(), c.applied)
	c.waitSince = time.Now()
	c.tokens, c.refilled = 0, time.Now()
	if c.replay < c.liveMark {
		slog.Info("publish: replaying unacknowledged readings", "why", why, "from", c.replay+1, "to", c.liveMark)
	}
}

func (p *Publisher) applyAcks(ctx context.Context, c *cursor) {
	a := p.acked.Load()
	if a <= c.applied {
		return
	}
	a = p.clampAck(ctx, c, a)
	if a <= c.applied {
		return
	}
	n, err := p.src.Ack(ctx, p.epoch, a)
	if err != nil {
		slog.Error("publish: outbox ack", "seq", a, "err", err)
		return
	}
	p.opts.Metrics.Acked.Add(float64(n))
	c.applied = a
	c.waitSince = time.Now()
}

// clampAck keeps an ack from deleting rows this run has not sent when the lab holds seqs this
// outbox never assigned: the file went back in time (an older copy restored), so the lab's
// watermark covers other readings under the same seqs. Only rows sent in this run count then —
// the replay up to where it has got, then the live ones. An ack within the assigned seqs is
// honoured as it is: the lab may hold rows an earlier run sent before it stopped.
func (p *Publisher) clampAck(ctx context.Context, c *cursor, a int64) int64 {
	if a <= max(c.live, c.replay) {
		return a
	}
	last, err := p.src.LastSeq(ctx)
	if err != nil || a <= last {
		return a
	}
	sent := c.live
	if c.replay < c.liveMark {
		sent = c.replay // rows between the replay and the live mark are not sent yet
	}
	return min(a, max(sent, c.applied))
}

// pump publishes one page of live rows and one replay slice, so replay interleaves with live
// data, and says whether the page was full (more live rows may wait). It returns after one page so
// that under a steady stream the forwarder's loop still applies acks, measures and reports the lag
// and checks for stalls between pages. A page (Opts.PageRows) costs one disk flush whatever its
// size (Pending makes its rows durable, and the outbox's writer waits for it), so under load pages
// grow to what arrived during the last one instead of flushing every BatchMax rows.
func (p *Publisher) pump(ctx context.Context, c *cursor) (more bool, err error) {
	rows, err := p.src.Pending(ctx, max(c.live, c.applied), p.opts.PageRows)
	if err != nil {
		return false, err
	}
	if len(rows) > 0 {
		if err := p.publishRows(rows, false, &c.live); err != nil {
			return false, err
		}
	}
	return len(rows) == p.opts.PageRows, p.replaySlice(ctx, c)
}

func (p *Publisher) replaySlice(ctx context.Context, c *cursor) error {
	if c.replay >= c.liveMark {
		return nil
	}
	now := time.Now()
	rate := float64(p.opts.ReplayRate)
	c.tokens = min(c.tokens+now.Sub(c.refilled).Seconds()*rate, max(rate/5, 1))
	c.refilled = now
	n := min(int(c.tokens), p.opts.PageRows)
	if n < 1 {
		return nil
	}
	rows, err := p.src.Pending(ctx, max(c.replay, c.applied), n)
	if err != nil {
		return err
	}
	end := 0
	for end < len(rows) && rows[end].Seq <= c.liveMark {
		end++
	}
	if end == 0 {
		c.replay = c.liveMark
		return nil
	}
	c.tokens -= float64(end)
	return p.publishRows(rows[:end], true, &c.replay)
}

// checkStall rewinds when published rows have waited AckTimeout for the lab while it is online:
// a message lost between broker and lab (or a lab restarted before storing) is sent again.
func (p *Publisher) checkStall(ctx context.Context, c *cursor) {
	outstanding := max(c.live, c.replay) > c.applied
	if !outstanding {
		c.waitSince = time.Now()
		return
	}
	if p.labUp.Load() && time.Since(c.waitSince) > p.opts.AckTimeout {
		p.rewind(ctx, c, "ack_timeout")
	}
}

// publishRows sends rows (oldest first) as batches of one device and contiguous seqs, advancing
// *pos past every batch the broker accepted. All batches go out before the first PUBACK is awaited:
// forty rigs' snapshots are forty messages a page, and waiting for each round trip in turn capped
// the agent at a few thousand messages a second. The broker acknowledges a connection's QoS 1
// messages in order, so *pos moves through the accepted prefix and a failure stops it there (what
// follows is sent again; the lab drops resends).
func (p *Publisher) publishRows(rows []outbox.Row, replay bool, pos *int64) error {
	type sent struct {
		tok mqtt.Token
		to  int64
		n   int
	}
	var out []sent
	for len(rows) > 0 {
		n := 1
		for n < len(rows) && n < p.opts.BatchMax && rows[n].Dev == rows[0].Dev && rows[n].Seq == rows[n-1].Seq+1 {
			n++
		}
		b := telemetry.Batch{V: telemetry.Version, Epoch: p.epoch, SeqFrom: rows[0].Seq, SeqTo: rows[n-1].Seq, Replay: replay}
		b.R = make([]telemetry.Reading, 0, n)
		for _, r := range rows[:n] {
			b.R = append(b.R, r.Reading)
		}
		payload, err := telemetry.Encode(b)
		if err != nil {
			return err
		}
		t := p.client.Publish(telemetry.DataTopic(p.opts.Site, p.opts.Agent, rows[0].Dev), 1, false, payload)
		out = append(out, sent{t, b.SeqTo, n})
		rows = rows[n:]
	}
	for _, s := range out {
		// Each PUBACK gets the whole WaitTimeout from when the one before came: a page of
		// hundreds of messages on a slow link still moves, one stalled message still stops it.
		if !s.tok.WaitTimeout(p.opts.WaitTimeout) {
			return errNotSent
		}
		if err := s.tok.Error(); err != nil {
			return err
		}
		p.opts.Metrics.Published.Add(float64(s.n))
		if replay {
			p.opts.Metrics.Replayed.Add(float64(s.n))
		}
		*pos = max(*pos, s.to)
	}
	return nil
}

// lagReport is how far behind the lab the outbox is: rows waiting for an ack and the age of the
// oldest, measured at at.
type lagReport struct {
	depth  int64
	oldest time.Duration
	at     time.Time
}

// measureLag refreshes the lag gauges; on a failed query it keeps the last report but moves its
// time on, so a broken outbox is retried once a second, not on every turn.
func (p *Publisher) measureLag(ctx context.Context, last lagReport) lagReport {
	now := time.Now()
	last.at = now
	d, err := p.src.Depth(ctx)
	var old time.Time
	if err == nil {
		old, err = p.src.Oldest(ctx)
	}
	if err != nil {
		if ctx.Err() == nil {
			slog.Warn("publish: outbox lag not measured", "err", err)
		}
		return last
	}
	r := lagReport{depth: d, at: now}
	if d > 0 && !old.IsZero() {
		r.oldest = max(now.Sub(old), 0) // a sample time ahead of this clock is no lag
	}
	p.opts.Metrics.OutboxDepth.Set(float64(r.depth))
	p.opts.Metrics.OldestAge.Set(r.oldest.Seconds())
	return r
}

// publishLag republishes the retained online status with the lag, so the lab can show an agent
// that falls behind. It does not wait for the PUBACK: the next report follows in LagEvery, and the
// forwarder must not stall on a slow broker. The last will still replaces it when the agent goes.
func (p *Publisher) publishLag(r lagReport) {
	b, err := telemetry.Encode(telemetry.Status{V: telemetry.Version, State: telemetry.StateOnline, Epoch: p.epoch,
		Version: p.opts.Version, Depth: r.depth, OldestMs: r.oldest.Milliseconds(), At: r.at.UnixMilli(),
		Lost: p.opts.Metrics.LostReadings()})
	if err != nil {
		return
	}
	p.client.Publish(telemetry.StatusTopic(p.opts.Site, p.opts.Agent), 1, true, b)
}
