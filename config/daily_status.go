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

func (o *DailyStatusOptions) validate(v *validator, path string) {
	if o.AnomalyZ != 0 && (o.AnomalyZ < 2 || o.AnomalyZ > 50) {
		v.errorf(path+".anomaly_z", "found %g; allowed 2 to 50 (default 6)", o.AnomalyZ)
	}
	if o.BaselineDays < 0 || o.BaselineDays > 14 {
		v.errorf(path+".baseline_days", "found %d; allowed 1 to 14 (default 7)", o.BaselineDays)
	}
	if o.FlapTransitions < 0 || o.FlapTransitions == 1 {
		v.errorf(path+".flap_transitions", "found %d; allowed 2 or more (default 4)", o.FlapTransitions)
	}
	if o.StuckAfter.IsSet() {
		if _, err := ParseDuration(o.StuckAfter.Raw); err != nil {
			v.errorf(path+".stuck_after", "%v", err)
		}
	}
	if o.TopInstances < 0 || o.TopInstances > 100 {
		v.errorf(path+".top_instances", "found %d; allowed 1 to 100 (default 10)", o.TopInstances)
	}
}
