package config

import (
	"slices"
	"strconv"
	"time"
)

// IncidentOptions tune incident analysis (kind incident). The window is
// centred on the incident time (the run instant, or --at): it starts
// Before ahead of it and ends After it. The statistics and every threshold
// are explained in docs/incident.md.
type IncidentOptions struct {
	// Before is how far before the incident time the window starts; default
	// half the job's window (30m for the default 1h).
	Before Duration `yaml:"before"`
	// After is how far after the incident time the window ends; default half
	// the job's window. "0m" ends the window at the incident time (use it
	// for an incident that is still going on).
	After Duration `yaml:"after"`
	// Baseline is how much metric history before the window is read as the
	// pre-change reference; default 1h.
	Baseline Duration `yaml:"baseline"`
	// LogBaseline is the span before the window whose error patterns count as
	// already known: a pattern not seen there is "new"; default 6h.
	LogBaseline Duration `yaml:"log_baseline"`
	// Resolution is the metric period requested; default 1m (with EC2 basic
	// monitoring CloudWatch still returns one point per 5 minutes).
	Resolution Duration `yaml:"resolution"`
	// MinShift is the robust z-score a metric's before/after shift in medians
	// must reach to count as a change: the shift divided by the pre-change
	// noise (MAD); default 5.
	MinShift float64 `yaml:"min_shift"`
	// MinNewEvents is how many events a new error pattern needs before it
	// counts as a change rather than a stray line; default 3.
	MinNewEvents int `yaml:"min_new_events"`
	// Candidates is how many probable root causes to report; default 3.
	Candidates int `yaml:"candidates"`
	// TopMetrics is how many of the most-changed metrics the Markdown lists
	// (the JSON report keeps every metric); default 25.
	TopMetrics int `yaml:"top_metrics"`
	// ChangeTerms are log phrases (case-sensitive substrings) that mark a
	// change such as a deploy or a restart; lines holding one and no error
	// term appear on the timeline as change events. Keep them specific: the
	// log scan reads every line holding one. Default: "deploy:", Deploying,
	// deploying, deployed, "rolling out", "Rolling out", "rollout ",
	// "Rollout ", "release v", restarted, Restarted, Restarting, upgraded,
	// Upgraded, "config reload", "configuration reloaded".
	ChangeTerms []string `yaml:"change_terms"`
}

// Defaults of the incident options.
const (
	DefaultIncidentBaseline    = time.Hour
	DefaultIncidentLogBaseline = 6 * time.Hour
	DefaultIncidentResolution  = time.Minute
	DefaultIncidentMinShift    = 5.0
	DefaultIncidentMinNew      = 3
	DefaultIncidentCandidates  = 3
	DefaultIncidentTopMetrics  = 25
)

// DefaultChangeTerms mark deploys, restarts and configuration changes in
// log lines.
var DefaultChangeTerms = []string{"deploy:", "Deploying", "deploying", "deployed", "rolling out", "Rolling out",
	"rollout ", "Rollout ", "release v", "restarted", "Restarted", "Restarting", "upgraded", "Upgraded",
	"config reload", "configuration reloaded"}

// WithDefaults returns the options with every unset field defaulted;
// jobWindow is the job's window, half of which goes either side of the
// incident time unless Before or After is set. A nil receiver (no incident
// block) gives all defaults.
func (o *IncidentOptions) WithDefaults(jobWindow time.Duration) IncidentOptions {
	var d IncidentOptions
	if o != nil {
		d = *o
	}
	half := jobWindow / 2
	if half <= 0 {
		half = 30 * time.Minute
	}
	dur := func(f *Duration, v time.Duration) {
		if !f.IsSet() {
			*f = Duration{Duration: v, Raw: spanText(v)}
		}
	}
	dur(&d.Before, half)
	dur(&d.After, half)
	dur(&d.Baseline, DefaultIncidentBaseline)
	dur(&d.LogBaseline, DefaultIncidentLogBaseline)
	dur(&d.Resolution, DefaultIncidentResolution)
	if d.MinShift == 0 {
		d.MinShift = DefaultIncidentMinShift
	}
	if d.MinNewEvents == 0 {
		d.MinNewEvents = DefaultIncidentMinNew
	}
	if d.Candidates == 0 {
		d.Candidates = DefaultIncidentCandidates
	}
	if d.TopMetrics == 0 {
		d.TopMetrics = DefaultIncidentTopMetrics
	}
	if len(d.ChangeTerms) == 0 {
		d.ChangeTerms = slices.Clone(DefaultChangeTerms)
	}
	return d
}

func (o *IncidentOptions) validate(v *validator, path string) {
	span := func(key string, d Duration, lo, hi time.Duration, def string) {
		if !d.IsSet() {
			return
		}
		got, err := ParseDuration(d.Raw)
		switch {
		case err != nil:
			v.errorf(path+"."+key, "%v (%s)", err, def)
		case got < lo || got > hi:
			v.errorf(path+"."+key, "found %q; allowed %s to %s (%s)", d.Raw, spanText(lo), spanText(hi), def)
		}
	}
	span("before", o.Before, 5*time.Minute, 24*time.Hour, "default half the job window, 30m")
	span("after", o.After, 0, 24*time.Hour, "default half the job window, 30m")
	span("baseline", o.Baseline, 10*time.Minute, 24*time.Hour, "default 1h")
	span("log_baseline", o.LogBaseline, 10*time.Minute, 7*24*time.Hour, "default 6h")
	span("resolution", o.Resolution, time.Minute, time.Hour, "default 1m")
	if o.Resolution.IsSet() && o.Resolution.Duration%time.Minute != 0 {
		v.errorf(path+".resolution", "found %q; use whole minutes (1m, 5m), as CloudWatch periods are multiples of 60s", o.Resolution.Raw)
	}
	if o.MinShift != 0 && (o.MinShift < 2 || o.MinShift > 50) {
		v.errorf(path+".min_shift", "found %g; allowed 2 to 50 (default 5)", o.MinShift)
	}
	if o.MinNewEvents < 0 || o.MinNewEvents > 1000 {
		v.errorf(path+".min_new_events", "found %d; allowed 1 to 1000 (default 3)", o.MinNewEvents)
	}
	if o.Candidates < 0 || o.Candidates > 10 {
		v.errorf(path+".candidates", "found %d; allowed 1 to 10 (default 3)", o.Candidates)
	}
	if o.TopMetrics < 0 || o.TopMetrics > 500 {
		v.errorf(path+".top_metrics", "found %d; allowed 1 to 500 (default 25)", o.TopMetrics)
	}
	for i, t := range o.ChangeTerms {
		if len(t) < 3 {
			v.errorf(path+".change_terms["+strconv.Itoa(i)+"]", "found %q; a term needs at least 3 characters, or every line would match", t)
		}
	}
}

// spanText prints a duration the way users write it: 0m, 10m, 24h, 7d.
func spanText(d time.Duration) string {
	switch {
	case d == 0:
		return "0m"
	case d > 24*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	default:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
}
