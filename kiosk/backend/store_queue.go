package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// maxTicket is the last number of a window's day: numbers have three digits.
const maxTicket = 999

func validWindow(w string) bool {
	return len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z'
}

// TakeTicket issues the next number of r.Window ("A" when empty) for today. Ahead counts the
// waiting tickets issued before it; a priority ticket (绿色通道) counts only waiting priority
// tickets, as windows call those first.
func (st *Store) TakeTicket(ctx context.Context, r TicketRequest) (Ticket, error) {
	win := strings.ToUpper(strings.TrimSpace(r.Window))
	if win == "" {
		win = "A"
	}
	if !validWindow(win) {
		return Ticket{}, fmt.Errorf("backend: ticket: %w: window %q is not a letter A-Z", ErrInvalid, r.Window)
	}
	if r.Tracking != "" {
		if err := ValidTracking(r.Tracking); err != nil {
			return Ticket{}, fmt.Errorf("backend: ticket: %w: %v", ErrInvalid, err)
		}
	}
	now := st.now()
	day := st.day(now)
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return Ticket{}, fmt.Errorf("backend: ticket: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM tickets WHERE day = ? AND win = ?`,
		day, win).Scan(&n); err != nil {
		return Ticket{}, fmt.Errorf("backend: ticket: %w", err)
	}
	if n > maxTicket {
		return Ticket{}, fmt.Errorf("backend: ticket: %w: window %s has issued %d numbers today", ErrInvalid, win, maxTicket)
	}
	q := `SELECT COUNT(*) FROM tickets WHERE day = ? AND win = ? AND state = 'waiting'`
	if r.Priority {
		q += ` AND priority = 1`
	}
	var ahead int
	if err := tx.QueryRowContext(ctx, q, day, win).Scan(&ahead); err != nil {
		return Ticket{}, fmt.Errorf("backend: ticket: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tickets(day, win, n, site, terminal, item_id, tracking, priority, issued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, day, win, n, r.Site, r.Terminal, r.ItemID, r.Tracking, r.Priority, nanos(now))
	if err != nil {
		return Ticket{}, fmt.Errorf("backend: ticket: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Ticket{}, fmt.Errorf("backend: ticket: %w", err)
	}
	return Ticket{Number: fmt.Sprintf("%s%03d", win, n), Window: win, Ahead: ahead,
		Wait: time.Duration(ahead) * st.opts.ServiceTime / time.Duration(st.opts.Windows), IssuedAt: now}, nil
}

// CallTicket marks today's ticket number (e.g. "A017") as called by a window (a staff
// operation), so it no longer counts as waiting.
func (st *Store) CallTicket(ctx context.Context, number string) error {
	var n int
	if len(number) != 4 || !validWindow(number[:1]) {
		return fmt.Errorf("backend: call ticket: %w: %q is not like A017", ErrInvalid, number)
	}
	if _, err := fmt.Sscanf(number[1:], "%03d", &n); err != nil {
		return fmt.Errorf("backend: call ticket: %w: %q is not like A017", ErrInvalid, number)
	}
	res, err := st.db.ExecContext(ctx, `UPDATE tickets SET state = 'called' WHERE day = ? AND win = ? AND n = ?`,
		st.day(st.now()), number[:1], n)
	if err != nil {
		return fmt.Errorf("backend: call ticket: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("backend: call ticket %s: %w", number, ErrNotFound)
	}
	return nil
}

// CallHelper queues a helper call. Position counts today's waiting calls before it; the ETA
// is Position × HelperETA plus the walk to the terminal.
func (st *Store) CallHelper(ctx context.Context, r HelpRequest) (HelpCall, error) {
	if strings.TrimSpace(r.Terminal) == "" {
		return HelpCall{}, fmt.Errorf("backend: call helper: %w: no terminal", ErrInvalid)
	}
	if len(r.Screen) > 100 {
		return HelpCall{}, fmt.Errorf("backend: call helper: %w: screen name too long", ErrInvalid)
	}
	now := st.now()
	startOfDay := time.Date(now.In(st.opts.Location).Year(), now.In(st.opts.Location).Month(),
		now.In(st.opts.Location).Day(), 0, 0, 0, 0, st.opts.Location)
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return HelpCall{}, fmt.Errorf("backend: call helper: %w", err)
	}
	defer tx.Rollback()
	var pos int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM helper_calls WHERE state = 'waiting' AND at >= ?`,
		nanos(startOfDay)).Scan(&pos); err != nil {
		return HelpCall{}, fmt.Errorf("backend: call helper: %w", err)
	}
	id := randomID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO helper_calls(id, site, terminal, screen, item_id, at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, r.Site, r.Terminal, r.Screen, r.ItemID, nanos(now)); err != nil {
		return HelpCall{}, fmt.Errorf("backend: call helper: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return HelpCall{}, fmt.Errorf("backend: call helper: %w", err)
	}
	st.opts.Logger.Info("helper called", "terminal", r.Terminal, "screen", r.Screen, "position", pos)
	return HelpCall{ID: id, Position: pos, ETA: time.Duration(pos)*st.opts.HelperETA + helperWalk, At: now}, nil
}

// HelperDone closes a helper call (a staff operation), so it no longer counts as waiting.
func (st *Store) HelperDone(ctx context.Context, id string) error {
	res, err := st.db.ExecContext(ctx, `UPDATE helper_calls SET state = 'done' WHERE id = ? AND state = 'waiting'`, id)
	if err != nil {
		return fmt.Errorf("backend: helper done: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("backend: helper done %s: %w", id, ErrNotFound)
	}
	return nil
}

// Rate records a rating. Level must be 1..5, and a visit is rated once: a second rating of
// the same VisitID returns ErrInvalid.
func (st *Store) Rate(ctx context.Context, r Rating) error {
	if r.Level < 1 || r.Level > 5 {
		return fmt.Errorf("backend: rate: %w: level %d, want 1..5", ErrInvalid, r.Level)
	}
	if strings.TrimSpace(r.VisitID) == "" || len(r.VisitID) > maxIDLen {
		return fmt.Errorf("backend: rate: %w: visit_id empty or too long", ErrInvalid)
	}
	at := r.At
	if at.IsZero() {
		at = st.now()
	}
	res, err := st.db.ExecContext(ctx, `INSERT INTO ratings(visit_id, tracking, item_id, terminal, level, at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(visit_id) DO NOTHING`,
		r.VisitID, r.Tracking, r.ItemID, r.Terminal, r.Level, nanos(at))
	if err != nil {
		return fmt.Errorf("backend: rate: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("backend: rate: %w", err)
	} else if k == 0 {
		return fmt.Errorf("backend: rate: %w: visit already rated", ErrInvalid)
	}
	return nil
}

// maxPopular caps Popular's n.
const maxPopular = 100

// Popular returns up to n item IDs by number of applications, most first, ties by ID.
func (st *Store) Popular(ctx context.Context, n int) ([]string, error) {
	if n < 0 {
		return nil, fmt.Errorf("backend: popular: %w: n = %d", ErrInvalid, n)
	}
	n = min(n, maxPopular)
	rows, err := st.db.QueryContext(ctx, `SELECT item_id FROM applications GROUP BY item_id
		ORDER BY COUNT(*) DESC, item_id LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("backend: popular: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("backend: popular: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backend: popular: %w", err)
	}
	return ids, nil
}
