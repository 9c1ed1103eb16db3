package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ReportRow is one issued report: its canonical content (the JSON its QR hash is over), the
// signed file exactly as issued, and whether it was superseded by a reissue or withdrawn when its
// job was invalidated.
type ReportRow struct {
	Number       string
	Job          string
	Hash         string // report.Report.Hash of Content
	FileSHA256   string // hex SHA-256 of PDF
	Issued       time.Time
	Content      []byte
	PDF          []byte
	SupersededBy string
	Reason       string // why it was reissued (on the new report)
	Withdrawn    string // why it no longer stands (its job was invalidated), "" if it does
}

// AddReport stores a newly issued report; when it replaces an earlier one (r.Reason set and
// supersedes not empty), the earlier one is marked superseded in the same transaction.
func (s *Store) AddReport(ctx context.Context, r ReportRow, supersedes string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: report %s: %w", r.Number, err)
	}
	defer rollback(tx)
	_, err = tx.ExecContext(ctx, `INSERT INTO reports (number, job, hash, file_sha256, issued_ns, content, pdf, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Number, r.Job, r.Hash, r.FileSHA256, ns(r.Issued), r.Content, r.PDF, r.Reason)
	if err != nil {
		return fmt.Errorf("store: report %s: %w", r.Number, err)
	}
	if supersedes != "" {
		res, err := tx.ExecContext(ctx, `UPDATE reports SET superseded_by = ? WHERE number = ? AND superseded_by = ''`,
			r.Number, supersedes)
		if err != nil {
			return fmt.Errorf("store: report %s supersedes %s: %w", r.Number, supersedes, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: report %s supersedes %s: %w (or already superseded)", r.Number, supersedes, ErrNotFound)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: report %s: %w", r.Number, err)
	}
	return nil
}

// WithdrawReports marks every standing report of job as withdrawn, with the reason.
func (s *Store) WithdrawReports(ctx context.Context, job, reason string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE reports SET withdrawn = ? WHERE job = ? AND withdrawn = ''`, reason, job)
	if err != nil {
		return fmt.Errorf("store: withdraw reports of %s: %w", job, err)
	}
	return nil
}

const reportCols = `number, job, hash, file_sha256, issued_ns, content, pdf, superseded_by, reason, withdrawn`

func scanReport(sc interface{ Scan(...any) error }) (ReportRow, error) {
	var r ReportRow
	var issued int64
	err := sc.Scan(&r.Number, &r.Job, &r.Hash, &r.FileSHA256, &issued, &r.Content, &r.PDF, &r.SupersededBy, &r.Reason, &r.Withdrawn)
	r.Issued = fromNs(issued)
	return r, err
}

// Report returns one report, or ErrNotFound.
func (s *Store) Report(ctx context.Context, number string) (ReportRow, error) {
	r, err := scanReport(s.r.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports WHERE number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("report %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("store: report %s: %w", number, err)
	}
	return r, nil
}

// Reports returns a job's reports, the newest first, without their PDF bytes.
func (s *Store) Reports(ctx context.Context, job string) ([]ReportRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT number, job, hash, file_sha256, issued_ns, content, x'', superseded_by, reason, withdrawn
		FROM reports WHERE job = ? ORDER BY issued_ns DESC, number DESC`, job)
	if err != nil {
		return nil, fmt.Errorf("store: reports of %s: %w", job, err)
	}
	defer rows.Close()
	var out []ReportRow
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: reports of %s: %w", job, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
