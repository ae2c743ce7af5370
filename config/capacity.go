package config

// CapacityOptions tune the weekly capacity review (kind capacity). Every
// threshold has a default from the preset (balanced unless preset says
// otherwise); a field set here overrides the preset's value. The method and
// each parameter are explained in docs/capacity.md.
type CapacityOptions struct {
	// Preset picks the defaults of the rightsizing thresholds: conservative
	// (more headroom, fewer recommendations), balanced (default, the AWS
	// Compute Optimizer defaults) or aggressive (less headroom, more savings).
	Preset string `yaml:"preset"`
	// SizingPercentile is the CPU percentile a recommended type must carry
	// below the ceiling: 99.5 (conservative, balanced) or 95 (aggressive).
	SizingPercentile float64 `yaml:"sizing_percentile"`
	// CPUCeiling is the highest projected CPU % a type may run at (the sizing
	// ceiling, also the CPU exhaustion limit): 70, 80 (default) or 90.
	CPUCeiling float64 `yaml:"cpu_ceiling"`
	// MemoryCeiling is the highest projected memory % a smaller type may run
	// at: 70, 80 (default) or 90.
	MemoryCeiling float64 `yaml:"memory_ceiling"`
	// MemoryLimit is the memory % at which memory counts as exhausted for the
	// forecast; default 90.
	MemoryLimit float64 `yaml:"memory_limit"`
	// DiskWarning is the disk-used % that earns an early warning; default 80.
	DiskWarning float64 `yaml:"disk_warning"`
	// IdleMaxCPU: an instance whose maximum CPU stayed at or below this % over
	// the idle lookback is idle; default 1.
	IdleMaxCPU float64 `yaml:"idle_max_cpu"`
	// LookbackDays is the recent span the idle and low-utilisation rules
	// look at; default 14.
	LookbackDays int `yaml:"lookback_days"`
	// LowCPU: a day is a low-utilisation day when its average CPU is at or
	// below this % ...; default 10.
	LowCPU float64 `yaml:"low_cpu"`
	// LowNetworkMB ... and its network in+out is at or below this many MB;
	// default 5.
	LowNetworkMB float64 `yaml:"low_network_mb"`
	// LowDays is how many low days in the lookback make an instance
	// low-utilisation; default 4 (AWS Trusted Advisor's rule).
	LowDays int `yaml:"low_days"`
	// MinHours is how much CPU data an instance needs to be judged; instances
	// with less are listed as skipped; default 30.
	MinHours float64 `yaml:"min_hours"`
	// GroupTarget is the CPU (and memory) utilisation, 0 to 1, an Auto Scaling
	// or EKS node group should run at when its node count is recommended:
	// 0.55, 0.65 (default) or 0.75.
	GroupTarget float64 `yaml:"group_target"`
	// GroupIdleCPU: a group whose sizing-percentile CPU utilisation stays at
	// or below this % is an idle fleet (its nodes wait; memory alone sets the
	// count); default 5.
	GroupIdleCPU float64 `yaml:"group_idle_cpu"`
	// GroupMinNodes is the fewest nodes recommended for a group (spread over
	// availability zones); default 2.
	GroupMinNodes int `yaml:"group_min_nodes"`
	// TrendMinDays is how many daily points a trend needs; default 14.
	TrendMinDays int `yaml:"trend_min_days"`
	// TrendSignificance is the Mann-Kendall p-value below which a trend is
	// significant; default 0.05.
	TrendSignificance float64 `yaml:"trend_significance"`
	// HorizonDays: forecasts further out than this are reported as "no
	// exhaustion within N days"; default 180.
	HorizonDays int `yaml:"horizon_days"`
	// CleanupDrop is the day-to-day fall in disk-used percentage points that
	// marks a clean-up; trends are fitted after the last one; default 10.
	CleanupDrop float64 `yaml:"cleanup_drop"`
	// TopMovers is how many week-over-week movers to list; default 5.
	TopMovers int `yaml:"top_movers"`
	// LivePrices asks the source for current on-demand prices (AWS Price
	// List API GetProducts) instead of the embedded table; the embedded
	// table stays the fallback. Needs pricing:GetProducts.
	LivePrices bool `yaml:"live_prices"`
}

// CapacityPresets are the allowed presets, from most to least headroom.
var CapacityPresets = []string{"conservative", "balanced", "aggressive"}

// capacityPreset holds the preset-dependent defaults.
type capacityPreset struct {
	percentile, cpu, mem, target float64
}

var capacityPresets = map[string]capacityPreset{
	// Compute Optimizer's own choices: P99.5 with 30% / 20% / 10% headroom.
	"conservative": {percentile: 99.5, cpu: 70, mem: 70, target: 0.55},
	"balanced":     {percentile: 99.5, cpu: 80, mem: 80, target: 0.65},
	"aggressive":   {percentile: 95, cpu: 90, mem: 90, target: 0.75},
}

// Defaults of the capacity options that do not depend on the preset.
const (
	DefaultCapacityPreset  = "balanced"
	DefaultMemoryLimit     = 90.0
	DefaultDiskWarning     = 80.0
	DefaultIdleMaxCPU      = 1.0
	DefaultLookbackDays    = 14
	DefaultLowCPU          = 10.0
	DefaultLowNetworkMB    = 5.0
	DefaultLowDays         = 4
	DefaultMinHours        = 30.0
	DefaultGroupMinNodes   = 2
	DefaultGroupIdleCPU    = 5.0
	DefaultTrendMinDays    = 14
	DefaultTrendSignif     = 0.05
	DefaultHorizonDays     = 180
	DefaultCleanupDrop     = 10.0
	DefaultTopMovers       = 5
	capacityPercentileLow  = 50.0
	capacityPercentileHigh = 100.0
)

// WithDefaults returns the options with the preset applied and every unset
// field defaulted; a nil receiver (no capacity block) gives the balanced
// defaults.
func (o *CapacityOptions) WithDefaults() CapacityOptions {
	var d CapacityOptions
	if o != nil {
		d = *o
	}
	if d.Preset == "" {
		d.Preset = DefaultCapacityPreset
	}
	p, ok := capacityPresets[d.Preset]
	if !ok {
		p = capacityPresets[DefaultCapacityPreset]
	}
	setF := func(f *float64, v float64) {
		if *f == 0 {
			*f = v
		}
	}
	setI := func(f *int, v int) {
		if *f == 0 {
			*f = v
		}
	}
	setF(&d.SizingPercentile, p.percentile)
	setF(&d.CPUCeiling, p.cpu)
	setF(&d.MemoryCeiling, p.mem)
	setF(&d.GroupTarget, p.target)
	setF(&d.MemoryLimit, DefaultMemoryLimit)
	setF(&d.DiskWarning, DefaultDiskWarning)
	setF(&d.IdleMaxCPU, DefaultIdleMaxCPU)
	setI(&d.LookbackDays, DefaultLookbackDays)
	setF(&d.LowCPU, DefaultLowCPU)
	setF(&d.LowNetworkMB, DefaultLowNetworkMB)
	setI(&d.LowDays, DefaultLowDays)
	setF(&d.MinHours, DefaultMinHours)
	setI(&d.GroupMinNodes, DefaultGroupMinNodes)
	setF(&d.GroupIdleCPU, DefaultGroupIdleCPU)
	setI(&d.TrendMinDays, DefaultTrendMinDays)
	setF(&d.TrendSignificance, DefaultTrendSignif)
	setI(&d.HorizonDays, DefaultHorizonDays)
	setF(&d.CleanupDrop, DefaultCleanupDrop)
	setI(&d.TopMovers, DefaultTopMovers)
	return d
}

func (o *CapacityOptions) validate(v *validator, path string) {
	if o.Preset != "" {
		v.oneOf(path+".preset", o.Preset, CapacityPresets)
	}
	pct := func(key string, val, lo, hi float64, def string) {
		if val != 0 && (val < lo || val > hi) {
			v.errorf(path+"."+key, "found %g; allowed %g to %g (%s)", val, lo, hi, def)
		}
	}
	whole := func(key string, val, lo, hi int, def string) {
		if val != 0 && (val < lo || val > hi) {
			v.errorf(path+"."+key, "found %d; allowed %d to %d (%s)", val, lo, hi, def)
		}
	}
	pct("sizing_percentile", o.SizingPercentile, capacityPercentileLow, capacityPercentileHigh, "default 99.5")
	pct("cpu_ceiling", o.CPUCeiling, 10, 100, "default 80")
	pct("memory_ceiling", o.MemoryCeiling, 10, 100, "default 80")
	pct("memory_limit", o.MemoryLimit, 10, 100, "default 90")
	pct("disk_warning", o.DiskWarning, 10, 99, "default 80")
	pct("idle_max_cpu", o.IdleMaxCPU, 0.1, 20, "default 1")
	pct("low_cpu", o.LowCPU, 0.1, 50, "default 10")
	pct("low_network_mb", o.LowNetworkMB, 0.001, 1e6, "default 5")
	pct("min_hours", o.MinHours, 1, 24*90, "default 30")
	pct("group_target", o.GroupTarget, 0.1, 0.95, "default 0.65, a fraction, not a percentage")
	pct("group_idle_cpu", o.GroupIdleCPU, 0.1, 50, "default 5")
	pct("trend_significance", o.TrendSignificance, 0.0001, 0.5, "default 0.05")
	pct("cleanup_drop", o.CleanupDrop, 1, 100, "default 10 percentage points")
	whole("lookback_days", o.LookbackDays, 1, 93, "default 14")
	whole("group_min_nodes", o.GroupMinNodes, 1, 1000, "default 2")
	whole("trend_min_days", o.TrendMinDays, 5, 365, "default 14")
	whole("horizon_days", o.HorizonDays, 7, 3650, "default 180")
	whole("top_movers", o.TopMovers, 1, 100, "default 5")
	if o.LowDays != 0 {
		look := o.LookbackDays
		if look == 0 {
			look = DefaultLookbackDays
		}
		if o.LowDays < 1 || o.LowDays > look {
			v.errorf(path+".low_days", "found %d; allowed 1 to lookback_days (%d) (default 4)", o.LowDays, look)
		}
	}
	if o.MemoryCeiling != 0 && o.MemoryLimit != 0 && o.MemoryCeiling > o.MemoryLimit {
		v.errorf(path+".memory_ceiling", "found %g, above memory_limit %g; a recommended type must leave room below the exhaustion limit", o.MemoryCeiling, o.MemoryLimit)
	}
}
