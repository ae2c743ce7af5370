package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/schedule/lease"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/i18n"
)

// The words of a "report missing" notice.
var (
	textMissing = i18n.Text{
		En: "Report missing: the report of job %[2]s for %[3]s (%[1]s) was not produced by its deadline, %[4]s (scheduled %[5]s, deadline %[6]s later).",
		Ko: "보고서 누락: %[2]s 작업의 %[3]s 보고서(%[1]s)가 마감 시각 %[4]s까지 만들어지지 않았습니다(예정 시각 %[5]s, 마감은 그로부터 %[6]s 뒤).",
	}
	textMissingStatus = map[string]i18n.Text{
		"":                        {En: "No run of this period was recorded (cwreport was not running, or the fire was not reached).", Ko: "이 기간의 실행 기록이 없습니다(cwreport가 실행 중이 아니었거나 실행 시각에 이르지 못했습니다)."},
		history.StatusRunning:     {En: "A run is still in progress.", Ko: "실행이 아직 진행 중입니다."},
		history.StatusFailed:      {En: "The last run failed; `cwreport history` shows why.", Ko: "마지막 실행이 실패했습니다. 원인은 `cwreport history`에서 확인할 수 있습니다."},
		history.StatusInterrupted: {En: "The last run was interrupted (the process stopped while it ran).", Ko: "마지막 실행이 중단되었습니다(실행 중에 프로세스가 멈췄습니다)."},
	}
	textMissingSkipped = i18n.Text{En: "Its fires were skipped; `cwreport history` shows why.", Ko: "예정된 실행을 건너뛰었습니다. 이유는 `cwreport history`에서 확인할 수 있습니다."}
	textJob            = i18n.Text{En: "Job", Ko: "작업"}
	textPeriod         = i18n.Text{En: "Period", Ko: "기간"}
	textScheduled      = i18n.Text{En: "Scheduled", Ko: "예정 시각"}
	textDeadline       = i18n.Text{En: "Deadline", Ko: "마감 시각"}
)

// NoticeKey is the run key of a period's "report missing" notice; the
// delivery ledger keys on it, so each target gets the notice once.
func NoticeKey(runKey string) string { return runKey + history.NoticeSuffix }

// Deadline is the daemon's deadline check: when the fire's period has not
// produced its report (and no other replica holds it), it sends a "report
// missing" notice to the job's targets through the delivery pipeline, once
// per target, and records it in history.
func (x *Executor) Deadline(ctx context.Context, f Fire) {
	run := jobs.NewRun(f.Job, f.At)
	key := run.Key()
	p, err := x.Store.PeriodOf(ctx, key)
	if err != nil {
		x.log().Error("deadline check: read history", "run", key, "err", err)
		return
	}
	if p.Completed || p.Status == history.StatusLeased || p.Status == history.StatusElsewhere {
		return
	}
	nkey := NoticeKey(key)
	owed := func() ([]string, bool) {
		var pending []string
		for _, t := range f.Job.Deliver {
			ok, err := x.Store.Delivered(ctx, nkey, t)
			if err != nil {
				x.log().Error("deadline check: read history", "run", key, "err", err)
				return nil, false
			}
			if !ok {
				pending = append(pending, t)
			}
		}
		return pending, true
	}
	pending, ok := owed()
	if !ok {
		return
	}
	deadline := f.At.Add(f.Job.Deadline.Duration)
	if len(pending) == 0 {
		if len(f.Job.Deliver) == 0 {
			x.log().Error("report missing at its deadline; the job has no targets to notify", "run", key, "deadline", deadline, "status", p.Status)
		}
		return
	}
	var held *heldLease
	if x.Locker != nil {
		held, err = x.takeLease(ctx, f.Job, nkey)
		if err != nil {
			var skip *SkipError
			if !errors.As(err, &skip) {
				x.log().Error("report missing, but the notice lease could not be taken; not sending", "run", key, "err", err)
			}
			return // another replica sends the notice
		}
		// Taking over another replica's expired notice lease records the
		// targets it notified.
		if pending, ok = owed(); !ok || len(pending) == 0 {
			held.release(context.WithoutCancel(ctx), ok, !ok)
			return
		}
		ctx = withLease(ctx, held)
	}
	x.log().Error("report missing at its deadline: notifying the job's targets", "run", key, "deadline", deadline, "status", p.Status, "targets", pending)

	rep, md := missingNotice(run, p, deadline)
	arts := []report.Artifact{{Name: run.Base() + ".missing.md", Format: "md", ContentType: "text/markdown; charset=utf-8", Role: report.RoleReport, Data: md}}
	req := deliver.Request{RunKey: nkey, Summary: rep.Summarize(run.Period, 0), Artifacts: arts}

	now := x.clock().Now()
	id, err := x.Store.StartRun(ctx, history.Run{Key: nkey, Job: f.Job.Name, Period: run.Period, ScheduledAt: f.At, Started: now, Trigger: TriggerDeadline, Replica: x.Replica})
	if err != nil {
		x.log().Error("could not record the notice", "run", key, "err", err)
	}
	var results []deliver.Result
	status, reason := history.StatusOK, "report missing at "+deadline.In(f.Job.Location).Format(time.RFC3339)
	if held != nil {
		if lerr := held.renew(ctx); lerr != nil {
			status, reason = history.StatusFailed, reason+"; notice not sent: "+lerr.Error()
			if errors.Is(lerr, lease.ErrLost) {
				status = history.StatusLeased
			}
		}
	}
	if status == history.StatusOK {
		results = x.deliverNotice(ctx, req, f.Job.Deliver)
		if deliver.Failed(results) {
			status, reason = history.StatusDegraded, reason+"; notice failed for "+failedTargets(results)
		}
	}
	if held != nil && status != history.StatusLeased {
		held.release(context.WithoutCancel(ctx), !deliver.Failed(results) && status == history.StatusOK, status == history.StatusFailed)
	}
	if id != 0 {
		if err := x.Store.FinishRun(context.WithoutCancel(ctx), id, x.clock().Now(), status, reason, nil, historyArtifacts(arts)); err != nil {
			x.log().Error("could not record the notice", "run", key, "err", err)
		}
	}
	x.Metrics.noticed(f.Job.Name)
	x.Metrics.delivered(results)
}

// deliverNotice opens the targets as the Deliverer does and sends req
// through its pipeline (same policy, same ledger).
func (x *Executor) deliverNotice(ctx context.Context, req deliver.Request, targets []string) []deliver.Result {
	open := x.Deliverer.Open
	if open == nil {
		open = jobs.OpenTarget
	}
	results := make([]deliver.Result, len(targets))
	var entries []deliver.Entry
	var idx []int
	for i, name := range targets {
		e, err := open(ctx, x.Deliverer.Config, name)
		if err != nil {
			now := time.Now()
			results[i] = deliver.Result{RunKey: req.RunKey, Target: name, Status: deliver.StatusFailed, Error: err.Error(), Started: now, Finished: now}
			continue
		}
		entries = append(entries, e)
		idx = append(idx, i)
	}
	for j, r := range x.Deliverer.Pipeline.Deliver(ctx, req, entries) {
		results[idx[j]] = r
	}
	return results
}

// missingNotice is the notice as a report summary and a short Markdown
// file. Everything in it comes from the configuration (job names are
// plain names) and from times, not from collected data.
func missingNotice(run jobs.Run, p history.Period, deadline time.Time) (*report.Report, []byte) {
	job := run.Job
	lang := job.Language
	loc := job.Location
	if loc == nil {
		loc = time.UTC
	}
	const layout = "2006-01-02 15:04 MST"
	headline := textMissing.F(lang, report.KindName(job.Kind, lang), job.Name, run.Period,
		deadline.In(loc).Format(layout), run.At.In(loc).Format(layout), i18n.Duration(job.Deadline.Duration, lang))
	status, ok := textMissingStatus[p.Status]
	if !ok {
		status = textMissingSkipped
	}
	rep := &report.Report{Schema: report.Schema, Job: job.Name, Kind: job.Kind, GeneratedAt: deadline.UTC(),
		Window:   report.Window{Start: run.Window.Start, End: run.Window.End},
		Timezone: loc.String(), Language: lang, Status: report.StatusCritical,
		Headline: headline + " " + status.In(lang)}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", headline, status.In(lang))
	fmt.Fprintf(&b, "- %s: %s (%s)\n", textJob.In(lang), job.Name, report.KindName(job.Kind, lang))
	fmt.Fprintf(&b, "- %s: %s\n", textPeriod.In(lang), run.Period)
	fmt.Fprintf(&b, "- %s: %s\n", textScheduled.In(lang), run.At.In(loc).Format(layout))
	fmt.Fprintf(&b, "- %s: %s\n", textDeadline.In(lang), deadline.In(loc).Format(layout))
	return rep, []byte(b.String())
}
