package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunsAndDeliveriesSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state", "history.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	id, err := s.StartRun(ctx, Run{Key: "morning/2026-11-24", Job: "morning", Period: "2026-11-24", ScheduledAt: at, Started: at, Trigger: "schedule"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, id, at.Add(time.Minute), StatusDegraded, "", json.RawMessage(`[{"part":"alarm_history"}]`), []Artifact{{Name: "morning-2026-11-24.md", SHA256: "ab", Size: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDelivery(ctx, Delivery{RunKey: "morning/2026-11-24", Target: "slack", Status: DeliveryFailed, Attempts: 3, Error: "boom", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDelivery(ctx, Delivery{RunKey: "morning/2026-11-24", Target: "s3", Status: DeliveryOK, Attempts: 1, Detail: map[string]string{"version_id": "v1"}, At: at}); err != nil {
		t.Fatal(err)
	}
	// A second run crashes mid-way.
	if _, err := s.StartRun(ctx, Run{Key: "morning/2026-11-25", Job: "morning", Period: "2026-11-25", ScheduledAt: at.Add(24 * time.Hour), Started: at.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, _ := s.Delivered(ctx, "morning/2026-11-24", "s3"); !ok {
		t.Error("s3 delivery forgotten")
	}
	if ok, _ := s.Delivered(ctx, "morning/2026-11-24", "slack"); ok {
		t.Error("failed slack delivery counted as delivered")
	}
	if ok, _ := s.Completed(ctx, "morning/2026-11-24"); !ok {
		t.Error("degraded run not counted as completed")
	}
	runs, err := s.Recent(ctx, "morning", 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("recent: %v %d", err, len(runs))
	}
	if runs[0].Status != StatusInterrupted {
		t.Errorf("crashed run status %q, want interrupted", runs[0].Status)
	}
	if len(runs[1].Deliveries) != 2 || runs[1].Deliveries[1].Detail["version_id"] != "v1" || runs[1].Artifacts[0].Name != "morning-2026-11-24.md" {
		t.Errorf("run details lost: %+v", runs[1])
	}
	last, _ := s.LastScheduled(ctx, "morning")
	if !last.Equal(at.Add(24 * time.Hour)) {
		t.Errorf("last scheduled %v", last)
	}
}

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A skipped fire was decided on: catch-up must not run it again after a
// restart, so it counts for LastScheduled.
func TestLastScheduledCountsSkips(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if _, err := s.StartRun(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: at, Started: at, Status: StatusOK}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartRun(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: at.Add(time.Minute), Started: at, Finished: at, Status: StatusSkipped, Reason: "overlap"}); err != nil {
		t.Fatal(err)
	}
	last, err := s.LastScheduled(ctx, "m")
	if err != nil || !last.Equal(at.Add(time.Minute)) {
		t.Fatalf("last scheduled %v %v", last, err)
	}
	if last, _ := s.LastScheduled(ctx, "other"); !last.IsZero() {
		t.Fatalf("unknown job has a last run: %v", last)
	}
}

func TestFirstSeenIsKept(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, now := range []time.Time{t0, t0.Add(48 * time.Hour)} {
		got, err := s.FirstSeen(ctx, "m", now)
		if err != nil || !got.Equal(t0) {
			t.Fatalf("call %d: first seen %v %v, want %v", i, got, err, t0)
		}
	}
	// A job with runs from before first-seen was kept starts at its first run.
	if _, err := s.StartRun(ctx, Run{Key: "old/2026-10-01", Job: "old", ScheduledAt: t0.AddDate(0, -1, 0), Started: t0, Status: StatusOK}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FirstSeen(ctx, "old", t0); err != nil || !got.Equal(t0.AddDate(0, -1, 0)) {
		t.Fatalf("first seen of a job with runs: %v %v", got, err)
	}
}

func TestPeriodsAndUnfinished(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 8, 0, 0, 0, time.UTC) }
	type step struct {
		key     string
		at      time.Time
		status  string
		trigger string
	}
	for _, st := range []step{
		{"m/2026-11-19", day(19), StatusOK, TriggerSchedule},
		{"m/2026-11-20", day(20), StatusOK, TriggerSchedule},
		{"m/2026-11-21", day(21), StatusDegraded, TriggerSchedule}, // ops failed
		{"m/2026-11-21", day(21), StatusDegraded, TriggerResume},   // still failed
		{"m/2026-11-22", day(22), StatusInterrupted, TriggerSchedule},
		{"m/2026-11-22", day(22).Add(time.Minute), StatusSkipped, TriggerSchedule},
		{"m/2026-11-23", day(23), StatusLeased, TriggerSchedule},
		{"m/2026-11-23/missing", day(23), StatusOK, TriggerDeadline}, // a notice is not a period
		{"m/2026-11-24", day(24), StatusFailed, TriggerSchedule},
		{"m/2026-11-25", day(25), StatusOK, TriggerSchedule},
		{"other/2026-11-24", day(24), StatusInterrupted, TriggerSchedule},
		{"m0/2026-11-24", day(24), StatusDegraded, TriggerSchedule},
		{"m/2026-11-26", day(26), StatusDegraded, TriggerSchedule}, // ops failed
		{"m/2026-11-26", day(26), StatusLeased, TriggerResume},     // then another replica held it: revisited
		{"m/2026-11-27", day(27), StatusLeased, TriggerSchedule},
		{"m/2026-11-27", day(27), StatusElsewhere, TriggerResume}, // the holder finished it
		{"m/2026-11-28", day(28), StatusInterrupted, TriggerSchedule},
		{"m/2026-11-28", day(28), StatusAbandoned, TriggerRetention},
		{"m/2026-11-29", day(29), StatusAbandoned, TriggerRetention},
		{"m/2026-11-29", day(29), StatusInterrupted, TriggerSchedule}, // a fire after the abandonment
	} {
		if _, err := s.StartRun(ctx, Run{Key: st.key, Job: strings.Split(st.key, "/")[0], ScheduledAt: st.at, Started: st.at, Finished: st.at, Status: st.status, Trigger: st.trigger}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []Delivery{
		{RunKey: "m/2026-11-19", Target: "ops", Status: DeliveryFailed}, // before the window asked for
		{RunKey: "m/2026-11-20", Target: "files", Status: DeliveryOK},
		{RunKey: "m/2026-11-20", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-20", Target: "ops", Status: DeliveryOK}, // retried fine
		{RunKey: "m/2026-11-21", Target: "files", Status: DeliveryOK},
		{RunKey: "m/2026-11-21", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-21", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-23/missing", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-25", Target: "files", Status: DeliveryOK},    // ops added to the job later: not owed
		{RunKey: "m0/2026-11-24", Target: "ops", Status: DeliveryFailed}, // another job whose name starts with m
		{RunKey: "m/2026-11-26", Target: "files", Status: DeliveryOK},
		{RunKey: "m/2026-11-26", Target: "ops", Status: DeliveryFailed},
	} {
		if err := s.RecordDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := s.Unfinished(ctx, "m", day(20))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range ps {
		keys = append(keys, p.Key)
	}
	if strings.Join(keys, " ") != "m/2026-11-21 m/2026-11-22 m/2026-11-23 m/2026-11-26 m/2026-11-29" {
		t.Fatalf("unfinished since the 20th, oldest first: %v", keys)
	}
	targets := []string{"files", "ops"}
	cases := []struct {
		key       string
		status    string
		completed bool
		missing   string
		failed    int
		resumes   int
		at        time.Time
	}{
		{"m/2026-11-20", StatusOK, true, "", 0, 0, day(20)},
		{"m/2026-11-21", StatusDegraded, true, "ops", 1, 1, day(21)},
		{"m/2026-11-22", StatusInterrupted, false, "files ops", 0, 0, day(22)}, // the skip does not hide the interruption
		{"m/2026-11-23", StatusLeased, false, "files ops", 0, 0, day(23)},
		{"m/2026-11-24", StatusFailed, false, "files ops", 0, 0, day(24)},
		{"m/2026-12-01", "", false, "files ops", 0, 0, time.Time{}},
		{"m/2026-11-26", StatusLeased, true, "ops", 1, 0, day(26)},
		{"m/2026-11-27", StatusElsewhere, false, "files ops", 0, 0, day(27)},
	}
	for _, c := range cases {
		p, err := s.PeriodOf(ctx, c.key)
		if err != nil {
			t.Fatal(err)
		}
		if p.Key != c.key || p.Status != c.status || p.Completed != c.completed || strings.Join(p.Missing(targets), " ") != c.missing || len(p.Failed) != c.failed || p.Resumes != c.resumes || !p.ScheduledAt.Equal(c.at) {
			t.Errorf("%s: %+v, missing %v", c.key, p, p.Missing(targets))
		}
	}
	for key, want := range map[string]bool{"m/2026-11-28": true, "m/2026-11-29": false, "m/2026-11-22": false} {
		if p, _ := s.PeriodOf(ctx, key); p.Abandoned != want {
			t.Errorf("%s abandoned %v, want %v", key, p.Abandoned, want)
		}
	}
}

func TestRecordSkipCoalesces(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if _, err := s.StartRun(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: at, Started: at, Finished: at, Status: StatusOK, Trigger: TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	skip := func(sec int, reason string) {
		t.Helper()
		f := at.Add(time.Duration(sec) * time.Second)
		if err := s.RecordSkip(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: f, Started: f, Finished: f, Status: StatusSkipped, Reason: reason, Trigger: TriggerSchedule}); err != nil {
			t.Fatal(err)
		}
	}
	for sec := 1; sec <= 100; sec++ {
		skip(sec, "done")
	}
	skip(101, "overlap")
	skip(102, "done")
	runs, err := s.Recent(ctx, "m", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		got = append(got, fmt.Sprintf("%s %s x%d @%s", r.Status, r.Reason, r.Repeats, r.ScheduledAt.Format("15:04:05")))
	}
	want := "skipped done x1 @08:01:42|skipped overlap x1 @08:01:41|skipped done x100 @08:01:40|ok  x1 @08:00:00"
	if strings.Join(got, "|") != want {
		t.Errorf("records:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if last, _ := s.LastScheduled(ctx, "m"); !last.Equal(at.Add(102 * time.Second)) {
		t.Errorf("last scheduled %v", last)
	}
}

// A database from before runs.repeats gains the column on open.
func TestMigrationAddsRepeats(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_key TEXT NOT NULL, job TEXT NOT NULL, period TEXT NOT NULL,
		scheduled_at TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
		trigger TEXT NOT NULL DEFAULT '', replica TEXT NOT NULL DEFAULT '', data_gaps TEXT NOT NULL DEFAULT '[]', artifacts TEXT NOT NULL DEFAULT '[]');
		INSERT INTO runs (run_key, job, period, scheduled_at, started_at, status) VALUES ('m/2026-11-24', 'm', '2026-11-24', '2026-11-24T08:00:00.000000000Z', '2026-11-24T08:00:00.000000000Z', 'ok');`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, err := s.Recent(ctx, "", 10)
	if err != nil || len(runs) != 1 || runs[0].Repeats != 1 {
		t.Fatalf("old run after migration: %+v %v", runs, err)
	}
}

func TestInterruptRunning(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if _, err := s.StartRun(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: at, Started: at}); err != nil {
		t.Fatal(err)
	}
	n, err := s.InterruptRunning(ctx, at.Add(time.Minute), "shutdown")
	if err != nil || n != 1 {
		t.Fatalf("interrupted %d %v", n, err)
	}
	runs, _ := s.Recent(ctx, "", 5)
	if runs[0].Status != StatusInterrupted || runs[0].Reason != "shutdown" || !runs[0].Finished.Equal(at.Add(time.Minute)) {
		t.Errorf("run %+v", runs[0])
	}
	if err := s.Ping(ctx); err != nil {
		t.Error(err)
	}
}

// Reading history while serve writes leaves serve's running runs alone.
func TestOpenReadOnlyBesideAWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	if _, err := OpenReadOnly(ctx, path); !errors.Is(err, ErrNoHistory) {
		t.Fatalf("missing file: %v", err)
	}
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if _, err := w.StartRun(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: at, Started: at}); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	runs, err := r.Recent(ctx, "", 10)
	if err != nil || len(runs) != 1 || runs[0].Status != StatusRunning {
		t.Fatalf("reader sees %+v %v", runs, err)
	}
	if _, err := r.StartRun(ctx, Run{Key: "x/1", Job: "x", ScheduledAt: at, Started: at}); err == nil {
		t.Error("a read-only store accepted a write")
	}
	// The writer goes on.
	if _, err := w.StartRun(ctx, Run{Key: "m/2026-11-25", Job: "m", ScheduledAt: at, Started: at}); err != nil {
		t.Fatal(err)
	}
	if runs, _ := r.Recent(ctx, "", 10); len(runs) != 2 {
		t.Errorf("reader does not see the new run: %d", len(runs))
	}
}

func TestRecentGivesEachRunItsDeliveries(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	add := func(status, trigger string, started time.Time) {
		t.Helper()
		if _, err := s.StartRun(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: at, Started: started, Finished: started.Add(time.Minute), Status: status, Trigger: trigger}); err != nil {
			t.Fatal(err)
		}
	}
	deliver := func(target, status string, when time.Time) {
		t.Helper()
		if err := s.RecordDelivery(ctx, Delivery{RunKey: "m/2026-11-24", Target: target, Status: status, At: when}); err != nil {
			t.Fatal(err)
		}
	}
	add(StatusInterrupted, TriggerSchedule, at)
	deliver("a", DeliveryOK, at.Add(10*time.Second))
	add(StatusOK, TriggerResume, at.Add(2*time.Hour))
	deliver("b", DeliveryOK, at.Add(2*time.Hour+time.Second))
	add(StatusSkipped, TriggerSchedule, at.Add(3*time.Hour))
	runs, err := s.Recent(ctx, "m", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		var ts []string
		for _, d := range r.Deliveries {
			ts = append(ts, d.Target)
		}
		got = append(got, r.Status+":"+strings.Join(ts, ","))
	}
	if strings.Join(got, " ") != "skipped: ok:b interrupted:a" {
		t.Errorf("deliveries by run: %v", got)
	}
}
