package store

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrInvalid marks arguments the store refuses before touching the database.
var ErrInvalid = errors.New("store: invalid argument")

const schema = `
CREATE TABLE IF NOT EXISTS readings (
	agent TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,
	dev TEXT NOT NULL, ch TEXT NOT NULL, t_ns INTEGER NOT NULL, val REAL NOT NULL,
	unit TEXT NOT NULL, q TEXT NOT NULL, replay INTEGER NOT NULL, received_ns INTEGER NOT NULL,
	PRIMARY KEY (agent, epoch, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readings_by_time ON readings (agent, dev, t_ns);
CREATE TABLE IF NOT EXISTS agents (
	agent TEXT PRIMARY KEY, site TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
	epoch INTEGER NOT NULL DEFAULT 0, version TEXT NOT NULL DEFAULT '',
	last_seen_ns INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS devices (
	agent TEXT NOT NULL, dev TEXT NOT NULL, meta TEXT NOT NULL, updated_ns INTEGER NOT NULL,
	PRIMARY KEY (agent, dev)
);
CREATE TABLE IF NOT EXISTS conflicts (
	agent TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,
	dev TEXT NOT NULL, ch TEXT NOT NULL, t_ns INTEGER NOT NULL, val REAL NOT NULL,
	unit TEXT NOT NULL, q TEXT NOT NULL, received_ns INTEGER NOT NULL,
	UNIQUE (agent, epoch, seq, dev, ch, t_ns, val, unit, q)
);
CREATE TABLE IF NOT EXISTS watermarks (
	agent TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,
	PRIMARY KEY (agent, epoch)
);
`

// Store is an open lab database. Its methods are safe for concurrent use.
type Store struct {
	w  *sql.DB     // the one writer
	r  *sql.DB     // readers
	ws *writeStmts // StoreBatches' statements, prepared on w
}

// Open opens or creates the database at path and brings its schema up to date.
func Open(path string) (*Store, error) {
	w, err := openDB(path, 1, false)
	if err != nil {
		return nil, err
	}
	if _, err := w.Exec(schema + jobsSchema); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: create schema in %s: %w", path, err)
	}
	ws, err := prepareWrites(w)
	if err != nil {
		w.Close()
		return nil, err
	}
	r, err := openDB(path, 4, true)
	if err != nil {
		ws.close()
		w.Close()
		return nil, err
	}
	return &Store{w: w, r: r, ws: ws}, nil
}

// openDB opens a pool on path. busy_timeout covers a checkpoint or another process holding the
// lock. synchronous=FULL because the lab acknowledges after commit and the agent then deletes its
// copy: a commit lost on power failure would be a reading lost for ever.
func openDB(path string, conns int, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate") // take the write lock at BEGIN, not halfway through
	}
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.ws.close(), s.r.Close(), s.w.Close())
}

func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNs(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// rollback ends a transaction that failed; the error it may return adds nothing to the first.
func rollback(tx *sql.Tx) { _ = tx.Rollback() }
