package jobs

import (
	"time"

	"github.com/cwreport/cwreport/config"
)

// NextRuns returns the next n fire times of job after now, evaluated in the
// job's time zone. A job without a schedule has none.
func NextRuns(job *config.Job, now time.Time, n int) []time.Time {
	if job.Schedule == "" || n <= 0 {
		return nil
	}
	sched, err := config.CronParser.Parse(job.Schedule)
	if err != nil {
		return nil
	}
	var out []time.Time
	t := now.In(job.Location)
	for range n {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}
