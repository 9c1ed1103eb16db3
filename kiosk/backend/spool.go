package backend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/onestop-station/onestop/kiosk/seal"
)

// SpoolOpts configures a Spool. The zero value gives the defaults noted on each field.
type SpoolOpts struct {
	// TTL is how long a kept application may wait to be sent; 0 means 72 hours. After it, the
	// application is deleted and reported (Flush's expired count, a log line), never sent late:
	// the person was told on the receipt to come back by then.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives notices (application ids and items only); nil means slog.Default().
	Logger *slog.Logger
}

// Spool is the Backend a terminal uses: it delegates to remote and, when a submission finds
// the remote unavailable, keeps the application sealed in a local SQLite file and sends it
// later (Flush, Run). It is safe for concurrent use.
type Spool struct {
	db     *sql.DB
	seal   *seal.Sealer
	remote Backend
	opts   SpoolOpts
	flush  sync.Mutex // one Flush at a time, so an application is never sent twice at once
}

var _ Backend = (*Spool)(nil)

const spoolSchema = `
CREATE TABLE IF NOT EXISTS spooled(
	id         TEXT PRIMARY KEY,
	item_id    TEXT NOT NULL,
	kept_at    INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	sealed     BLOB NOT NULL
);`

// OpenSpool opens or creates the spool file at path; applications in it are sealed with s.
func OpenSpool(path string, s *seal.Sealer, remote Backend, opts SpoolOpts) (*Spool, error) {
	if s == nil || remote == nil {
		return nil, errors.New("backend: open spool: sealer and remote are required")
	}
	if opts.TTL <= 0 {
		opts.TTL = 72 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	db, err := openSQLite(context.Background(), path, spoolSchema)
	if err != nil {
		return nil, fmt.Errorf("backend: open spool %s: %w", path, err)
	}
	return &Spool{db: db, seal: s, remote: remote, opts: opts}, nil
}

// Close closes the spool file.
func (sp *Spool) Close() error {
	if err := sp.db.Close(); err != nil {
		return fmt.Errorf("backend: close spool: %w", err)
	}
	return nil
}

// Submit sends a to the remote. When the remote is unavailable, a is kept and a pending
// receipt returned: no tracking number yet, SendBy the time limit.
func (sp *Spool) Submit(ctx context.Context, a Application) (Receipt, error) {
	r, err := sp.remote.Submit(ctx, a)
	if err == nil || !errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
		return r, err // sent, refused, or the caller gave up: nothing to keep
	}
	if verr := validateApplication(a); verr != nil {
		return Receipt{}, fmt.Errorf("backend: spool: %w", verr)
	}
	plain, merr := json.Marshal(a)
	if merr != nil {
		return Receipt{}, fmt.Errorf("backend: spool: %w", merr)
	}
	now := sp.opts.Now().UTC()
	// A second Submit of a kept application keeps the first copy and its time limit.
	if _, ierr := sp.db.ExecContext(ctx, `INSERT INTO spooled(id, item_id, kept_at, expires_at, sealed)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
		a.ID, a.ItemID, nanos(now), nanos(now.Add(sp.opts.TTL)), sp.seal.Seal(plain, []byte(a.ID))); ierr != nil {
		return Receipt{}, fmt.Errorf("backend: spool: keep: %w (remote: %w)", ierr, err)
	}
	var kept, expires int64
	if qerr := sp.db.QueryRowContext(ctx, `SELECT kept_at, expires_at FROM spooled WHERE id = ?`, a.ID).
		Scan(&kept, &expires); qerr != nil {
		return Receipt{}, fmt.Errorf("backend: spool: %w", qerr)
	}
	sp.opts.Logger.Warn("backend unavailable: application kept on the terminal", "application", a.ID,
		"item", a.ItemID, "send_by", fromNanos(expires), "err", err)
	return Receipt{ApplicationID: a.ID, ItemID: a.ItemID, State: StatePending, SubmittedAt: fromNanos(kept),
		Pending: true, SendBy: fromNanos(expires)}, nil
}

// Flush sends the kept applications, oldest first, and deletes those sent and those past
// their time limit (counted in expired and logged, never sent). It stops at the first
// ErrUnavailable and returns it. An application the remote refuses (ErrInvalid) can never
// be sent: it is deleted, logged and reported in err, and Flush goes on.
func (sp *Spool) Flush(ctx context.Context) (sent, expired int, err error) {
	sp.flush.Lock()
	defer sp.flush.Unlock()
	expired, err = sp.expire(ctx)
	if err != nil {
		return 0, expired, err
	}
	ids, err := sp.pendingIDs(ctx)
	if err != nil {
		return 0, expired, err
	}
	var refused []error
	for _, id := range ids {
		ok, gone, err := sp.send(ctx, id)
		switch {
		case errors.Is(err, ErrUnavailable) || ctx.Err() != nil:
			return sent, expired, errors.Join(append(refused, err)...)
		case err != nil:
			refused = append(refused, err)
		case gone:
			expired++
		case ok:
			sent++
		}
	}
	return sent, expired, errors.Join(refused...)
}

// expire deletes kept applications past their time limit.
func (sp *Spool) expire(ctx context.Context) (int, error) {
	now := nanos(sp.opts.Now())
	rows, err := sp.db.QueryContext(ctx, `DELETE FROM spooled WHERE expires_at <= ? RETURNING id, item_id, kept_at`, now)
	if err != nil {
		return 0, fmt.Errorf("backend: spool: expire: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, item string
		var kept int64
		if err := rows.Scan(&id, &item, &kept); err != nil {
			return n, fmt.Errorf("backend: spool: expire: %w", err)
		}
		n++
		sp.opts.Logger.Error("kept application expired unsent: the applicant must apply again",
			"application", id, "item", item, "kept_at", fromNanos(kept))
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("backend: spool: expire: %w", err)
	}
	return n, nil
}

func (sp *Spool) pendingIDs(ctx context.Context) ([]string, error) {
	rows, err := sp.db.QueryContext(ctx, `SELECT id FROM spooled ORDER BY kept_at, id`)
	if err != nil {
		return nil, fmt.Errorf("backend: spool: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("backend: spool: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// send submits one kept application: ok when the remote took it, gone when it expired
// before it could be sent (both delete it).
func (sp *Spool) send(ctx context.Context, id string) (ok, gone bool, err error) {
	var blob []byte
	var expires int64
	if err := sp.db.QueryRowContext(ctx, `SELECT sealed, expires_at FROM spooled WHERE id = ?`, id).
		Scan(&blob, &expires); err != nil {
		return false, false, fmt.Errorf("backend: spool: %s: %w", id, err)
	}
	if nanos(sp.opts.Now()) >= expires {
		return false, true, sp.remove(ctx, id, "expired unsent: the applicant must apply again")
	}
	plain, err := sp.seal.Open(blob, []byte(id))
	if err != nil {
		return false, false, fmt.Errorf("backend: spool: %s: %w", id, err)
	}
	var a Application
	if err := json.Unmarshal(plain, &a); err != nil {
		return false, false, fmt.Errorf("backend: spool: %s: %w", id, err)
	}
	_, _ = sp.db.ExecContext(ctx, `UPDATE spooled SET attempts = attempts + 1 WHERE id = ?`, id)
	r, err := sp.remote.Submit(ctx, a)
	switch {
	case errors.Is(err, ErrInvalid):
		if rerr := sp.remove(ctx, id, "refused by the backend"); rerr != nil {
			return false, false, rerr
		}
		return false, false, fmt.Errorf("backend: spool: %s refused: %w", id, err)
	case err != nil:
		return false, false, fmt.Errorf("backend: spool: send %s: %w", id, err)
	}
	sp.opts.Logger.Info("kept application sent", "application", id, "tracking", r.Tracking)
	return true, false, sp.remove(ctx, id, "")
}

func (sp *Spool) remove(ctx context.Context, id, why string) error {
	if _, err := sp.db.ExecContext(ctx, `DELETE FROM spooled WHERE id = ?`, id); err != nil {
		return fmt.Errorf("backend: spool: delete %s: %w", id, err)
	}
	if why != "" {
		sp.opts.Logger.Error("kept application dropped", "application", id, "why", why)
	}
	return nil
}

// Pending returns how many applications are kept (0 when the file cannot be read).
func (sp *Spool) Pending() int {
	var n int
	if err := sp.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM spooled`).Scan(&n); err != nil {
		sp.opts.Logger.Error("spool: count", "err", err)
		return 0
	}
	return n
}

// Run flushes now and then every interval until ctx ends.
func (sp *Spool) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if sp.Pending() > 0 {
			sent, expired, err := sp.Flush(ctx)
			switch {
			case errors.Is(err, ErrUnavailable) || ctx.Err() != nil:
				sp.opts.Logger.Debug("spool: backend still unavailable", "sent", sent, "expired", expired)
			case err != nil:
				sp.opts.Logger.Warn("spool: flush", "sent", sent, "expired", expired, "err", err)
			case sent+expired > 0:
				sp.opts.Logger.Info("spool: flushed", "sent", sent, "expired", expired)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Licences asks the remote.
func (sp *Spool) Licences(ctx context.Context, holderID string, types []string) ([]Licence, error) {
	return sp.remote.Licences(ctx, holderID, types)
}

// Progress asks the remote.
func (sp *Spool) Progress(ctx context.Context, tracking string) (Progress, error) {
	return sp.remote.Progress(ctx, tracking)
}

// TakeTicket asks the remote.
func (sp *Spool) TakeTicket(ctx context.Context, r TicketRequest) (Ticket, error) {
	return sp.remote.TakeTicket(ctx, r)
}

// CallHelper asks the remote.
func (sp *Spool) CallHelper(ctx context.Context, r HelpRequest) (HelpCall, error) {
	return sp.remote.CallHelper(ctx, r)
}

// Rate asks the remote.
func (sp *Spool) Rate(ctx context.Context, r Rating) error { return sp.remote.Rate(ctx, r) }

// Popular asks the remote.
func (sp *Spool) Popular(ctx context.Context, n int) ([]string, error) {
	return sp.remote.Popular(ctx, n)
}
