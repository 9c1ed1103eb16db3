package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// ErrInvalid marks an Append the outbox refuses: a bad device name or a reading the lab would reject.
// Refusing it here keeps a poison row from blocking the lab's contiguous Ack for ever.
var ErrInvalid = errors.New("invalid reading")

// Append stores the readings of one device and returns the seqs they received, from..to inclusive
// and contiguous, in the order of rs. When it returns without error the readings are committed (see
// the package documentation for what synchronous=NORMAL means on power loss). An empty rs stores
// nothing and returns 0, 0.
//
// Appends from several goroutines (one poller per rig) are committed together: the outbox's writer
// takes every Append waiting and stores them in one transaction, so forty rigs polled back to back
// cost one commit per turn, not forty, and an Append waits at most for the commit before its own.
// ctx bounds the wait to be taken; once taken, the Append waits for its commit, so an error always
// means the readings were not stored.
func (o *Outbox) Append(ctx context.Context, dev string, rs []telemetry.Reading) (from, to int64, err error) {
	if err := validate(dev, rs); err != nil {
		return 0, 0, fmt.Errorf("outbox: append %s: %w", dev, err)
	}
	if len(rs) == 0 {
		return 0, 0, nil
	}
	req := &appendReq{dev: dev, rs: rs, done: make(chan struct{})}
	select {
	case o.w.reqs <- req:
	case <-ctx.Done():
		return 0, 0, fmt.Errorf("outbox: append %s: %w", dev, ctx.Err())
	case <-o.w.stop:
		return 0, 0, fmt.Errorf("outbox: append %s: %w", dev, ErrClosed)
	}
	select {
	case <-req.done:
	case <-o.w.stopped:
		select {
		case <-req.done: // taken and committed (or failed) before the writer stopped
		default: // queued after the writer's last turn: never written
			return 0, 0, fmt.Errorf("outbox: append %s: %w", dev, ErrClosed)
		}
	}
	if req.err != nil {
		return 0, 0, fmt.Errorf("outbox: append %s: %w", dev, req.err)
	}
	return req.from, req.to, nil
}

// ErrClosed answers an Append on an outbox being closed.
var ErrClosed = errors.New("outbox closed")

func validate(dev string, rs []telemetry.Reading) error {
	if !telemetry.ValidName(dev) {
		return fmt.Errorf("%w: device name %q", ErrInvalid, dev)
	}
	for i, r := range rs {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("%w: reading %d: %w", ErrInvalid, i, err)
		}
	}
	return nil
}

// appendReq is one Append waiting for the writer: the writer fills from, to and err, then closes
// done.
type appendReq struct {
	dev      string
	rs       []telemetry.Reading
	from, to int64
	err      error
	done     chan struct{}
}

// maxGroup is how many Appends one transaction takes at most, so a commit stays short.
const maxGroup = 256

// writer is the goroutine that commits Appends in groups.
type writer struct {
	reqs     chan *appendReq
	stop     chan struct{} // closed by Close: take no more Appends
	stopped  chan struct{} // closed when the writer has finished its last group
	stopOnce sync.Once
}

func newWriter() writer {
	return writer{reqs: make(chan *appendReq, maxGroup), stop: make(chan struct{}), stopped: make(chan struct{})}
}

// write runs until Close, committing every Append waiting as one transaction. On Close it still
// commits what was queued before it, so no Append that got in is dropped.
func (o *Outbox) write() {
	defer close(o.w.stopped)
	group := make([]*appendReq, 0, maxGroup)
	for {
		stopping := false
		select {
		case r := <-o.w.reqs:
			group = append(group[:0], r)
		case <-o.w.stop:
			group, stopping = group[:0], true
		}
		if group = o.w.drain(group); len(group) > 0 {
			o.commitGroup(group)
		}
		if stopping {
			return
		}
	}
}

// drain adds the Appends already waiting to group, up to maxGroup, without blocking.
func (w *writer) drain(group []*appendReq) []*appendReq {
	for len(group) < maxGroup {
		select {
		case r := <-w.reqs:
			group = append(group, r)
		default:
			return group
		}
	}
	return group
}

// commitGroup stores the group in one transaction and answers every Append in it.
func (o *Outbox) commitGroup(group []*appendReq) {
	dropped, err := o.appendTx(context.Background(), group)
	if err == nil {
		var floor int64 // the row cap deleted seqs up to here in the same transaction
		if dropped > 0 {
			floor = group[len(group)-1].to - o.max
		}
		o.tail.add(committedRows(group), floor)
	}
	if err == nil && dropped > 0 {
		o.dropped.Add(dropped)
		newest := group[len(group)-1].to
		o.log.Warn("outbox: row cap reached, oldest readings dropped unsent",
			"dropped", dropped, "through_seq", newest-o.max, "max_rows", o.max, "epoch", o.epoch)
	}
	for _, r := range group {
		if err != nil {
			r.err = err
		}
		close(r.done)
	}
}

// committedRows is the group as Pending returns it.
func committedRows(group []*appendReq) []Row {
	n := 0
	for _, r := range group {
		n += len(r.rs)
	}
	rows := make([]Row, 0, n)
	for _, r := range group {
		for i, rd := range r.rs {
			rows = append(rows, Row{Seq: r.from + int64(i), Dev: r.dev, Reading: rd})
		}
	}
	return rows
}

// appendTx inserts every request's readings, in order, in one transaction, and records the seqs
// each received.
func (o *Outbox) appendTx(ctx context.Context, group []*appendReq) (dropped int64, err error) {
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() // a no-op after Commit
	for _, req := range group {
		if req.from, req.to, err = o.insertRows(ctx, tx, req.dev, req.rs); err != nil {
			return 0, err
		}
	}
	if dropped, err = o.enforceCap(ctx, tx, group[len(group)-1].to); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return dropped, nil
}

// insertChunk is the most readings one INSERT statement carries.
const insertChunk = 32

// insertRows inserts one device's readings, up to insertChunk per statement, and returns the seqs
// they received.
func (o *Outbox) insertRows(ctx context.Context, tx *sql.Tx, dev string, rs []telemetry.Reading) (from, to int64, err error) {
	args := make([]any, 0, 6*min(len(rs), insertChunk))
	for i := 0; i < len(rs); i += insertChunk {
		chunk := rs[i:min(i+insertChunk, len(rs))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, dev, r.Ch, r.T, r.V, r.U, r.Q)
		}
		res, err := tx.StmtContext(ctx, o.inserts[len(chunk)]).ExecContext(ctx, args...)
		if err != nil {
			return 0, 0, fmt.Errorf("insert: %w", err)
		}
		last, err := res.LastInsertId()
		if err != nil {
			return 0, 0, fmt.Errorf("insert: %w", err)
		}
		// AUTOINCREMENT numbers a statement's rows in order, and the write lock is held for the
		// whole transaction, so chunks follow each other; checked because every seq range the
		// lab sees depends on it.
		if i > 0 && last-to != int64(len(chunk)) {
			return 0, 0, fmt.Errorf("seqs ..%d then ..%d not contiguous for %d readings", to, last, len(chunk))
		}
		if i == 0 {
			from = last - int64(len(chunk)) + 1
		}
		to = last
	}
	return from, to, nil
}

// enforceCap keeps the newest MaxRows seqs. Rows only ever leave the outbox as a prefix (Ack and
// this cap both delete seq <= n), so the stored seqs are always one contiguous range ending at the
// newest, and "seq <= newest-MaxRows" is exactly the excess, found without counting rows.
func (o *Outbox) enforceCap(ctx context.Context, tx *sql.Tx, newest int64) (int64, error) {
	if o.max == 0 || newest <= o.max {
		return 0, nil
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM readings WHERE seq <= ?`, newest-o.max)
	if err != nil {
		return 0, fmt.Errorf("drop oldest: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("drop oldest: %w", err)
	}
	return n, nil
}

// Pending returns up to limit rows with seq > afterSeq, oldest first. The forwarder passes the last
// seq it published to page forward, or 0 to start again from the oldest unacknowledged row. Every
// row it returns is on disk (it flushes first when needed), so a reading that reached the lab is
// never rolled back by a power cut and its seq never handed to another reading.
func (o *Outbox) Pending(ctx context.Context, afterSeq int64, limit int) ([]Row, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("outbox: pending: limit %d must be positive", limit)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	out, ok := o.tail.page(afterSeq, limit)
	if !ok {
		var err error
		if out, err = o.selectPending(ctx, afterSeq, limit); err != nil {
			return nil, err
		}
	}
	if len(out) > 0 {
		last := out[len(out)-1].Seq
		if last > o.durable.Load() {
			// These rows were committed before they were read, so a flush now puts them on
			// disk: nothing is published that a power cut could still roll back.
			if err := o.flush(ctx, last); err != nil {
				return nil, err
			}
		}
		o.raiseHanded(last)
	}
	return out, nil
}

// selectPending reads a page from the database: rows older than the in-memory tail.
func (o *Outbox) selectPending(ctx context.Context, afterSeq int64, limit int) ([]Row, error) {
	// A page is milliseconds of work. Under a context that can end, the driver watches it with a
	// goroutine for every row stepped (15 % of the agent's CPU at 50k readings/s), so the query
	// runs without it. The price: a forwarder waiting here for the one connection cannot be
	// cancelled while the writer holds it; only a disk that hangs makes that wait long, and then
	// Close waits for the writer anyway.
	rows, err := o.pending.QueryContext(context.WithoutCancel(ctx), afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	defer rows.Close()
	out := make([]Row, 0, min(limit, 1024))
	for rows.Next() {
		var w Row
		r := &w.Reading
		if err := rows.Scan(&w.Seq, &w.Dev, &r.Ch, &r.T, &r.V, &r.U, &r.Q); err != nil {
			return nil, fmt.Errorf("outbox: pending: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	return out, nil
}

func (o *Outbox) raiseHanded(seq int64) {
	for {
		cur := o.handed.Load()
		if seq <= cur || o.handed.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// Ack deletes the rows with seq <= seq when epoch is this outbox's epoch, and reports how many went.
// An ack for another epoch (an older outbox file, say) deletes nothing and is not an error; acks are
// idempotent. An ack beyond every seq Pending has handed out is clamped to the highest one handed out
// and logged: the lab cannot have stored readings it was never sent, and honouring such an ack would
// delete rows appended later before they were ever published.
func (o *Outbox) Ack(ctx context.Context, epoch, seq int64) (deleted int64, err error) {
	if epoch != o.epoch {
		o.log.Debug("outbox: ack for another epoch ignored", "epoch", epoch, "ours", o.epoch, "seq", seq)
		return 0, nil
	}
	if handed := o.handed.Load(); seq > handed {
		o.log.Warn("outbox: ack beyond the readings handed out, clamped",
			"epoch", epoch, "seq", seq, "handed_out", handed)
		seq = handed
	}
	if seq <= 0 {
		return 0, nil
	}
	res, err := o.db.ExecContext(ctx, `DELETE FROM readings WHERE seq <= ?`, seq)
	if err != nil {
		return 0, fmt.Errorf("outbox: ack %d/%d: %w", epoch, seq, err)
	}
	o.tail.trim(seq)
	if deleted, err = res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("outbox: ack %d/%d: %w", epoch, seq, err)
	}
	return deleted, nil
}

// Depth is the number of rows waiting for an Ack. It costs two index lookups, not a table scan,
// because the stored seqs are always one contiguous range (see enforceCap), so it is cheap enough
// for a metrics gauge on a backlog of millions.
func (o *Outbox) Depth(ctx context.Context) (int64, error) {
	var n int64
	err := o.db.QueryRowContext(ctx, `SELECT coalesce(
		(SELECT max(seq) FROM readings) - (SELECT min(seq) FROM readings) + 1, 0)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("outbox: depth: %w", err)
	}
	return n, nil
}

// Oldest is the reading time of the oldest waiting row, the age of the backlog; the zero Time when
// the outbox is empty.
func (o *Outbox) Oldest(ctx context.Context) (time.Time, error) {
	var ns int64
	err := o.db.QueryRowContext(ctx, `SELECT coalesce(t_ns, 0) FROM readings ORDER BY seq LIMIT 1`).Scan(&ns)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("outbox: oldest: %w", err)
	}
	return time.Unix(0, ns).UTC(), nil
}

// LastSeq is the highest seq ever assigned in this epoch, 0 before the first Append. It survives
// Ack and restarts, like the seqs themselves.
func (o *Outbox) LastSeq(ctx context.Context) (int64, error) {
	s, err := o.lastSeq(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox: last seq: %w", err)
	}
	return s, nil
}

// lastSeq reads AUTOINCREMENT's own high-water mark, which is kept even when every row is deleted.
func (o *Outbox) lastSeq(ctx context.Context) (int64, error) {
	var s int64
	err := o.db.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'readings'`).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read sqlite_sequence: %w", err)
	}
	return s, nil
}
