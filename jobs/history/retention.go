package history

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// NoticeSuffix ends the run key of a period's "report missing" notice.
const NoticeSuffix = "/missing"

// PeriodKey is the period a run key belongs to: a notice's key without
// NoticeSuffix, any other key as it is.
func PeriodKey(key string) string { return strings.TrimSuffix(key, NoticeSuffix) }

// PruneResult says what Prune removed.
type PruneResult struct {
	// Keys are the run keys whose records were removed, sorted.
	Keys []string
	// Runs and Deliveries count the removed records.
	Runs, Deliveries int64
}

// Prune removes the records (runs and deliveries) of every run key whose
// latest record is older than cutoff, except:
//   - the latest period of each job (by record and by scheduled instant),
//     with its notice: serve counts missed fires from it, and the
//     deadline check at start looks at it;
//   - periods for which keep, given the period's key, says true: those
//     serve may still resume (a target still owed the report).
//
// A key goes whole or not at all, so what remains of a period is never a
// part that would make it look undone.
func (s *Store) Prune(ctx context.Context, cutoff time.Time, keep func(periodKey string) bool) (PruneResult, error) {
	var res PruneResult
	fail := func(err error) (PruneResult, error) { return res, fmt.Errorf("prune history: %w", err) }
	c := fmtTime(cutoff)
	rows, err := s.db.QueryContext(ctx, `
		SELECT r.run_key FROM runs r
		GROUP BY r.run_key
		HAVING MAX(MAX(r.scheduled_at), MAX(r.started_at), MAX(r.finished_at)) < ?
		   AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.run_key = r.run_key AND d.at >= ?)`, c, c)
	if err != nil {
		return fail(err)
	}
	var old []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fail(err)
		}
		old = append(old, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	latest := map[string]bool{}
	rows, err = s.db.QueryContext(ctx, `
		SELECT run_key FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY job)
		UNION
		SELECT r.run_key FROM runs r JOIN (SELECT job, MAX(scheduled_at) AS m FROM runs GROUP BY job) x ON r.job = x.job AND r.scheduled_at = x.m`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fail(err)
		}
		latest[PeriodKey(k)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	var doomed []string
	for _, k := range old {
		pk := PeriodKey(k)
		if latest[pk] || (keep != nil && keep(pk)) {
			continue
		}
		doomed = append(doomed, k)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	for _, k := range doomed {
		r, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE run_key = ?`, k)
		if err != nil {
			return fail(err)
		}
		n, _ := r.RowsAffected()
		res.Runs += n
		r, err = tx.ExecContext(ctx, `DELETE FROM deliveries WHERE run_key = ?`, k)
		if err != nil {
			return fail(err)
		}
		n, _ = r.RowsAffected()
		res.Deliveries += n
	}
	// Deliveries whose runs are gone (a database written by hand, or by a
	// version that pruned runs only) go by their own age.
	r, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE at < ? AND run_key NOT IN (SELECT run_key FROM runs)`, c)
	if err != nil {
		return fail(err)
	}
	n, _ := r.RowsAffected()
	res.Deliveries += n
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	slices.Sort(doomed)
	res.Keys = doomed
	return res, nil
}

// Jobs returns every job history has records of, sorted (also jobs no
// longer configured).
func (s *Store) Jobs(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT job FROM runs ORDER BY job`)
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var j string
		if err := rows.Scan(&j); err != nil {
			return nil, fmt.Errorf("read jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Abandon records that serve gave up on a period (reason says why and
// what was removed): the period is no longer resumed nor retried.
func (s *Store) Abandon(ctx context.Context, p Period, job, period string, at time.Time, reason string) error {
	_, err := s.StartRun(ctx, Run{Key: p.Key, Job: job, Period: period, ScheduledAt: p.ScheduledAt, Started: at, Finished: at,
		Status: StatusAbandoned, Reason: reason, Trigger: TriggerRetention})
	return err
}

// Notice is a "report missing" notice that failed for some targets.
type Notice struct {
	// Key is the notice's run key (period key + NoticeSuffix).
	Key         string
	ScheduledAt time.Time
	// Attempts counts the notice's runs.
	Attempts int
	// Failed are the targets whose every delivery of the notice failed.
	Failed []string
}

// FailedNotices returns job's notices scheduled at or after since that
// failed for a target that never got them, oldest first.
func (s *Store) FailedNotices(ctx context.Context, job string, since time.Time) ([]Notice, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_key, MAX(scheduled_at), COUNT(*) FROM runs
		WHERE job = ? AND scheduled_at >= ? AND trigger = ? AND status IN `+notSkipped+`
		GROUP BY run_key ORDER BY MAX(scheduled_at)`, job, fmtTime(since), TriggerDeadline)
	if err != nil {
		return nil, fmt.Errorf("read notices of %s: %w", job, err)
	}
	var ns []Notice
	for rows.Next() {
		var n Notice
		var at string
		if err := rows.Scan(&n.Key, &at, &n.Attempts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read notices of %s: %w", job, err)
		}
		n.ScheduledAt = parseTime(at)
		ns = append(ns, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read notices of %s: %w", job, err)
	}
	var out []Notice
	for _, n := range ns {
		delivered, failed := map[string]bool{}, map[string]bool{}
		if err := s.deliveryState(ctx, n.Key, delivered, failed); err != nil {
			return nil, fmt.Errorf("read notices of %s: %w", job, err)
		}
		if len(failed) == 0 {
			continue
		}
		for t := range failed {
			n.Failed = append(n.Failed, t)
		}
		slices.Sort(n.Failed)
		out = append(out, n)
	}
	return out, nil
}
