package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// Row is one stored reading with its identity and how it arrived.
type Row struct {
	Agent    string            `json:"agent"`
	Dev      string            `json:"dev"`
	Epoch    int64             `json:"epoch"`
	Seq      int64             `json:"seq"`
	Reading  telemetry.Reading `json:"reading"`
	Replay   bool              `json:"replay"`
	Received time.Time         `json:"received"`
}

// Count returns how many readings are stored.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM readings`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	return n, nil
}

// ConflictRows returns the readings that arrived under a key already stored with other content,
// in arrival order (see StoreBatch). They are evidence that an agent reused seqs; none is lost.
func (s *Store) ConflictRows(ctx context.Context, agent string) ([]Row, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT agent, dev, epoch, seq, ch, t_ns, val, unit, q, received_ns
		FROM conflicts WHERE agent = ? ORDER BY received_ns, epoch, seq`, agent)
	if err != nil {
		return nil, fmt.Errorf("store: conflicts of %s: %w", agent, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var recv int64
		if err := rows.Scan(&r.Agent, &r.Dev, &r.Epoch, &r.Seq, &r.Reading.Ch, &r.Reading.T, &r.Reading.V,
			&r.Reading.U, &r.Reading.Q, &recv); err != nil {
			return nil, fmt.Errorf("store: conflicts of %s: %w", agent, err)
		}
		r.Received = fromNs(recv)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Watermark returns the highest seq s of (agent, epoch) with every seq 1..s stored; 0 if none.
func (s *Store) Watermark(ctx context.Context, agent string, epoch int64) (int64, error) {
	var wm int64
	err := s.r.QueryRowContext(ctx, `SELECT seq FROM watermarks WHERE agent = ? AND epoch = ?`,
		agent, epoch).Scan(&wm)
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("store: watermark of %s epoch %d: %w", agent, epoch, err)
	}
	return wm, nil
}

// Readings returns an agent's readings measured in [from, to), by time then seq. An empty dev
// means every device of the agent.
func (s *Store) Readings(ctx context.Context, agent, dev string, from, to time.Time) ([]Row, error) {
	devCond := "dev = ?2" // a plain condition lets SQLite use the (agent, dev, t_ns) index
	if dev == "" {
		devCond = "?2 = ''"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT agent, dev, epoch, seq, ch, t_ns, val, unit, q, replay, received_ns
		FROM readings WHERE agent = ?1 AND `+devCond+` AND t_ns >= ?3 AND t_ns < ?4
		ORDER BY t_ns, epoch, seq`, agent, dev, from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("store: readings of %s/%s: %w", agent, dev, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var recv int64
		err := rows.Scan(&r.Agent, &r.Dev, &r.Epoch, &r.Seq, &r.Reading.Ch, &r.Reading.T,
			&r.Reading.V, &r.Reading.U, &r.Reading.Q, &r.Replay, &recv)
		if err != nil {
			return nil, fmt.Errorf("store: readings of %s/%s: %w", agent, dev, err)
		}
		r.Received = fromNs(recv)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: readings of %s/%s: %w", agent, dev, err)
	}
	return out, nil
}

// FirstAfter returns the key of the earliest stored reading of agent's device dev measured after
// t; ok is false when none is stored yet. With Watermark it tells whether every reading up to t
// has arrived: the agent numbers readings in the order it takes them, so once the watermark of
// that epoch reaches seq, nothing measured before t is still in flight.
func (s *Store) FirstAfter(ctx context.Context, agent, dev string, t time.Time) (epoch, seq int64, ok bool, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT epoch, seq FROM readings WHERE agent = ? AND dev = ? AND t_ns > ?
		ORDER BY t_ns, epoch, seq LIMIT 1`, agent, dev, t.UnixNano()).Scan(&epoch, &seq)
	if err == sql.ErrNoRows {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("store: first reading of %s/%s after %v: %w", agent, dev, t, err)
	}
	return epoch, seq, true, nil
}
