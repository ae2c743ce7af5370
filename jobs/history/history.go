// Package history records what ran and what was delivered, in an embedded
// SQLite database (modernc.org/sqlite: pure Go, no cgo, so the binary stays
// static). It answers the scheduler's two questions: did this period already
// run, and was it already delivered to this target? It also keeps each
// completed run's report (reports.go) for later periods' trends.
package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	// StatusLeased: another replica holds the period's lease and runs it
	// (or did, and its lease has not expired yet); serve revisits the
	// period and takes it over once the lease expires.
	StatusLeased = "leased"
	// StatusElsewhere: another replica finished the period (every target
	// has it), as its lease says; nothing is left to do here.
	StatusElsewhere = "elsewhere"
	// StatusAbandoned marks a period serve gave up on (resume limit
	// reached, past the catch-up policy, or its job removed) while a target
	// still lacked it; its spool was removed. Trigger "retention".
	StatusAbandoned = "abandoned"
)

// Triggers: what made a run start.
const (
	TriggerSchedule = "schedule"
	TriggerCatchUp  = "catch-up"
	// TriggerResume finishes an interrupted period or retries the targets
	// a period's delivery failed for.
	TriggerResume = "resume"
	TriggerManual = "manual"
	// TriggerDeadline records a "report missing" notice: its run key is the
	// period's key + "/missing", and its status says how the notice went.
	TriggerDeadline = "deadline"
	// TriggerRetention records history's own upkeep: a period abandoned
	// and its spool removed.
	TriggerRetention = "retention"
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
	Trigger     string // schedule | catch-up | resume | manual
	Replica     string
	DataGaps    json.RawMessage // the report's data_gaps
	Artifacts   []Artifact
	// Repeats counts the identical skipped fires this record stands for
	// (1 for a run).
	Repeats    int
	Deliveries []Delivery
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
  artifacts    TEXT NOT NULL DEFAULT '[]',
  repeats      INTEGER NOT NULL DEFAULT 1,
  report       BLOB
);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs(run_key);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs(job, scheduled_at);
CREATE INDEX IF NOT EXISTS runs_by_key_status ON runs(run_key, status);
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
CREATE TABLE IF NOT EXISTS jobs_seen (
  job        TEXT PRIMARY KEY,
  first_seen TEXT NOT NULL
);
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
	if err := migrate(ctx, db); err != nil {
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

// ErrNoHistory means the database file does not exist yet.
var ErrNoHistory = errors.New("no history yet")

// OpenReadOnly opens an existing database for reading, leaving it as it
// is: `cwreport history` reads while serve writes, and must neither create
// the file nor mark serve's running runs as interrupted.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open history %s: %w (serve has not run with this history.path)", path, ErrNoHistory)
		}
		return nil, fmt.Errorf("open history: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// migrate creates the schema and adds what earlier versions lacked.
func migrate(ctx context.Context, db *sql.DB) error {
	// Columns added after the first schema, added before the indexes and
	// queries that use them: runs.repeats, then runs.report (the stored
	// report, NULL for runs recorded before it existed).
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'runs'`).Scan(&n); err != nil {
		return err
	}
	if n == 1 {
		for _, col := range []struct{ name, def string }{
			{"repeats", "INTEGER NOT NULL DEFAULT 1"},
			{"report", "BLOB"},
		} {
			var has bool
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) > 0 FROM pragma_table_info('runs') WHERE name = ?`, col.name).Scan(&has); err != nil {
				return err
			}
			if !has {
				if _, err := db.ExecContext(ctx, `ALTER TABLE runs ADD COLUMN `+col.name+` `+col.def); err != nil {
					return err
				}
			}
		}
	}
	_, err := db.ExecContext(ctx, schema)
	return err
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

// LastScheduled returns the latest scheduled instant recorded for job,
// whatever became of it (a skipped fire was decided on too), or zero.
func (s *Store) LastScheduled(ctx context.Context, job string) (time.Time, error) {
	var v sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT MAX(scheduled_at) FROM runs WHERE job = ?`, job).Scan(&v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read last run of %s: %w", job, err)
	}
	return parseTime(v.String), nil
}

// LastSuccess returns when job last finished ok or degraded, or zero
// (notices are not successes).
func (s *Store) LastSuccess(ctx context.Context, job string) (time.Time, error) {
	var v sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT MAX(finished_at) FROM runs WHERE job = ? AND status IN (?, ?) AND trigger <> ?`, job, StatusOK, StatusDegraded, TriggerDeadline).Scan(&v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read last success of %s: %w", job, err)
	}
	return parseTime(v.String), nil
}

// Recent returns the latest runs, newest first, with their deliveries; job
// "" means every job. Deliveries recorded before the oldest run returned
// belong to older runs and are left out.
func (s *Store) Recent(ctx context.Context, job string, limit int) ([]Run, error) {
	q := `SELECT id, run_key, job, period, scheduled_at, started_at, finished_at, status, reason, trigger, replica, data_gaps, artifacts, repeats FROM runs`
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
		if err := rows.Scan(&r.ID, &r.Key, &r.Job, &r.Period, &sched, &started, &finished, &r.Status, &r.Reason, &r.Trigger, &r.Replica, &gaps, &arts, &r.Repeats); err != nil {
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
	// Deliveries are kept by run key; each goes to the run of its key that
	// was going on when it was recorded (the latest one started before
	// it). Skipped fires delivered nothing.
	byKey := map[string][]int{} // indexes into runs, newest first
	for i, r := range runs {
		if r.Status != StatusSkipped && r.Status != StatusLeased && r.Status != StatusElsewhere && r.Status != StatusAbandoned {
			byKey[r.Key] = append(byKey[r.Key], i)
		}
	}
	for key, idx := range byKey {
		ds, err := s.Deliveries(ctx, key)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			for _, i := range idx {
				if !d.At.Before(runs[i].Started) {
					runs[i].Deliveries = append(runs[i].Deliveries, d)
					break
				}
			}
		}
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

// FirstSeen returns when serve first scheduled job, recording now (or the
// job's earliest run) if it never did: fires after that instant that never
// ran were missed, while a job added today has no past to catch up.
func (s *Store) FirstSeen(ctx context.Context, job string, now time.Time) (time.Time, error) {
	// A database written before jobs_seen existed already knows the job
	// from its runs.
	if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO jobs_seen (job, first_seen)
		SELECT ?, COALESCE(MIN(scheduled_at), ?) FROM runs WHERE job = ?`, job, fmtTime(now), job); err != nil {
		return time.Time{}, fmt.Errorf("record job %s: %w", job, err)
	}
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT first_seen FROM jobs_seen WHERE job = ?`, job).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("read job %s: %w", job, err)
	}
	return parseTime(v), nil
}

// Period is what history knows about one run key.
type Period struct {
	Key string
	// ScheduledAt is the instant of the latest run that was not skipped
	// (of the first fire when all were skipped).
	ScheduledAt time.Time
	// Status is the latest run's status, skips aside ("" when every fire
	// of the period was skipped); leased when another replica held the
	// period's lease at the latest fire, elsewhere when another replica
	// finished it.
	Status string
	// Abandoned: serve gave up on the period after its latest run (see
	// StatusAbandoned).
	Abandoned bool
	// Completed: some run produced the report (ok or degraded).
	Completed bool
	// Delivered holds the targets that have the report; Failed those whose
	// every delivery of it failed.
	Delivered map[string]bool
	Failed    map[string]bool
	// Resumes counts runs started to resume the period.
	Resumes int
}

// Missing returns the targets, of those given, that do not have the report.
func (p Period) Missing(targets []string) []string {
	var out []string
	for _, t := range targets {
		if !p.Delivered[t] {
			out = append(out, t)
		}
	}
	return out
}

// notSkipped lists the statuses of runs that did something.
const notSkipped = `('` + StatusRunning + `','` + StatusOK + `','` + StatusDegraded + `','` + StatusFailed + `','` + StatusInterrupted + `')`

// decisive lists the statuses that say where a period stands: the runs
// that did something, and what the lease said of another replica.
const decisive = `('` + StatusRunning + `','` + StatusOK + `','` + StatusDegraded + `','` + StatusFailed + `','` + StatusInterrupted + `','` + StatusLeased + `','` + StatusElsewhere + `')`

// PeriodOf returns the state of one run key; a key never seen has the zero
// state (with Key set). Its cost does not grow with the number of skipped
// fires of the period (a schedule firing every second records one an
// instant).
func (s *Store) PeriodOf(ctx context.Context, key string) (Period, error) {
	p := Period{Key: key, Delivered: map[string]bool{}, Failed: map[string]bool{}}
	fail := func(err error) (Period, error) { return p, fmt.Errorf("read period %s: %w", key, err) }
	var status, sched string
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id, status, scheduled_at FROM runs WHERE run_key = ? AND trigger <> ? AND status IN `+decisive+` ORDER BY id DESC LIMIT 1`, key, TriggerDeadline).Scan(&id, &status, &sched)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var first sql.NullString
		if err := s.db.QueryRowContext(ctx, `SELECT scheduled_at FROM runs WHERE run_key = ? ORDER BY id LIMIT 1`, key).Scan(&first); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fail(err)
		}
		p.ScheduledAt = parseTime(first.String)
	case err != nil:
		return fail(err)
	default:
		p.Status, p.ScheduledAt = status, parseTime(sched)
	}
	err = s.db.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM runs WHERE run_key = ? AND trigger <> ? AND status IN (?, ?)),
		(SELECT COUNT(*) FROM runs WHERE run_key = ? AND trigger = ? AND status IN `+notSkipped+`),
		EXISTS (SELECT 1 FROM runs WHERE run_key = ? AND status = ? AND id > ?)`,
		key, TriggerDeadline, StatusOK, StatusDegraded, key, TriggerResume, key, StatusAbandoned, id).Scan(&p.Completed, &p.Resumes, &p.Abandoned)
	if err != nil {
		return fail(err)
	}
	if err := s.deliveryState(ctx, key, p.Delivered, p.Failed); err != nil {
		return fail(err)
	}
	return p, nil
}

// deliveryState fills the targets that have key and those whose every
// delivery of it failed.
func (s *Store) deliveryState(ctx context.Context, key string, delivered, failed map[string]bool) error {
	rows, err := s.db.QueryContext(ctx, `SELECT target, status FROM deliveries WHERE run_key = ?`, key)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var target, st string
		if err := rows.Scan(&target, &st); err != nil {
			return err
		}
		if st == DeliveryOK {
			delivered[target] = true
		} else {
			failed[target] = true
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for t := range delivered {
		delete(failed, t)
	}
	return nil
}

// Unfinished returns the periods of job scheduled at or after since that
// were interrupted, whose delivery failed for a target that never got
// them, or whose lease another replica held at the latest fire (it may
// have died), oldest first; not those abandoned or finished elsewhere.
// Targets added to a job later are not owed its earlier periods.
func (s *Store) Unfinished(ctx context.Context, job string, since time.Time) ([]Period, error) {
	// Candidates: keys with an interrupted or leased run, and keys with a
	// failed delivery (deliveries are keyed "job/period": a range of the
	// index).
	rows, err := s.db.QueryContext(ctx, `
		SELECT run_key FROM runs WHERE job = ? AND scheduled_at >= ? AND status IN (?, ?) AND trigger <> ?
		UNION
		SELECT run_key FROM deliveries WHERE run_key >= ? AND run_key < ? AND status = ?`,
		job, fmtTime(since), StatusInterrupted, StatusLeased, TriggerDeadline, job+"/", job+"0", DeliveryFailed)
	if err != nil {
		return nil, fmt.Errorf("read unfinished periods of %s: %w", job, err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read unfinished periods of %s: %w", job, err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unfinished periods of %s: %w", job, err)
	}
	var out []Period
	for _, k := range keys {
		if strings.Count(k, "/") != 1 {
			continue // a notice ("job/period/missing")
		}
		p, err := s.PeriodOf(ctx, k)
		if err != nil {
			return nil, err
		}
		if p.ScheduledAt.Before(since) || p.Abandoned || p.Status == StatusElsewhere {
			continue
		}
		if p.Status == StatusInterrupted || p.Status == StatusLeased || (p.Completed && len(p.Failed) > 0) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Period) int { return a.ScheduledAt.Compare(b.ScheduledAt) })
	return out, nil
}

// RecordSkip records a fire that did not run. Consecutive identical skips
// of a period (same status, reason and trigger) share one record whose
// Repeats counts them and whose ScheduledAt is the latest fire: a schedule
// that fires every second into a period already done adds no rows.
func (s *Store) RecordSkip(ctx context.Context, r Run) error {
	var id int64
	var status, reason, trigger string
	err := s.db.QueryRowContext(ctx, `SELECT id, status, reason, trigger FROM runs WHERE run_key = ? ORDER BY id DESC LIMIT 1`, r.Key).Scan(&id, &status, &reason, &trigger)
	if err == nil && status == r.Status && reason == r.Reason && trigger == r.Trigger {
		_, err = s.db.ExecContext(ctx, `UPDATE runs SET scheduled_at = MAX(scheduled_at, ?), finished_at = ?, repeats = repeats + 1 WHERE id = ?`, fmtTime(r.ScheduledAt), fmtTime(r.Finished), id)
		if err != nil {
			return fmt.Errorf("record skipped run %s: %w", r.Key, err)
		}
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("record skipped run %s: %w", r.Key, err)
	}
	_, err = s.StartRun(ctx, r)
	return err
}

// InterruptRunning marks every run still recorded as running as
// interrupted, with reason: serve calls it when shutdown had to abandon
// runs, so history never shows a run as going on after the process ended.
func (s *Store) InterruptRunning(ctx context.Context, at time.Time, reason string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, reason = ?, finished_at = ? WHERE status = ?`, StatusInterrupted, reason, fmtTime(at), StatusRunning)
	if err != nil {
		return 0, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return res.RowsAffected()
}

// Ping checks that the database answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs_seen`).Scan(&n); err != nil {
		return fmt.Errorf("history database: %w", err)
	}
	return nil
}
