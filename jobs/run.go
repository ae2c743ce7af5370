// Package jobs runs report jobs: one run is source → analyzer → renderers →
// artifacts (→ deliverers). The scheduler decides when; the runner decides
// what; history decides whether it already happened.
package jobs

import (
	"fmt"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// Run is one execution of a job for one period.
type Run struct {
	Job *config.Job
	// At is the scheduled instant (or the --at instant).
	At     time.Time
	Window source.Window
	// Period is the local period the run covers: 2026-11-24 (day),
	// 2026-W48 (week), 2026-11 (month) or 2026-11-24T08-30 (run).
	Period string
}

// Key identifies the run for de-duplication: "morning/2026-11-24".
func (r Run) Key() string { return r.Job.Name + "/" + r.Period }

// Base is the artifact file name without extension: "morning-2026-11-24".
func (r Run) Base() string { return r.Job.Name + "-" + r.Period }

// NewRun resolves the job's window and period for instant at. The run's
// instant and window are in UTC whatever zone at was written in (--at
// 2026-11-24T08:00:00+09:00 and 2026-11-23T23:00:00Z are one instant) and
// whatever zone a calendar window was resolved in: every time a source,
// an analyzer or the JSON report derives from them is then UTC, and the
// same instant gives the same bytes. Local time is for display and the
// period key only, both taken from the job's location.
func NewRun(job *config.Job, at time.Time) Run {
	loc := job.Location
	if loc == nil {
		loc = time.UTC
	}
	start, end := job.Window.Resolve(at, loc)
	return Run{Job: job, At: at.UTC(), Window: source.Window{Start: start.UTC(), End: end.UTC()}, Period: PeriodKey(job, at, start, loc)}
}

// utc is r with its instant and window in UTC, for runs built by hand
// rather than by NewRun.
func (r Run) utc() Run {
	r.At = r.At.UTC()
	r.Window = source.Window{Start: r.Window.Start.UTC(), End: r.Window.End.UTC()}
	return r
}

// PeriodKey names the local period of a run. Calendar windows (yesterday,
// last-week, last-month) are keyed by the period they cover, so the audit
// that runs on 1 December is "2026-11"; other windows by the instant.
func PeriodKey(job *config.Job, at, windowStart time.Time, loc *time.Location) string {
	t := at.In(loc)
	switch job.Window.Raw {
	case "yesterday", "last-week", "last-month":
		t = windowStart.In(loc)
	}
	switch job.Period {
	case "day":
		return t.Format("2006-01-02")
	case "week":
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case "month":
		return t.Format("2006-01")
	default:
		return t.Format("2006-01-02T15-04")
	}
}
