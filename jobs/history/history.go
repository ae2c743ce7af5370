// Package history records what ran and what was delivered, in an embedded
// SQLite database (modernc.org/sqlite: pure Go, no cgo, so the binary stays
// static). It answers the scheduler's two questions: did this period already
// run, and was it already delivered to this target?
package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Run statuses. A run is "running" until it finishes; runs left "running"
// by a crash are marked "interrupted" when the store is opened again.
const (
	StatusRunning     = "running"
	StatusOK          = "ok"
	StatusDegraded    = "degraded" // report produced, a source or a delivery failed
	StatusFailed      = "failed"
	StatusSkipped     = "skipped" // e.g. the previous run was still going
	StatusInterrupted = "interrupted"
)

// Delivery statuses.
const (
	DeliveryOK     = "ok"
	DeliveryFailed = "failed"
)

// Run is one recorded run.
type Run struct {
	ID          int64
	Key         string // job/period
	Job         string
	Period      string
	ScheduledAt time.Time
	Started     time.Time
	Finished    time.Time // zero while running
	Status      string
	Reason      string // why it failed or was skipped
	Trigger     string // schedule | catch-up | manual | retry
	Replica     string
	DataGaps    json.RawMessage // the report's data_gaps
	Artifacts   []Artifact
	Deliveries  []Delivery
}

// Artifact is one file a run produced.
type Artifact struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// Delivery is one target's outcome for a run.
type Delivery struct {
	RunKey   string
	Target   string
	Status   string
	Attempts int
	// Detail holds target receipts: S3 version id, SMTP message id, Slack ts
	// and file id.
	Detail map[string]string
	Error  string
	At     time.Time
}

// Store is the history database.
type Store struct {
	db *sql.DB
}

const schema = `
CREATE TABLE IF NOT EXISTS runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  run_key      TEXT NOT NULL,
  job          TEXT NOT NULL,
  period       TEXT NOT NULL,
  scheduled_at TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  finished_at  TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  trigger      TEXT NOT NULL DEFAULT '',
  replica      TEXT NOT NULL DEFAULT '',
  data_gaps    TEXT NOT NULL DEFAULT '[]',
  artifacts    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs(run_key);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs(job, scheduled_at);
CREATE TABLE IF NOT EXISTS deliveries (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  run_key  TEXT NOT NULL,
  target   TEXT NOT NULL,
  status   TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  detail   TEXT NOT NULL DEFAULT '{}',
  error    TEXT NOT NULL DEFAULT '',
  at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_key ON deliveries(run_key, target);
`

// timeFormat is fixed-width so times sort as text.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// Open opens (creating if needed) the database at path and marks runs a
// crash left "running" as interrupted.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open history: %w", err)
		}
	}
	// WAL and a busy timeout let `cwreport history` read while serve writes.
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serialises anyway
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open history %s: create schema: %w", path, err)
	}
	s := &Store{db: db}
	if _, err := db.ExecContext(ctx, `UPDATE runs SET status = ?, reason = 'the process stopped while the run was in progress', finished_at = started_at WHERE status = ?`, StatusInterrupted, StatusRunning); err != nil {
		db.Close()
		return nil, fmt.Errorf("open history: mark interrupted runs: %w", err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// StartRun records a run as running and returns its id.
func (s *Store) StartRun(ctx context.Context, r Run) (int64, error) {
	if r.Status == "" {
		r.Status = StatusRunning
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO runs (run_key, job, period, scheduled_at, started_at, finished_at, status, reason, trigger, replica)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Key, r.Job, r.Period, fmtTime(r.ScheduledAt), fmtTime(r.Started), fmtTime(r.Finished), r.Status, r.Reason, r.Trigger, r.Replica)
	if err != nil {
		return 0, fmt.Errorf("record run %s: %w", r.Key, err)
	}
	return res.LastInsertId()
}

// FinishRun records the outcome of run id.
func (s *Store) FinishRun(ctx context.Context, id int64, finished time.Time, status, reason string, gaps json.RawMessage, arts []Artifact) error {
	if gaps == nil {
		gaps = json.RawMessage("[]")
	}
	if arts == nil {
		arts = []Artifact{}
	}
	artJSON, err := json.Marshal(arts)
	if err != nil {
		return fmt.Errorf("record run %d: %w", id, err)
	}
	_, err = s.db.ExecContext(ctx, `UPDATE runs SET finished_at = ?, status = ?, reason = ?, data_gaps = ?, artifacts = ? WHERE id = ?`,
		fmtTime(finished), status, reason, string(gaps), string(artJSON), id)
	if err != nil {
		return fmt.Errorf("record run %d: %w", id, err)
	}
	return nil
}

// RecordDelivery appends a target's outcome for a run.
func (s *Store) RecordDelivery(ctx context.Context, d Delivery) error {
	detail, err := json.Marshal(d.Detail)
	if err != nil || d.Detail == nil {
		detail = []byte("{}")
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO deliveries (run_key, target, status, attempts, detail, error, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.RunKey, d.Target, d.Status, d.Attempts, string(detail), d.Error, fmtTime(d.At))
	if err != nil {
		return fmt.Errorf("record delivery of %s to %s: %w", d.RunKey, d.Target, err)
	}
	return nil
}

// Delivered reports whether runKey was ever delivered to target successfully.
func (s *Store) Delivered(ctx context.Context, runKey, target string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE run_key = ? AND target = ? AND status = ?`, runKey, target, DeliveryOK).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read deliveries of %s: %w", runKey, err)
	}
	return n > 0, nil
}

// Completed reports whether runKey has a finished run that produced a
// report (ok or degraded).
func (s *Store) Completed(ctx context.Context, runKey string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM runs WHERE run_key = ? AND status IN (?, ?)`, runKey, StatusOK, StatusDegraded).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read runs of %s: %w", runKey, err)
	}
	return n > 0, nil
}

// LastScheduled returns the latest scheduled instant recorded for job (any
// status but skipped), or zero.
func (s *Store) LastScheduled(ctx context.Context, job string) (time.Time, error) {
	var v sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT MAX(scheduled_at) FROM runs WHERE job = ? AND status <> ?`, job, StatusSkipped).Scan(&v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read last run of %s: %w", job, err)
	}
	return parseTime(v.String), nil
}

// LastSuccess returns when job last finished ok or degraded, or zero.
func (s *Store) LastSuccess(ctx context.Context, job string) (time.Time, error) {
	var v sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT MAX(finished_at) FROM runs WHERE job = ? AND status IN (?, ?)`, job, StatusOK, StatusDegraded).Scan(&v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read last success of %s: %w", job, err)
	}
	return parseTime(v.String), nil
}

// Recent returns the latest runs, newest first, with their deliveries; job
// "" means every job.
func (s *Store) Recent(ctx context.Context, job string, limit int) ([]Run, error) {
	q := `SELECT id, run_key, job, period, scheduled_at, started_at, finished_at, status, reason, trigger, replica, data_gaps, artifacts FROM runs`
	args := []any{}
	if job != "" {
		q += ` WHERE job = ?`
		args = append(args, job)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		var r Run
		var sched, started, finished, gaps, arts string
		if err := rows.Scan(&r.ID, &r.Key, &r.Job, &r.Period, &sched, &started, &finished, &r.Status, &r.Reason, &r.Trigger, &r.Replica, &gaps, &arts); err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		r.ScheduledAt, r.Started, r.Finished = parseTime(sched), parseTime(started), parseTime(finished)
		r.DataGaps = json.RawMessage(gaps)
		_ = json.Unmarshal([]byte(arts), &r.Artifacts)
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	for i := range runs {
		ds, err := s.Deliveries(ctx, runs[i].Key)
		if err != nil {
			return nil, err
		}
		runs[i].Deliveries = ds
	}
	return runs, nil
}

// Deliveries returns every delivery record of runKey, oldest first.
func (s *Store) Deliveries(ctx context.Context, runKey string) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_key, target, status, attempts, detail, error, at FROM deliveries WHERE run_key = ? ORDER BY id`, runKey)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", runKey, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var detail, at string
		if err := rows.Scan(&d.RunKey, &d.Target, &d.Status, &d.Attempts, &detail, &d.Error, &at); err != nil {
			return nil, fmt.Errorf("read deliveries of %s: %w", runKey, err)
		}
		_ = json.Unmarshal([]byte(detail), &d.Detail)
		d.At = parseTime(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ErrNotFound is returned when a run does not exist.
var ErrNotFound = errors.New("not found")
