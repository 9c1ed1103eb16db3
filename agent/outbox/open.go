package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errCheck marks a file that opened but failed PRAGMA quick_check.
var errCheck = errors.New("quick_check failed")

const schema = `
CREATE TABLE IF NOT EXISTS readings(
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	dev  TEXT NOT NULL,
	ch   TEXT,
	t_ns INTEGER,
	val  REAL,
	unit TEXT,
	q    TEXT
);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);`

// pendingSQL pages the forwarder through the outbox (Pending): prepared once, as it runs for every
// page.
const pendingSQL = `SELECT seq, dev, coalesce(ch, ''), coalesce(t_ns, 0),
	coalesce(val, 0), coalesce(unit, ''), coalesce(q, '') FROM readings
	WHERE seq > ? ORDER BY seq LIMIT ?`

// insertSQL inserts n readings in one statement: a snapshot's readings cost one statement, not
// one each (the per-statement overhead was most of an Append's CPU).
func insertSQL(n int) string {
	return `INSERT INTO readings(dev, ch, t_ns, val, unit, q) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?),", n), ",")
}

// dsn builds the driver's connection string. Pragmas in the DSN run on every new connection, which
// matters because synchronous and busy_timeout are per connection, not stored in the file.
// _txlock=immediate takes the write lock at BEGIN, so a transaction never fails half-way when it
// first writes (another process holding the file waits up to busy_timeout instead).
func dsn(path string, s Sync) string {
	return path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(" + string(s) + ")&_txlock=immediate"
}

func open(path string, o Opts) (*Outbox, error) {
	db, err := sql.Open("sqlite", dsn(path, o.Synchronous))
	if err != nil {
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ob, err := setup(db, path, o)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	return ob, nil
}

func setup(db *sql.DB, path string, o Opts) (*Outbox, error) {
	ctx := context.Background()
	if err := quickCheck(ctx, db); err != nil {
		return nil, err
	}
	epoch, err := initSchema(ctx, db)
	if err != nil {
		return nil, err
	}
	ins, err := prepareInserts(ctx, db)
	if err != nil {
		return nil, err
	}
	pending, err := db.PrepareContext(ctx, pendingSQL)
	if err != nil {
		closeAll(ins)
		return nil, fmt.Errorf("prepare pending: %w", err)
	}
	ob := &Outbox{db: db, inserts: ins, pending: pending, path: path, epoch: epoch, max: o.MaxRows, log: o.Logger, sync: o.Synchronous,
		w: newWriter()}
	last, err := ob.lastSeq(ctx)
	if err != nil {
		ob.closeStmts()
		return nil, err
	}
	// Rows from before Open may have been published by the previous run, so the lab may ack them.
	ob.handed.Store(last)
	// They may also still be only in the OS's cache (the previous process was killed): flush
	// them before any is handed out again.
	if err := ob.flush(ctx, last); err != nil {
		ob.closeStmts()
		return nil, err
	}
	go ob.write()
	return ob, nil
}

// prepareInserts prepares the insert of 1..insertChunk readings. Prepared here because the writer
// holds the only connection inside its transaction, where the pool could not prepare another.
func prepareInserts(ctx context.Context, db *sql.DB) (map[int]*sql.Stmt, error) {
	ins := make(map[int]*sql.Stmt, insertChunk)
	for n := 1; n <= insertChunk; n++ {
		st, err := db.PrepareContext(ctx, insertSQL(n))
		if err != nil {
			closeAll(ins)
			return nil, fmt.Errorf("prepare insert (not an outbox file?): %w", err)
		}
		ins[n] = st
	}
	return ins, nil
}

func (o *Outbox) closeStmts() error {
	return errors.Join(closeAll(o.inserts), o.pending.Close())
}

func closeAll(stmts map[int]*sql.Stmt) error {
	var err error
	for _, st := range stmts {
		err = errors.Join(err, st.Close())
	}
	return err
}

// quickCheck runs PRAGMA quick_check; the first connection also fails here for a non-database file.
func quickCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("quick_check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", errCheck, strings.Join(problems, "; "))
	}
	return nil
}

// initSchema creates the tables and the epoch in one transaction, so a file either has both or
// neither, and returns the file's epoch.
func initSchema(ctx context.Context, db *sql.DB) (int64, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return 0, fmt.Errorf("schema: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES ('epoch', ?), ('flushes', 0)`,
		newEpoch(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("schema: epoch: %w", err)
	}
	var epoch int64
	if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'epoch'`).Scan(&epoch); err != nil {
		return 0, fmt.Errorf("schema: epoch: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("schema: commit: %w", err)
	}
	return epoch, nil
}

// flush makes every commit so far durable, then records how far that reaches: at least seq, and
// every seq assigned before it. With SyncNormal a commit reaches the WAL file but not necessarily
// the disk; one small commit with synchronous=FULL fsyncs the WAL, and with it every frame written
// before (the WAL is one file, written in order). So the forwarder pays one fsync per page it
// publishes, not one per Append, and none for a page already covered by an earlier flush.
func (o *Outbox) flush(ctx context.Context, seq int64) error {
	if o.sync == SyncFull {
		o.raiseDurable(seq)
		return nil
	}
	conn, err := o.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("outbox: flush: %w", err)
	}
	defer conn.Close()
	// The one connection is ours: no Append commits between this read and the flush below.
	var assigned int64
	err = conn.QueryRowContext(ctx, `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'readings'), 0)`).Scan(&assigned)
	if err != nil {
		return fmt.Errorf("outbox: flush: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
		return fmt.Errorf("outbox: flush: %w", err)
	}
	_, err = conn.ExecContext(ctx, `UPDATE meta SET value = value + 1 WHERE key = 'flushes'`)
	if _, rerr := conn.ExecContext(context.Background(), "PRAGMA synchronous="+string(o.sync)); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("outbox: flush: %w", err)
	}
	o.syncs.Add(1)
	o.raiseDurable(max(seq, assigned))
	return nil
}

func (o *Outbox) raiseDurable(seq int64) {
	for {
		cur := o.durable.Load()
		if seq <= cur || o.durable.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// lastEpoch keeps epochs handed out by this process strictly increasing, so two files created within
// the same millisecond (a quarantine right after a create, in tests) still differ.
var lastEpoch atomic.Int64

func newEpoch(now time.Time) int64 {
	for {
		last := lastEpoch.Load()
		e := max(now.UnixMilli(), last+1)
		if lastEpoch.CompareAndSwap(last, e) {
			return e
		}
	}
}

// isCorrupt tells a damaged file, worth quarantining, from errors where the file may be fine
// (permissions, a full disk, a lock held by another process).
func isCorrupt(err error) bool {
	if errors.Is(err, errCheck) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // primary code; extended codes carry detail in the high bits
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// quarantine renames a corrupt file aside, with its WAL and shared-memory files under matching names
// so the set can still be opened for a post-mortem, and returns the new name.
func quarantine(path string) (string, error) {
	base := fmt.Sprintf("%s.corrupt-%d", path, time.Now().Unix())
	moved := base
	for i := 2; exists(moved); i++ {
		moved = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, moved); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		// A stale WAL left beside a new file would be replayed into it, so it must go too.
		if err := os.Rename(path+suffix, moved+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return moved, err
		}
	}
	return moved, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
