package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/schedule/lease"
	"github.com/cwreport/cwreport/report/deliver"
)

// These tests run serve's pieces for real: the daemon on a fake clock, the
// executor, the runner with the demo source and the real analyzers and
// renderers, the delivery pipeline with file targets, history in SQLite and
// the spool on disk. Only time is faked. The jobs use the cheapest
// kind/format pairs (daily-status or incident as md or json, ~0.1 s a run):
// what is under test is when and how often they run and deliver.

// harness is one serve process: start it, let the clock run, stop it.
type harness struct {
	t     *testing.T
	dir   string
	cfg   *config.Config
	clock *fakeClock
	store *history.Store
	x     *Executor
	// open wraps target opening (fault injection: a slow or crashing target).
	open func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error)
	// progress, when set, is called from inside each run (fault injection).
	progress func()
	// replica and locker: one of several replicas sharing leases.
	replica string
	locker  Locker
	s3calls *s3Calls
	// retryEvery is Daemon.RetryEvery.
	retryEvery time.Duration
	// renewEvery is how often a held lease is renewed (real time).
	renewEvery time.Duration
	// maintain runs history's upkeep (Daemon.Maintain), retain long.
	maintain bool
	retain   time.Duration

	cancel context.CancelFunc
	done   chan error
	fired  chan Fire // one value per finished fire (run or skip)
}

// newHarness parses yaml, in which $DIR is the test's directory.
func newHarness(t *testing.T, dir, yaml string) *harness {
	t.Helper()
	text := strings.ReplaceAll(yaml, "$DIR", dir)
	cfg, err := config.Parse("serve_test.yaml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, dir: dir, cfg: cfg}
}

func (h *harness) historyPath() string { return filepath.Join(h.dir, "state", "history.db") }

// start runs the daemon from now on the fake clock.
func (h *harness) start(now time.Time) {
	h.t.Helper()
	ctx := context.Background()
	h.clock = newFakeClock(now)
	store, err := history.Open(ctx, h.historyPath())
	if err != nil {
		h.t.Fatal(err)
	}
	h.store = store
	src, err := jobs.OpenSource(ctx, h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	an, err := jobs.Analyzers()
	if err != nil {
		h.t.Fatal(err)
	}
	// Reports are stamped with the fake clock: a report rendered again
	// later differs from the first (generated_at), so a retry that
	// re-rendered instead of re-sending the spool shows.
	runner := &jobs.Runner{Config: h.cfg, Source: src, Analyzers: an, Renderers: jobs.Renderers(), Now: h.clock.Now}
	if h.progress != nil {
		runner.Progress = func(string, int, int) { h.progress() }
	}
	dl := jobs.NewDeliverer(h.cfg)
	dl.Open = h.open
	dl.Pipeline.Policy = deliver.Policy{MaxAttempts: 1}
	dl.Pipeline.Now = h.clock.Now // delivery records on the same clock as the runs
	h.x = NewExecutor(runner, dl, store, h.historyPath())
	if h.replica == "" {
		h.replica = "test"
	}
	h.x.Clock, h.x.Log, h.x.Replica, h.x.Metrics, h.x.Locker = h.clock, quietLog().With("replica", h.replica), h.replica, NewMetrics(), h.locker
	h.fired = make(chan Fire, 1000)
	h.x.RetryInterval, h.x.renewEvery, h.x.Retain = h.retryEvery, h.renewEvery, h.retain
	if l, ok := h.locker.(*lease.S3); ok {
		l.Now = h.clock.Now // leases expire on the replica's (fake) clock
	}
	task := Chain(h.x.Run, Recover(), SkipIfRunning(), Timeout())
	d := &Daemon{Jobs: h.cfg.Jobs, Clock: h.clock, Recorder: h.x, Deadline: h.x.Deadline, Log: quietLog().With("replica", h.replica), ShutdownTimeout: 2 * time.Minute, RetryEvery: h.retryEvery,
		Task: task, fired: func(f Fire) { h.fired <- f }}
	if h.maintain {
		d.Maintain = func(ctx context.Context) { h.x.Maintain(ctx, h.cfg.Jobs) }
	}
	ctx, h.cancel = context.WithCancel(ctx)
	h.done = make(chan error, 1)
	go func() { h.done <- d.Run(ctx) }()
}

// stop is SIGTERM: it returns once the daemon has returned.
func (h *harness) stop() {
	h.t.Helper()
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		h.t.Fatal("daemon did not stop")
	}
	h.store.Close()
}

// fireAt moves the clock to t (a fire instant) and waits for n fires to
// finish.
func (h *harness) fireAt(t time.Time, n int) {
	h.t.Helper()
	h.clock.advance(t)
	h.wait(n)
}

// wait waits for n fires to finish.
func (h *harness) wait(n int) {
	h.t.Helper()
	for range n {
		select {
		case <-h.fired:
		case <-time.After(60 * time.Second):
			h.t.Fatalf("timed out waiting for a fire")
		}
	}
}

// runs lists history oldest first as "key trigger status".
func runs(t *testing.T, path string) []string {
	t.Helper()
	st, err := history.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Recent(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(rs) - 1; i >= 0; i-- {
		out = append(out, rs[i].Key+" "+rs[i].Trigger+" "+rs[i].Status)
	}
	return out
}

// deliveries lists the delivery records of a run key as "target status".
func deliveries(t *testing.T, path, key string) []string {
	t.Helper()
	st, err := history.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Deliveries(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.Target+" "+d.Status)
	}
	return out
}

type fileID struct {
	data  []byte
	inode uint64
	mtime time.Time
}

func stat(t *testing.T, path string) fileID {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	return fileID{data: b, inode: fi.Sys().(*syscall.Stat_t).Ino, mtime: fi.ModTime()}
}

func kst(t *testing.T, y int, m time.Month, d, hh, mm int) time.Time {
	t.Helper()
	return time.Date(y, m, d, hh, mm, 0, 0, mustLoc(t, "Asia/Seoul"))
}

const morningYAML = `
timezone: Asia/Seoul
source: {type: demo}
targets:
  files: {type: file, dir: $DIR/reports}
jobs:
  - name: morning
    kind: daily-status
    schedule: "*/30 8 * * *"   # 08:00 and 08:30: two fires of one day's period
    period: day
    formats: [md]
    deliver: [files]
`

func TestRestartNeverDeliversTwice(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, morningYAML)
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 1)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.stop()
	report := filepath.Join(dir, "reports", "morning", "2026", "11", "24", "morning-2026-11-24.md")
	before := stat(t, report)
	if _, err := os.Stat(filepath.Join(dir, "state", "spool", "morning")); !os.IsNotExist(err) {
		t.Errorf("spool kept after every target has the run: %v", err)
	}

	// Down over the 08:30 fire: the restart catches it up (grace 6 h),
	// history says the period is done, nothing is delivered again. The
	// next day runs as usual.
	h2 := newHarness(t, dir, morningYAML)
	h2.start(kst(t, 2026, 11, 24, 8, 40))
	h2.wait(1)
	h2.clock.waitFor(t, 1)
	h2.fireAt(kst(t, 2026, 11, 25, 8, 0), 1)
	h2.stop()

	equal(t, "history", runs(t, h.historyPath()), []string{
		"morning/2026-11-24 schedule ok",
		"morning/2026-11-24 catch-up skipped",
		"morning/2026-11-25 schedule ok",
	})
	equal(t, "deliveries of the 24th", deliveries(t, h.historyPath(), "morning/2026-11-24"), []string{"files ok"})
	after := stat(t, report)
	if after.inode != before.inode || !after.mtime.Equal(before.mtime) || !bytes.Equal(after.data, before.data) {
		t.Error("the delivered report was written again")
	}
}

// blockingTarget is a real target whose delivery hangs until its context
// ends or release is closed: a slow destination, or (in the crash helper)
// the moment the process is killed.
type blockingTarget struct {
	deliver.Target
	started chan struct{}
	once    sync.Once
	before  func()
}

func (b *blockingTarget) Deliver(ctx context.Context, d *deliver.Delivery) error {
	if b.before != nil {
		b.before()
	}
	b.once.Do(func() { close(b.started) })
	<-ctx.Done()
	return ctx.Err()
}

const twoTargetsYAML = `
timezone: Asia/Seoul
source: {type: demo}
targets:
  a: {type: file, dir: $DIR/a}
  b: {type: file, dir: $DIR/b}
jobs:
  - name: morning
    kind: daily-status
    schedule: "0 8 * * *"
    formats: [md]
    deliver: [a, b]
`

// TestCrashHelper is the process the crash test kills: it runs the 08:00
// fire until target a has the report and b is being delivered, then says
// so and waits for SIGKILL.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv("CWREPORT_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process of TestCrashBetweenTargets")
	}
	h := newHarness(t, dir, twoTargetsYAML)
	h.open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, name)
		if name == "b" {
			e.Target = &blockingTarget{Target: e.Target, started: make(chan struct{}), before: func() {
				// Crash only once a is recorded as delivered.
				for ok := false; !ok; time.Sleep(5 * time.Millisecond) {
					ok, _ = h.store.Delivered(context.Background(), "morning/2026-11-24", "a")
				}
				os.WriteFile(filepath.Join(dir, "b-started"), nil, 0o644)
			}}
		}
		return e, err
	}
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 1)
	h.clock.advance(kst(t, 2026, 11, 24, 8, 0))
	for {
		time.Sleep(time.Minute) // killed here
	}
}

func TestCrashBetweenTargetsDeliversOnlyTheMissingOne(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), "CWREPORT_CRASH_DIR="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "b-started")
	waitUntil(t, func() bool { _, err := os.Stat(marker); return err == nil })
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no defer, no cleanup, no recording
		t.Fatal(err)
	}
	cmd.Wait()

	h := newHarness(t, dir, twoTargetsYAML)
	a := filepath.Join(dir, "a", "morning", "2026", "11", "24", "morning-2026-11-24.md")
	b := filepath.Join(dir, "b", "morning", "2026", "11", "24", "morning-2026-11-24.md")
	aBefore := stat(t, a)
	if _, err := os.Stat(b); err == nil {
		t.Fatal("b has the report before the restart")
	}
	// Restart two hours later, within the daily grace: the interrupted
	// period is resumed from the spool.
	h.start(kst(t, 2026, 11, 24, 10, 0))
	h.wait(1)
	h.stop()

	equal(t, "history", runs(t, h.historyPath()), []string{
		"morning/2026-11-24 schedule interrupted", // the crashed run, marked when history was opened again
		"morning/2026-11-24 resume ok",
	})
	equal(t, "deliveries", deliveries(t, h.historyPath(), "morning/2026-11-24"), []string{"a ok", "b ok"})
	aAfter := stat(t, a)
	if aAfter.inode != aBefore.inode || !aAfter.mtime.Equal(aBefore.mtime) {
		t.Error("target a got the report again")
	}
	// b got the very bytes a got (the spool), not a report rendered again
	// (which would carry another generated_at).
	if got := stat(t, b); !bytes.Equal(got.data, aBefore.data) {
		t.Errorf("b's report (%d bytes) differs from a's (%d bytes): it was rendered again", len(got.data), len(aBefore.data))
	}
	if t.Failed() {
		t.Logf("helper output:\n%s", out.String())
	}
}

func TestDowntimeOverDailyAndWeeklyPeriods(t *testing.T) {
	dir := t.TempDir()
	yaml := `
timezone: Asia/Seoul
source: {type: demo}
jobs:
  - name: morning
    kind: incident
    schedule: "0 8 * * *"
    period: day
    formats: [json]
  - name: weekly
    kind: incident
    schedule: "0 9 * * 1"
    period: week
    formats: [json]
`
	h := newHarness(t, dir, yaml)
	h.start(kst(t, 2026, 11, 16, 7, 59)) // Monday
	h.clock.waitFor(t, 2)
	h.fireAt(kst(t, 2026, 11, 16, 8, 0), 1)
	h.clock.waitFor(t, 2)
	h.fireAt(kst(t, 2026, 11, 16, 9, 0), 1)
	h.stop()

	// Down until Tuesday 1 December 10:00: the daily job runs only the
	// 1st (2 h late, within its 6 h grace); the weekly job runs both
	// missed Mondays, oldest first.
	h2 := newHarness(t, dir, yaml)
	h2.start(kst(t, 2026, 12, 1, 10, 0))
	h2.wait(3)
	h2.clock.waitFor(t, 2)
	h2.stop()

	got := runs(t, h.historyPath())
	var morning, weekly []string
	for _, r := range got {
		if strings.HasPrefix(r, "weekly") {
			weekly = append(weekly, r)
		} else {
			morning = append(morning, r)
		}
	}
	equal(t, "weekly", weekly, []string{
		"weekly/2026-W47 schedule ok",
		"weekly/2026-W48 catch-up ok",
		"weekly/2026-W49 catch-up ok",
	})
	equal(t, "daily", morning, []string{
		"morning/2026-11-16 schedule ok",
		"morning/2026-11-30 catch-up skipped", // one record for the 17th to the 30th: beyond the grace
		"morning/2026-12-01 catch-up ok",
	})
	st, _ := history.Open(context.Background(), h.historyPath())
	defer st.Close()
	rs, _ := st.Recent(context.Background(), "morning", 10)
	if !strings.Contains(rs[1].Reason, "missed 14 fire(s)") || !strings.Contains(rs[1].Reason, "grace 6h0m0s") {
		t.Errorf("skip reason %q", rs[1].Reason)
	}
}

// DST policy through the whole daemon: a 02:30 daily job in New York runs
// at 03:00 on the spring-forward day and once on every day; a 01:30 job
// runs once on the fall-back day; Berlin's hourly job runs the repeated
// 02:00 once.
func TestDSTDaysThroughServe(t *testing.T) {
	for _, c := range []struct {
		name, zone, sched, period string
		from                      time.Time
		fires                     int
		want                      []string
	}{
		{"spring forward, New York", "America/New_York", "30 2 * * *", "day", time.Date(2026, 3, 7, 0, 0, 0, 0, mustLoc(t, "America/New_York")), 3,
			[]string{"2026-03-07 02:30 EST", "2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT"}},
		{"fall back, New York", "America/New_York", "30 1 * * *", "day", time.Date(2026, 10, 31, 0, 0, 0, 0, mustLoc(t, "America/New_York")), 3,
			[]string{"2026-10-31 01:30 EDT", "2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"}},
		{"fall back, Berlin hourly", "Europe/Berlin", "0 1-4 * * *", "run", time.Date(2026, 10, 25, 0, 30, 0, 0, mustLoc(t, "Europe/Berlin")), 4,
			[]string{"2026-10-25 01:00 CEST", "2026-10-25 02:00 CEST", "2026-10-25 03:00 CET", "2026-10-25 04:00 CET"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHarness(t, dir, fmt.Sprintf(`
timezone: %s
source: {type: demo}
jobs:
  - name: j
    kind: incident
    schedule: %q
    period: %s
    formats: [json]
`, c.zone, c.sched, c.period))
			h.start(c.from)
			s, _ := Parse(c.sched, h.cfg.Jobs[0].Location)
			at := c.from
			for range c.fires {
				h.clock.waitFor(t, 1)
				at = s.Next(at)
				h.fireAt(at, 1)
			}
			h.clock.waitFor(t, 1)
			// An hour passes with no further fire (a repeated wall time
			// would fire here, and be skipped as a run key already done).
			h.clock.advance(at.Add(time.Hour))
			h.clock.waitFor(t, 1)
			h.stop()

			st, _ := history.Open(context.Background(), h.historyPath())
			defer st.Close()
			rs, _ := st.Recent(context.Background(), "j", 100)
			var got []string
			for i := len(rs) - 1; i >= 0; i-- {
				if rs[i].Status != history.StatusOK {
					t.Errorf("%s: %s %s", rs[i].Key, rs[i].Status, rs[i].Reason)
				}
				got = append(got, rs[i].ScheduledAt.In(h.cfg.Jobs[0].Location).Format("2006-01-02 15:04 MST"))
			}
			equal(t, c.name, got, c.want)
		})
	}
}

const slowYAML = `
timezone: Asia/Seoul
source: {type: demo}
targets:
  fast: {type: file, dir: $DIR/fast}
  slow: {type: file, dir: $DIR/slow}
jobs:
  - name: morning
    kind: daily-status
    schedule: "0 8 * * *"
    formats: [md]
    deliver: [fast, slow]
`

// SIGTERM while a run delivers: the daemon stops scheduling, gives the run
// the shutdown timeout, then cancels it; the run is recorded interrupted
// and the next start delivers it to the target that lacks it.
func TestSIGTERMDuringARun(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, slowYAML)
	slowStarted := make(chan struct{})
	h.open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, name)
		if name == "slow" {
			e.Target = &blockingTarget{Target: e.Target, started: slowStarted}
		}
		return e, err
	}
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 1)
	h.clock.advance(kst(t, 2026, 11, 24, 8, 0))
	<-slowStarted
	h.cancel()            // SIGTERM
	h.clock.waitFor(t, 2) // the loop's timer and the shutdown timer
	select {
	case <-h.done:
		t.Fatal("serve exited while a run was still within the shutdown timeout")
	case <-time.After(50 * time.Millisecond):
	}
	h.clock.advance(kst(t, 2026, 11, 24, 8, 2)) // the 2 minutes pass
	if err := <-h.done; err != nil {
		t.Fatal(err)
	}
	h.store.Close()
	st, _ := history.Open(context.Background(), h.historyPath())
	rs, _ := st.Recent(context.Background(), "morning", 10)
	st.Close()
	if len(rs) != 1 || rs[0].Status != history.StatusInterrupted || !strings.Contains(rs[0].Reason, "stopped by shutdown during delivery; delivery failed for slow") {
		t.Fatalf("after SIGTERM: %+v", rs)
	}

	h2 := newHarness(t, dir, slowYAML)
	h2.start(kst(t, 2026, 11, 24, 8, 5))
	h2.wait(1)
	h2.stop()
	equal(t, "history", runs(t, h.historyPath()), []string{"morning/2026-11-24 schedule interrupted", "morning/2026-11-24 resume ok"})
	equal(t, "deliveries", deliveries(t, h.historyPath(), "morning/2026-11-24"), []string{"fast ok", "slow failed", "slow ok"})
}

// A bug that panics inside a run is recovered, recorded as a failed run,
// and the daemon goes on to the next fire.
func TestPanicInARunIsRecordedAndServeGoesOn(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, morningYAML)
	var calls int
	var mu sync.Mutex
	h.progress = func() {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			panic("analyzer bug")
		}
	}
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 1)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.clock.waitFor(t, 1)
	h.fireAt(kst(t, 2026, 11, 24, 8, 30), 1)
	h.stop()
	equal(t, "history", runs(t, h.historyPath()), []string{"morning/2026-11-24 schedule failed", "morning/2026-11-24 schedule ok"})
	st, _ := history.Open(context.Background(), h.historyPath())
	defer st.Close()
	rs, _ := st.Recent(context.Background(), "morning", 10)
	if rs[1].Reason != "panic: analyzer bug" {
		t.Errorf("reason %q", rs[1].Reason)
	}
}

const deadlineYAML = `
timezone: Asia/Seoul
source: {type: %s, path: $DIR/missing-snapshot.json}
targets:
  files: {type: file, dir: $DIR/reports}
jobs:
  - name: morning
    kind: daily-status
    schedule: "0 8 * * *"
    formats: [md]
    deliver: [files]
    deadline: 2h
`

// A job that has not succeeded by its deadline sends "report missing" to
// its targets once, also across a restart; a job that succeeded does not.
func TestDeadlineSendsReportMissingOnce(t *testing.T) {
	dir := t.TempDir()
	// The snapshot file does not exist: every run fails to collect.
	h := newHarness(t, dir, fmt.Sprintf(deadlineYAML, "snapshot"))
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 2) // the schedule loop and the deadline loop
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.clock.waitFor(t, 2)
	h.clock.advance(kst(t, 2026, 11, 24, 10, 0))
	waitUntil(t, func() bool {
		ok, _ := h.store.Delivered(context.Background(), "morning/2026-11-24/missing", "files")
		return ok
	})
	h.stop()
	h2 := newHarness(t, dir, fmt.Sprintf(deadlineYAML, "snapshot"))
	h2.start(kst(t, 2026, 11, 24, 10, 30)) // checks the 08:00 deadline again at start
	h2.clock.waitFor(t, 2)
	h2.stop()

	equal(t, "history", runs(t, h.historyPath()), []string{"morning/2026-11-24 schedule failed", "morning/2026-11-24/missing deadline ok"})
	equal(t, "notice deliveries", deliveries(t, h.historyPath(), "morning/2026-11-24/missing"), []string{"files ok"})
	notice, err := os.ReadFile(filepath.Join(dir, "reports", "morning", "2026", "11", "24", "morning-2026-11-24.missing.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# 보고서 누락: morning 작업의 2026-11-24 보고서(일일 상태 보고서)가 마감 시각 2026-11-24 10:00 KST까지 만들어지지 않았습니다", "마지막 실행이 실패했습니다", "- 마감 시각: 2026-11-24 10:00 KST"} {
		if !strings.Contains(string(notice), want) {
			t.Errorf("notice lacks %q:\n%s", want, notice)
		}
	}

	// With the demo source the run succeeds: no notice at the deadline.
	dir = t.TempDir()
	h = newHarness(t, dir, fmt.Sprintf(deadlineYAML, "demo"))
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 2)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.clock.waitFor(t, 2)
	h.clock.advance(kst(t, 2026, 11, 24, 10, 0))
	h.clock.waitFor(t, 2) // the deadline loop checked and sleeps towards tomorrow
	h.stop()
	equal(t, "history with success", runs(t, h.historyPath()), []string{"morning/2026-11-24 schedule ok"})
}

func TestMetrics(t *testing.T) {
	dir := t.TempDir()
	// A saved dataset replays its API call counts, as the AWS source
	// reports them.
	if err := os.WriteFile(filepath.Join(dir, "snap.json"), []byte(`{"stats": {"cloudwatch:GetMetricData": 3, "ec2:DescribeInstances": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(morningYAML, "source: {type: demo}", "source: {type: snapshot, path: $DIR/snap.json}", 1)
	h := newHarness(t, dir, yaml)
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 1)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.clock.waitFor(t, 1)
	h.fireAt(kst(t, 2026, 11, 24, 8, 30), 1) // same period: skipped as done
	h.stop()                                 // the skip is recorded after the task returns: stop waits for it
	body := scrape(t, h.x.Metrics)
	for _, want := range []string{
		`cwreport_runs_total{job_name="morning",status="ok"} 1`,
		`cwreport_runs_total{job_name="morning",status="skipped"} 1`,
		`cwreport_deliveries_total{outcome="ok",target="files"} 1`,
		`cwreport_aws_api_calls_total{api="cloudwatch:GetMetricData",job_name="morning"} 3`,
		`cwreport_aws_api_calls_total{api="ec2:DescribeInstances",job_name="morning"} 1`,
		fmt.Sprintf(`cwreport_last_success_timestamp_seconds{job_name="morning"} %g`, float64(kst(t, 2026, 11, 24, 8, 0).Unix())),
		`cwreport_running_runs{job_name="morning"} 0`,
		`cwreport_run_duration_seconds_count{job_name="morning"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	// After a restart the last success comes from history.
	h2 := newHarness(t, dir, yaml)
	h2.start(kst(t, 2026, 11, 24, 8, 45))
	h2.clock.waitFor(t, 1) // the 08:30 fire is not caught up again: it was recorded as skipped
	h2.stop()
	body = scrape(t, h2.x.Metrics)
	if want := fmt.Sprintf(`cwreport_last_success_timestamp_seconds{job_name="morning"} %g`, float64(kst(t, 2026, 11, 24, 8, 0).Unix())); !strings.Contains(body, want) {
		t.Errorf("after restart, metrics lack %s", want)
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// A run past the job's timeout is cancelled; history says it timed out,
// and the target it did not reach is owed the spooled report.
func TestTimeoutIsRecorded(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, strings.Replace(slowYAML, "deliver: [fast, slow]", "deliver: [fast, slow]\n    timeout: 1s", 1))
	h.open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, name)
		if name == "slow" {
			e.Target = &blockingTarget{Target: e.Target, started: make(chan struct{})}
		}
		return e, err
	}
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 1)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1) // the timeout is real time: 1 s
	h.stop()
	st, _ := history.Open(context.Background(), h.historyPath())
	defer st.Close()
	rs, _ := st.Recent(context.Background(), "", 1)
	if rs[0].Status != history.StatusDegraded || rs[0].Reason != "timed out after 1s: delivery failed for slow" {
		t.Errorf("run %s: %q", rs[0].Status, rs[0].Reason)
	}
	un, _ := st.Unfinished(context.Background(), "morning", kst(t, 2026, 11, 24, 0, 0))
	if len(un) != 1 || !un[0].Failed["slow"] || !un[0].Delivered["fast"] {
		t.Errorf("unfinished %+v", un)
	}
}

// flakyTarget is a real target that fails its first delivery: an outage
// of the destination.
type flakyTarget struct {
	deliver.Target
	mu    sync.Mutex
	calls int
}

func (f *flakyTarget) Deliver(ctx context.Context, d *deliver.Delivery) error {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == 1 {
		return deliver.Final("post message", errors.New("service unavailable"), "wait for the outage to end")
	}
	return f.Target.Deliver(ctx, d)
}

// While serve runs, a period whose delivery failed for one target is
// retried for that target only, from the spool, at the next retry tick.
func TestFailedTargetIsRetriedWhileServing(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, slowYAML)
	h.retryEvery = 10 * time.Minute
	var flaky *flakyTarget
	var mu sync.Mutex
	h.open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, name)
		if name == "slow" {
			mu.Lock()
			flaky = &flakyTarget{Target: e.Target}
			e.Target = flaky
			mu.Unlock()
		}
		return e, err
	}
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 2) // the schedule loop and the retry loop
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.clock.waitFor(t, 2)
	h.fireAt(kst(t, 2026, 11, 24, 8, 9), 1) // the retry tick (10 min after 07:59)
	h.clock.waitFor(t, 2)
	h.clock.advance(kst(t, 2026, 11, 24, 8, 19)) // nothing left to retry
	h.clock.waitFor(t, 2)
	h.stop()
	equal(t, "history", runs(t, h.historyPath()), []string{"morning/2026-11-24 schedule degraded", "morning/2026-11-24 resume ok"})
	ds := deliveries(t, h.historyPath(), "morning/2026-11-24")
	slices.Sort(ds) // fast and slow were delivered in parallel the first time
	equal(t, "deliveries", ds, []string{"fast ok", "slow failed", "slow ok"})
	fast := stat(t, filepath.Join(dir, "fast", "morning", "2026", "11", "24", "morning-2026-11-24.md"))
	slow := stat(t, filepath.Join(dir, "slow", "morning", "2026", "11", "24", "morning-2026-11-24.md"))
	if !bytes.Equal(fast.data, slow.data) {
		t.Error("the retried target got a report rendered again, not the spooled one")
	}
}
