// Package benchmark is the week-over-week benchmark analyzer (kind
// benchmark): an instance or a group of instances against the same window
// one week (Offset) earlier, metric by metric — CPU, memory, network and
// disk I/O — as distributions (p50, p95, max).
//
// A change counts only when it is larger than the metric's own normal
// day-to-day variation: the same statistic over the NoiseDays daily slices
// before the comparison window gives a robust spread (1.4826·MAD), and the
// change must exceed NoiseK times that spread and MinChangePct of the
// earlier value. Each significant change gets a short explanation: which
// part of the distribution moved, whether the traffic moved with the CPU,
// when the change began and which members carry it.
//
// The test and its thresholds are documented in docs/incident.md. Analyze
// is a pure function of (dataset, options, instant).
package benchmark

import (
	"fmt"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// Kind is the job kind this analyzer serves.
const Kind = "benchmark"

// Finding ids raised by this analyzer. They are stable: never reuse one for
// another meaning.
const (
	FindRegression = "benchmark.regression"
	FindImprove    = "benchmark.improvement"
	FindTraffic    = "benchmark.traffic_change"
	FindCoverage   = "benchmark.coverage_change"
)

// Section, table and chart ids; templates and JSON consumers select by them.
const (
	SecSummary = "summary"
	SecChanges = "changes"
	SecDist    = "distributions"
	SecMethod  = "method"

	TabChanges = "benchmark-changes"
	TabDist    = "benchmark-distributions"

	// ChartPrefix prefixes the overlay charts, one per significant change:
	// benchmark-change-1, benchmark-change-2, ...
	ChartPrefix = "benchmark-change-"
)

// maxCharts bounds the overlay charts.
const maxCharts = 4

// Analyzer is the benchmark analyzer.
type Analyzer struct{}

// New returns the benchmark analyzer.
func New() Analyzer { return Analyzer{} }

// metricDef is one metric the benchmark compares.
type metricDef struct {
	Namespace, Name, Stat string
	// Class says how a change reads: usage (up is a regression), traffic
	// (neither good nor bad).
	Class   class
	Percent bool
	Unit    string
}

type class int

const (
	classUsage class = iota
	classTraffic
)

var metricDefs = []metricDef{
	{"AWS/EC2", "CPUUtilization", "Average", classUsage, true, "%"},
	{"CWAgent", "mem_used_percent", "Average", classUsage, true, "%"},
	{"AWS/EC2", "NetworkIn", "Sum", classTraffic, false, "Bytes"},
	{"AWS/EC2", "NetworkOut", "Sum", classTraffic, false, "Bytes"},
	{"AWS/EC2", "EBSReadOps", "Sum", classUsage, false, "Count"},
	{"AWS/EC2", "EBSWriteOps", "Sum", classUsage, false, "Count"},
}

// MetricSpecs lists the metrics a benchmark compares, with the statistic
// of each.
func MetricSpecs() []source.MetricSpec {
	out := make([]source.MetricSpec, len(metricDefs))
	for i, d := range metricDefs {
		out[i] = source.MetricSpec{Namespace: d.Namespace, Name: d.Name, Stat: d.Stat}
	}
	return out
}

// Options returns the job's benchmark options with defaults.
func Options(job *config.Job) config.BenchmarkOptions {
	if job == nil {
		return (*config.BenchmarkOptions)(nil).WithDefaults()
	}
	return job.Benchmark.WithDefaults()
}

// Plan asks for the scoped instances and their metrics over the window at
// the configured resolution, with NoiseDays of history; the comparison is
// the same window Offset earlier (and its own history, which measures the
// day-to-day variability).
func (Analyzer) Plan(job *config.Job, window source.Window, at time.Time) analyze.Plan {
	o := Options(job)
	prev := window.Shift(-o.Offset.Duration)
	return analyze.Plan{
		Request: source.Request{
			Window:  window,
			Needs:   source.NeedInstances | source.NeedMetrics,
			Scope:   analyze.Scope(job),
			Metrics: MetricSpecs(),
			History: time.Duration(o.NoiseDays) * 24 * time.Hour,
			Period:  o.Resolution.Duration,
		},
		Compare:      &prev,
		CompareNeeds: source.NeedInstances | source.NeedMetrics,
	}
}

// Analyze compares the window with the same window Offset earlier.
func (Analyzer) Analyze(in analyze.Input) (*report.Report, error) {
	if in.Data == nil {
		return nil, fmt.Errorf("benchmark: no dataset")
	}
	if in.Location == nil {
		in.Location = time.UTC
	}
	o := Options(in.Job)
	if in.Window.Duration() > o.Offset.Duration {
		return nil, fmt.Errorf("benchmark: the window (%s) is longer than the offset (%s), so the two windows overlap; shorten the job's window or raise benchmark.offset", in.Window.Duration(), o.Offset.Duration)
	}
	a := &run{in: in, lang: in.Lang, opts: o, r: analyze.NewReport(in), prevWin: in.Window.Shift(-o.Offset.Duration)}
	a.entities()
	a.compare()
	a.build()
	if len(a.inst) == 0 {
		a.r.Status = report.StatusWarning // nothing compared is not "all clear"
	}
	if err := analyze.Finish(a.r); err != nil {
		return nil, fmt.Errorf("benchmark: %w", err)
	}
	a.r.Headline = a.headline()
	return a.r, nil
}

// Findings declares every finding id this analyzer can raise.
func (Analyzer) Findings() []report.FindingDef {
	evidence := []string{
		"entity, members: the instance or group and its member instance ids",
		"metric, stat: the metric and the statistic that moved most (p50 or p95)",
		"previous, current: the statistic last week and this week",
		"change_pct: the relative change", "noise: the day-to-day variability (1.4826·MAD of the statistic over the noise days)",
		"noise_ratio: |change| / noise", "stats: p50, p95 and max of both windows",
		"onset: the first day of the current week already beyond the noise, when the window is a day or shorter",
		"members_change: the change of each member (groups)",
		"traffic: for CPU, memory and disk, the traffic change read against it (metric, stat, change_pct, per_traffic_pct: the change per unit of traffic), when NetworkIn or NetworkOut moved the same way beyond its noise",
	}
	return []report.FindingDef{
		{
			ID:             FindRegression,
			Title:          "CPU, memory or disk I/O of an instance or group is higher than in the same window a week earlier, beyond its normal day-to-day variation (test: |change| ≥ noise_k × variability and ≥ min_change_pct), and the traffic does not explain it: no traffic rise, or the rise per unit of traffic is min_change_pct or more (otherwise it is `benchmark.traffic_change`).",
			Severity:       "high from +50%, medium from +20%, low below.",
			Value:          "percent change of the statistic that moved most (p50 or p95)",
			Evidence:       evidence,
			Recommendation: "The same work now costs more: compare the releases and configuration changes since last week and profile the hot path; where the traffic rose too, the explanation says by how much more than the traffic the metric rose.",
		},
		{
			ID:             FindImprove,
			Title:          "CPU, memory or disk I/O of an instance or group is lower than in the same window a week earlier, beyond its normal day-to-day variation.",
			Severity:       "info.",
			Value:          "percent change of the statistic that moved most (negative)",
			Evidence:       evidence,
			Recommendation: "Confirm the work still gets done (a job that stopped also uses less CPU); if it is a real efficiency gain, the capacity report may now find the instances oversized.",
		},
		{
			ID:             FindTraffic,
			Title:          "Network traffic (NetworkIn or NetworkOut) of an instance or group changed beyond its normal day-to-day variation, week over week — neither good nor bad by itself, it explains the other changes; or CPU, memory or disk I/O rose beyond its variation together with a matching traffic rise: NetworkIn or NetworkOut of the same instance or group rose beyond its own variation and, at the same statistic, the rise per unit of traffic, (1 + usage change) / (1 + traffic change) − 1, is below min_change_pct. That is load that followed the traffic, not a regression.",
			Severity:       "info for network traffic; low for a CPU, memory or disk I/O rise the traffic explains (it still needs capacity).",
			Value:          "percent change of the statistic that moved most",
			Evidence:       evidence,
			Recommendation: "Check that the change matches what the business expects (a campaign, a migration, a client retrying); for a rise that follows it, plan capacity for the new load. A traffic change without a matching CPU change is healthy headroom.",
		},
		{
			ID:             FindCoverage,
			Title:          "A metric was collected in only one of the two windows (the CloudWatch agent was installed or removed, or the instances were replaced), so it cannot be compared.",
			Severity:       "low.",
			Evidence:       []string{"entity, metric", "current_series, previous_series: how many series each window has"},
			Recommendation: "Keep the CloudWatch agent on every member of a group so week-over-week comparisons stay possible; a metric that disappeared also blinds its alarms.",
		},
	}
}
