package schedule

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/history"
)

// Fire is one scheduled execution of a job.
type Fire struct {
	Job *config.Job
	// At is the scheduled instant (the run's --at).
	At time.Time
	// Trigger is one of the Trigger constants.
	Trigger string
}

// Triggers, as history records them.
const (
	TriggerSchedule = history.TriggerSchedule
	TriggerCatchUp  = history.TriggerCatchUp
	TriggerResume   = history.TriggerResume
	TriggerDeadline = history.TriggerDeadline
)

// Task executes one fire. The scheduler decides when; the task decides what.
type Task func(ctx context.Context, f Fire) error

// Wrapper adds one concern (recovery, overlap, timeout) around a task.
type Wrapper func(Task) Task

// Chain applies wrappers so the first one is outermost.
func Chain(t Task, ws ...Wrapper) Task {
	for i := len(ws) - 1; i >= 0; i-- {
		t = ws[i](t)
	}
	return t
}

// ErrSkipped marks a fire that deliberately did not run; it is recorded as
// skipped, not failed.
var ErrSkipped = errors.New("skipped")

// Why a fire was skipped.
const (
	// SkipOverlap: the job's previous run was still going.
	SkipOverlap = "overlap"
	// SkipDone: the period already ran and every target has it.
	SkipDone = "done"
	// SkipLate: missed while serve was down, and the catch-up policy does
	// not run it this late.
	SkipLate = "late"
	// SkipLeased: another replica holds the period's lease.
	SkipLeased = "leased"
	// SkipElsewhere: another replica finished the period (its lease is
	// done).
	SkipElsewhere = "elsewhere"
)

// SkipError says why a fire was skipped; errors.Is(err, ErrSkipped) holds.
type SkipError struct {
	// Kind is one of the Skip constants.
	Kind   string
	Reason string
}

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Is makes errors.Is(err, ErrSkipped) true.
func (e *SkipError) Is(target error) bool { return target == ErrSkipped }

// RecordedError is a failure the task already recorded in history; the
// daemon only logs it. Any other error from a task is recorded by the
// daemon through Recorder.Failed.
type RecordedError struct{ Err error }

func (e *RecordedError) Error() string { return e.Err.Error() }

// Unwrap returns the failure.
func (e *RecordedError) Unwrap() error { return e.Err }

// PanicError is a recovered panic in a task.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Recover turns a panic in the task into a *PanicError, so one broken job
// never takes the daemon down.
func Recover() Wrapper {
	return func(next Task) Task {
		return func(ctx context.Context, f Fire) (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = &PanicError{Value: v, Stack: debug.Stack()}
				}
			}()
			return next(ctx, f)
		}
	}
}

// SkipIfRunning skips a fire while an earlier fire of the same job is still
// running, instead of stacking runs up.
func SkipIfRunning() Wrapper {
	var mu sync.Mutex
	running := map[string]time.Time{}
	return func(next Task) Task {
		return func(ctx context.Context, f Fire) error {
			mu.Lock()
			if since, busy := running[f.Job.Name]; busy {
				mu.Unlock()
				return &SkipError{Kind: SkipOverlap, Reason: fmt.Sprintf("the run scheduled at %s is still running", since.In(f.Job.Location).Format("2006-01-02 15:04:05 MST"))}
			}
			running[f.Job.Name] = f.At
			mu.Unlock()
			defer func() {
				mu.Lock()
				delete(running, f.Job.Name)
				mu.Unlock()
			}()
			return next(ctx, f)
		}
	}
}

// Timeout bounds each run by the job's timeout.
func Timeout() Wrapper {
	return func(next Task) Task {
		return func(ctx context.Context, f Fire) error {
			d := f.Job.Timeout.Duration
			if d <= 0 {
				return next(ctx, f)
			}
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			err := next(ctx, f)
			if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("timed out after %s: %w", d, err)
			}
			return err
		}
	}
}
