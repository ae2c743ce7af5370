package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report"
)

// `cwreport run` of a monthly audit reads the score history from the
// history database serve keeps (history.path), read-only: the reports of
// September and October give the November report its trend, a damaged row
// is skipped with a note, and the database is left exactly as it was (a
// run serve left "running" is not marked interrupted). Without the
// database the run works and creates none.
func TestRunReadsScoreHistoryFromServeHistory(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "state", "history.db")
	cfgPath := filepath.Join(dir, "cwreport.yaml")
	if err := os.WriteFile(cfgPath, []byte(`timezone: Asia/Seoul
source: {type: demo}
history: {path: `+dbPath+`}
jobs:
  - name: audit
    kind: security
    schedule: "0 9 1 * *"
    window: last-month
    period: month
    formats: [json]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	ctx := context.Background()

	// Without history the report has no trend and no database appears.
	out := filepath.Join(dir, "out0")
	code, _, errs := cli(t, "run", "audit", "--config", cfgPath, "--at", "2026-12-01T09:00", "--out", out, "--no-deliver")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if h := readScore(t, filepath.Join(out, "audit-2026-11.json")).History; len(h) != 0 {
		t.Errorf("trend without history: %v", h)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Fatalf("run created the history database: %v", err)
	}

	st, err := history.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	record := func(period string, month time.Month, score float64, status string) int64 {
		at := time.Date(2026, month+1, 1, 9, 0, 0, 0, seoul)
		id, err := st.StartRun(ctx, history.Run{Key: "audit/" + period, Job: "audit", Period: period, ScheduledAt: at, Started: at, Trigger: history.TriggerSchedule})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, month, 1, 0, 0, 0, 0, seoul)
		b, err := jobs.TrendReport(&report.Report{Schema: report.Schema, Job: "audit", Kind: "security", GeneratedAt: at,
			Window: report.Window{Start: start, End: start.AddDate(0, 1, 0)}, Score: &report.Score{Value: score, Max: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveReport(ctx, id, b); err != nil {
			t.Fatal(err)
		}
		if status != history.StatusRunning {
			if err := st.FinishRun(ctx, id, at.Add(time.Minute), status, "", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	damaged := record("2026-08", 8, 12, history.StatusOK)
	record("2026-09", 9, 55.5, history.StatusOK)
	record("2026-10", 10, 61, history.StatusDegraded)
	record("2026-11", 11, 5, history.StatusRunning) // serve is running November now
	st.Close()
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE runs SET report = ? WHERE id = ?`, []byte("not gzip"), damaged); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}

	out = filepath.Join(dir, "out1")
	code, _, errs = cli(t, "run", "audit", "--config", cfgPath, "--at", "2026-12-01T09:00", "--out", out, "--no-deliver")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if h := readScore(t, filepath.Join(out, "audit-2026-11.json")).History; len(h) != 2 || h[0] != (report.ScorePoint{Period: "2026-09", Value: 55.5}) || h[1] != (report.ScorePoint{Period: "2026-10", Value: 61}) {
		t.Errorf("trend from history: %v", h)
	}
	if !strings.Contains(errs, "note: earlier reports: run history audit/2026-08 skipped: stored report is not gzip") {
		t.Errorf("no note about the damaged row:\n%s", errs)
	}
	after, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("run changed the history database")
	}
	ro, err := history.OpenReadOnly(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rs, err := ro.Recent(ctx, "audit", 1)
	if err != nil || len(rs) != 1 || rs[0].Status != history.StatusRunning {
		t.Errorf("serve's running run after cwreport run: %+v %v", rs, err)
	}
}

func readScore(t *testing.T, path string) *report.Score {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil || rep.Score == nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep.Score
}
