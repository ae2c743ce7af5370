package config

import "time"

// BenchmarkOptions tune week-over-week benchmarks (kind benchmark): the
// job's window is compared with the same window Offset earlier, and a change
// counts only when it is larger than the day-to-day variability of the same
// statistic. The test is explained in docs/incident.md.
type BenchmarkOptions struct {
	// Offset is how far back the comparison window lies; default 7d (week
	// over week). The job's window must not be longer than the offset.
	Offset Duration `yaml:"offset"`
	// GroupBy is "group" (default: the instances of one Auto Scaling group,
	// EKS node group or shared name stem such as web-prod-01..12 are compared
	// as one population) or "instance" (every instance on its own).
	GroupBy string `yaml:"group_by"`
	// NoiseDays is how many daily slices before the comparison window measure
	// the normal day-to-day variability of each statistic; default 7.
	NoiseDays int `yaml:"noise_days"`
	// NoiseK: a change must exceed NoiseK times that variability; default 3.
	NoiseK float64 `yaml:"noise_k"`
	// MinChangePct: and be at least this percentage of the earlier value
	// (the minimum effect size); default 10.
	MinChangePct float64 `yaml:"min_change_pct"`
	// Resolution is the metric period of both windows; default 5m.
	Resolution Duration `yaml:"resolution"`
}

// BenchmarkGroupBy are the allowed group_by values.
var BenchmarkGroupBy = []string{"group", "instance"}

// Defaults of the benchmark options.
const (
	DefaultBenchmarkOffset     = 7 * 24 * time.Hour
	DefaultBenchmarkGroupBy    = "group"
	DefaultBenchmarkNoiseDays  = 7
	DefaultBenchmarkNoiseK     = 3.0
	DefaultBenchmarkMinChange  = 10.0
	DefaultBenchmarkResolution = 5 * time.Minute
)

// WithDefaults returns the options with every unset field defaulted; a nil
// receiver (no benchmark block) gives all defaults.
func (o *BenchmarkOptions) WithDefaults() BenchmarkOptions {
	var d BenchmarkOptions
	if o != nil {
		d = *o
	}
	if !d.Offset.IsSet() || d.Offset.Duration <= 0 {
		d.Offset = Duration{Duration: DefaultBenchmarkOffset, Raw: "7d"}
	}
	if d.GroupBy == "" {
		d.GroupBy = DefaultBenchmarkGroupBy
	}
	if d.NoiseDays == 0 {
		d.NoiseDays = DefaultBenchmarkNoiseDays
	}
	if d.NoiseK == 0 {
		d.NoiseK = DefaultBenchmarkNoiseK
	}
	if d.MinChangePct == 0 {
		d.MinChangePct = DefaultBenchmarkMinChange
	}
	if !d.Resolution.IsSet() || d.Resolution.Duration <= 0 {
		d.Resolution = Duration{Duration: DefaultBenchmarkResolution, Raw: "5m"}
	}
	return d
}

func (o *BenchmarkOptions) validate(v *validator, path string) {
	if o.Offset.IsSet() {
		d, err := ParseDuration(o.Offset.Raw)
		switch {
		case err != nil:
			v.errorf(path+".offset", "%v (default 7d)", err)
		case d < 24*time.Hour || d > 28*24*time.Hour || d%(24*time.Hour) != 0:
			v.errorf(path+".offset", "found %q; allowed whole days from 1d to 28d, so both windows cover the same hours of the day (default 7d)", o.Offset.Raw)
		}
	}
	if o.GroupBy != "" {
		v.oneOf(path+".group_by", o.GroupBy, BenchmarkGroupBy)
	}
	if o.NoiseDays != 0 && (o.NoiseDays < 3 || o.NoiseDays > 14) {
		v.errorf(path+".noise_days", "found %d; allowed 3 to 14 (default 7)", o.NoiseDays)
	}
	if o.NoiseK != 0 && (o.NoiseK < 1 || o.NoiseK > 10) {
		v.errorf(path+".noise_k", "found %g; allowed 1 to 10 (default 3)", o.NoiseK)
	}
	if o.MinChangePct != 0 && (o.MinChangePct < 1 || o.MinChangePct > 500) {
		v.errorf(path+".min_change_pct", "found %g; allowed 1 to 500 (default 10)", o.MinChangePct)
	}
	if o.Resolution.IsSet() {
		d, err := ParseDuration(o.Resolution.Raw)
		switch {
		case err != nil:
			v.errorf(path+".resolution", "%v (default 5m)", err)
		case d < time.Minute || d > time.Hour || d%time.Minute != 0:
			v.errorf(path+".resolution", "found %q; allowed whole minutes from 1m to 1h (default 5m)", o.Resolution.Raw)
		}
	}
}
