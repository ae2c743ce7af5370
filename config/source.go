package config

import (
	"strings"
	"time"
)

// Source says where the data comes from.
type Source struct {
	// Type is aws, demo or snapshot.
	Type   string `yaml:"type"`
	Region string `yaml:"region"`
	// EndpointURL points every AWS client at an emulator; AWS_ENDPOINT_URL
	// is honoured too.
	EndpointURL   string `yaml:"endpoint_url"`
	Profile       string `yaml:"profile"`
	AssumeRoleARN string `yaml:"assume_role_arn"`
	ExternalID    Secret `yaml:"external_id"`
	// MaxAttempts bounds SDK retries (adaptive mode); default 5.
	MaxAttempts int `yaml:"max_attempts"`
	// Concurrency bounds parallel API calls; default 4.
	Concurrency int `yaml:"concurrency"`
	// RateLimit bounds API calls per second across every AWS API the aws
	// source calls; default 25 (GetMetricData allows 50 per second per
	// account and region, so a report leaves room for dashboards and people).
	// CloudTrail LookupEvents is held to its own quota of 2 per second.
	RateLimit float64 `yaml:"rate_limit"`
	// Logs tunes how the aws source computes log statistics.
	Logs SourceLogs `yaml:"logs"`
	// TrailLookupWindow is the longest window for which CloudTrail events
	// are read with LookupEvents (2 calls per second, 50 events per call);
	// longer windows read the trail's log files from S3. Default 24h.
	TrailLookupWindow Duration `yaml:"trail_lookup_window"`
	// Path is the dataset JSON file for type snapshot.
	Path string `yaml:"path"`
}

// SourceLogs tunes the aws source's log statistics.
type SourceLogs struct {
	// Engine is auto (Logs Insights; FilterLogEvents when Insights is
	// unavailable), insights or filter (FilterLogEvents only: no Insights
	// charges, but every event of the window is read). Default auto.
	Engine string `yaml:"engine"`
	// MaxQueries bounds the Logs Insights queries running at once; default
	// 10 (the account allows 30, shared with dashboards and people).
	MaxQueries int `yaml:"max_queries"`
	// MaxEvents bounds the events the filter engine reads per log group;
	// past it the group's counts are lower bounds (marked truncated).
	// Default 1000000.
	MaxEvents int `yaml:"max_events"`
}

// SourceTypes are the allowed source types.
var SourceTypes = []string{"aws", "demo", "snapshot"}

// LogEngines are the allowed source.logs.engine values.
var LogEngines = []string{"auto", "insights", "filter"}

// Defaults of the aws source's tuning fields.
const (
	DefaultRateLimit         = 25
	DefaultLogsMaxQueries    = 10
	DefaultLogsMaxEvents     = 1000000
	DefaultTrailLookupWindow = 24 * time.Hour
)

// WithDefaults returns s with the aws tuning fields defaulted, for code
// that builds a Source without loading a file (tests, benchmarks).
func (s Source) WithDefaults() Source {
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 5
	}
	if s.Concurrency == 0 {
		s.Concurrency = 4
	}
	if s.RateLimit == 0 {
		s.RateLimit = DefaultRateLimit
	}
	if s.Logs.Engine == "" {
		s.Logs.Engine = "auto"
	}
	if s.Logs.MaxQueries == 0 {
		s.Logs.MaxQueries = DefaultLogsMaxQueries
	}
	if s.Logs.MaxEvents == 0 {
		s.Logs.MaxEvents = DefaultLogsMaxEvents
	}
	if !s.TrailLookupWindow.IsSet() {
		s.TrailLookupWindow = Duration{Duration: DefaultTrailLookupWindow}
	}
	return s
}

// validateAWS checks the aws source's tuning fields (called from source
// validation); zero values are defaults and always valid.
func (s *Source) validateAWS(v *validator) {
	if s.RateLimit < 0 || s.RateLimit > 1000 {
		v.errorf("source.rate_limit", "found %g; allowed 0 (default %d) to 1000 calls per second", s.RateLimit, DefaultRateLimit)
	}
	if s.Logs.Engine != "" {
		v.oneOf("source.logs.engine", s.Logs.Engine, LogEngines)
	}
	if s.Logs.MaxQueries < 0 || s.Logs.MaxQueries > 30 {
		v.errorf("source.logs.max_queries", "found %d; allowed 1 to 30 (the account's Logs Insights limit)", s.Logs.MaxQueries)
	}
	if s.Logs.MaxEvents < 0 {
		v.errorf("source.logs.max_events", "found %d; expected a positive number of events", s.Logs.MaxEvents)
	}
	if s.TrailLookupWindow.IsSet() {
		if d, err := ParseDuration(s.TrailLookupWindow.Raw); err != nil || d <= 0 || d > 90*24*time.Hour {
			v.errorf("source.trail_lookup_window", "found %q; expected a duration up to 90d (LookupEvents keeps 90 days), e.g. 24h", s.TrailLookupWindow.Raw)
		}
	}
	if s.EndpointURL != "" && !strings.HasPrefix(s.EndpointURL, "http://") && !strings.HasPrefix(s.EndpointURL, "https://") {
		v.errorf("source.endpoint_url", "found %q; expected an http:// or https:// URL", s.EndpointURL)
	}
	if s.AssumeRoleARN != "" && !strings.HasPrefix(s.AssumeRoleARN, "arn:") {
		v.errorf("source.assume_role_arn", "found %q; expected a role ARN such as arn:aws:iam::123456789012:role/cwreport-read", s.AssumeRoleARN)
	}
}
