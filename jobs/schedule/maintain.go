package schedule

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
)

// DefaultRetain is how long history keeps a period's records when
// Executor.Retain is zero.
const DefaultRetain = 90 * 24 * time.Hour

// Maintain is serve's upkeep of history and the spool, at start and daily:
//
//  1. Periods serve no longer resumes while a target still lacks them (the
//     job's catch-up policy or the resume limit gave up on them, or the job
//     was removed from the configuration) are abandoned: their spool is
//     removed, and history records it (status abandoned, trigger retention)
//     with the targets that never got the report.
//  2. Periods whose latest record is older than Retain are pruned (runs,
//     deliveries, notices, and a spool left by a job without targets),
//     except the latest period of each job and the periods still resumed.
//
// jobs are the configured jobs.
func (x *Executor) Maintain(ctx context.Context, cfgJobs []*config.Job) {
	now := x.clock().Now()
	byName := map[string]*config.Job{}
	for _, j := range cfgJobs {
		byName[j.Name] = j
	}
	names, err := x.Store.Jobs(ctx)
	if err != nil {
		x.log().Error("history upkeep: read jobs", "err", err)
		return
	}
	needed := map[string]bool{}
	for _, name := range names {
		job := byName[name]
		ps, err := x.Store.Unfinished(ctx, name, time.Time{})
		if err != nil {
			x.log().Error("history upkeep: read unfinished periods", "job", name, "err", err)
			return
		}
		var since time.Time
		resumes := false
		if job != nil {
			since, resumes = x.resumeSince(job, now)
		}
		for _, p := range ps {
			switch {
			case job == nil:
				x.abandon(ctx, name, nil, p, "its job is no longer in the configuration")
			case !resumes || p.ScheduledAt.Before(since):
				x.abandon(ctx, name, job, p, "the catch-up policy ("+policyText(job)+") does not resume it any more")
			case p.Resumes >= x.maxResumes():
				x.abandon(ctx, name, job, p, fmt.Sprintf("resumed %d times (the limit)", p.Resumes))
			default:
				needed[p.Key] = true
			}
		}
	}
	retain := x.Retain
	if retain <= 0 {
		retain = DefaultRetain
	}
	res, err := x.Store.Prune(ctx, now.Add(-retain), func(key string) bool { return needed[key] })
	if err != nil {
		x.log().Error("history upkeep: prune", "err", err)
		return
	}
	spools := 0
	for _, k := range res.Keys {
		if strings.HasSuffix(k, history.NoticeSuffix) {
			continue
		}
		if n, _ := x.spoolSize(k); n > 0 {
			if err := x.Spool.Remove(k); err != nil {
				x.log().Warn("history upkeep: could not remove the spool of a pruned period", "run", k, "err", err)
				continue
			}
			spools++
		}
	}
	if len(res.Keys) > 0 || res.Deliveries > 0 {
		x.log().Info("history pruned", "older_than", now.Add(-retain).Format(time.RFC3339), "periods", len(res.Keys), "runs", res.Runs, "deliveries", res.Deliveries, "spools_removed", spools)
	}
	x.Metrics.pruned(res.Runs, res.Deliveries)
}

// abandon gives up on a period a target still lacks: its spool goes, and
// a history record says why and who never got the report, so the period
// is neither resumed nor left behind silently. job is nil for a job no
// longer configured. A period with a run in progress is left alone.
func (x *Executor) abandon(ctx context.Context, name string, job *config.Job, p history.Period, why string) {
	if p.Status == history.StatusRunning {
		return
	}
	if p.Status == history.StatusLeased && !p.Completed && len(p.Delivered) == 0 {
		// Another replica held it and this one never ran it (a standby of
		// a job whose policy does not revisit): nothing of ours to give
		// up; retention prunes its record in time.
		if files, _ := x.spoolSize(p.Key); files == 0 {
			return
		}
	}
	var missing []string
	if job != nil {
		missing = p.Missing(job.Deliver)
	} else {
		for t := range p.Failed {
			missing = append(missing, t)
		}
	}
	reason := "gave up: " + why
	switch {
	case p.Status == history.StatusLeased:
		reason += "; another replica took its lease over"
		if len(missing) > 0 {
			reason += " and " + strings.Join(missing, ", ") + " may still lack it"
		}
	case len(missing) > 0:
		reason += "; never delivered to " + strings.Join(missing, ", ")
	case p.Status == history.StatusInterrupted:
		reason += "; interrupted"
	}
	files, size := x.spoolSize(p.Key)
	if files > 0 {
		if err := x.Spool.Remove(p.Key); err != nil {
			x.log().Error("could not remove the spool of an abandoned period", "run", p.Key, "err", err)
			return
		}
		reason += fmt.Sprintf("; spool removed (%d file(s), %d bytes)", files, size)
	} else {
		reason += "; no spool was left"
	}
	period := p.Key[strings.IndexByte(p.Key, '/')+1:]
	if job != nil && !p.ScheduledAt.IsZero() {
		period = jobs.NewRun(job, p.ScheduledAt).Period
	}
	if err := x.Store.Abandon(ctx, p, name, period, x.clock().Now(), reason); err != nil {
		x.log().Error("could not record an abandoned period", "run", p.Key, "err", err)
		return
	}
	x.log().Warn("period abandoned", "run", p.Key, "reason", reason)
	x.Metrics.abandoned(name)
}

// spoolSize counts the files and bytes of a run key's spool (0 when it has
// none).
func (x *Executor) spoolSize(key string) (files int, size int64) {
	dir, err := x.Spool.dir(key)
	if err != nil {
		return 0, 0
	}
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			files++
			size += fi.Size()
		}
		return nil
	})
	if files == 0 {
		os.Remove(dir) // an empty directory left by an earlier attempt
	}
	return files, size
}

// FailedNotices implements NoticeRetrier: the scheduled instants of job's
// "report missing" notices that failed for a target, within a day after
// their deadline, sent fewer than 1 + MaxResumes times.
func (x *Executor) FailedNotices(ctx context.Context, job *config.Job) ([]time.Time, error) {
	since := x.clock().Now().Add(-job.Deadline.Duration - 24*time.Hour)
	ns, err := x.Store.FailedNotices(ctx, job.Name, since)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for _, n := range ns {
		if n.Attempts > x.maxResumes() {
			continue
		}
		out = append(out, n.ScheduledAt)
	}
	return out, nil
}
