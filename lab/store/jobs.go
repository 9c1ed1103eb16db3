package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The lab's jobs and reports live beside the readings, in the same file: a report refers to the
// readings it was computed from by agent, device and time window.
const jobsSchema = `
CREATE TABLE IF NOT EXISTS jobs (
	id TEXT PRIMARY KEY, state TEXT NOT NULL, doc BLOB NOT NULL,
	created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (
	number TEXT PRIMARY KEY, job TEXT NOT NULL, hash TEXT NOT NULL, file_sha256 TEXT NOT NULL,
	issued_ns INTEGER NOT NULL, content BLOB NOT NULL, pdf BLOB NOT NULL,
	superseded_by TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
	withdrawn TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS reports_by_job ON reports (job, issued_ns);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
`

// ErrNotFound is returned for a job or report that is not stored.
var ErrNotFound = errors.New("store: not found")

// JobRow is a job as stored: its state for listing, its whole record as an opaque document
// (lab/desk owns the format).
type JobRow struct {
	ID      string
	State   string
	Doc     []byte
	Created time.Time
	Updated time.Time
}

// SaveJob inserts or replaces the job's document in one transaction.
func (s *Store) SaveJob(ctx context.Context, id, state string, doc []byte) error {
	if id == "" {
		return fmt.Errorf("%w: empty job id", ErrInvalid)
	}
	now := time.Now().UnixNano()
	_, err := s.w.ExecContext(ctx, `INSERT INTO jobs (id, state, doc, created_ns, updated_ns) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET state = excluded.state, doc = excluded.doc, updated_ns = excluded.updated_ns`,
		id, state, doc, now, now)
	if err != nil {
		return fmt.Errorf("store: save job %s: %w", id, err)
	}
	return nil
}

// Job returns one job, or ErrNotFound.
func (s *Store) Job(ctx context.Context, id string) (JobRow, error) {
	var j JobRow
	var c, u int64
	err := s.r.QueryRowContext(ctx, `SELECT id, state, doc, created_ns, updated_ns FROM jobs WHERE id = ?`, id).
		Scan(&j.ID, &j.State, &j.Doc, &c, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return j, fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return j, fmt.Errorf("store: job %s: %w", id, err)
	}
	j.Created, j.Updated = fromNs(c), fromNs(u)
	return j, nil
}

// Jobs returns every job, the most recently changed first.
func (s *Store) Jobs(ctx context.Context) ([]JobRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, state, doc, created_ns, updated_ns FROM jobs ORDER BY updated_ns DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	defer rows.Close()
	var out []JobRow
	for rows.Next() {
		var j JobRow
		var c, u int64
		if err := rows.Scan(&j.ID, &j.State, &j.Doc, &c, &u); err != nil {
			return nil, fmt.Errorf("store: jobs: %w", err)
		}
		j.Created, j.Updated = fromNs(c), fromNs(u)
		out = append(out, j)
	}
	return out, rows.Err()
}

// Next returns the next value (1, 2, …) of the named counter, e.g. one per day for report numbers.
func (s *Store) Next(ctx context.Context, name string) (int64, error) {
	var n int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO counters (name, n) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET n = n + 1 RETURNING n`, name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counter %s: %w", name, err)
	}
	return n, nil
}
