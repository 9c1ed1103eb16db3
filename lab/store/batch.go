package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// insertChunk is how many readings one INSERT statement carries; 11 parameters each stays far
// below SQLite's parameter limit while saving most per-statement overhead.
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
// the same per-message semantics as StoreBatch. An invalid message is refused on its own; an
// error of the database fails them all (returned as the error) and nothing is committed.
func (s *Store) StoreBatches(ctx context.Context, in []BatchIn) ([]BatchOut, error) {
	out := make([]BatchOut, len(in))
	valid := 0
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
	if valid == 0 {
		return out, nil
	}
	now := time.Now().UnixNano()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: batches: begin: %w", err)
	}
	defer rollback(tx)
	seen := map[string]bool{}
	for i, m := range in {
		if out[i].Err != nil {
			continue
		}
		got, err := storeOne(ctx, tx, m.Agent, m.Dev, m.Batch, now)
		if err != nil {
			return nil, fmt.Errorf("store: batch of %s/%s: %w", m.Agent, m.Dev, err)
		}
		out[i].Stored = got
		if !seen[m.Agent] {
			seen[m.Agent] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO agents (agent, last_seen_ns) VALUES (?, ?)
				ON CONFLICT (agent) DO UPDATE SET last_seen_ns = excluded.last_seen_ns`, m.Agent, now); err != nil {
				return nil, fmt.Errorf("store: batch of %s/%s: last seen: %w", m.Agent, m.Dev, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: batches: commit: %w", err)
	}
	return out, nil
}

// storeOne inserts one message's readings inside tx, keeps its conflicts and moves its watermark.
func storeOne(ctx context.Context, tx *sql.Tx, agent, dev string, b telemetry.Batch, now int64) (Stored, error) {
	var out Stored
	for i := 0; i < len(b.R); i += insertChunk {
		n, err := insertReadings(ctx, tx, agent, dev, b, i, min(i+insertChunk, len(b.R)), now)
		if err != nil {
			return out, err
		}
		out.Inserted += n
	}
	var err error
	if out.Inserted < len(b.R) { // only resends pay for the comparison
		if out.Conflicts, err = keepConflicts(ctx, tx, agent, dev, b, now); err != nil {
			return out, err
		}
	}
	out.Duplicates = len(b.R) - out.Inserted - out.Conflicts
	if out.Watermark, err = advanceWatermark(ctx, tx, agent, b); err != nil {
		return out, err
	}
	return out, nil
}

// keepConflicts compares the batch with what is stored under its keys and copies every reading
// whose stored twin differs into conflicts (once per key and content). It returns how many of the
// batch's readings conflict.
func keepConflicts(ctx context.Context, tx *sql.Tx, agent, dev string, b telemetry.Batch, now int64) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, dev, ch, t_ns, val, unit, q FROM readings
		WHERE agent = ? AND epoch = ? AND seq BETWEEN ? AND ?`, agent, b.Epoch, b.SeqFrom, b.SeqTo)
	if err != nil {
		return 0, fmt.Errorf("compare resent readings: %w", err)
	}
	type stored struct {
		dev string
		r   telemetry.Reading
	}
	have := make(map[int64]stored, len(b.R))
	for rows.Next() {
		var seq int64
		var st stored
		if err := rows.Scan(&seq, &st.dev, &st.r.Ch, &st.r.T, &st.r.V, &st.r.U, &st.r.Q); err != nil {
			rows.Close()
			return 0, fmt.Errorf("compare resent readings: %w", err)
		}
		have[seq] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("compare resent readings: %w", err)
	}
	n := 0
	for i, r := range b.R {
		seq := b.SeqFrom + int64(i)
		if st, ok := have[seq]; !ok || (st.dev == dev && st.r == r) {
			continue
		}
		n++
		_, err := tx.ExecContext(ctx, `INSERT INTO conflicts (agent, epoch, seq, dev, ch, t_ns, val, unit, q, received_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			agent, b.Epoch, seq, dev, r.Ch, r.T, r.V, r.U, r.Q, now)
		if err != nil {
			return 0, fmt.Errorf("keep conflicting reading %d: %w", seq, err)
		}
	}
	return n, nil
}

// insertReadings inserts readings b.R[from:to] in one statement and returns how many were new.
func insertReadings(ctx context.Context, tx *sql.Tx, agent, dev string, b telemetry.Batch, from, to int, now int64) (int, error) {
	var q strings.Builder
	q.WriteString(`INSERT INTO readings (agent, epoch, seq, dev, ch, t_ns, val, unit, q, replay, received_ns) VALUES `)
	args := make([]any, 0, (to-from)*11)
	for i := from; i < to; i++ {
		if i > from {
			q.WriteByte(',')
		}
		q.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
		r := b.R[i]
		args = append(args, agent, b.Epoch, b.SeqFrom+int64(i), dev, r.Ch, r.T, r.V, r.U, r.Q, b.Replay, now)
	}
	q.WriteString(` ON CONFLICT (agent, epoch, seq) DO NOTHING`)
	res, err := tx.ExecContext(ctx, q.String(), args...)
	if err != nil {
		return 0, fmt.Errorf("insert readings: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("insert readings: %w", err)
	}
	return int(n), nil
}

// advanceWatermark moves the stored watermark of (agent, b.Epoch) past b if b joins it. The stored
// value is always maximal (every write goes through here), so if b does not contain wm+1 nothing
// can have changed; if it does, the new watermark is the end of the run of stored seqs through
// b.SeqTo, which one index walk finds.
func advanceWatermark(ctx context.Context, tx *sql.Tx, agent string, b telemetry.Batch) (int64, error) {
	var wm int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM watermarks WHERE agent = ? AND epoch = ?`,
		agent, b.Epoch).Scan(&wm)
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("read watermark: %w", err)
	}
	if b.SeqFrom > wm+1 || b.SeqTo <= wm {
		return wm, nil
	}
	err = tx.QueryRowContext(ctx, `SELECT r.seq FROM readings r
		WHERE r.agent = ?1 AND r.epoch = ?2 AND r.seq >= ?3 AND NOT EXISTS (
			SELECT 1 FROM readings n WHERE n.agent = ?1 AND n.epoch = ?2 AND n.seq = r.seq + 1)
		ORDER BY r.seq LIMIT 1`, agent, b.Epoch, b.SeqTo).Scan(&wm)
	if err != nil {
		return 0, fmt.Errorf("find end of run after %d: %w", b.SeqTo, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO watermarks (agent, epoch, seq) VALUES (?, ?, ?)
		ON CONFLICT (agent, epoch) DO UPDATE SET seq = excluded.seq`, agent, b.Epoch, wm)
	if err != nil {
		return 0, fmt.Errorf("write watermark: %w", err)
	}
	return wm, nil
}
