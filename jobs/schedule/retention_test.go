package schedule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report/deliver"
)

// downTarget is a real target whose destination is down for every
// delivery while down is set.
type downTarget struct {
	deliver.Target
	mu    *sync.Mutex
	down  *bool
	calls *int
}

func (d *downTarget) Deliver(ctx context.Context, dl *deliver.Delivery) error {
	d.mu.Lock()
	*d.calls++
	down := *d.down
	d.mu.Unlock()
	if down {
		return deliver.Final("post message", errors.New("service unavailable"), "wait for the outage to end")
	}
	return d.Target.Deliver(ctx, dl)
}

// withDown makes target name of h a downTarget; the returned func sets
// whether it is down and returns the deliveries it saw.
func withDown(h *harness, name string, down bool) func(down bool) int {
	var mu sync.Mutex
	calls := 0
	h.open = func(ctx context.Context, cfg *config.Config, n string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, n)
		if n == name {
			e.Target = &downTarget{Target: e.Target, mu: &mu, down: &down, calls: &calls}
		}
		return e, err
	}
	return func(d bool) int {
		mu.Lock()
		defer mu.Unlock()
		down = d
		return calls
	}
}

func spoolDirs(t *testing.T, h *harness) []string {
	t.Helper()
	var out []string
	jobsDirs, _ := os.ReadDir(filepath.Join(h.dir, "state", "spool"))
	for _, j := range jobsDirs {
		ps, _ := os.ReadDir(filepath.Join(h.dir, "state", "spool", j.Name()))
		for _, p := range ps {
			out = append(out, j.Name()+"/"+p.Name())
		}
	}
	return out
}

func lastRun(t *testing.T, h *harness, job string) history.Run {
	t.Helper()
	st, err := history.Open(context.Background(), h.historyPath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Recent(context.Background(), job, 1)
	if err != nil || len(rs) == 0 {
		t.Fatalf("no run of %s: %v", job, err)
	}
	return rs[0]
}

// A target that stays down: the period is retried three times at the retry
// interval, then given up: its spool is removed and history says so and
// who never got it. Nothing is retried after that.
func TestGivenUpPeriodIsAbandoned(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, slowYAML)
	h.retryEvery = 10 * time.Minute
	calls := withDown(h, "slow", true)
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 2)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	for _, m := range []int{9, 19, 29} {
		h.clock.waitFor(t, 2)
		h.fireAt(kst(t, 2026, 11, 24, 8, m), 1)
	}
	if got := spoolDirs(t, h); !slices.Equal(got, []string{"morning/2026-11-24"}) {
		t.Fatalf("spool while retrying: %v", got)
	}
	for _, m := range []int{39, 49} { // given up at 08:39; nothing at 08:49
		h.clock.waitFor(t, 2)
		h.clock.advance(kst(t, 2026, 11, 24, 8, m))
	}
	h.clock.waitFor(t, 2)
	h.stop()
	equal(t, "history", runs(t, h.historyPath()), []string{
		"morning/2026-11-24 schedule degraded",
		"morning/2026-11-24 resume degraded",
		"morning/2026-11-24 resume degraded",
		"morning/2026-11-24 resume degraded",
		"morning/2026-11-24 retention abandoned",
	})
	r := lastRun(t, h, "morning")
	if !strings.HasPrefix(r.Reason, "gave up: resumed 3 times (the limit); never delivered to slow; spool removed (2 file(s), ") {
		t.Errorf("reason %q", r.Reason)
	}
	if got := spoolDirs(t, h); len(got) != 0 {
		t.Errorf("spool left: %v", got)
	}
	if n := calls(false); n != 4 {
		t.Errorf("the down target was tried %d times, want 4", n)
	}
	if body := scrape(t, h.x.Metrics); !strings.Contains(body, `cwreport_periods_abandoned_total{job_name="morning"} 1`+"\n") {
		t.Error("abandonment not counted")
	}
}

const retentionYAML = `
timezone: Asia/Seoul
source: {type: demo}
targets:
  files: {type: file, dir: $DIR/reports}
  down: {type: file, dir: $DIR/down}
jobs:
  - name: morning
    kind: incident
    schedule: "0 8 * * *"
    period: day
    formats: [json]
    deliver: [files]
  - name: owed            # its target is down; every period is still owed
    kind: incident
    schedule: "0 9 * * *"
    period: day
    catch_up: {policy: always}
    formats: [json]
    deliver: [down]
  - name: keep            # no targets: the spool is the reports' only copy
    kind: incident
    schedule: "0 10 * * *"
    period: day
    formats: [json]
`

// Retention at start and daily: periods older than retain go whole
// (records and the spool of a job without targets), except the latest of
// each job and those still owed to a target. A job removed from the
// configuration has its owed periods abandoned, recorded and their spools
// removed.
func TestRetention(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, retentionYAML)
	h.maintain, h.retain = true, 48*time.Hour
	withDown(h, "down", true)
	h.start(kst(t, 2026, 11, 23, 7, 59))
	for d := 23; d <= 26; d++ {
		for _, hh := range []int{8, 9, 10} {
			h.clock.waitFor(t, 4) // three schedule loops and the daily upkeep
			h.fireAt(kst(t, 2026, 11, d, hh, 0), 1)
		}
	}
	h.clock.waitFor(t, 4) // the upkeep of the 26th (07:59) is done
	h.stop()

	keys := func() []string {
		var ks []string
		for _, r := range runs(t, h.historyPath()) {
			ks = append(ks, strings.Fields(r)[0])
		}
		slices.Sort(ks)
		return slices.Compact(ks)
	}
	// The upkeep of the 26th at 07:59 prunes what ended before the 24th
	// 07:59: the 23rd, except owed's (a target still lacks it).
	equal(t, "periods kept", keys(), []string{
		"keep/2026-11-24", "keep/2026-11-25", "keep/2026-11-26",
		"morning/2026-11-24", "morning/2026-11-25", "morning/2026-11-26",
		"owed/2026-11-23", "owed/2026-11-24", "owed/2026-11-25", "owed/2026-11-26",
	})
	equal(t, "spools", spoolDirs(t, h), []string{
		"keep/2026-11-24", "keep/2026-11-25", "keep/2026-11-26",
		"owed/2026-11-23", "owed/2026-11-24", "owed/2026-11-25", "owed/2026-11-26",
	})
	if body := scrape(t, h.x.Metrics); !strings.Contains(body, "cwreport_history_pruned_runs_total 2\n") || !strings.Contains(body, "cwreport_history_pruned_deliveries_total 1\n") {
		t.Errorf("pruning not counted:\n%s", grepLines(body, "pruned"))
	}

	// owed leaves the configuration; serve starts again on 1 December.
	// At start: owed's periods are abandoned (recorded, spools removed);
	// every job's latest period stays however old.
	h2 := newHarness(t, dir, retentionYAML)
	h2.cfg.Jobs = slices.DeleteFunc(h2.cfg.Jobs, func(j *config.Job) bool { return j.Name == "owed" })
	h2.maintain, h2.retain = true, 48*time.Hour
	h2.start(kst(t, 2026, 12, 1, 7, 0))
	h2.clock.waitFor(t, 3)
	h2.stop()
	got := keys()
	for _, want := range []string{"keep/2026-11-26", "morning/2026-11-26", "owed/2026-11-26"} {
		if !slices.Contains(got, want) {
			t.Errorf("latest period %s pruned: %v", want, got)
		}
	}
	for _, gone := range []string{"keep/2026-11-24", "morning/2026-11-24"} {
		if slices.Contains(got, gone) {
			t.Errorf("%s kept: %v", gone, got)
		}
	}
	st, _ := history.Open(context.Background(), h.historyPath())
	defer st.Close()
	rs, _ := st.Recent(context.Background(), "owed", 100)
	abandoned := 0
	for _, r := range rs {
		if r.Status == history.StatusAbandoned {
			abandoned++
			if !strings.Contains(r.Reason, "gave up: its job is no longer in the configuration; never delivered to down; spool removed (2 file(s)") {
				t.Errorf("%s: %q", r.Key, r.Reason)
			}
		}
	}
	// The abandonment is a record of its own, kept for retain from now.
	if abandoned != 4 {
		t.Errorf("owed after removal: %d periods abandoned, want 4", abandoned)
	}
	for _, s := range spoolDirs(t, h2) {
		if strings.HasPrefix(s, "owed/") {
			t.Errorf("spool of a removed job left: %s", s)
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A "report missing" notice that fails for a target is sent again at the
// next retry tick, to that target only.
func TestFailedNoticeIsRetried(t *testing.T) {
	dir := t.TempDir()
	yaml := strings.Replace(fmt.Sprintf(deadlineYAML, "snapshot"), "  files: {type: file, dir: $DIR/reports}", "  files: {type: file, dir: $DIR/reports}\n  chat: {type: file, dir: $DIR/chat}", 1)
	yaml = strings.Replace(yaml, "deliver: [files]", "deliver: [files, chat]", 1)
	h := newHarness(t, dir, yaml)
	h.retryEvery = 10 * time.Minute
	setDown := withDown(h, "chat", true)
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 3) // schedule, retry and deadline loops
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.clock.waitFor(t, 3)
	h.clock.advance(kst(t, 2026, 11, 24, 9, 59)) // a retry tick with nothing to retry
	h.clock.waitFor(t, 3)
	h.clock.advance(kst(t, 2026, 11, 24, 10, 0)) // the deadline: chat is down
	nkey := "morning/2026-11-24/missing"
	waitUntil(t, func() bool { return len(deliveries(t, h.historyPath(), nkey)) == 2 })
	h.clock.waitFor(t, 3)
	setDown(false)
	h.clock.advance(kst(t, 2026, 11, 24, 10, 9)) // the next retry tick
	waitUntil(t, func() bool { return len(deliveries(t, h.historyPath(), nkey)) == 3 })
	h.clock.waitFor(t, 3)
	h.clock.advance(kst(t, 2026, 11, 24, 10, 19)) // nothing left to retry
	h.clock.waitFor(t, 3)
	h.stop()
	ds := deliveries(t, h.historyPath(), nkey)
	slices.Sort(ds)
	equal(t, "notice deliveries", ds, []string{"chat failed", "chat ok", "files ok"})
	equal(t, "history", runs(t, h.historyPath()), []string{
		"morning/2026-11-24 schedule failed",
		"morning/2026-11-24/missing deadline degraded",
		"morning/2026-11-24/missing deadline ok",
	})
	if _, err := os.Stat(filepath.Join(dir, "chat", "morning", "2026", "11", "24", "morning-2026-11-24.missing.md")); err != nil {
		t.Errorf("chat never got the notice: %v", err)
	}
}

// A standby replica records a period another replica held as leased; when
// its job's policy no longer revisits it (a run-period job never does), the
// upkeep leaves it be: nothing of this replica's was given up, no alert.
// A period this replica ran before the other took it over is abandoned.
func TestStandbyLeasedPeriodIsNotAbandoned(t *testing.T) {
	dir := t.TempDir()
	yaml := `
timezone: Asia/Seoul
source: {type: demo}
targets:
  down: {type: file, dir: $DIR/down}
jobs:
  - name: tick
    kind: incident
    schedule: "0 * * * *"
    formats: [json]
    deliver: [down]
`
	ctx := context.Background()
	st, err := history.Open(ctx, filepath.Join(dir, "state", "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := kst(t, 2026, 11, 24, 8, 0)
	for _, r := range []history.Run{
		{Key: "tick/2026-11-24T08-00", Status: history.StatusLeased, Trigger: history.TriggerSchedule},
		{Key: "tick/2026-11-24T07-00", Status: history.StatusDegraded, Trigger: history.TriggerSchedule},
		{Key: "tick/2026-11-24T07-00", Status: history.StatusLeased, Trigger: history.TriggerSchedule},
	} {
		sched := at
		if strings.HasSuffix(r.Key, "07-00") {
			sched = at.Add(-time.Hour)
		}
		r.Job, r.ScheduledAt, r.Started, r.Finished = "tick", sched, sched, sched
		if _, err := st.StartRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st.RecordDelivery(ctx, history.Delivery{RunKey: "tick/2026-11-24T07-00", Target: "down", Status: history.DeliveryFailed, At: at.Add(-time.Hour)})
	st.Close()

	h := newHarness(t, dir, yaml)
	h.maintain = true
	h.start(kst(t, 2026, 11, 24, 8, 30))
	h.clock.waitFor(t, 2)
	h.stop()
	equal(t, "history", runs(t, h.historyPath()), []string{
		"tick/2026-11-24T08-00 schedule leased",
		"tick/2026-11-24T07-00 schedule degraded",
		"tick/2026-11-24T07-00 schedule leased",
		"tick/2026-11-24T07-00 retention abandoned",
	})
	if r := lastRun(t, h, "tick"); r.Reason != "gave up: the catch-up policy (never) does not resume it any more; another replica took its lease over and down may still lack it; no spool was left" {
		t.Errorf("reason %q", r.Reason)
	}
	if body := scrape(t, h.x.Metrics); !strings.Contains(body, `cwreport_periods_abandoned_total{job_name="tick"} 1`+"\n") {
		t.Errorf("abandonments:\n%s", grepLines(body, "abandoned"))
	}
}
