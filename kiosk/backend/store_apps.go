package backend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onestop-station/onestop/kiosk/privacy"
)

// personal is what an application's sealed blob holds.
type personal struct {
	Applicant Person            `json:"applicant"`
	Subject   *Person           `json:"subject,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
}

// maxIDLen bounds the terminal-chosen ids (application, visit) kept in the file.
const maxIDLen = 64

func validateApplication(a Application) error {
	var missing []string
	for _, f := range [][2]string{{"id", a.ID}, {"item_id", a.ItemID}, {"role", a.Role},
		{"applicant.name", a.Applicant.Name}, {"applicant.id_number", a.Applicant.IDNumber}} {
		if strings.TrimSpace(f[1]) == "" {
			missing = append(missing, f[0])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalid, strings.Join(missing, ", "))
	}
	if len(a.ID) > maxIDLen {
		return fmt.Errorf("%w: id longer than %d", ErrInvalid, maxIDLen)
	}
	// A subject needs a name or an ID number: a newborn has no number yet, and a terminal
	// acting for a deceased person knows the number typed on its keypad but not the name
	// (no Chinese keyboard at a kiosk); the back office looks it up.
	if a.Subject != nil && strings.TrimSpace(a.Subject.Name) == "" && strings.TrimSpace(a.Subject.IDNumber) == "" {
		return fmt.Errorf("%w: subject without a name or an ID number", ErrInvalid)
	}
	if a.ConsentAt.IsZero() {
		return fmt.Errorf("%w: no consent time", ErrInvalid)
	}
	return nil
}

// Submit records a, or returns the receipt of the application with the same ID.
func (st *Store) Submit(ctx context.Context, a Application) (Receipt, error) {
	if err := validateApplication(a); err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	blob, err := json.Marshal(personal{Applicant: a.Applicant, Subject: a.Subject, Fields: a.Fields})
	if err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	mats, err := json.Marshal(orEmpty(a.Materials))
	if err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	defer tx.Rollback()
	if r, err := st.receipt(ctx, tx, a.ID); err == nil {
		return r, nil // a retry: the first receipt stands
	} else if !errors.Is(err, ErrNotFound) {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	now := st.now()
	seq, err := nextSeq(ctx, tx, st.day(now))
	if err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	tracking := NewTracking(now.In(st.opts.Location), seq)
	days := st.opts.PromisedDays(a.ItemID)
	if days <= 0 {
		days = 5
	}
	promised := addWorkingDays(now, days, st.opts.Location)
	_, err = tx.ExecContext(ctx, `INSERT INTO applications(id, tracking, item_id, role, state, site,
		terminal, submitted_at, promised_by, needs_window, materials, applicant_mask, holder_index, personal)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, tracking, a.ItemID, a.Role, StateSubmitted, a.Site, a.Terminal, nanos(now), nanos(promised),
		a.Window, string(mats), privacy.MaskName(a.Applicant.Name),
		st.seal.BlindIndex(normID(a.Applicant.IDNumber)), st.seal.Seal(blob, []byte(a.ID)))
	if err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	if err := addStep(ctx, tx, a.ID, StateSubmitted, now, ""); err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Receipt{}, fmt.Errorf("backend: submit: %w", err)
	}
	st.opts.Logger.Info("application submitted", "tracking", tracking, "item", a.ItemID, "terminal", a.Terminal)
	return Receipt{ApplicationID: a.ID, Tracking: tracking, ItemID: a.ItemID, State: StateSubmitted,
		SubmittedAt: now, PromisedBy: promised, ProgressURL: ProgressURL(st.opts.PublicURL, tracking)}, nil
}

// receipt rebuilds the receipt of application id as first issued (the state is the
// submitted one: a receipt is what was printed).
func (st *Store) receipt(ctx context.Context, tx *sql.Tx, id string) (Receipt, error) {
	r := Receipt{ApplicationID: id, State: StateSubmitted}
	var sub, prom int64
	err := tx.QueryRowContext(ctx, `SELECT tracking, item_id, submitted_at, promised_by
		FROM applications WHERE id = ?`, id).Scan(&r.Tracking, &r.ItemID, &sub, &prom)
	if errors.Is(err, sql.ErrNoRows) {
		return Receipt{}, ErrNotFound
	}
	if err != nil {
		return Receipt{}, err
	}
	r.SubmittedAt, r.PromisedBy = fromNanos(sub), fromNanos(prom)
	r.ProgressURL = ProgressURL(st.opts.PublicURL, r.Tracking)
	return r, nil
}

// nextSeq returns the next number of the day's sequence.
func nextSeq(ctx context.Context, tx *sql.Tx, day string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO tracking_seq(day, n) VALUES (?, 1)
		ON CONFLICT(day) DO UPDATE SET n = n + 1 RETURNING n`, day).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	if n > maxSeq {
		return 0, fmt.Errorf("sequence: more than %d applications on %s", maxSeq, day)
	}
	return n, nil
}

func addStep(ctx context.Context, tx *sql.Tx, appID string, s State, at time.Time, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO steps(app_id, n, state, at, note)
		VALUES (?, (SELECT COALESCE(MAX(n), 0) + 1 FROM steps WHERE app_id = ?), ?, ?, ?)`,
		appID, appID, s, nanos(at), note)
	if err != nil {
		return fmt.Errorf("step: %w", err)
	}
	return nil
}

// Progress returns an application's state and history by tracking number.
func (st *Store) Progress(ctx context.Context, tracking string) (Progress, error) {
	if err := ValidTracking(tracking); err != nil {
		return Progress{}, fmt.Errorf("backend: progress: %w: %v", ErrInvalid, err)
	}
	p := Progress{Tracking: tracking}
	var id string
	var sub, prom int64
	err := st.db.QueryRowContext(ctx, `SELECT id, item_id, state, submitted_at, promised_by, applicant_mask
		FROM applications WHERE tracking = ?`, tracking).Scan(&id, &p.ItemID, &p.State, &sub, &prom, &p.ApplicantMask)
	if errors.Is(err, sql.ErrNoRows) {
		return Progress{}, fmt.Errorf("backend: progress %s: %w", tracking, ErrNotFound)
	}
	if err != nil {
		return Progress{}, fmt.Errorf("backend: progress: %w", err)
	}
	p.SubmittedAt, p.PromisedBy = fromNanos(sub), fromNanos(prom)
	rows, err := st.db.QueryContext(ctx, `SELECT state, at, note FROM steps WHERE app_id = ? ORDER BY n`, id)
	if err != nil {
		return Progress{}, fmt.Errorf("backend: progress: %w", err)
	}
	defer rows.Close()
	p.Steps = []Step{}
	for rows.Next() {
		var s Step
		var at int64
		if err := rows.Scan(&s.State, &at, &s.Note); err != nil {
			return Progress{}, fmt.Errorf("backend: progress: %w", err)
		}
		s.At = fromNanos(at)
		p.Steps = append(p.Steps, s)
	}
	if err := rows.Err(); err != nil {
		return Progress{}, fmt.Errorf("backend: progress: %w", err)
	}
	return p, nil
}

// transitions are the state changes staff may make.
var transitions = map[State][]State{
	StateSubmitted: {StateAccepted},
	StateAccepted:  {StateReview},
	StateReview:    {StateCompleted, StateReturned},
	StateReturned:  {StateReview},
}

func allowed(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

func finished(s State) bool { return s == StateCompleted || s == StateReturned }

// Advance moves an application to state to (a staff operation), recording note in its
// history. Notes are shown to the public on the progress page: put no personal data in them.
// A change the workflow does not allow returns ErrInvalid.
func (st *Store) Advance(ctx context.Context, tracking string, to State, note string) error {
	if err := ValidTracking(tracking); err != nil {
		return fmt.Errorf("backend: advance: %w: %v", ErrInvalid, err)
	}
	if len(note) > 500 {
		return fmt.Errorf("backend: advance: %w: note longer than 500 bytes", ErrInvalid)
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("backend: advance: %w", err)
	}
	defer tx.Rollback()
	var id string
	var from State
	err = tx.QueryRowContext(ctx, `SELECT id, state FROM applications WHERE tracking = ?`, tracking).Scan(&id, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("backend: advance %s: %w", tracking, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("backend: advance: %w", err)
	}
	if !allowed(from, to) {
		return fmt.Errorf("backend: advance %s: %w: %s cannot become %q", tracking, ErrInvalid, from, to)
	}
	now := st.now()
	var fin any // NULL unless the application is finished
	if finished(to) {
		fin = nanos(now)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, finished_at = ? WHERE id = ?`,
		to, fin, id); err != nil {
		return fmt.Errorf("backend: advance: %w", err)
	}
	if err := addStep(ctx, tx, id, to, now, note); err != nil {
		return fmt.Errorf("backend: advance: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("backend: advance: %w", err)
	}
	st.opts.Logger.Info("application advanced", "tracking", tracking, "from", from, "to", to)
	return nil
}

// Purge erases the personal data (sealed blob and holder index) of applications finished
// (completed or returned) before olderThan, keeping the rest of the row for statistics and
// progress queries, and returns how many it erased.
func (st *Store) Purge(ctx context.Context, olderThan time.Time) (int, error) {
	res, err := st.db.ExecContext(ctx, `UPDATE applications SET personal = NULL, holder_index = NULL
		WHERE state IN (?, ?) AND finished_at < ? AND (personal IS NOT NULL OR holder_index IS NOT NULL)`,
		StateCompleted, StateReturned, nanos(olderThan))
	if err != nil {
		return 0, fmt.Errorf("backend: purge: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("backend: purge: %w", err)
	}
	if n > 0 {
		// Checkpoint, so the erased pages leave the WAL file too.
		if _, err := st.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return int(n), fmt.Errorf("backend: purge: checkpoint: %w", err)
		}
		st.opts.Logger.Info("personal data purged", "applications", n, "finished_before", olderThan.UTC())
	}
	return int(n), nil
}

// Applicant returns the sealed personal data of an application (for back-office staff):
// the applicant, the subject and the form fields. After Purge it returns ErrNotFound.
func (st *Store) Applicant(ctx context.Context, tracking string) (Person, *Person, map[string]string, error) {
	var id string
	var blob []byte
	err := st.db.QueryRowContext(ctx, `SELECT id, personal FROM applications WHERE tracking = ?`, tracking).Scan(&id, &blob)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && blob == nil) {
		return Person{}, nil, nil, fmt.Errorf("backend: applicant %s: %w", tracking, ErrNotFound)
	}
	if err != nil {
		return Person{}, nil, nil, fmt.Errorf("backend: applicant: %w", err)
	}
	plain, err := st.seal.Open(blob, []byte(id))
	if err != nil {
		return Person{}, nil, nil, fmt.Errorf("backend: applicant %s: %w", tracking, err)
	}
	var p personal
	if err := json.Unmarshal(plain, &p); err != nil {
		return Person{}, nil, nil, fmt.Errorf("backend: applicant %s: %w", tracking, err)
	}
	return p.Applicant, p.Subject, p.Fields, nil
}

// normID is the form of an ID number the blind index is computed over.
func normID(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
