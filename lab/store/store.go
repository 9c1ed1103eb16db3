package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
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

// The statements of StoreBatches other than the inserts. Each is prepared once on the writer.
const (
	sqlWatermark    = `SELECT seq FROM watermarks WHERE agent = ? AND epoch = ?`
	sqlSetWatermark = `INSERT INTO watermarks (agent, epoch, seq) VALUES (?, ?, ?)
		ON CONFLICT (agent, epoch) DO UPDATE SET seq = excluded.seq`
	// The first stored seq from ?3 on whose successor is missing: the end of the run through ?3.
	sqlRunEnd = `SELECT r.seq FROM readings r
		WHERE r.agent = ?1 AND r.epoch = ?2 AND r.seq >= ?3 AND NOT EXISTS (
			SELECT 1 FROM readings n WHERE n.agent = ?1 AND n.epoch = ?2 AND n.seq = r.seq + 1)
		ORDER BY r.seq LIMIT 1`
	sqlLastSeen = `INSERT INTO agents (agent, last_seen_ns) VALUES (?, ?)
		ON CONFLICT (agent) DO UPDATE SET last_seen_ns = excluded.last_seen_ns`
	sqlAnyStored = `SELECT EXISTS (SELECT 1 FROM readings
		WHERE agent = ? AND epoch = ? AND seq BETWEEN ? AND ?)`
	sqlStoredRange = `SELECT seq, dev, ch, t_ns, val, unit, q FROM readings
		WHERE agent = ? AND epoch = ? AND seq BETWEEN ? AND ?`
	sqlConflict = `INSERT INTO conflicts (agent, epoch, seq, dev, ch, t_ns, val, unit, q, received_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
)

// writeStmts are StoreBatches' statements, prepared once on the writer: modernc.org/sqlite
// parses a statement's text on every Exec, and parsing was half the CPU of storing one-snapshot
// messages. A transaction uses them through tx.StmtContext, which reuses what is already prepared
// on the writer's one connection (and prepares again by itself if that connection was replaced).
type writeStmts struct {
	db                                  *sql.DB
	watermark, setWatermark, runEnd     *sql.Stmt
	lastSeen, storedRange, keepConflict *sql.Stmt
	anyStored                           *sql.Stmt
	mu                                  sync.Mutex
	insertN                             map[int]*sql.Stmt // INSERT of n readings, prepared when first needed
}

// prepareWrites prepares the fixed statements on the writer db.
func prepareWrites(db *sql.DB) (*writeStmts, error) {
	ws := &writeStmts{db: db, insertN: map[int]*sql.Stmt{}}
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&ws.watermark, sqlWatermark}, {&ws.setWatermark, sqlSetWatermark}, {&ws.runEnd, sqlRunEnd},
		{&ws.lastSeen, sqlLastSeen}, {&ws.storedRange, sqlStoredRange}, {&ws.keepConflict, sqlConflict},
		{&ws.anyStored, sqlAnyStored},
	} {
		st, err := db.Prepare(p.sql)
		if err != nil {
			ws.close()
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
		*p.st = st
	}
	return ws, nil
}

// close closes every statement; the writer db closes after it.
func (ws *writeStmts) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{ws.watermark, ws.setWatermark, ws.runEnd, ws.lastSeen, ws.storedRange, ws.keepConflict, ws.anyStored} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for n, st := range ws.insertN {
		errs = append(errs, st.Close())
		delete(ws.insertN, n)
	}
	return errors.Join(errs...)
}

// inserts returns the INSERT statements of the given row counts, preparing those not prepared
// yet. The lock is not held while preparing: a prepare waits for the writer's connection, and
// the transaction that holds it must never wait for the lock.
func (ws *writeStmts) inserts(ctx context.Context, sizes []int) (map[int]*sql.Stmt, error) {
	need := make(map[int]*sql.Stmt, len(sizes))
	for _, n := range sizes {
		need[n] = nil
	}
	for n := range need {
		ws.mu.Lock()
		st := ws.insertN[n]
		ws.mu.Unlock()
		if st == nil {
			var err error
			if st, err = ws.prepareInsert(ctx, n); err != nil {
				return nil, err
			}
		}
		need[n] = st
	}
	return need, nil
}

// prepareInsert prepares the INSERT of n readings and keeps it (or the one a concurrent caller
// kept first).
func (ws *writeStmts) prepareInsert(ctx context.Context, n int) (*sql.Stmt, error) {
	st, err := ws.db.PrepareContext(ctx, insertSQL(n))
	if err != nil {
		return nil, fmt.Errorf("prepare insert of %d readings: %w", n, err)
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if kept := ws.insertN[n]; kept != nil {
		st.Close()
		return kept, nil
	}
	ws.insertN[n] = st
	return st, nil
}

// insertSQL is the INSERT of n readings; a reading stored under its key already is left alone.
// What the readings share is bound once (?1 agent, ?2 epoch, ?3 first seq, ?4 dev, ?5 replay,
// ?6 received): binding, a C copy of every string, was a fifth of the CPU. A bare ? takes the
// number after the highest so far, so the shared ones come first and each reading's five number
// on from 7.
func insertSQL(n int) string {
	var q strings.Builder
	q.WriteString(`INSERT INTO readings (agent, epoch, seq, dev, replay, received_ns, ch, t_ns, val, unit, q) VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "(?1,?2,?3+%d,?4,?5,?6,?,?,?,?,?)", i)
	}
	q.WriteString(` ON CONFLICT (agent, epoch, seq) DO NOTHING`)
	return q.String()
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
