package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/schedule/lease"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
)

// Executor runs fires for serve: it is the daemon's Task (Run), its
// Recorder and its Deadline check. For each fire it asks history what the
// period needs (nothing, a delivery retry from the spool, or a whole run),
// records the run, renders through the Runner, spools the artifacts and
// delivers through the Deliverer, whose Ledger is history: a target that
// has a period is never sent it again.
type Executor struct {
	Runner *jobs.Runner
	// Deliverer sends runs and notices; NewExecutor makes history its
	// ledger.
	Deliverer *jobs.Deliverer
	Store     *history.Store
	Spool     Spool
	// Replica names this process in history and leases.
	Replica string
	// Locker, when set, makes replicas sharing a schedule run each period
	// (and send each "report missing" notice) once: a period runs only
	// while this replica holds its lease.
	Locker Locker
	// LeaseMargin is added to a job's timeout to make its lease's
	// lifetime; default DefaultLeaseMargin.
	LeaseMargin time.Duration
	// RetryInterval is the daemon's retry interval: a period left
	// undelivered to a target keeps its lease that much longer, for this
	// replica's retry.
	RetryInterval time.Duration
	// renewEvery overrides the lease renewal period (a third of its
	// lifetime), for tests.
	renewEvery time.Duration
	Clock      Clock
	Log        *slog.Logger
	Metrics    *Metrics
	// MaxResumes bounds how often one period is resumed after restarts
	// (a target that keeps failing is not retried forever); default 3.
	MaxResumes int
	// ResumeHorizon bounds how far back an "always" job looks for periods
	// to resume; default 400 days.
	ResumeHorizon time.Duration
	// Retain is how long history keeps a period's records (Maintain);
	// default DefaultRetain.
	Retain time.Duration
}

// NewExecutor wires history as the delivery ledger (which also records
// each delivery in the run's lease, when there is one) and the spool
// beside the history database.
func NewExecutor(runner *jobs.Runner, dl *jobs.Deliverer, store *history.Store, historyPath string) *Executor {
	dl.Pipeline.Ledger = leaseLedger{jobs.HistoryLedger{Store: store}}
	return &Executor{Runner: runner, Deliverer: dl, Store: store, Spool: Spool{Dir: SpoolDir(historyPath)}, Clock: RealClock{}, Log: slog.Default()}
}

// RunKey is the run key of a fire: "morning/2026-11-24".
func RunKey(f Fire) string { return jobs.NewRun(f.Job, f.At).Key() }

func (x *Executor) clock() Clock {
	if x.Clock == nil {
		return RealClock{}
	}
	return x.Clock
}

func (x *Executor) log() *slog.Logger {
	if x.Log == nil {
		return slog.Default()
	}
	return x.Log
}

// Run is the Task: it brings the fire's period to "every target has it".
func (x *Executor) Run(ctx context.Context, f Fire) (err error) {
	run := jobs.NewRun(f.Job, f.At)
	key := run.Key()
	p, err := x.Store.PeriodOf(ctx, key)
	if err != nil {
		return err
	}
	targets := f.Job.Deliver
	if p.Completed && len(p.Missing(targets)) == 0 {
		return &SkipError{Kind: SkipDone, Reason: fmt.Sprintf("%s already ran and every target has it", key)}
	}
	if p.Status == history.StatusElsewhere {
		return &SkipError{Kind: SkipElsewhere, Reason: fmt.Sprintf("%s is another replica's: its lease said so at an earlier fire", key)}
	}
	var held *heldLease
	if x.Locker != nil {
		if held, err = x.takeLease(ctx, f.Job, key); err != nil {
			var skip *SkipError
			if errors.As(err, &skip) && skip.Kind == SkipElsewhere {
				// A spool left by a run that lost the lease is not needed.
				if rerr := x.Spool.Remove(key); rerr != nil {
					x.log().Warn("could not remove the spool", "run", key, "err", rerr)
				}
			}
			return err
		}
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		held.keep(cancel)
		ctx = withLease(ctx, held)
	}
	// A period that produced its report (or was interrupted, perhaps after
	// rendering) re-sends the spooled bytes to the targets that lack them.
	var spooled *Spooled
	if p.Completed || p.Status == history.StatusInterrupted || p.Status == history.StatusLeased {
		spooled, err = x.Spool.Load(key)
		if err != nil {
			x.log().Warn("spool unusable; the period is run again", "run", key, "err", err)
			spooled = nil
		}
	}

	started := x.clock().Now()
	t0 := time.Now()
	id, err := x.Store.StartRun(ctx, history.Run{Key: key, Job: f.Job.Name, Period: run.Period, ScheduledAt: f.At, Started: started, Trigger: f.Trigger, Replica: x.Replica})
	if err != nil {
		if held != nil {
			held.release(context.WithoutCancel(ctx), false, true)
		}
		return err
	}
	x.Metrics.started(f.Job.Name)
	o := &outcome{status: history.StatusFailed}
	defer func() {
		if v := recover(); v != nil {
			perr := &PanicError{Value: v, Stack: debug.Stack()}
			o.status, o.reason = history.StatusFailed, perr.Error()
			x.log().Error("run panicked", "run", key, "panic", v, "stack", string(perr.Stack))
			err = &RecordedError{Err: perr}
		}
		if held != nil {
			held.halt()
		}
		if reason, lost := leaseLost(ctx); lost {
			o.status, o.reason = history.StatusLeased, reason
		}
		x.finish(ctx, id, f, key, o, t0)
		if held != nil && o.status != history.StatusLeased {
			rctx := context.WithoutCancel(ctx)
			done := false
			if p, perr := x.Store.PeriodOf(rctx, key); perr == nil {
				done = p.Completed && len(p.Missing(targets)) == 0
			}
			held.release(rctx, done, o.status == history.StatusFailed)
		}
	}()
	// send delivers the report, once this replica is sure it still holds
	// the period: the renewal is a conditional write on the lease.
	send := func(rep *report.Report, arts []report.Artifact) bool {
		if held != nil {
			if lerr := held.renew(ctx); lerr != nil {
				if errors.Is(lerr, lease.ErrLost) {
					o.status, o.reason = history.StatusLeased, "not delivered: "+lerr.Error()+"; that replica runs the period"
				} else {
					o.status, o.reason = history.StatusFailed, "not delivered: could not renew the lease before delivering: "+lerr.Error()
				}
				x.log().Error("not delivering", "run", key, "err", lerr)
				return false
			}
		}
		o.deliveries = x.Deliverer.Deliver(ctx, run, rep, arts, targets)
		return true
	}

	if spooled != nil {
		x.log().Info("delivering the spooled report", "run", key, "trigger", f.Trigger, "missing", p.Missing(targets))
		o.arts, o.gaps, o.report = spooled.Artifacts, spooled.Report.DataGaps, spooled.Report
		if !send(spooled.Report, spooled.Artifacts) {
			return &RecordedError{Err: errors.New(o.reason)}
		}
	} else {
		rr := *x.Runner // a copy: this run renders only, delivery is below
		rr.Deliverer = nil
		// Earlier periods' reports for trends: history, then the archive
		// (the job's s3 targets through the Deliverer's clients).
		if rr.History == nil {
			rr.History = x.Store
		}
		if rr.Archives == nil && x.Deliverer != nil {
			rr.Archives = x.Deliverer
		}
		res := rr.Run(ctx, run)
		o.stats = res.Stats
		for _, n := range res.Notes {
			x.log().Warn("run note", "run", key, "note", n)
		}
		if res.Err != nil {
			o.reason = res.Err.Error()
			o.status = x.failedStatus(ctx)
			return &RecordedError{Err: res.Err}
		}
		o.arts, o.gaps, o.report = res.Artifacts, res.Report.DataGaps, res.Report
		// Spooled before the first delivery: a crash between two targets
		// leaves the bytes for the one still missing. A job without
		// targets keeps its artifacts only here.
		if serr := x.Spool.Save(key, res.Report, res.Artifacts); serr != nil {
			x.log().Warn("could not spool the artifacts; a retry will render again", "run", key, "err", serr)
		}
		if !send(res.Report, res.Artifacts) {
			return &RecordedError{Err: errors.New(o.reason)}
		}
	}
	o.status = history.StatusOK
	if len(o.gaps) > 0 || deliver.Failed(o.deliveries) {
		o.status = history.StatusDegraded
	}
	if deliver.Failed(o.deliveries) {
		o.reason = "delivery failed for " + failedTargets(o.deliveries)
		if errors.Is(context.Cause(ctx), ErrShutdown) {
			// Resumed at the next start, for the missing targets only.
			o.status, o.reason = history.StatusInterrupted, "stopped by shutdown during delivery; "+o.reason
		}
	}
	if !deliver.Failed(o.deliveries) && len(targets) > 0 {
		if rerr := x.Spool.Remove(key); rerr != nil {
			x.log().Warn("could not remove the spool", "run", key, "err", rerr)
		}
	}
	return nil
}

// failedStatus tells an interrupted run (shutdown) from a failed one.
func (x *Executor) failedStatus(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), ErrShutdown) {
		return history.StatusInterrupted
	}
	return history.StatusFailed
}

type outcome struct {
	status, reason string
	gaps           []report.DataGap
	arts           []report.Artifact
	deliveries     []deliver.Result
	stats          map[string]int
	// report is the run's report (from the spool: without sections),
	// kept in history for later periods' trends once the run completes.
	report *report.Report
}

func (x *Executor) finish(ctx context.Context, id int64, f Fire, key string, o *outcome, t0 time.Time) {
	if o.status != history.StatusOK && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		o.reason = fmt.Sprintf("timed out after %s: %s", f.Job.Timeout.Duration, o.reason)
	}
	ctx = context.WithoutCancel(ctx) // the outcome is recorded even when the run was cancelled
	gaps, _ := json.Marshal(o.gaps)
	if o.gaps == nil {
		gaps = nil
	}
	if o.report != nil && (o.status == history.StatusOK || o.status == history.StatusDegraded) {
		// Before the run is recorded complete: a completed run then always
		// has its report (unless storing it failed, which only costs a
		// trend point).
		data, err := jobs.TrendReport(o.report)
		if err == nil {
			err = x.Store.SaveReport(ctx, id, data)
		}
		if err != nil {
			x.log().Warn("could not keep the report in history; later trends lack this period", "run", key, "err", err)
		}
	}
	if err := x.Store.FinishRun(ctx, id, x.clock().Now(), o.status, o.reason, gaps, historyArtifacts(o.arts)); err != nil {
		x.log().Error("could not record the run", "run", key, "err", err)
	}
	took := time.Since(t0)
	x.Metrics.finished(f.Job.Name, o.status, took, x.clock().Now(), o.stats, o.deliveries)
	attrs := []any{"run", key, "trigger", f.Trigger, "status", o.status, "took", took.Round(time.Millisecond), "artifacts", len(o.arts), "data_gaps", len(o.gaps)}
	for _, d := range o.deliveries {
		attrs = append(attrs, "deliver."+d.Target, d.Status)
	}
	switch o.status {
	case history.StatusOK:
		x.log().Info("run finished", attrs...)
	case history.StatusDegraded, history.StatusInterrupted:
		x.log().Warn("run finished", append(attrs, "reason", o.reason)...)
	default:
		x.log().Error("run failed", append(attrs, "reason", o.reason)...)
	}
}

func failedTargets(ds []deliver.Result) string {
	s := ""
	for _, d := range ds {
		if !d.OK() {
			if s != "" {
				s += ", "
			}
			s += d.Target
		}
	}
	return s
}

// LastScheduled implements Recorder.
func (x *Executor) LastScheduled(ctx context.Context, job string) (time.Time, error) {
	return x.Store.LastScheduled(ctx, job)
}

// FirstSeen implements Recorder; it also seeds the job's metrics.
func (x *Executor) FirstSeen(ctx context.Context, job string, now time.Time) (time.Time, error) {
	last, err := x.Store.LastSuccess(ctx, job)
	if err != nil {
		return time.Time{}, err
	}
	x.Metrics.Job(job, last)
	return x.Store.FirstSeen(ctx, job, now)
}

// Incomplete implements Recorder: periods of job that were interrupted,
// whose delivery failed for a target that never got them (a target added
// to the job later is not owed earlier periods), or whose lease another
// replica held (taken over once it expires), within the catch-up policy,
// resumed fewer than MaxResumes times, oldest first. A period that reached
// the resume limit is abandoned: its spool is removed and history says so.
func (x *Executor) Incomplete(ctx context.Context, job *config.Job) ([]time.Time, error) {
	since, ok := x.resumeSince(job, x.clock().Now())
	if !ok {
		return nil, nil
	}
	ps, err := x.Store.Unfinished(ctx, job.Name, since)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for _, p := range ps {
		if p.Resumes >= x.maxResumes() {
			x.abandon(ctx, job.Name, job, p, fmt.Sprintf("resumed %d times (the limit)", p.Resumes))
			continue
		}
		out = append(out, p.ScheduledAt)
	}
	return out, nil
}

// resumeSince is the oldest scheduled instant of job's periods that are
// still resumed at now; ok is false when the policy resumes none.
func (x *Executor) resumeSince(job *config.Job, now time.Time) (time.Time, bool) {
	switch job.CatchUp.Policy {
	case "grace":
		return now.Add(-job.CatchUp.Grace.Duration), true
	case "always":
		h := x.ResumeHorizon
		if h <= 0 {
			h = 400 * 24 * time.Hour
		}
		return now.Add(-h), true
	}
	return time.Time{}, false
}

func (x *Executor) maxResumes() int {
	if x.MaxResumes <= 0 {
		return 3
	}
	return x.MaxResumes
}

// Failed implements Recorder: a fire that failed before a run was
// recorded (the lease could not be taken, history could not be read) gets
// a failed record of its own.
func (x *Executor) Failed(ctx context.Context, f Fire, err error) {
	run := jobs.NewRun(f.Job, f.At)
	now := x.clock().Now()
	if _, rerr := x.Store.StartRun(ctx, history.Run{Key: run.Key(), Job: f.Job.Name, Period: run.Period, ScheduledAt: f.At, Started: now, Finished: now,
		Status: history.StatusFailed, Reason: err.Error(), Trigger: f.Trigger, Replica: x.Replica}); rerr != nil {
		x.log().Error("could not record a failed fire", "run", run.Key(), "err", rerr)
	}
	x.Metrics.skipped(f.Job.Name, history.StatusFailed)
}

// Skipped implements Recorder: the skip is a run record of its own, or
// adds to the previous one when it is the same skip again.
func (x *Executor) Skipped(ctx context.Context, f Fire, skip *SkipError) {
	run := jobs.NewRun(f.Job, f.At)
	status := history.StatusSkipped
	switch skip.Kind {
	case SkipLeased:
		status = history.StatusLeased
	case SkipElsewhere:
		status = history.StatusElsewhere
	}
	now := x.clock().Now()
	if err := x.Store.RecordSkip(ctx, history.Run{Key: run.Key(), Job: f.Job.Name, Period: run.Period, ScheduledAt: f.At, Started: now, Finished: now,
		Status: status, Reason: skip.Reason, Trigger: f.Trigger, Replica: x.Replica}); err != nil {
		x.log().Error("could not record a skipped run", "run", run.Key(), "err", err)
	}
	x.Metrics.skipped(f.Job.Name, status)
}
