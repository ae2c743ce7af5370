// Package status is the daily-status analyzer (kind daily-status): the
// morning questions an SRE asks of an account, answered from one dataset.
//
//   - Which alarms are firing, since when and why; what changed overnight;
//     which alarms flap and which are blind (stuck in INSUFFICIENT_DATA)?
//   - Which instances behave unlike themselves (robust z-score against their
//     own same-hour-of-day baseline), failed a status check, or are busiest?
//   - Which log groups throw errors, when, and what do the errors say?
//
// The method and its thresholds are documented in docs/daily-status.md.
// Analyze is a pure function of (dataset, options, instant): it never reads
// the clock and never calls AWS.
package status

import (
	"fmt"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Kind is the job kind this analyzer serves.
const Kind = "daily-status"

// Finding ids raised by this analyzer. They are stable: never reuse one for
// another meaning.
const (
	FindAlarmFiring       = "alarm.firing"
	FindAlarmRecovered    = "alarm.recovered"
	FindAlarmFlapping     = "alarm.flapping"
	FindAlarmInsufficient = "alarm.insufficient_data"
	FindMetricAnomaly     = "metric.anomaly"
	FindStatusCheck       = "metric.status_check_failed"
	FindDiskHigh          = "metric.disk_high"
	FindNoData            = "metric.no_data"
	FindLogErrors         = "logs.errors"
)

// Section, table and chart ids; templates and JSON consumers select by them.
const (
	SecSummary = "summary"
	SecAlarms  = "alarms"
	SecMetrics = "metrics"
	SecLogs    = "logs"

	TabAlarmsFiring      = "alarms-firing"
	TabAlarmChanges      = "alarm-changes"
	TabAlarmsFlapping    = "alarms-flapping"
	TabAlarmsInsufficent = "alarms-insufficient"
	TabAnomalies         = "metric-anomalies"
	TabStatusChecks      = "status-checks"
	TabBusiest           = "instances-busiest"
	TabInstances         = "instances" // every instance; JSON only
	TabLogGroups         = "log-groups"
	TabLogPatterns       = "log-patterns"

	ChartAlarmTimeline = "alarm-timeline"
	ChartCPUBusiest    = "cpu-busiest"
	ChartLogsPerHour   = "log-errors-per-hour"
	ChartLogsByGroup   = "log-errors-by-group"
)

// topPatterns is how many patterns per group the plan asks the source
// for: more than the report shows, so a rare fatal one is seen.
const topPatterns = 50

// Analyzer is the daily-status analyzer.
type Analyzer struct{}

// New returns the daily-status analyzer.
func New() Analyzer { return Analyzer{} }

// Plan asks for instances, their metrics with BaselineDays of history at the
// configured resolution, alarms with their history, log groups and the
// error scan of the job's log groups.
func (Analyzer) Plan(job *config.Job, window source.Window, at time.Time) analyze.Plan {
	o := job.DailyStatus.WithDefaults()
	return analyze.Plan{Request: source.Request{
		Window: window,
		Needs: source.NeedInstances | source.NeedMetrics | source.NeedAlarms | source.NeedAlarmHistory |
			source.NeedLogGroups | source.NeedLogStats,
		Scope:   analyze.Scope(job),
		Metrics: MetricSpecs(),
		History: time.Duration(o.BaselineDays) * 24 * time.Hour,
		Period:  o.Resolution.Duration,
		Logs:    source.LogQuery{Groups: job.Logs.Groups, ErrorTerms: job.Logs.Terms(), Bin: time.Hour, TopPatterns: topPatterns},
	}}
}

// MetricSpecs lists the metrics the report reads, with the statistic of each.
func MetricSpecs() []source.MetricSpec {
	out := make([]source.MetricSpec, len(metricDefs))
	for i, d := range metricDefs {
		out[i] = source.MetricSpec{Namespace: d.Namespace, Name: d.Name, Stat: d.Stat}
	}
	return out
}

// Analyze turns the dataset into the daily status report.
func (Analyzer) Analyze(in analyze.Input) (*report.Report, error) {
	if in.Data == nil {
		return nil, fmt.Errorf("daily status: no dataset")
	}
	if in.Location == nil {
		in.Location = time.UTC
	}
	if in.Job == nil {
		return nil, fmt.Errorf("daily status: no job")
	}
	a := &run{in: in, lang: in.Lang, opts: in.Job.DailyStatus.WithDefaults(), r: analyze.NewReport(in)}
	a.alarms()
	a.metrics()
	a.logs()
	a.summary()
	if err := analyze.Finish(a.r); err != nil {
		return nil, fmt.Errorf("daily status: %w", err)
	}
	a.r.Headline = a.headline()
	return a.r, nil
}

// run is the state of one analysis.
type run struct {
	in   analyze.Input
	lang string
	opts config.DailyStatusOptions
	r    *report.Report

	alarmsKnown, metricsKnown, logsKnown bool
	alarmSum                             alarmSummary
	metricSum                            metricSummary
	logSum                               logSummary
}

func (a *run) t(t i18n.Text, args ...any) string { return t.F(a.lang, args...) }

func (a *run) add(f report.Finding) { a.r.Findings = append(a.r.Findings, f) }

func (a *run) section(id string, title i18n.Text) *report.Section {
	a.r.Sections = append(a.r.Sections, report.Section{ID: id, Title: title.In(a.lang)})
	return &a.r.Sections[len(a.r.Sections)-1]
}

// sectionByID re-finds a section: appending others may move it.
func (a *run) sectionByID(id string) *report.Section { return a.r.Section(id) }

// exactGap reports whether the source recorded a gap for the whole part.
func exactGap(d *source.Dataset, part string) (source.Gap, bool) {
	for _, g := range d.Gaps {
		if g.Part == part {
			return g, true
		}
	}
	return source.Gap{}, false
}

// Findings declares every finding id this analyzer can raise.
func (Analyzer) Findings() []report.FindingDef {
	return []report.FindingDef{
		{
			ID:       FindAlarmFiring,
			Title:    "A CloudWatch alarm is in ALARM at the end of the window.",
			Severity: "critical when it entered ALARM within the report window (a fresh, ongoing problem); high when it has been in ALARM longer than the window; medium when longer than 7 days (a stale alarm nobody acts on).",
			Value:    "minutes in ALARM", Evidence: []string{"since: when the alarm entered ALARM", "reason: CloudWatch's state reason", "metric, namespace, threshold, comparison: the alarm's rule", "instance_id: the InstanceId dimension, when set", "actions_enabled, alarm_actions: whether anyone was notified"},
			Recommendation: "Fresh: follow the alarm's runbook now; the report's anomaly and log findings for the same resource usually show the cause. Stale: fix the cause or tune the alarm (threshold, evaluation periods) — an alarm that stays red trains people to ignore red. If actions are disabled or empty, nobody was paged: add an SNS action.",
		},
		{
			ID:       FindAlarmRecovered,
			Title:    "An alarm fired during the window and is OK again.",
			Severity: "info.",
			Value:    "minutes spent in ALARM within the window", Evidence: []string{"first_alarm: first transition to ALARM in the window", "last_ok: last return to OK", "transitions: state changes in the window"},
			Recommendation: "Nothing is burning now; read the cause in the state-change table and decide whether the alarm needs a follow-up ticket.",
		},
		{
			ID:       FindAlarmFlapping,
			Title:    "An alarm changed state at least flap_transitions times (default 4) within the window.",
			Severity: "medium.",
			Value:    "state changes in the window", Evidence: []string{"transitions: the count", "first, last: first and last change in the window", "threshold, evaluation_periods: the alarm's rule"},
			Recommendation: "The metric hovers around the threshold: alarm on M of N datapoints (e.g. 3 of 5), lengthen the period, or move the threshold away from normal operation; if the underlying load really oscillates, fix that instead.",
		},
		{
			ID:       FindAlarmInsufficient,
			Title:    "An alarm has been in INSUFFICIENT_DATA for at least stuck_after (default 24h): it watches nothing.",
			Severity: "medium.",
			Value:    "hours in INSUFFICIENT_DATA", Evidence: []string{"since: when the state began", "metric, namespace, dimensions: what the alarm expects to receive"},
			Recommendation: "Check that the metric is still published with exactly the alarm's dimensions (a renamed device, a replaced instance or a stopped CloudWatch agent are the usual causes); fix the alarm or delete it. Where missing data means trouble, set TreatMissingData to breaching.",
		},
		{
			ID:       FindMetricAnomaly,
			Title:    "An instance metric (CPU, network, EBS operations, memory, disk) rose far above the instance's own same-hour-of-day baseline for at least min_anomaly (default 15m).",
			Severity: "high while the anomaly lasts to the end of the window; medium when it ended.",
			Value:    "peak value in the metric's unit (%, bytes/s, ops/s)", Evidence: []string{"instance_id, metric", "start, end: the anomalous run", "baseline: the median for that hour of day", "z: robust z-score at the peak", "baseline_from: hour-of-day | history | window", "alarms: alarms in ALARM on the instance", "logs: error-log patterns of the window whose pattern or example line names the instance (id, private or public IP, ip-a-b-c-d host name, Name tag of 6+ characters, as whole tokens): group, pattern, count, first, last, matched, in_pattern"},
			Recommendation: "Find what started at the anomaly's start: a deploy, a batch or cron job, a traffic change, or a runaway process (per-metric advice in the finding). If it is load: scale out the instance's Auto Scaling group, add nodes to its EKS node group, or resize a lone instance (the advice names which applies); fix or restart the process if it is not.",
		},
		{
			ID:       FindStatusCheck,
			Title:    "StatusCheckFailed was non-zero during the window (the instance or its host failed an EC2 status check).",
			Severity: "high while still failing at the end of the window; medium when it recovered.",
			Value:    "minutes with a failed status check: failed datapoints × period; with periods over a minute an upper bound (at_most)", Evidence: []string{"instance_id", "first, last: first and last failed datapoint", "ongoing: still failing at the end", "failed_datapoints, period_seconds: what the value is made of", "at_most: the value is an upper bound (a 5-minute Maximum of 1 does not say how long within the period); shown as ≤"},
			Recommendation: "Read the instance's system log and the EC2 console's status-check details; a system check failure means the host (stop/start moves the instance), an instance check failure means the OS (kernel, disk full, network config). Add a StatusCheckFailed_System alarm with the EC2 recover action if there is none.",
		},
		{
			ID:       FindDiskHigh,
			Title:    "A file system reported by the CloudWatch agent is at least 85% full at the end of the window.",
			Severity: "high at 95% or more; medium from 85%.",
			Value:    "percent used (latest)", Evidence: []string{"instance_id, path, device, fstype"},
			Recommendation: "Find what grew (du -xh --max-depth=2 on the path), rotate and compress logs, remove old artifacts, and extend the EBS volume and file system before 95%; the capacity report forecasts the date.",
		},
		{
			ID:             FindNoData,
			Title:          "A running instance published no CPUUtilization datapoint in the window.",
			Severity:       "low.",
			Evidence:       []string{"instance_id, state"},
			Recommendation: "An instance without metrics is invisible to every alarm: check that it is really running, that the job's scope and the IAM policy cover it, and that CloudWatch is not throttling the collection.",
		},
		{
			ID:       FindLogErrors,
			Title:    "A log group had error lines (the job's error_terms) in the window.",
			Severity: "high with fatal-class patterns (out of memory, panic, segfault, OOM killer) or 1,000+ errors; medium with 100+ errors or a burst (an hour with 10× the usual count); low otherwise.",
			Value:    "error events in the window", Evidence: []string{"scanned: lines read", "peak_start, peak_count: the busiest hour", "burst: whether errors came in a burst", "top_pattern, top_count: the most frequent masked pattern", "fatal: fatal-class patterns seen", "truncated: counts are lower bounds"},
			Recommendation: "Fatal: check restarts and memory limits, compare with the last deploy, capture a heap or core dump. Burst: correlate the hour with deploys, alarms and dependency outages. Steady: triage the top pattern; expected errors logged as ERROR hide real ones.",
		},
	}
}
