package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// storeRun records one finished run of job m for period p scheduled at, with a
// stored report when body is not empty, and returns its id.
func storeRun(t *testing.T, s *Store, p string, at time.Time, status, trigger, body string) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := s.StartRun(ctx, Run{Key: "m/" + p, Job: "m", Period: p, ScheduledAt: at, Started: at, Trigger: trigger})
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		if err := s.SaveReport(ctx, id, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FinishRun(ctx, id, at.Add(time.Minute), status, "", nil, nil); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestStoredReports(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	month := func(m time.Month) time.Time { return time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC) }
	storeRun(t, s, "2026-06", month(7), StatusOK, TriggerSchedule, "")                        // recorded before reports were kept
	storeRun(t, s, "2026-07", month(8), StatusOK, TriggerSchedule, `{"v":"jul"}`)             //
	storeRun(t, s, "2026-08", month(9), StatusDegraded, TriggerSchedule, `{"v":"aug-first"}`) // run again below
	storeRun(t, s, "2026-08", month(9), StatusOK, TriggerResume, `{"v":"aug"}`)               // the newest of the period wins
	storeRun(t, s, "2026-09", month(10), StatusFailed, TriggerSchedule, `{"v":"sep-failed"}`) // not completed
	storeRun(t, s, "2026-09", month(10), StatusInterrupted, TriggerResume, `{"v":"sep-int"}`)
	storeRun(t, s, "2026-10", month(11), StatusOK, TriggerSchedule, `{"v":"oct"}`)   // the current period
	storeRun(t, s, "2026-11", month(12), StatusOK, TriggerSchedule, `{"v":"nov"}`)   // later than the run asking
	storeRun(t, s, "2026-05", month(6), StatusOK, TriggerDeadline, `{"v":"notice"}`) // a notice is no report
	other, _ := s.StartRun(ctx, Run{Key: "other/2026-07", Job: "other", Period: "2026-07", ScheduledAt: month(8), Started: month(8)})
	s.SaveReport(ctx, other, []byte(`{"v":"other"}`))
	s.FinishRun(ctx, other, month(8), StatusOK, "", nil, nil)

	got, err := s.Reports(ctx, ReportQuery{Job: "m", Period: "2026-10", Before: month(11), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, r := range got {
		list = append(list, fmt.Sprintf("%s %s %v", r.RunKey, r.JSON, r.Err))
	}
	if want := `m/2026-08 {"v":"aug"} <nil>|m/2026-07 {"v":"jul"} <nil>`; strings.Join(list, "|") != want {
		t.Errorf("reports:\n%s\nwant\n%s", strings.Join(list, "|"), want)
	}
	if got, _ := s.Reports(ctx, ReportQuery{Job: "m", Period: "2026-10", Before: month(11), Limit: 1}); len(got) != 1 || got[0].Period != "2026-08" {
		t.Errorf("limit 1: %+v", got)
	}
	// Without Before every other period counts, later ones too.
	if got, _ := s.Reports(ctx, ReportQuery{Job: "m", Period: "2026-10", Limit: 10}); len(got) != 3 || got[0].Period != "2026-11" {
		t.Errorf("no before: %+v", got)
	}
	n, size, err := s.ReportSizes(ctx, "m")
	if err != nil || n != 8 || size < 8*20 {
		t.Errorf("sizes: %d runs, %d bytes, %v", n, size, err)
	}
}

// A damaged row comes back with Err and the others still do; a report
// over the limit is neither stored nor inflated.
func TestStoredReportDamaged(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	storeRun(t, s, "2026-07", at.AddDate(0, -1, 0), StatusOK, TriggerSchedule, `{"v":"jul"}`)
	bad := storeRun(t, s, "2026-08", at, StatusOK, TriggerSchedule, `{"v":"aug"}`)
	if _, err := s.db.ExecContext(ctx, `UPDATE runs SET report = ? WHERE id = ?`, []byte("not gzip at all"), bad); err != nil {
		t.Fatal(err)
	}
	got, err := s.Reports(ctx, ReportQuery{Job: "m", Period: "2026-09", Limit: 10})
	if err != nil || len(got) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	if got[0].Err == nil || got[0].JSON != nil || !strings.Contains(got[0].Err.Error(), "not gzip") || got[1].Err != nil || string(got[1].JSON) != `{"v":"jul"}` {
		t.Errorf("damaged row: %+v", got)
	}

	// A gzip bomb: 9 MB of zeros in a few KB.
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(make([]byte, MaxReportBytes+1<<20))
	zw.Close()
	s.db.ExecContext(ctx, `UPDATE runs SET report = ? WHERE id = ?`, b.Bytes(), bad)
	got, _ = s.Reports(ctx, ReportQuery{Job: "m", Period: "2026-09", Limit: 1})
	if len(got) != 1 || !errors.Is(got[0].Err, ErrReportTooLarge) {
		t.Errorf("bomb: %+v", got)
	}
	if err := s.SaveReport(ctx, bad, make([]byte, MaxReportBytes+1)); !errors.Is(err, ErrReportTooLarge) {
		t.Errorf("oversized report stored: %v", err)
	}
}

// Prune takes a period's stored report with its runs.
func TestPruneTakesStoredReports(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for m := range 6 {
		storeRun(t, s, fmt.Sprintf("2026-%02d", m+1), at.AddDate(0, m, 0), StatusOK, TriggerSchedule, `{"v":1}`)
	}
	if _, err := s.Prune(ctx, at.AddDate(0, 3, 0), nil); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.ReportSizes(ctx, ""); n != 3 {
		t.Errorf("%d stored reports after prune, want 3", n)
	}
}

// A database of an earlier version gains runs.report when serve opens it;
// opened read-only (cwreport run) it is left as it is and says why it has
// no reports.
func TestMigrationAddsReport(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_key TEXT NOT NULL, job TEXT NOT NULL, period TEXT NOT NULL,
		scheduled_at TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
		trigger TEXT NOT NULL DEFAULT '', replica TEXT NOT NULL DEFAULT '', data_gaps TEXT NOT NULL DEFAULT '[]', artifacts TEXT NOT NULL DEFAULT '[]',
		repeats INTEGER NOT NULL DEFAULT 1);
		INSERT INTO runs (run_key, job, period, scheduled_at, started_at, status) VALUES ('m/2026-08', 'm', '2026-08', '2026-09-01T00:00:00.000000000Z', '2026-09-01T00:00:00.000000000Z', 'ok');`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Reports(ctx, ReportQuery{Job: "m", Period: "2026-09", Limit: 12}); !errors.Is(err, ErrNoStoredReports) {
		t.Errorf("read-only old database: %v", err)
	}
	ro.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Reports(ctx, ReportQuery{Job: "m", Period: "2026-09", Limit: 12}); err != nil || len(got) != 0 {
		t.Errorf("migrated: %+v %v", got, err)
	}
	id := storeRun(t, s, "2026-09", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), StatusOK, TriggerSchedule, `{"v":"sep"}`)
	if got, err := s.Reports(ctx, ReportQuery{Job: "m", Period: "2026-10", Limit: 12}); err != nil || len(got) != 1 || string(got[0].JSON) != `{"v":"sep"}` {
		t.Errorf("after migration, run %d: %+v %v", id, got, err)
	}
}
