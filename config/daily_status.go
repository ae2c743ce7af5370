package config

import "time"

// DailyStatusOptions tune the daily-status analyzer (kind daily-status).
// The method and the meaning of each threshold are explained in
// docs/daily-status.md.
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
	// Resolution is the metric period requested; default 5m (EC2 basic
	// monitoring). 1m needs detailed monitoring and costs more data points.
	Resolution Duration `yaml:"resolution"`
	// MinAnomaly is how long a deviation must last to be an anomaly, so a
	// one-minute blip never reaches the report; default 15m.
	MinAnomaly Duration `yaml:"min_anomaly"`
}

// Defaults of the daily-status options.
const (
	DefaultAnomalyZ        = 6.0
	DefaultBaselineDays    = 7
	DefaultFlapTransitions = 4
	DefaultStuckAfter      = 24 * time.Hour
	DefaultTopInstances    = 10
	DefaultResolution      = 5 * time.Minute
	DefaultMinAnomaly      = 15 * time.Minute
)

// WithDefaults returns the options with every unset field defaulted; a nil
// receiver (no daily_status block) gives all defaults.
func (o *DailyStatusOptions) WithDefaults() DailyStatusOptions {
	var d DailyStatusOptions
	if o != nil {
		d = *o
	}
	if d.AnomalyZ == 0 {
		d.AnomalyZ = DefaultAnomalyZ
	}
	if d.BaselineDays == 0 {
		d.BaselineDays = DefaultBaselineDays
	}
	if d.FlapTransitions == 0 {
		d.FlapTransitions = DefaultFlapTransitions
	}
	if !d.StuckAfter.IsSet() || d.StuckAfter.Duration <= 0 {
		d.StuckAfter = Duration{Duration: DefaultStuckAfter, Raw: "24h"}
	}
	if d.TopInstances == 0 {
		d.TopInstances = DefaultTopInstances
	}
	if !d.Resolution.IsSet() || d.Resolution.Duration <= 0 {
		d.Resolution = Duration{Duration: DefaultResolution, Raw: "5m"}
	}
	if !d.MinAnomaly.IsSet() || d.MinAnomaly.Duration <= 0 {
		d.MinAnomaly = Duration{Duration: DefaultMinAnomaly, Raw: "15m"}
	}
	return d
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
	if o.Resolution.IsSet() {
		d, err := ParseDuration(o.Resolution.Raw)
		switch {
		case err != nil:
			v.errorf(path+".resolution", "%v", err)
		case d < time.Minute || d > time.Hour || d%time.Minute != 0:
			v.errorf(path+".resolution", "found %s; allowed whole minutes from 1m to 1h (default 5m)", o.Resolution.Raw)
		}
	}
	if o.MinAnomaly.IsSet() {
		d, err := ParseDuration(o.MinAnomaly.Raw)
		switch {
		case err != nil:
			v.errorf(path+".min_anomaly", "%v", err)
		case d < time.Minute || d > 12*time.Hour:
			v.errorf(path+".min_anomaly", "found %s; allowed 1m to 12h (default 15m)", o.MinAnomaly.Raw)
		}
	}
}
