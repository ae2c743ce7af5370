package config

// DailyStatusOptions tune the daily-status analyzer (kind daily-status).
type DailyStatusOptions struct {
	// AnomalyZ is the robust z-score (median/MAD) above which a metric point
	// is anomalous; default 6.
	AnomalyZ float64 `yaml:"anomaly_z"`
	// BaselineDays is how much history forms the baseline; default 7.
	BaselineDays int `yaml:"baseline_days"`
	// FlapTransitions is how many state changes in the window make an alarm
	// flapping; default 4.
	FlapTransitions int `yaml:"flap_transitions"`
	// StuckAfter is how long INSUFFICIENT_DATA must last to be reported;
	// default 24h.
	StuckAfter Duration `yaml:"stuck_after"`
	// TopInstances is how many of the busiest instances to list; default 10.
	TopInstances int `yaml:"top_instances"`
}

// CapacityOptions tune the weekly capacity review (kind capacity).
type CapacityOptions struct{}

// SecurityOptions tune the monthly security audit (kind security).
type SecurityOptions struct{}

// IncidentOptions tune incident analysis (kind incident).
type IncidentOptions struct{}

// BenchmarkOptions tune week-over-week benchmarks (kind benchmark).
type BenchmarkOptions struct{}
