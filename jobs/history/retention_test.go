package history

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPrune(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	day := func(d int) time.Time { return time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	cutoff := day(100)
	type rec struct {
		key    string
		at     time.Time
		status string
	}
	for _, r := range []rec{
		{"m/old-ok", day(1), StatusOK},
		{"m/old-ok", day(1).Add(time.Minute), StatusSkipped},
		{"m/old-owed", day(2), StatusDegraded}, // keep says it is still resumed
		{"m/old-notice", day(3), StatusFailed},
		{"m/old-notice/missing", day(3), StatusOK},
		{"m/late-delivery", day(4), StatusDegraded}, // a delivery after the cutoff
		{"m/skip-recent", day(5), StatusOK},
		{"m/skip-recent", day(101), StatusSkipped}, // a recent fire of an old period: not old
		{"m/latest", day(50), StatusFailed},        // m's latest period, with its notice
		{"m/latest/missing", day(50), StatusOK},
		{"n/only", day(10), StatusOK}, // n's only period
	} {
		if _, err := s.StartRun(ctx, Run{Key: r.key, Job: strings.Split(r.key, "/")[0], ScheduledAt: r.at, Started: r.at, Finished: r.at, Status: r.status, Trigger: TriggerSchedule}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []Delivery{
		{RunKey: "m/old-ok", Target: "files", Status: DeliveryOK, At: day(1)},
		{RunKey: "m/old-owed", Target: "ops", Status: DeliveryFailed, At: day(2)},
		{RunKey: "m/old-notice/missing", Target: "ops", Status: DeliveryOK, At: day(3)},
		{RunKey: "m/late-delivery", Target: "ops", Status: DeliveryOK, At: day(120)},
		{RunKey: "gone/1", Target: "ops", Status: DeliveryOK, At: day(1)},   // no runs, old
		{RunKey: "gone/2", Target: "ops", Status: DeliveryOK, At: day(110)}, // no runs, recent
	} {
		if err := s.RecordDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	lastBefore, _ := s.LastScheduled(ctx, "m")
	var asked []string
	res, err := s.Prune(ctx, cutoff, func(k string) bool { asked = append(asked, k); return k == "m/old-owed" })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Keys, " "); got != "m/old-notice m/old-notice/missing m/old-ok" {
		t.Errorf("pruned %s", got)
	}
	if res.Runs != 4 || res.Deliveries != 3 {
		t.Errorf("pruned %d runs, %d deliveries; want 4 and 3", res.Runs, res.Deliveries)
	}
	slices.Sort(asked)
	if got := strings.Join(asked, " "); got != "m/old-notice m/old-notice m/old-ok m/old-owed" {
		t.Errorf("keep asked about %s (a notice by its period's key)", got)
	}
	rs, _ := s.Recent(ctx, "", 100)
	var left []string
	for _, r := range rs {
		left = append(left, r.Key)
	}
	slices.Sort(left)
	if got := strings.Join(slices.Compact(left), " "); got != "m/late-delivery m/latest m/latest/missing m/old-owed m/skip-recent n/only" {
		t.Errorf("left %s", got)
	}
	if ds, _ := s.Deliveries(ctx, "gone/2"); len(ds) != 1 {
		t.Error("a recent delivery without runs was pruned")
	}
	if last, _ := s.LastScheduled(ctx, "m"); !last.Equal(lastBefore) {
		t.Errorf("last scheduled moved from %s to %s", lastBefore, last)
	}
	// Nothing older is left: a second prune removes nothing.
	if res, err := s.Prune(ctx, cutoff, func(k string) bool { return k == "m/old-owed" }); err != nil || len(res.Keys) != 0 || res.Runs != 0 || res.Deliveries != 0 {
		t.Errorf("second prune %+v %v", res, err)
	}
}

func TestFailedNotices(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 8, 0, 0, 0, time.UTC) }
	for _, r := range []Run{
		{Key: "m/2026-11-20/missing", ScheduledAt: day(20), Status: StatusDegraded}, // before since
		{Key: "m/2026-11-23/missing", ScheduledAt: day(23), Status: StatusDegraded},
		{Key: "m/2026-11-23/missing", ScheduledAt: day(23), Status: StatusDegraded}, // retried, failed again
		{Key: "m/2026-11-24/missing", ScheduledAt: day(24), Status: StatusDegraded}, // retried, then fine
		{Key: "m/2026-11-24/missing", ScheduledAt: day(24), Status: StatusOK},
		{Key: "m/2026-11-25/missing", ScheduledAt: day(25), Status: StatusOK},
		{Key: "m/2026-11-25", ScheduledAt: day(25), Status: StatusDegraded, Trigger: TriggerSchedule}, // a run, not a notice
	} {
		r.Job, r.Started, r.Finished = "m", r.ScheduledAt, r.ScheduledAt
		if r.Trigger == "" {
			r.Trigger = TriggerDeadline
		}
		if _, err := s.StartRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []Delivery{
		{RunKey: "m/2026-11-20/missing", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-23/missing", Target: "files", Status: DeliveryOK},
		{RunKey: "m/2026-11-23/missing", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-23/missing", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-24/missing", Target: "ops", Status: DeliveryFailed},
		{RunKey: "m/2026-11-24/missing", Target: "ops", Status: DeliveryOK},
		{RunKey: "m/2026-11-25", Target: "ops", Status: DeliveryFailed},
	} {
		if err := s.RecordDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := s.FailedNotices(ctx, "m", day(21))
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Key != "m/2026-11-23/missing" || ns[0].Attempts != 2 || !slices.Equal(ns[0].Failed, []string{"ops"}) || !ns[0].ScheduledAt.Equal(day(23)) {
		t.Fatalf("failed notices %+v", ns)
	}
}

func TestAbandonEndsAPeriod(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	s.StartRun(ctx, Run{Key: "m/2026-11-24", Job: "m", ScheduledAt: at, Started: at, Finished: at, Status: StatusDegraded, Trigger: TriggerSchedule})
	s.RecordDelivery(ctx, Delivery{RunKey: "m/2026-11-24", Target: "ops", Status: DeliveryFailed, At: at})
	p, _ := s.PeriodOf(ctx, "m/2026-11-24")
	if err := s.Abandon(ctx, p, "m", "2026-11-24", at.Add(time.Hour), "gave up: resumed 3 times (the limit); never delivered to ops"); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.Unfinished(ctx, "m", at.Add(-time.Hour)); len(ps) != 0 {
		t.Errorf("abandoned period still unfinished: %+v", ps)
	}
	rs, _ := s.Recent(ctx, "m", 1)
	if rs[0].Status != StatusAbandoned || rs[0].Trigger != TriggerRetention || !rs[0].ScheduledAt.Equal(at) || len(rs[0].Deliveries) != 0 {
		t.Errorf("abandon record %+v", rs[0])
	}
	if last, _ := s.LastScheduled(ctx, "m"); !last.Equal(at) {
		t.Errorf("last scheduled %s", last)
	}
	if jobs, _ := s.Jobs(ctx); !slices.Equal(jobs, []string{"m"}) {
		t.Errorf("jobs %v", jobs)
	}
}

// seedPeriods writes n hourly periods of job h (one ok run and two
// deliveries each) ending at end, in one transaction.
func seedPeriods(b *testing.B, s *Store, n int, end time.Time) {
	b.Helper()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		at := end.Add(-time.Duration(n-i) * time.Hour)
		key := "h/" + at.Format("2006-01-02T15")
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs (run_key, job, period, scheduled_at, started_at, finished_at, status, trigger) VALUES (?, 'h', ?, ?, ?, ?, 'ok', 'schedule')`,
			key, at.Format("2006-01-02T15"), fmtTime(at), fmtTime(at), fmtTime(at.Add(time.Second))); err != nil {
			b.Fatal(err)
		}
		for _, target := range []string{"files", "ops"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (run_key, target, status, attempts, at) VALUES (?, ?, 'ok', 1, ?)`, key, target, fmtTime(at.Add(time.Second))); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPrune is the first upkeep of a history that kept everything:
// a year of an hourly job (8760 periods, 26,280 records), of which all but
// the last 90 days go.
func BenchmarkPrune(b *testing.B) {
	end := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), "h.db"))
		if err != nil {
			b.Fatal(err)
		}
		seedPeriods(b, s, 8760, end)
		b.StartTimer()
		res, err := s.Prune(context.Background(), end.Add(-90*24*time.Hour), nil)
		if err != nil || len(res.Keys) != 8760-90*24 {
			b.Fatalf("%d pruned, %v", len(res.Keys), err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkPruneSteady is the daily upkeep afterwards: 90 days of the
// hourly job kept, one day's periods to prune.
func BenchmarkPruneSteady(b *testing.B) {
	end := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "h.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	seedPeriods(b, s, 91*24, end)
	b.ReportAllocs()
	cut := end.Add(-90 * 24 * time.Hour)
	for b.Loop() {
		// After the first iteration nothing is old enough: the cost of
		// finding that out is the steady daily cost.
		if _, err := s.Prune(context.Background(), cut, nil); err != nil {
			b.Fatal(err)
		}
	}
}
