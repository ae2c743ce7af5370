package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report"
)

// auditMonth is a crafted earlier report of job audit covering a month.
func auditMonth(loc *time.Location, month time.Month, score float64, generated time.Time) *report.Report {
	start := time.Date(2026, month, 1, 0, 0, 0, 0, loc)
	return &report.Report{Schema: report.Schema, Job: "audit", Kind: "security", GeneratedAt: generated, Window: report.Window{Start: start, End: start.AddDate(0, 1, 0)},
		Score: &report.Score{Value: score, Max: 100}, Findings: []report.Finding{}, DataGaps: []report.DataGap{},
		Sections: []report.Section{{ID: "big", Title: strings.Repeat("x", 1000)}}}
}

// historyRun records a completed run of audit for period with body as its
// stored report (nil: none), as serve does.
func historyRun(t *testing.T, st *history.Store, period string, at time.Time, body []byte) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := st.StartRun(ctx, history.Run{Key: "audit/" + period, Job: "audit", Period: period, ScheduledAt: at, Started: at, Trigger: history.TriggerSchedule})
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		if err := st.SaveReport(ctx, id, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishRun(ctx, id, at.Add(time.Minute), history.StatusOK, "", nil, nil); err != nil {
		t.Fatal(err)
	}
	return id
}

func trendJSON(t *testing.T, rep *report.Report) []byte {
	t.Helper()
	b, err := TrendReport(rep)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// History is asked first and wins a period it has; the archive fills in
// the periods it lacks, including one whose history row is damaged; a
// damaged row and a report of another schema are skipped with a note; the
// run goes on.
func TestEarlierFromHistoryThenArchive(t *testing.T) {
	flat := t.TempDir()
	cfg := securityConfig(t, `timezone: Asia/Seoul
source: {type: demo}
jobs:
  - name: audit
    kind: security
    window: last-month
    period: month
    formats: [json]
`)
	job := cfg.Jobs[0]
	loc := job.Location
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "history.db")
	st, err := history.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fire := func(m time.Month) time.Time { return time.Date(2026, m, 1, 9, 0, 0, 0, loc) }
	gen := func(m time.Month) time.Time { return fire(m).Add(time.Minute) }

	old := auditMonth(loc, 6, 10, gen(7))
	old.Schema = "cwreport.report/v0"
	historyRun(t, st, "2026-06", fire(7), trendJSON(t, old))                                  // another schema: note
	historyRun(t, st, "2026-07", fire(8), nil)                                                // recorded before reports were kept
	bad := historyRun(t, st, "2026-08", fire(9), trendJSON(t, auditMonth(loc, 8, 1, gen(9)))) // damaged below: note
	historyRun(t, st, "2026-09", fire(10), trendJSON(t, auditMonth(loc, 9, 60, gen(10))))
	historyRun(t, st, "2026-10", fire(11), trendJSON(t, auditMonth(loc, 10, 70, gen(11))))
	damageReport(t, dbPath, bad)

	write := func(name string, rep *report.Report) {
		b, _ := json.Marshal(rep)
		if err := os.WriteFile(filepath.Join(flat, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("audit-2026-10.json", auditMonth(loc, 10, 99, gen(11).Add(time.Hour))) // history has October: not read
	write("audit-2026-08.json", auditMonth(loc, 8, 48, gen(9)))                  // fills in for the damaged row
	write("audit-2026-07.json", auditMonth(loc, 7, 47, gen(8)))                  // history has no report of July

	r := securityRunner(t, cfg)
	r.History, r.ArchiveDirs = st, []string{flat}
	run := NewRun(job, fire(12))
	got, notes := r.earlier(ctx, run, 12)
	var list []string
	for _, g := range got {
		list = append(list, fmt.Sprintf("%s=%v sections:%d", g.Window.Start.In(loc).Format("2006-01"), g.Score.Value, len(g.Sections)))
	}
	if want := "2026-10=70 sections:0|2026-09=60 sections:0|2026-08=48 sections:1|2026-07=47 sections:1"; strings.Join(list, "|") != want {
		t.Errorf("earlier:\n%s\nwant\n%s", strings.Join(list, "|"), want)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "run history audit/2026-08 skipped: stored report is not gzip") ||
		!strings.Contains(notes[1], `run history audit/2026-06 skipped: schema "cwreport.report/v0", not cwreport.report/v1`) {
		t.Errorf("notes %q", notes)
	}

	res := r.Run(ctx, run)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if fmt.Sprint(res.Notes) != fmt.Sprint(notes) {
		t.Errorf("result notes %q", res.Notes)
	}
	h := res.Report.Score.History
	if fmt.Sprint(h) != "[{2026-07 47} {2026-08 48} {2026-09 60} {2026-10 70}]" {
		t.Errorf("score history %v", h)
	}

	// n bounds what comes back, newest first.
	if got, _ := r.earlier(ctx, run, 1); len(got) != 1 || got[0].Score.Value != 70 {
		t.Errorf("n=1: %+v", got)
	}
}

// damageReport overwrites run id's stored report through the database
// file itself, as a disk error or a hand edit would.
func damageReport(t *testing.T, path string, id int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE runs SET report = ? WHERE id = ?`, []byte("\x1f\x8b damaged"), id); err != nil {
		t.Fatal(err)
	}
}
