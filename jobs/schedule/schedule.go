// Package schedule computes when jobs fire: cron expressions evaluated on the
// wall clock of each job's IANA time zone, with an explicit DST policy.
//
// DST policy (robfig/cron alone gets both cases wrong):
//   - A local time skipped by a spring-forward transition (02:30 on the day
//     clocks jump from 02:00 to 03:00) fires once, at the first valid instant
//     after the gap (03:00).
//   - A local time repeated by a fall-back transition (01:30 happens twice
//     when clocks go from 02:00 back to 01:00) fires once, at its first
//     occurrence.
//
// Both follow from one rule: the schedule is evaluated on wall-clock times,
// and each wall-clock time maps to exactly one instant. "@every" schedules
// are durations and run on absolute time.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/robfig/cron/v3"
)

// Schedule is one job's fire times.
type Schedule struct {
	expr  string
	loc   *time.Location
	spec  *cron.SpecSchedule // wall-clock schedule, evaluated in UTC as a stand-in for the wall clock
	every time.Duration      // @every schedules
}

// Parse parses expr (5 fields, 6 with seconds, or a descriptor) for loc.
func Parse(expr string, loc *time.Location) (*Schedule, error) {
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, fmt.Errorf("schedule %q: set the job's timezone field instead of a TZ= prefix", expr)
	}
	s, err := config.CronParser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", expr, err)
	}
	out := &Schedule{expr: expr, loc: loc}
	switch v := s.(type) {
	case *cron.SpecSchedule:
		c := *v
		c.Location = time.UTC
		out.spec = &c
	case cron.ConstantDelaySchedule:
		out.every = v.Delay
	default:
		return nil, fmt.Errorf("schedule %q: unsupported schedule type %T", expr, s)
	}
	return out, nil
}

// String returns the expression.
func (s *Schedule) String() string { return s.expr }

// Location is the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// Next returns the first fire instant strictly after t, or the zero time if
// there is none within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.every > 0 {
		return t.Truncate(time.Second).Add(s.every)
	}
	wall := toWall(t.In(s.loc))
	for range 10000 {
		next := s.spec.Next(wall)
		if next.IsZero() {
			return time.Time{}
		}
		if inst := fromWall(next, s.loc); inst.After(t) {
			return inst
		}
		wall = next
	}
	return time.Time{}
}

// Between returns the fire instants in (from, to], oldest first, at most max.
func (s *Schedule) Between(from, to time.Time, max int) []time.Time {
	var out []time.Time
	for t := s.Next(from); !t.IsZero() && !t.After(to) && len(out) < max; t = s.Next(t) {
		out = append(out, t)
	}
	return out
}

// Prev returns the latest fire instant at or before t, searching back at
// most lookback; zero if none.
func (s *Schedule) Prev(t time.Time, lookback time.Duration) time.Time {
	var last time.Time
	for f := s.Next(t.Add(-lookback)); !f.IsZero() && !f.After(t); f = s.Next(f) {
		last = f
	}
	return last
}

// toWall returns the wall clock of t as a UTC time (no DST), the domain the
// cron spec is evaluated in.
func toWall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// fromWall maps a wall-clock time to the instant it names in loc: the
// earliest instant when the time is repeated (fall back), the end of the gap
// when it does not exist (spring forward).
func fromWall(w time.Time, loc *time.Location) time.Time {
	// Zone transitions are never closer than two days apart in practice, so
	// the offsets a day before and after are the only candidates.
	_, before := w.Add(-24 * time.Hour).In(loc).Zone()
	_, after := w.Add(24 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range []int{before, after} {
		inst := w.Add(-time.Duration(off) * time.Second)
		if toWall(inst.In(loc)).Equal(w) && (best.IsZero() || inst.Before(best)) {
			best = inst
		}
	}
	if !best.IsZero() {
		return best
	}
	// In a gap: read with the old offset, the instant already lies in the
	// new zone, whose start is the transition: the first valid instant.
	inst := w.Add(-time.Duration(before) * time.Second).In(loc)
	start, _ := inst.ZoneBounds()
	if start.IsZero() {
		return inst
	}
	return start
}

// NextRuns returns the next n fire times of job after now in the job's time
// zone; none for a job without a schedule.
func NextRuns(job *config.Job, now time.Time, n int) []time.Time {
	if job.Schedule == "" || n <= 0 {
		return nil
	}
	s, err := Parse(job.Schedule, job.Location)
	if err != nil {
		return nil
	}
	var out []time.Time
	for t := s.Next(now); !t.IsZero() && len(out) < n; t = s.Next(t) {
		out = append(out, t)
	}
	return out
}
