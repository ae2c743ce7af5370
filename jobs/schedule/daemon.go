package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cwreport/cwreport/config"
)

// Clock is the time source; tests inject a fake one.
type Clock interface {
	Now() time.Time
	// After delivers once d has passed.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After is time.After.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Recorder is what the daemon asks history and tells it. The daemon keeps
// no state of its own: after a restart, history says what was missed.
type Recorder interface {
	// LastScheduled returns the latest fire of job that was decided on
	// (run or skipped), or zero.
	LastScheduled(ctx context.Context, job string) (time.Time, error)
	// FirstSeen returns when serve first scheduled job, recording now if
	// it never did.
	FirstSeen(ctx context.Context, job string, now time.Time) (time.Time, error)
	// Incomplete returns the scheduled instants of job's periods to resume
	// (interrupted, or not delivered to every target), oldest first.
	Incomplete(ctx context.Context, job *config.Job) ([]time.Time, error)
	// Skipped records a fire that did not run and why.
	Skipped(ctx context.Context, f Fire, skip *SkipError)
	// Failed records a fire whose task failed without recording it (a
	// lease that could not be taken, a panic in a wrapper).
	Failed(ctx context.Context, f Fire, err error)
}

// NoticeRetrier is implemented by a Recorder that knows of "report
// missing" notices that failed for a target: the daemon sends them again
// (through Deadline) at each retry interval, like deliveries.
type NoticeRetrier interface {
	// FailedNotices returns the scheduled instants of job's notices to
	// send again.
	FailedNotices(ctx context.Context, job *config.Job) ([]time.Time, error)
}

// ErrShutdown is the cause of a run's context ending because serve stopped
// and the shutdown timeout passed: the run is interrupted, not failed.
var ErrShutdown = errors.New("serve is shutting down")

// MaxCatchUp bounds the missed fires one job catches up after a restart:
// the newest ones run, older ones are recorded as skipped. A job firing
// every minute that was down a day does not replay 1440 runs.
const MaxCatchUp = 100

// lateAfter is how late a timer may wake (a suspended machine, a stalled
// process) before its fire counts as missed and follows the catch-up policy.
const lateAfter = time.Minute

// maxSleep bounds one wait, so a wall clock stepped by NTP or a resumed VM
// is noticed within a minute rather than after the whole planned sleep.
const maxSleep = time.Minute

// Daemon fires jobs on their schedules until its context ends.
type Daemon struct {
	Jobs     []*config.Job
	Task     Task
	Clock    Clock
	Recorder Recorder
	// Deadline, when set, is called for each fire of a job with a
	// deadline, at the fire's instant plus the deadline; it decides whether
	// the report is missing.
	Deadline func(ctx context.Context, f Fire)
	Log      *slog.Logger
	// ShutdownTimeout is how long running tasks may finish after the
	// context ends; then their contexts are cancelled with ErrShutdown.
	ShutdownTimeout time.Duration
	// AbandonAfter is how long, after that, Run waits for tasks that
	// ignore cancellation before returning anyway; default 10s.
	AbandonAfter time.Duration
	// RetryEvery, when positive, is how often each job's unfinished
	// periods (a delivery failed for some targets) are resumed while serve
	// runs, within the catch-up policy; the Recorder bounds how often.
	RetryEvery time.Duration
	// Maintain, when set, is history's upkeep (retention): run at start,
	// before any resume or catch-up, and every MaintainEvery (default 24h).
	Maintain      func(ctx context.Context)
	MaintainEvery time.Duration

	// fired, when set, is told of each fire once its outcome is recorded
	// (tests wait on it).
	fired func(Fire)
}

type entry struct {
	job   *config.Job
	sched *Schedule
	// caughtUp is closed once the job's resume and catch-up runs are done.
	caughtUp chan struct{}
	// since is the instant after which fires count as missed; firstSeen
	// when serve first scheduled the job.
	since, firstSeen time.Time
}

// Allows reports whether job's catch-up policy still runs a fire
// scheduled at at when it is now: always, never, or within the grace.
func Allows(job *config.Job, at, now time.Time) bool {
	switch job.CatchUp.Policy {
	case "always":
		return true
	case "grace":
		return now.Sub(at) <= job.CatchUp.Grace.Duration
	}
	return false
}

// Missed are the fires of a job in (since, now], split by its policy.
type Missed struct {
	// Run are the fires to run, oldest first, at most MaxCatchUp.
	Run []time.Time
	// Dropped counts the others; Last is the latest of them.
	Dropped int
	Last    time.Time
}

// FindMissed walks the fires of s in (since, now] and splits them by job's
// catch-up policy. A zero since (a job never seen) misses nothing.
func FindMissed(job *config.Job, s *Schedule, since, now time.Time) Missed {
	var m Missed
	if since.IsZero() {
		return m
	}
	for t := s.Next(since); !t.IsZero() && !t.After(now); t = s.Next(t) {
		if !Allows(job, t, now) {
			m.Dropped++
			m.Last = t
			continue
		}
		m.Run = append(m.Run, t)
		if len(m.Run) > MaxCatchUp {
			m.Dropped++
			m.Last = m.Run[0]
			m.Run = m.Run[1:]
		}
	}
	return m
}

// Run schedules every job with a schedule: first it resumes incomplete
// periods and catches up missed fires (per job, oldest first), then fires
// each job as its time comes. When ctx ends it starts nothing new, lets
// running tasks finish for ShutdownTimeout, then cancels them with
// ErrShutdown, and returns nil.
func (d *Daemon) Run(ctx context.Context) error {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = RealClock{}
	}
	var entries []*entry
	for _, j := range d.Jobs {
		if j.Schedule == "" {
			continue
		}
		s, err := Parse(j.Schedule, j.Location)
		if err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
		entries = append(entries, &entry{job: j, sched: s, caughtUp: make(chan struct{})})
	}
	if len(entries) == 0 {
		return errors.New("no job has a schedule; serve has nothing to do (run on-demand jobs with cwreport run)")
	}
	now := d.Clock.Now()
	setup := context.WithoutCancel(ctx) // a signal during startup ends serve after it, not with an error
	for _, e := range entries {
		first, err := d.Recorder.FirstSeen(setup, e.job.Name, now)
		if err != nil {
			return fmt.Errorf("job %s: %w", e.job.Name, err)
		}
		last, err := d.Recorder.LastScheduled(setup, e.job.Name)
		if err != nil {
			return fmt.Errorf("job %s: %w", e.job.Name, err)
		}
		e.firstSeen, e.since = first, first
		if last.After(first) {
			e.since = last
		}
	}

	if d.Maintain != nil {
		d.Maintain(setup)
	}

	// Tasks get their own context: on shutdown, scheduling stops at once
	// but running tasks get ShutdownTimeout to finish.
	taskCtx, cancelTasks := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelTasks(nil)
	var wg sync.WaitGroup
	for _, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.loop(ctx, taskCtx, &wg, e)
		}()
		if d.RetryEvery > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.retries(ctx, taskCtx, e)
			}()
		}
		if d.Deadline != nil && e.job.Deadline.Duration > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.deadlines(ctx, taskCtx, e)
			}()
		}
	}
	if d.Maintain != nil {
		every := d.MaintainEvery
		if every <= 0 {
			every = 24 * time.Hour
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d.sleepUntil(ctx, d.Clock.Now().Add(every)) {
				d.Maintain(context.WithoutCancel(ctx))
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	select {
	case <-done: // no job has a fire left (schedules that end)
		return nil
	case <-ctx.Done():
	}
	d.Log.Info("shutting down: no new runs; waiting for running jobs", "timeout", d.ShutdownTimeout)
	select {
	case <-done:
		return nil
	case <-d.Clock.After(d.ShutdownTimeout):
	}
	d.Log.Warn("shutdown timeout passed: cancelling running jobs; they are recorded as interrupted", "timeout", d.ShutdownTimeout)
	cancelTasks(ErrShutdown)
	abandon := d.AbandonAfter
	if abandon <= 0 {
		abandon = 10 * time.Second
	}
	select {
	case <-done:
	case <-d.Clock.After(abandon):
		d.Log.Error("running jobs ignored cancellation; exiting without them", "waited", abandon)
	}
	return nil
}

// loop runs one job: resume, catch-up (synchronously, oldest first), then
// each fire as it comes. A scheduled fire is dispatched without waiting for
// the previous one, so SkipIfRunning can see an overlap and record it.
func (d *Daemon) loop(ctx, taskCtx context.Context, wg *sync.WaitGroup, e *entry) {
	job := e.job
	now := d.Clock.Now()
	func() {
		defer close(e.caughtUp)
		inc, err := d.Recorder.Incomplete(context.WithoutCancel(ctx), job)
		if err != nil {
			d.Log.Error("read history for resume", "job", job.Name, "err", err)
		}
		for _, at := range inc {
			if ctx.Err() != nil {
				return
			}
			if !Allows(job, at, now) {
				continue // history keeps it as it is; the policy gave up on it
			}
			d.Log.Info("resuming incomplete period", "job", job.Name, "scheduled", at)
			d.fire(taskCtx, Fire{Job: job, At: at, Trigger: TriggerResume})
		}
		m := FindMissed(job, e.sched, e.since, now)
		if m.Dropped > 0 {
			d.Log.Warn("missed runs not caught up", "job", job.Name, "count", m.Dropped, "latest", m.Last, "policy", job.CatchUp.Policy)
			d.Recorder.Skipped(context.WithoutCancel(ctx), Fire{Job: job, At: m.Last, Trigger: TriggerCatchUp}, &SkipError{Kind: SkipLate,
				Reason: fmt.Sprintf("missed %d fire(s) up to this one while cwreport was not running; catch-up policy %s does not run them this late", m.Dropped, policyText(job))})
		}
		if len(m.Run) > 0 {
			d.Log.Info("catching up missed runs", "job", job.Name, "count", len(m.Run), "policy", job.CatchUp.Policy)
		}
		for _, at := range m.Run {
			if ctx.Err() != nil {
				return
			}
			d.fire(taskCtx, Fire{Job: job, At: at, Trigger: TriggerCatchUp})
		}
	}()

	next := e.sched.Next(now)
	for !next.IsZero() {
		if !d.sleepUntil(ctx, next) {
			return
		}
		f := Fire{Job: job, At: next, Trigger: TriggerSchedule}
		if late := d.Clock.Now().Sub(next); late > lateAfter {
			// The process was stopped or the machine slept: the fire was
			// missed even though serve was "running".
			f.Trigger = TriggerCatchUp
			if !Allows(job, next, d.Clock.Now()) {
				d.Recorder.Skipped(context.WithoutCancel(ctx), f, &SkipError{Kind: SkipLate, Reason: fmt.Sprintf("the timer woke %s late (the process or machine was suspended); catch-up policy %s does not run it this late", late.Round(time.Second), policyText(job))})
				next = e.sched.Next(next)
				continue
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.fire(taskCtx, f)
		}()
		next = e.sched.Next(next)
	}
}

// sleepUntil waits until the clock reaches t; false when ctx ended first.
func (d *Daemon) sleepUntil(ctx context.Context, t time.Time) bool {
	for {
		wait := t.Sub(d.Clock.Now())
		if wait <= 0 {
			return ctx.Err() == nil
		}
		select {
		case <-ctx.Done():
			return false
		case <-d.Clock.After(min(wait, maxSleep)):
		}
	}
}

// retries resumes a job's unfinished periods every RetryEvery, after its
// catch-up: a Slack outage at 08:00 is retried at 08:10 for Slack only. A
// "report missing" notice that failed for a target is sent again too.
func (d *Daemon) retries(ctx, taskCtx context.Context, e *entry) {
	select {
	case <-e.caughtUp:
	case <-ctx.Done():
		return
	}
	for {
		if !d.sleepUntil(ctx, d.Clock.Now().Add(d.RetryEvery)) {
			return
		}
		inc, err := d.Recorder.Incomplete(context.WithoutCancel(ctx), e.job)
		if err != nil {
			d.Log.Error("read history for retries", "job", e.job.Name, "err", err)
			continue
		}
		now := d.Clock.Now()
		for _, at := range inc {
			if ctx.Err() != nil {
				return
			}
			if Allows(e.job, at, now) {
				d.Log.Info("retrying unfinished period", "job", e.job.Name, "scheduled", at)
				d.fire(taskCtx, Fire{Job: e.job, At: at, Trigger: TriggerResume})
			}
		}
		d.retryNotices(ctx, taskCtx, e.job)
	}
}

// retryNotices sends again the job's notices that failed for a target.
func (d *Daemon) retryNotices(ctx, taskCtx context.Context, job *config.Job) {
	nr, ok := d.Recorder.(NoticeRetrier)
	if !ok || d.Deadline == nil || job.Deadline.Duration <= 0 {
		return
	}
	ats, err := nr.FailedNotices(context.WithoutCancel(ctx), job)
	if err != nil {
		d.Log.Error("read history for notice retries", "job", job.Name, "err", err)
		return
	}
	for _, at := range ats {
		if ctx.Err() != nil {
			return
		}
		d.Log.Info("retrying a report-missing notice", "job", job.Name, "scheduled", at)
		d.Deadline(taskCtx, Fire{Job: job, At: at, Trigger: TriggerDeadline})
	}
}

// deadlines checks, for each fire of a job with a deadline, whether the
// report exists once the deadline passed. At start it first waits for the
// job's catch-up, then checks the latest fire whose deadline passed while
// serve was down (but not one from before serve knew the job).
func (d *Daemon) deadlines(ctx, taskCtx context.Context, e *entry) {
	select {
	case <-e.caughtUp:
	case <-ctx.Done():
		return
	}
	dl := e.job.Deadline.Duration
	now := d.Clock.Now()
	// 40 days covers a monthly job without walking years of a frequent one.
	if f := e.sched.Prev(now.Add(-dl), min(now.Sub(e.firstSeen), 40*24*time.Hour)); !f.IsZero() && f.After(e.firstSeen) {
		d.Deadline(taskCtx, Fire{Job: e.job, At: f, Trigger: TriggerDeadline})
	}
	for f := e.sched.Next(now.Add(-dl)); !f.IsZero(); f = e.sched.Next(f) {
		if !d.sleepUntil(ctx, f.Add(dl)) {
			return
		}
		d.Deadline(taskCtx, Fire{Job: e.job, At: f, Trigger: TriggerDeadline})
	}
}

func (d *Daemon) fire(ctx context.Context, f Fire) {
	if d.fired != nil {
		defer d.fired(f)
	}
	err := d.Task(ctx, f)
	var skip *SkipError
	var recorded *RecordedError
	switch {
	case errors.As(err, &skip):
		d.Log.Info("run skipped", "job", f.Job.Name, "scheduled", f.At, "trigger", f.Trigger, "reason", skip.Reason)
		d.Recorder.Skipped(context.WithoutCancel(ctx), f, skip)
	case errors.As(err, &recorded):
		// The task logged and recorded it.
	case err != nil:
		d.Log.Error("run failed", "job", f.Job.Name, "scheduled", f.At, "trigger", f.Trigger, "err", err)
		d.Recorder.Failed(context.WithoutCancel(ctx), f, err)
	}
}

func policyText(job *config.Job) string {
	if job.CatchUp.Policy == "grace" {
		return "grace " + job.CatchUp.Grace.Duration.String()
	}
	return job.CatchUp.Policy
}
