package schedule

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cwreport/cwreport/report/deliver"
)

// Metrics are serve's Prometheus metrics, on a registry of their own (no
// global state, so tests and several daemons in one process do not mix).
// A nil *Metrics records nothing. The report job is the label job_name:
// "job" is the label Prometheus gives every scraped series.
type Metrics struct {
	Registry *prometheus.Registry

	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	deliveries  *prometheus.CounterVec
	apiCalls    *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	running     *prometheus.GaugeVec
	notices     *prometheus.CounterVec
	abandons    *prometheus.CounterVec
	prunedRuns  prometheus.Counter
	prunedDels  prometheus.Counter
}

// NewMetrics registers serve's metrics, plus the Go runtime and process
// collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cwreport_runs_total",
			Help: "Fires of a job by outcome: ok, degraded, failed, interrupted, skipped, leased (another replica holds the period's lease), elsewhere (another replica finished the period).",
		}, []string{"job_name", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cwreport_run_duration_seconds",
			Help:    "Wall time of a run, collection to last delivery.",
			Buckets: []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800},
		}, []string{"job_name"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cwreport_deliveries_total",
			Help: "Deliveries by target and outcome: ok, failed, skipped (the target already had the period).",
		}, []string{"target", "outcome"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cwreport_aws_api_calls_total",
			Help: "AWS API calls made by the data source, by job and API (service:Operation).",
		}, []string{"job_name", "api"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cwreport_last_success_timestamp_seconds",
			Help: "When a run of the job last produced its report (ok or degraded), Unix seconds; read from history at start.",
		}, []string{"job_name"}),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cwreport_running_runs",
			Help: "Runs in progress by job.",
		}, []string{"job_name"}),
		notices: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cwreport_missing_report_notices_total",
			Help: "\"Report missing\" notices sent because a job had not succeeded by its deadline.",
		}, []string{"job_name"}),
		abandons: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cwreport_periods_abandoned_total",
			Help: "Periods serve gave up on while a target still lacked them (resume limit, catch-up policy, job removed); their spool was removed.",
		}, []string{"job_name"}),
		prunedRuns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cwreport_history_pruned_runs_total",
			Help: "Run records removed from history by retention (history.retain).",
		}),
		prunedDels: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cwreport_history_pruned_deliveries_total",
			Help: "Delivery records removed from history by retention (history.retain).",
		}),
	}
	m.Registry.MustRegister(m.runs, m.duration, m.deliveries, m.apiCalls, m.lastSuccess, m.running, m.notices, m.abandons, m.prunedRuns, m.prunedDels,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Job makes a job's series exist (at zero) before its first fire, so
// alerts on absent series and rate() work from the start.
func (m *Metrics) Job(job string, lastSuccess time.Time) {
	if m == nil {
		return
	}
	m.running.WithLabelValues(job).Set(0)
	m.duration.WithLabelValues(job)
	if !lastSuccess.IsZero() {
		m.lastSuccess.WithLabelValues(job).Set(float64(lastSuccess.Unix()))
	}
}

func (m *Metrics) started(job string) {
	if m != nil {
		m.running.WithLabelValues(job).Inc()
	}
}

func (m *Metrics) finished(job, status string, took time.Duration, at time.Time, stats map[string]int, ds []deliver.Result) {
	if m == nil {
		return
	}
	m.running.WithLabelValues(job).Dec()
	m.runs.WithLabelValues(job, status).Inc()
	m.duration.WithLabelValues(job).Observe(took.Seconds())
	for api, n := range stats {
		m.apiCalls.WithLabelValues(job, api).Add(float64(n))
	}
	m.delivered(ds)
	if status == "ok" || status == "degraded" {
		m.lastSuccess.WithLabelValues(job).Set(float64(at.Unix()))
	}
}

func (m *Metrics) delivered(ds []deliver.Result) {
	if m == nil {
		return
	}
	for _, d := range ds {
		m.deliveries.WithLabelValues(d.Target, d.Status).Inc()
	}
}

func (m *Metrics) skipped(job, status string) {
	if m != nil {
		m.runs.WithLabelValues(job, status).Inc()
	}
}

func (m *Metrics) noticed(job string) {
	if m != nil {
		m.notices.WithLabelValues(job).Inc()
	}
}

func (m *Metrics) abandoned(job string) {
	if m != nil {
		m.abandons.WithLabelValues(job).Inc()
	}
}

func (m *Metrics) pruned(runs, deliveries int64) {
	if m != nil {
		m.prunedRuns.Add(float64(runs))
		m.prunedDels.Add(float64(deliveries))
	}
}
