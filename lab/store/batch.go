package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// insertChunk is how many readings one INSERT statement carries at most; 5 parameters each stays
// far below SQLite's parameter limit while saving most per-statement overhead. An INSERT is
// prepared per row count used, so at most insertChunk of them.
const insertChunk = 100

// Stored says what StoreBatch did with a batch.
type Stored struct {
	Inserted   int   // readings new to the store
	Duplicates int   // readings already stored under their key with the same content (a resend)
	Conflicts  int   // readings whose key was stored with different content: kept in conflicts, not in readings
	Watermark  int64 // of (agent, epoch) after the commit
}

// StoreBatch stores the readings of one data message from agent's device dev, each at most once,
// in one transaction, and returns what it did and the watermark of (agent, b.Epoch) after the
// commit. A reading whose key (agent, epoch, seq) is already stored with other content — the
// agent reused a seq it had already sent, e.g. after its outbox was restored from an older copy —
// is a conflict: it is kept in the conflicts table (ConflictRows), never silently dropped.
func (s *Store) StoreBatch(ctx context.Context, agent, dev string, b telemetry.Batch) (Stored, error) {
	out, err := s.StoreBatches(ctx, []BatchIn{{Agent: agent, Dev: dev, Batch: b}})
	if err != nil {
		return Stored{}, err
	}
	return out[0].Stored, out[0].Err
}

// BatchIn is one data message for StoreBatches.
type BatchIn struct {
	Agent, Dev string
	Batch      telemetry.Batch
}

// BatchOut is what StoreBatches did with one message: Err is set (and nothing of it stored) when
// the message itself is invalid.
type BatchOut struct {
	Stored
	Err error
}

// StoreBatches stores several data messages in ONE transaction (one disk flush for all of them;
// with messages of one snapshot each, the flush per message, not the CPU, bounds the rate), with
// the same per-message semantics as StoreBatch: every message's Watermark is that of its
// (agent, epoch) after the commit, so messages of one (agent, epoch) all get the same value. An
// invalid message is refused on its own; an error of the database fails them all (returned as the
// error) and nothing is committed.
func (s *Store) StoreBatches(ctx context.Context, in []BatchIn) ([]BatchOut, error) {
	out, valid := validate(in)
	if valid == 0 {
		return out, nil
	}
	ss := spans(in, out)
	// Before BEGIN: preparing needs the writer's one connection, which the transaction holds.
	inserts, err := s.ws.inserts(ctx, insertSizes(in, ss))
	if err != nil {
		return nil, fmt.Errorf("store: batches: %w", err)
	}
	now := time.Now().UnixNano()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: batches: begin: %w", err)
	}
	defer rollback(tx)
	// The statements run under a context that cannot end: modernc.org/sqlite starts a watcher
	// goroutine for every statement run under one that can, a fifth of the CPU with the
	// ingest's. The group still ends with ctx: it is checked between spans, and database/sql
	// rolls back a transaction whose context ended.
	w := s.ws.inTx(context.WithoutCancel(ctx), tx, inserts)
	for _, sp := range ss {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("store: batches: %w", err)
		}
		if err := w.storeSpan(in[sp.from:sp.to], out[sp.from:sp.to], sp.n, now); err != nil {
			m := in[sp.from]
			return nil, fmt.Errorf("store: batch of %s/%s: %w", m.Agent, m.Dev, err)
		}
	}
	if err := w.advanceWatermarks(in, out); err != nil {
		return nil, fmt.Errorf("store: batches: %w", err)
	}
	if err := w.markSeen(in, out, now); err != nil {
		return nil, fmt.Errorf("store: batches: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: batches: commit: %w", err)
	}
	return out, nil
}

// validate sets Err of every message the store refuses and counts the others.
func validate(in []BatchIn) (out []BatchOut, valid int) {
	out = make([]BatchOut, len(in))
	for i, m := range in {
		switch {
		case !telemetry.ValidName(m.Agent) || !telemetry.ValidName(m.Dev):
			out[i].Err = fmt.Errorf("%w: agent %q dev %q", ErrInvalid, m.Agent, m.Dev)
		default:
			if err := m.Batch.Validate(); err != nil {
				out[i].Err = fmt.Errorf("store: batch of %s/%s: %w", m.Agent, m.Dev, err)
			} else {
				valid++
			}
		}
	}
	return out, valid
}

// span is a run of valid messages in[from:to] that one INSERT can carry: n readings in all, of
// one agent, device, epoch and replay flag, each message's seqs following the previous one's.
// An agent sending snapshot after snapshot of one device makes such runs.
type span struct{ from, to, n int }

// spans splits the valid messages of in into spans, in order; a span may be one message.
func spans(in []BatchIn, out []BatchOut) []span {
	var ss []span
	for i := 0; i < len(in); i++ {
		if out[i].Err != nil {
			continue
		}
		sp := span{from: i, to: i + 1, n: len(in[i].Batch.R)}
		for sp.to < len(in) && out[sp.to].Err == nil && follows(in[sp.to-1], in[sp.to]) &&
			sp.n+len(in[sp.to].Batch.R) <= insertChunk {
			sp.n += len(in[sp.to].Batch.R)
			sp.to++
		}
		ss = append(ss, sp)
		i = sp.to - 1
	}
	return ss
}

// follows tells whether next continues prev in one INSERT.
func follows(prev, next BatchIn) bool {
	return next.Agent == prev.Agent && next.Dev == prev.Dev && next.Batch.Epoch == prev.Batch.Epoch &&
		next.Batch.Replay == prev.Batch.Replay && next.Batch.SeqFrom == prev.Batch.SeqTo+1
}

// insertSizes lists the row counts of the INSERTs the spans may need: one for each span of
// several messages, and every message's own chunks in case its span is not new.
func insertSizes(in []BatchIn, ss []span) []int {
	var sizes []int
	for _, sp := range ss {
		if sp.to-sp.from > 1 {
			sizes = append(sizes, sp.n)
		}
		for _, m := range in[sp.from:sp.to] {
			for from := 0; from < len(m.Batch.R); from += insertChunk {
				sizes = append(sizes, min(len(m.Batch.R)-from, insertChunk))
			}
		}
	}
	return sizes
}

// txWrites is one StoreBatches transaction with its statements.
type txWrites struct {
	ctx     context.Context
	tx      *sql.Tx
	ws      *writeStmts
	inserts map[int]*sql.Stmt // prepared on the writer, by row count
	bound   map[*sql.Stmt]*sql.Stmt
	args    []any
}

func (ws *writeStmts) inTx(ctx context.Context, tx *sql.Tx, inserts map[int]*sql.Stmt) *txWrites {
	return &txWrites{ctx: ctx, tx: tx, ws: ws, inserts: inserts, bound: map[*sql.Stmt]*sql.Stmt{}}
}

// stmt returns st bound to the transaction, once per transaction (the transaction closes it).
func (w *txWrites) stmt(st *sql.Stmt) *sql.Stmt {
	if b, ok := w.bound[st]; ok {
		return b
	}
	b := w.tx.StmtContext(w.ctx, st)
	w.bound[st] = b
	return b
}

// storeSpan stores the messages of one span, out getting what it did with each; the watermark
// comes later. When none of the span's keys is stored yet (new readings: the usual case) one
// INSERT carries them all and each message was stored whole; else each message goes on its own,
// to count what it added.
func (w *txWrites) storeSpan(in []BatchIn, out []BatchOut, n int, now int64) error {
	if len(in) > 1 {
		first, last := in[0].Batch, in[len(in)-1].Batch
		var stored bool
		err := w.stmt(w.ws.anyStored).QueryRowContext(w.ctx, in[0].Agent, first.Epoch, first.SeqFrom, last.SeqTo).Scan(&stored)
		if err != nil {
			return fmt.Errorf("look for stored readings: %w", err)
		}
		if !stored {
			return w.insertNew(in, out, n, now)
		}
	}
	for i, m := range in {
		var err error
		if out[i].Stored, err = w.storeOne(m, now); err != nil {
			return err
		}
	}
	return nil
}

// insertNew inserts the n readings of in, none of whose keys is stored, in one statement.
func (w *txWrites) insertNew(in []BatchIn, out []BatchOut, n int, now int64) error {
	parts := make([][]telemetry.Reading, len(in))
	for i, m := range in {
		parts[i] = m.Batch.R
	}
	got, err := w.insertReadings(in[0], in[0].Batch.SeqFrom, now, parts...)
	if err != nil {
		return err
	}
	if got != n { // the write lock is held since the look: cannot happen
		return fmt.Errorf("insert readings: %d new of %d none stored", got, n)
	}
	for i, m := range in {
		out[i].Inserted = len(m.Batch.R)
	}
	return nil
}

// storeOne inserts one message's readings and keeps its conflicts.
func (w *txWrites) storeOne(m BatchIn, now int64) (Stored, error) {
	var out Stored
	agent, dev, b := m.Agent, m.Dev, m.Batch
	for i := 0; i < len(b.R); i += insertChunk {
		n, err := w.insertReadings(m, b.SeqFrom+int64(i), now, b.R[i:min(i+insertChunk, len(b.R))])
		if err != nil {
			return out, err
		}
		out.Inserted += n
	}
	if out.Inserted < len(b.R) { // only resends pay for the comparison
		var err error
		if out.Conflicts, err = w.keepConflicts(agent, dev, b, now); err != nil {
			return out, err
		}
	}
	out.Duplicates = len(b.R) - out.Inserted - out.Conflicts
	return out, nil
}

// insertReadings inserts the readings of parts, numbered on from seq, with the agent, device,
// epoch and replay flag of m, in one statement and returns how many were new.
func (w *txWrites) insertReadings(m BatchIn, seq, now int64, parts ...[]telemetry.Reading) (int, error) {
	args := append(w.args[:0], m.Agent, m.Batch.Epoch, seq, m.Dev, m.Batch.Replay, now)
	rows := 0
	for _, rs := range parts {
		for _, r := range rs {
			args = append(args, r.Ch, r.T, r.V, r.U, r.Q)
		}
		rows += len(rs)
	}
	w.args = args // database/sql copies the arguments: the next statement reuses the slice
	res, err := w.stmt(w.inserts[rows]).ExecContext(w.ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("insert readings: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("insert readings: %w", err)
	}
	return int(n), nil
}

// keepConflicts compares the batch with what is stored under its keys and copies every reading
// whose stored twin differs into conflicts (once per key and content). It returns how many of the
// batch's readings conflict.
func (w *txWrites) keepConflicts(agent, dev string, b telemetry.Batch, now int64) (int, error) {
	have, err := w.storedRange(agent, b)
	if err != nil {
		return 0, fmt.Errorf("compare resent readings: %w", err)
	}
	n := 0
	for i, r := range b.R {
		seq := b.SeqFrom + int64(i)
		if st, ok := have[seq]; !ok || (st.dev == dev && st.r == r) {
			continue
		}
		n++
		_, err := w.stmt(w.ws.keepConflict).ExecContext(w.ctx, agent, b.Epoch, seq, dev, r.Ch, r.T, r.V, r.U, r.Q, now)
		if err != nil {
			return 0, fmt.Errorf("keep conflicting reading %d: %w", seq, err)
		}
	}
	return n, nil
}

// storedReading is a reading as stored, with its device.
type storedReading struct {
	dev string
	r   telemetry.Reading
}

// storedRange returns what is stored under b's keys, by seq.
func (w *txWrites) storedRange(agent string, b telemetry.Batch) (map[int64]storedReading, error) {
	rows, err := w.stmt(w.ws.storedRange).QueryContext(w.ctx, agent, b.Epoch, b.SeqFrom, b.SeqTo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := make(map[int64]storedReading, len(b.R))
	for rows.Next() {
		var seq int64
		var st storedReading
		if err := rows.Scan(&seq, &st.dev, &st.r.Ch, &st.r.T, &st.r.V, &st.r.U, &st.r.Q); err != nil {
			return nil, err
		}
		have[seq] = st
	}
	return have, rows.Err()
}

// epochKey is one (agent, epoch), whose watermark a transaction moves once.
type epochKey struct {
	agent string
	epoch int64
}

// advanceWatermarks moves the watermark of every (agent, epoch) the valid messages touched, once
// each after all inserts, and sets it on each of those messages.
func (w *txWrites) advanceWatermarks(in []BatchIn, out []BatchOut) error {
	var keys []epochKey // in order of first appearance: the writes are the same every run
	msgs := map[epochKey][]int{}
	for i, m := range in {
		if out[i].Err != nil {
			continue
		}
		k := epochKey{m.Agent, m.Batch.Epoch}
		if msgs[k] == nil {
			keys = append(keys, k)
		}
		msgs[k] = append(msgs[k], i)
	}
	for _, k := range keys {
		wm, err := w.advanceWatermark(k, in, msgs[k])
		if err != nil {
			return fmt.Errorf("watermark of %s epoch %d: %w", k.agent, k.epoch, err)
		}
		for _, i := range msgs[k] {
			out[i].Watermark = wm
		}
	}
	return nil
}

// advanceWatermark moves the stored watermark of k past the messages in[idx] if they join it.
// The stored value is always maximal (every write goes through here), so if no message contains
// wm+1 nothing can have changed. If one does, the messages' own ranges (all of whose keys are
// stored now: inserted, resent or in conflict) extend the run in memory, and one index walk from
// where they stop finds the end of the run — readings stored earlier beyond a gap they filled.
func (w *txWrites) advanceWatermark(k epochKey, in []BatchIn, idx []int) (int64, error) {
	var wm int64
	err := w.stmt(w.ws.watermark).QueryRowContext(w.ctx, k.agent, k.epoch).Scan(&wm)
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("read: %w", err)
	}
	run := runThrough(wm, in, idx)
	if run == wm {
		return wm, nil
	}
	if err := w.stmt(w.ws.runEnd).QueryRowContext(w.ctx, k.agent, k.epoch, run).Scan(&wm); err != nil {
		return 0, fmt.Errorf("find end of run after %d: %w", run, err)
	}
	if _, err := w.stmt(w.ws.setWatermark).ExecContext(w.ctx, k.agent, k.epoch, wm); err != nil {
		return 0, fmt.Errorf("write: %w", err)
	}
	return wm, nil
}

// runThrough returns how far the seq ranges of the messages in[idx] continue the run 1..wm
// without a gap between them; wm when none of them contains wm+1.
func runThrough(wm int64, in []BatchIn, idx []int) int64 {
	ranges := make([][2]int64, 0, len(idx))
	for _, i := range idx {
		ranges = append(ranges, [2]int64{in[i].Batch.SeqFrom, in[i].Batch.SeqTo})
	}
	slices.SortFunc(ranges, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	for _, r := range ranges {
		if r[0] > wm+1 {
			break // sorted: every later range starts beyond the gap too
		}
		wm = max(wm, r[1])
	}
	return wm
}

// markSeen records when the lab last heard from each agent of the valid messages, once per agent.
func (w *txWrites) markSeen(in []BatchIn, out []BatchOut, now int64) error {
	seen := map[string]bool{}
	for i, m := range in {
		if out[i].Err != nil || seen[m.Agent] {
			continue
		}
		seen[m.Agent] = true
		if _, err := w.stmt(w.ws.lastSeen).ExecContext(w.ctx, m.Agent, now); err != nil {
			return fmt.Errorf("last seen of %s: %w", m.Agent, err)
		}
	}
	return nil
}
