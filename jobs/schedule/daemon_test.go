package schedule

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
)

// fakeClock advances only when told; After channels fire as it passes them.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	changed chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, changed: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return ch
}

// advance moves the clock to t, firing every waiter due.
func (c *fakeClock) advance(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
}

// waitFor blocks until n goroutines wait on the clock.
func (c *fakeClock) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		c.mu.Lock()
		got := len(c.waiters)
		c.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-c.changed:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %d clock waiters (have %d)", n, got)
		}
	}
}

// memRecorder is the daemon's view of history, in memory: these tests are
// about the daemon's decisions; jobs/schedule's serve tests use the real
// history store.
type memRecorder struct {
	mu         sync.Mutex
	last       map[string]time.Time
	first      map[string]time.Time
	incomplete map[string][]time.Time
	skipped    []string
	failed     []string
}

func (m *memRecorder) LastScheduled(_ context.Context, job string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last[job], nil
}

func (m *memRecorder) FirstSeen(_ context.Context, job string, now time.Time) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.first == nil {
		m.first = map[string]time.Time{}
	}
	if _, ok := m.first[job]; !ok {
		m.first[job] = now
	}
	return m.first[job], nil
}

func (m *memRecorder) Incomplete(_ context.Context, job *config.Job) ([]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.incomplete[job.Name], nil
}

func (m *memRecorder) Skipped(_ context.Context, f Fire, skip *SkipError) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.skipped = append(m.skipped, f.Job.Name+"@"+f.At.In(f.Job.Location).Format("01-02 15:04")+" "+skip.Kind+": "+skip.Reason)
}

func (m *memRecorder) Failed(_ context.Context, f Fire, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failed = append(m.failed, f.Job.Name+"@"+f.At.In(f.Job.Location).Format("01-02 15:04")+": "+err.Error())
}

func (m *memRecorder) skips() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.skipped...)
}

func job(t *testing.T, name, sched, period, policy string) *config.Job {
	t.Helper()
	seoul, _ := time.LoadLocation("Asia/Seoul")
	j := &config.Job{Name: name, Schedule: sched, Period: period, Location: seoul}
	j.CatchUp.Policy = policy
	j.CatchUp.Grace.Duration = 6 * time.Hour
	j.Timeout.Duration = time.Hour
	return j
}

type runLog struct {
	mu   sync.Mutex
	runs []string
}

func (l *runLog) add(f Fire) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.runs = append(l.runs, f.Job.Name+"@"+f.At.In(f.Job.Location).Format("01-02 15:04")+"/"+f.Trigger)
}

func (l *runLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.runs...)
}

func quietLog() *slog.Logger {
	if os.Getenv("CWDEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func TestCatchUpFollowsPolicyOldestFirst(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, seoul) // Tuesday 10:00
	clock := newFakeClock(now)
	daily := job(t, "morning", "0 8 * * *", "day", "grace")
	weekly := job(t, "capacity", "0 9 * * 1", "week", "always")
	rec := &memRecorder{
		last: map[string]time.Time{
			"morning":  time.Date(2026, 11, 20, 8, 0, 0, 0, seoul), // down since Friday
			"capacity": time.Date(2026, 11, 2, 9, 0, 0, 0, seoul),  // three Mondays missed
		},
		first: map[string]time.Time{"morning": time.Date(2026, 10, 1, 0, 0, 0, 0, seoul), "capacity": time.Date(2026, 10, 1, 0, 0, 0, 0, seoul)},
		// An interrupted weekly period is resumed before the missed ones;
		// a daily one beyond the grace is left alone.
		incomplete: map[string][]time.Time{
			"capacity": {time.Date(2026, 11, 2, 9, 0, 0, 0, seoul)},
			"morning":  {time.Date(2026, 11, 20, 8, 0, 0, 0, seoul)},
		},
	}
	var log runLog
	ctx, cancel := context.WithCancel(context.Background())
	d := &Daemon{Jobs: []*config.Job{daily, weekly}, Clock: clock, Recorder: rec, Log: quietLog(), ShutdownTimeout: time.Minute,
		Task: func(ctx context.Context, f Fire) error { log.add(f); return nil }}
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	clock.waitFor(t, 2) // both loops caught up and wait for their next fire
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var morning, capacity []string
	for _, r := range log.list() {
		if strings.HasPrefix(r, "capacity") {
			capacity = append(capacity, r)
		} else {
			morning = append(morning, r)
		}
	}
	equal(t, "weekly: resume, then every missed Monday oldest first", capacity, []string{
		"capacity@11-02 09:00/resume", "capacity@11-09 09:00/catch-up", "capacity@11-16 09:00/catch-up", "capacity@11-23 09:00/catch-up",
	})
	equal(t, "daily: only within the 6 h grace", morning, []string{"morning@11-24 08:00/catch-up"})
	// The 21st to the 23rd are beyond the grace: one record, at the latest.
	equal(t, "skips", rec.skips(), []string{"morning@11-23 08:00 late: missed 3 fire(s) up to this one while cwreport was not running; catch-up policy grace 6h0m0s does not run them this late"})
}

func TestFindMissed(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, seoul)
	minutely := job(t, "m", "* * * * *", "run", "always")
	s, _ := Parse(minutely.Schedule, seoul)
	cases := []struct {
		name    string
		policy  string
		since   time.Time
		run     int
		first   time.Time
		dropped int
	}{
		{"never seen", "always", time.Time{}, 0, time.Time{}, 0},
		{"always, capped to the newest", "always", now.Add(-24 * time.Hour), MaxCatchUp, now.Add(-(MaxCatchUp - 1) * time.Minute), 24*60 - MaxCatchUp},
		{"grace", "grace", now.Add(-7 * time.Hour), 6*60 + 1, now.Add(-6 * time.Hour), 59},
		{"never", "never", now.Add(-time.Hour), 0, time.Time{}, 60},
	}
	for _, c := range cases {
		minutely.CatchUp.Policy = c.policy
		if c.policy == "grace" {
			minutely.CatchUp.Grace.Duration = 6 * time.Hour
			c.run = MaxCatchUp // the cap holds whatever the policy
			c.first = now.Add(-(MaxCatchUp - 1) * time.Minute)
			c.dropped = 7*60 - MaxCatchUp
		}
		m := FindMissed(minutely, s, c.since, now)
		if len(m.Run) != c.run || m.Dropped != c.dropped || (c.run > 0 && (!m.Run[0].Equal(c.first) || !m.Run[len(m.Run)-1].Equal(now))) {
			t.Errorf("%s: run %d (first %v), dropped %d", c.name, len(m.Run), first(m.Run), m.Dropped)
		}
	}
}

func first(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[0]
}

func TestOverlapIsSkippedAndPanicsAreContained(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 59, 0, 0, time.UTC)
	clock := newFakeClock(now)
	j := job(t, "fast", "*/1 * * * *", "run", "never")
	rec := &memRecorder{}
	release := make(chan struct{})
	var calls atomic.Int32
	started := make(chan struct{}, 10)
	finished := make(chan struct{}, 10)
	task := Chain(func(ctx context.Context, f Fire) error {
		n := calls.Add(1)
		started <- struct{}{}
		defer func() { finished <- struct{}{} }()
		switch n {
		case 1:
			<-release // still running when the next minute fires
		case 2:
			panic("analyzer bug")
		}
		return nil
	}, Recover(), SkipIfRunning(), Timeout())
	var failures []error
	var fmu sync.Mutex
	d := &Daemon{Jobs: []*config.Job{j}, Clock: clock, Recorder: rec, Log: quietLog(), ShutdownTimeout: time.Minute,
		Task: func(ctx context.Context, f Fire) error {
			err := task(ctx, f)
			var pe *PanicError
			if errors.As(err, &pe) {
				fmu.Lock()
				failures = append(failures, err)
				fmu.Unlock()
			}
			return err
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()

	clock.waitFor(t, 1)
	clock.advance(now.Add(time.Minute)) // 08:00: run 1 starts and blocks
	<-started
	clock.waitFor(t, 1)
	clock.advance(now.Add(2 * time.Minute)) // 08:01: skipped, run 1 still going
	// The 08:01 fire is dispatched on its own goroutine: wait for its skip
	// before letting run 1 end, or it could find the job idle.
	waitUntil(t, func() bool { return len(rec.skips()) == 1 })
	close(release)
	<-finished
	clock.waitFor(t, 1)
	clock.advance(now.Add(3 * time.Minute)) // 08:02: run 2 panics
	<-started
	<-finished
	clock.waitFor(t, 1)
	clock.advance(now.Add(4 * time.Minute)) // 08:03: run 3 fine: the daemon survived
	<-started
	<-finished
	cancel()
	<-done
	fmu.Lock()
	defer fmu.Unlock()
	if len(failures) != 1 || !strings.Contains(failures[0].Error(), "analyzer bug") {
		t.Errorf("panic not reported as a failure: %v", failures)
	}
	if calls.Load() != 3 {
		t.Errorf("calls %d, want 3", calls.Load())
	}
	rec.mu.Lock()
	if len(rec.failed) != 1 || !strings.Contains(rec.failed[0], "fast@11-24 17:02: panic: analyzer bug") {
		t.Errorf("the panic was not recorded as a failed fire: %v", rec.failed)
	}
	rec.mu.Unlock()
	if s := rec.skips(); !strings.Contains(s[0], "fast@11-24 17:01 overlap: the run scheduled at 2026-11-24 17:00:00 KST is still running") {
		t.Errorf("skip %q", s[0])
	}
}

func TestShutdownWaitsThenCancels(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 59, 0, 0, time.UTC)
	clock := newFakeClock(now)
	j := job(t, "slow", "0 8 * * *", "day", "never")
	j.Location = time.UTC
	rec := &memRecorder{}
	started := make(chan struct{})
	var cause error
	d := &Daemon{Jobs: []*config.Job{j}, Clock: clock, Recorder: rec, Log: quietLog(), ShutdownTimeout: 2 * time.Minute,
		Task: func(ctx context.Context, f Fire) error {
			close(started)
			<-ctx.Done() // a run that would never end on its own
			cause = context.Cause(ctx)
			return ctx.Err()
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	clock.waitFor(t, 1)
	clock.advance(now.Add(time.Minute))
	<-started
	clock.waitFor(t, 1) // the loop sleeps towards tomorrow
	cancel()            // SIGTERM: scheduling stops, the run keeps its context
	// The loop's abandoned timer stays registered, so the shutdown timer
	// is the second waiter.
	clock.waitFor(t, 2)
	select {
	case <-done:
		t.Fatal("Run returned before the shutdown timeout")
	default:
	}
	clock.advance(now.Add(4 * time.Minute))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(cause, ErrShutdown) {
		t.Fatalf("running task was not cancelled with ErrShutdown at the shutdown timeout: %v", cause)
	}
}

func TestShutdownReturnsAsSoonAsRunsEnd(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 59, 0, 0, time.UTC)
	clock := newFakeClock(now)
	j := job(t, "quick", "0 8 * * *", "day", "never")
	j.Location = time.UTC
	release := make(chan struct{})
	started := make(chan struct{})
	var ctxErr error
	d := &Daemon{Jobs: []*config.Job{j}, Clock: clock, Recorder: &memRecorder{}, Log: quietLog(), ShutdownTimeout: time.Hour,
		Task: func(ctx context.Context, f Fire) error {
			close(started)
			<-release
			ctxErr = ctx.Err()
			return nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	clock.waitFor(t, 1)
	clock.advance(now.Add(time.Minute))
	<-started
	cancel()
	clock.waitFor(t, 2)
	close(release) // the run ends well within the hour
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ctxErr != nil {
		t.Fatalf("the run's context ended before it finished: %v", ctxErr)
	}
}

// A timer that wakes far too late (a suspended VM) makes the fire a missed
// one: the policy decides, as after a restart.
func TestLateWakeFollowsPolicy(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 59, 0, 0, time.UTC)
	for _, c := range []struct {
		policy string
		want   string
	}{
		{"never", "skip"},
		{"always", "ran/catch-up"},
	} {
		clock := newFakeClock(now)
		j := job(t, "j", "0 8 * * *", "day", c.policy)
		j.Location = time.UTC
		rec := &memRecorder{}
		var log runLog
		d := &Daemon{Jobs: []*config.Job{j}, Clock: clock, Recorder: rec, Log: quietLog(), ShutdownTimeout: time.Minute,
			Task: func(ctx context.Context, f Fire) error { log.add(f); return nil }}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		clock.waitFor(t, 1)
		clock.advance(now.Add(3 * time.Hour)) // slept through 08:00
		if c.want == "skip" {
			waitUntil(t, func() bool { return len(rec.skips()) == 1 })
		} else {
			waitUntil(t, func() bool { return len(log.list()) == 1 })
		}
		cancel()
		<-done
		got := log.list()
		if c.want == "skip" && (len(got) != 0 || !strings.Contains(rec.skips()[0], "late: the timer woke 2h59m0s late")) {
			t.Errorf("%s: runs %v skips %v", c.policy, got, rec.skips())
		}
		if c.want != "skip" && (len(got) != 1 || got[0] != "j@11-24 08:00/catch-up") {
			t.Errorf("%s: runs %v", c.policy, got)
		}
	}
}

func TestDeadlineChecksEachFireOnce(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 11, 24, 11, 0, 0, 0, seoul)
	clock := newFakeClock(now)
	j := job(t, "morning", "0 8 * * *", "day", "grace")
	j.Deadline.Duration = 2 * time.Hour
	rec := &memRecorder{first: map[string]time.Time{"morning": now.Add(-72 * time.Hour)}, last: map[string]time.Time{"morning": time.Date(2026, 11, 24, 8, 0, 0, 0, seoul)}}
	var mu sync.Mutex
	var checked []string
	d := &Daemon{Jobs: []*config.Job{j}, Clock: clock, Recorder: rec, Log: quietLog(), ShutdownTimeout: time.Minute,
		Task: func(ctx context.Context, f Fire) error { return nil },
		Deadline: func(ctx context.Context, f Fire) {
			mu.Lock()
			defer mu.Unlock()
			checked = append(checked, f.At.In(seoul).Format("01-02 15:04"))
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	clock.waitFor(t, 2)                                        // the loop (tomorrow 08:00) and the deadline loop (tomorrow 10:00)
	clock.advance(time.Date(2026, 11, 25, 8, 0, 0, 0, seoul))  // fire
	clock.waitFor(t, 2)                                        // loop re-armed
	clock.advance(time.Date(2026, 11, 25, 10, 0, 0, 0, seoul)) // deadline
	clock.waitFor(t, 2)                                        // both re-armed
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	// Today's 08:00 deadline (10:00) passed before the start: checked at
	// once; tomorrow's at 10:00.
	equal(t, "deadline checks", checked, []string{"11-24 08:00", "11-25 08:00"})
}

// A job first seen after its last fire does not get a deadline check for a
// period from before serve knew it.
func TestDeadlineIgnoresPeriodsBeforeFirstSeen(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 11, 24, 11, 0, 0, 0, seoul)
	clock := newFakeClock(now)
	j := job(t, "morning", "0 8 * * *", "day", "grace")
	j.Deadline.Duration = 2 * time.Hour
	var calls atomic.Int32
	d := &Daemon{Jobs: []*config.Job{j}, Clock: clock, Recorder: &memRecorder{}, Log: quietLog(), ShutdownTimeout: time.Minute,
		Task:     func(ctx context.Context, f Fire) error { return nil },
		Deadline: func(ctx context.Context, f Fire) { calls.Add(1) }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	clock.waitFor(t, 2)
	cancel()
	<-done
	if calls.Load() != 0 {
		t.Fatalf("deadline checked %d time(s) for a period before the job was first seen", calls.Load())
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestTimeoutWrapper(t *testing.T) {
	j := job(t, "j", "@daily", "day", "never")
	j.Timeout.Duration = 10 * time.Millisecond
	task := Timeout()(func(ctx context.Context, f Fire) error { <-ctx.Done(); return ctx.Err() })
	err := task(context.Background(), Fire{Job: j})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 10ms") {
		t.Fatalf("err %v", err)
	}
}
