package backend

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/onestop-station/onestop/kiosk/seal"
)

// StoreOpts configures a Store. The zero value gives the defaults noted on each field.
type StoreOpts struct {
	// PromisedDays is an item's promised time limit in working days (承诺时限); nil or a
	// result ≤ 0 means 5.
	PromisedDays func(itemID string) int
	// ServiceTime is the average time a window spends on one ticket; 0 means 6 minutes.
	ServiceTime time.Duration
	// Windows is how many windows serve one queue letter; 0 means 2.
	Windows int
	// HelperETA is the time per helper call ahead of a new one; 0 means 3 minutes. A helper
	// needs 2 minutes more to walk to the terminal.
	HelperETA time.Duration
	// PublicURL is the base of the progress URLs receipts carry, e.g.
	// "https://zwfw.example.gov.cn"; empty gives a path-only URL "/progress/TZ…".
	PublicURL string
	// Location is where "today" is for tracking numbers, tickets and working days; nil
	// means time.Local.
	Location *time.Location
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// Logger receives notices (never personal data); nil means slog.Default().
	Logger *slog.Logger
}

// helperWalk is the time a helper needs to reach a terminal once free.
const helperWalk = 2 * time.Minute

func (o StoreOpts) withDefaults() StoreOpts {
	if o.PromisedDays == nil {
		o.PromisedDays = func(string) int { return 5 }
	}
	if o.ServiceTime <= 0 {
		o.ServiceTime = 6 * time.Minute
	}
	if o.Windows <= 0 {
		o.Windows = 2
	}
	if o.HelperETA <= 0 {
		o.HelperETA = 3 * time.Minute
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Store is the embedded Backend: one SQLite file in WAL mode, personal data sealed with a
// seal.Sealer, ID numbers kept only as blind indexes. It is safe for concurrent use.
type Store struct {
	// db holds one connection: SQLite has one writer anyway, and one connection makes every
	// read-modify-write (sequences, queue positions) a plain transaction without BUSY retries.
	db   *sql.DB
	seal *seal.Sealer
	opts StoreOpts
}

var _ Backend = (*Store)(nil)

const storeSchema = `
CREATE TABLE IF NOT EXISTS applications(
	id             TEXT PRIMARY KEY,
	tracking       TEXT NOT NULL UNIQUE,
	item_id        TEXT NOT NULL,
	role           TEXT NOT NULL,
	state          TEXT NOT NULL,
	site           TEXT NOT NULL,
	terminal       TEXT NOT NULL,
	submitted_at   INTEGER NOT NULL,
	promised_by    INTEGER NOT NULL,
	finished_at    INTEGER,
	needs_window   INTEGER NOT NULL DEFAULT 0,
	materials      TEXT NOT NULL DEFAULT '[]',
	applicant_mask TEXT NOT NULL,
	holder_index   TEXT,
	personal       BLOB
);
CREATE INDEX IF NOT EXISTS applications_item ON applications(item_id);
CREATE INDEX IF NOT EXISTS applications_holder ON applications(holder_index);
CREATE INDEX IF NOT EXISTS applications_finished ON applications(state, finished_at);
CREATE TABLE IF NOT EXISTS steps(
	app_id TEXT NOT NULL REFERENCES applications(id),
	n      INTEGER NOT NULL,
	state  TEXT NOT NULL,
	at     INTEGER NOT NULL,
	note   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY(app_id, n)
);
CREATE TABLE IF NOT EXISTS tracking_seq(day TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tickets(
	day       TEXT NOT NULL,
	win       TEXT NOT NULL,
	n         INTEGER NOT NULL,
	site      TEXT NOT NULL,
	terminal  TEXT NOT NULL,
	item_id   TEXT NOT NULL DEFAULT '',
	tracking  TEXT NOT NULL DEFAULT '',
	priority  INTEGER NOT NULL DEFAULT 0,
	state     TEXT NOT NULL DEFAULT 'waiting',
	issued_at INTEGER NOT NULL,
	PRIMARY KEY(day, win, n)
);
CREATE TABLE IF NOT EXISTS helper_calls(
	id       TEXT PRIMARY KEY,
	site     TEXT NOT NULL,
	terminal TEXT NOT NULL,
	screen   TEXT NOT NULL,
	item_id  TEXT NOT NULL DEFAULT '',
	state    TEXT NOT NULL DEFAULT 'waiting',
	at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS helper_calls_waiting ON helper_calls(state, at);
CREATE TABLE IF NOT EXISTS ratings(
	visit_id TEXT PRIMARY KEY,
	tracking TEXT NOT NULL DEFAULT '',
	item_id  TEXT NOT NULL DEFAULT '',
	terminal TEXT NOT NULL,
	level    INTEGER NOT NULL,
	at       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS licences(
	id           INTEGER PRIMARY KEY,
	holder_index TEXT NOT NULL,
	type         TEXT NOT NULL,
	source       TEXT NOT NULL,
	issuer       TEXT NOT NULL,
	sealed       BLOB NOT NULL,
	UNIQUE(holder_index, type)
);`

// sqliteDSN turns on WAL, waits for locks held by other processes, takes the write lock at
// BEGIN, and overwrites deleted content (secure_delete) so purged blobs leave no trace in
// free pages.
func sqliteDSN(path string) string {
	return path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=secure_delete(ON)&_pragma=foreign_keys(ON)&_txlock=immediate"
}

// openSQLite opens path with one connection and runs schema.
func openSQLite(ctx context.Context, path, schema string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("schema: %w", err)
	}
	return db, nil
}

// OpenStore opens or creates the store at path. Its personal data is sealed with s; opening
// a file with another key succeeds, but reading personal data then fails.
func OpenStore(path string, s *seal.Sealer, opts StoreOpts) (*Store, error) {
	if s == nil {
		return nil, errors.New("backend: open store: no sealer")
	}
	db, err := openSQLite(context.Background(), path, storeSchema)
	if err != nil {
		return nil, fmt.Errorf("backend: open store %s: %w", path, err)
	}
	return &Store{db: db, seal: s, opts: opts.withDefaults()}, nil
}

// Close closes the database file.
func (st *Store) Close() error {
	if err := st.db.Close(); err != nil {
		return fmt.Errorf("backend: close store: %w", err)
	}
	return nil
}

// Ping checks the database answers (for /v1/health).
func (st *Store) Ping(ctx context.Context) error {
	if err := st.db.PingContext(ctx); err != nil {
		return fmt.Errorf("backend: ping: %w", err)
	}
	return nil
}

func (st *Store) now() time.Time { return st.opts.Now().UTC() }

// day is the local calendar date of t, "20061231", the key of daily sequences.
func (st *Store) day(t time.Time) string { return t.In(st.opts.Location).Format("20060102") }

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// randomID returns 16 random bytes in hex.
func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// addWorkingDays returns t plus n working days (Monday to Friday) in loc, at the same clock
// time. Public holidays are not known here; a city platform that knows them answers itself.
func addWorkingDays(t time.Time, n int, loc *time.Location) time.Time {
	t = t.In(loc)
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t.UTC()
}
