// Package incident is the incident analyzer (kind incident): what changed
// around an incident time, in what order, and what most probably started it.
//
//   - Every metric of the scoped instances is tested for a change point
//     (Pettitt's rank test) and ranked by its robust shift: the difference of
//     the medians before and after, over the pre-change noise (MAD).
//   - Error logs: the error rate per log group (a two-sample Poisson test)
//     and error patterns that were absent from the log baseline ("new"),
//     with the time each was first seen; lines naming a deploy or restart
//     become change events.
//   - Alarm transitions in order.
//   - One correlated timeline of all of it, and root-cause candidates ranked
//     by what changed first, most, and with the most related consequences.
//
// The statistics and thresholds are documented in docs/incident.md. Analyze
// is a pure function of (dataset, options, instant).
package incident

import (
	"fmt"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// Kind is the job kind this analyzer serves.
const Kind = "incident"

// Finding ids raised by this analyzer. They are stable: never reuse one for
// another meaning.
const (
	FindCandidate  = "incident.candidate"
	FindFirst      = "incident.first_change"
	FindNewPattern = "incident.new_log_pattern"
	FindAlarmLag   = "incident.alarm_lag"
)

// Section, table and chart ids; templates and JSON consumers select by them.
const (
	SecSummary         = "summary"
	SecCandidates      = "candidates"
	SecTimeline        = "timeline"
	SecMetrics         = "metrics"
	SecLogs            = "logs"
	SecAlarms          = "alarms"
	SecRecommendations = "recommendations"
	SecMethod          = "method"
	SecData            = "data"

	TabCandidates  = "incident-candidates"
	TabTimeline    = "incident-timeline"
	TabMetrics     = "incident-metrics"
	TabMetricsAll  = "incident-metrics-all"
	TabLogGroups   = "incident-log-groups"
	TabNewPatterns = "incident-new-patterns"
	TabChanges     = "incident-change-events"
	TabAlarms      = "incident-alarm-transitions"

	ChartTimeline = "incident-timeline"
	ChartMetric   = "incident-top-metric"
	ChartErrors   = "incident-errors"
)

// maxP is the Pettitt significance a change point must reach.
const maxP = 0.01

// Analyzer is the incident analyzer.
type Analyzer struct{}

// New returns the incident analyzer.
func New() Analyzer { return Analyzer{} }

// Window is the analysis window of an incident at instant at:
// [at − Before, at + After).
func Window(at time.Time, o config.IncidentOptions) source.Window {
	return source.Window{Start: at.Add(-o.Before.Duration), End: at.Add(o.After.Duration)}
}

// Options returns the job's incident options with defaults, the job's
// window giving the default span either side.
func Options(job *config.Job, runWindow source.Window) config.IncidentOptions {
	if job == nil {
		return (*config.IncidentOptions)(nil).WithDefaults(runWindow.Duration())
	}
	return job.Incident.WithDefaults(runWindow.Duration())
}

// Plan asks for the scoped instances and their metrics over the window
// plus a baseline, alarms and their history, and the error scan of the
// job's log groups at the metric resolution; the comparison dataset is the
// log scan of the log baseline before the window, which tells new error
// patterns from known ones.
func (Analyzer) Plan(job *config.Job, window source.Window, at time.Time) analyze.Plan {
	o := Options(job, window)
	w := Window(at, o)
	prev := source.Window{Start: w.Start.Add(-o.LogBaseline.Duration), End: w.Start}
	return analyze.Plan{
		Request: source.Request{
			Window: w,
			Needs: source.NeedInstances | source.NeedMetrics | source.NeedAlarms | source.NeedAlarmHistory |
				source.NeedLogGroups | source.NeedLogStats,
			Scope:   analyze.Scope(job),
			Metrics: MetricSpecs(),
			History: o.Baseline.Duration,
			Period:  o.Resolution.Duration,
			Logs: source.LogQuery{Groups: job.Logs.Groups, ErrorTerms: scanTerms(job, o),
				Bin: o.Resolution.Duration, TopPatterns: topPatterns},
		},
		Compare:      &prev,
		CompareNeeds: source.NeedLogGroups | source.NeedLogStats,
	}
}

// topPatterns is how many patterns per group the scans keep: a pattern is
// "new" when it is absent from the baseline's top patterns, so the cap is
// generous.
const topPatterns = 50

// scanTerms are the job's error terms plus the change terms: the scan
// keeps lines holding either; the analyzer tells them apart again.
func scanTerms(job *config.Job, o config.IncidentOptions) []string {
	terms := append([]string(nil), errorTerms(job)...)
	return append(terms, o.ChangeTerms...)
}

func errorTerms(job *config.Job) []string {
	if job == nil {
		return config.DefaultErrorTerms
	}
	return job.Logs.Terms()
}

// metricDef is one metric the incident reads.
type metricDef struct {
	Namespace, Name, Stat string
}

var metricDefs = []metricDef{
	{"AWS/EC2", "CPUUtilization", "Average"},
	{"AWS/EC2", "CPUCreditBalance", "Average"},
	{"AWS/EC2", "NetworkIn", "Sum"},
	{"AWS/EC2", "NetworkOut", "Sum"},
	{"AWS/EC2", "EBSReadOps", "Sum"},
	{"AWS/EC2", "EBSWriteOps", "Sum"},
	{"AWS/EC2", "StatusCheckFailed", "Maximum"},
	{"CWAgent", "mem_used_percent", "Average"},
	{"CWAgent", "disk_used_percent", "Average"},
}

// MetricSpecs lists the metrics an incident reads, with the statistic of
// each.
func MetricSpecs() []source.MetricSpec {
	out := make([]source.MetricSpec, len(metricDefs))
	for i, d := range metricDefs {
		out[i] = source.MetricSpec{Namespace: d.Namespace, Name: d.Name, Stat: d.Stat}
	}
	return out
}

// Analyze turns the dataset around the incident into the incident report.
func (Analyzer) Analyze(in analyze.Input) (*report.Report, error) {
	if in.Data == nil {
		return nil, fmt.Errorf("incident: no dataset")
	}
	if in.Location == nil {
		in.Location = time.UTC
	}
	o := Options(in.Job, in.Window)
	a := &run{in: in, lang: in.Lang, opts: o, win: Window(in.At, o), r: analyze.NewReport(in)}
	a.r.Window = report.Window{Start: a.win.Start, End: a.win.End}
	a.collectInstances()
	a.metrics()
	a.logs()
	a.alarms()
	a.rank()
	a.build()
	if len(a.instances) == 0 {
		a.r.Status = report.StatusWarning // nothing analysed is not "all clear"
	}
	if err := analyze.Finish(a.r); err != nil {
		return nil, fmt.Errorf("incident: %w", err)
	}
	a.r.Headline = a.headline()
	return a.r, nil
}
