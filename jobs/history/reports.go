package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"
)

// MaxReportBytes bounds a stored report's JSON, uncompressed: larger ones
// are not stored, and a row that inflates past it is not read (a damaged
// or hostile row costs at most this much memory).
const MaxReportBytes = 8 << 20

// ErrReportTooLarge means a report's JSON is over MaxReportBytes.
var ErrReportTooLarge = errors.New("report JSON over the stored size limit")

// SaveReport keeps the JSON of run id's report, gzip-compressed in
// runs.report, for trends in later periods (the security score history).
// Callers store what trends read (jobs.TrendReport: the report without its
// sections, a few KB compressed); the row goes with its period when
// history.retain prunes it.
func (s *Store) SaveReport(ctx context.Context, id int64, reportJSON []byte) error {
	if len(reportJSON) > MaxReportBytes {
		return fmt.Errorf("store the report of run %d: %d bytes: %w (%d)", id, len(reportJSON), ErrReportTooLarge, MaxReportBytes)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(reportJSON); err != nil {
		return fmt.Errorf("store the report of run %d: compress: %w", id, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("store the report of run %d: compress: %w", id, err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE runs SET report = ? WHERE id = ?`, b.Bytes(), id); err != nil {
		return fmt.Errorf("store the report of run %d: %w", id, err)
	}
	return nil
}

// ErrNoStoredReports means the database was written by a version that
// kept no reports (no runs.report column) and was opened read-only, so it
// was not migrated: serve adds the column when it next opens it.
var ErrNoStoredReports = errors.New("this history database keeps no reports yet (written by an earlier version; serve adds them when it next opens it)")

// ReportQuery selects the stored reports of earlier periods of a job.
type ReportQuery struct {
	Job string
	// Period is the current run's period: its own reports are left out.
	Period string
	// Before leaves out runs scheduled at or after it (later periods, when
	// an old period is run again); zero leaves out none.
	Before time.Time
	// Limit bounds the periods returned.
	Limit int
}

// StoredReport is one period's stored report.
type StoredReport struct {
	RunKey      string
	Period      string
	ScheduledAt time.Time
	// JSON is the report, decompressed; nil when Err is set.
	JSON []byte
	// Err says why the row could not be read (damaged, not gzip, over
	// MaxReportBytes): the caller skips it and says so.
	Err error
}

// Reports returns, newest first, the latest stored report of each earlier
// period of q.Job from runs that produced their report (ok or degraded).
// Runs recorded before reports were stored have none and are not
// returned. A row that cannot be read comes back with Err set; only a
// failing query is an error (ErrNoStoredReports for a database written by
// a version without runs.report, opened read-only).
func (s *Store) Reports(ctx context.Context, q ReportQuery) ([]StoredReport, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	var has bool
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) > 0 FROM pragma_table_info('runs') WHERE name = 'report'`).Scan(&has); err != nil {
		return nil, fmt.Errorf("read stored reports of %s: %w", q.Job, err)
	}
	if !has {
		return nil, fmt.Errorf("read stored reports of %s: %w", q.Job, ErrNoStoredReports)
	}
	where := `job = ? AND report IS NOT NULL AND status IN (?, ?) AND trigger <> ? AND period <> ?`
	args := []any{q.Job, StatusOK, StatusDegraded, TriggerDeadline, q.Period}
	if !q.Before.IsZero() {
		where += ` AND scheduled_at < ?`
		args = append(args, fmtTime(q.Before))
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT run_key, period, scheduled_at, report FROM runs
		WHERE id IN (SELECT MAX(id) FROM runs WHERE `+where+` GROUP BY period)
		ORDER BY scheduled_at DESC, id DESC LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("read stored reports of %s: %w", q.Job, err)
	}
	defer rows.Close()
	var out []StoredReport
	for rows.Next() {
		var r StoredReport
		var sched string
		var blob []byte
		if err := rows.Scan(&r.RunKey, &r.Period, &sched, &blob); err != nil {
			return nil, fmt.Errorf("read stored reports of %s: %w", q.Job, err)
		}
		r.ScheduledAt = parseTime(sched)
		r.JSON, r.Err = inflate(blob)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stored reports of %s: %w", q.Job, err)
	}
	return out, nil
}

// inflate decompresses a stored report, reading at most MaxReportBytes.
func inflate(blob []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("stored report is not gzip (%d bytes): %w", len(blob), err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, MaxReportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("stored report is damaged: %w", err)
	}
	if len(data) > MaxReportBytes {
		return nil, fmt.Errorf("stored report inflates past %d bytes: %w", MaxReportBytes, ErrReportTooLarge)
	}
	return data, nil
}

// ReportSizes sums the stored reports of job ("" for every job),
// compressed, for operations' figures and tests: the runs holding one and
// their bytes.
func (s *Store) ReportSizes(ctx context.Context, job string) (runs int, size int64, err error) {
	var n sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), SUM(LENGTH(report)) FROM runs WHERE report IS NOT NULL AND (? = '' OR job = ?)`, job, job).Scan(&runs, &n)
	if err != nil {
		return 0, 0, fmt.Errorf("read stored report sizes: %w", err)
	}
	return runs, n.Int64, nil
}
