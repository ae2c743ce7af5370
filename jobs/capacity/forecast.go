package capacity

import (
	"math"
	"time"
)

// ForecastStatus says what a trend means for a resource.
type ForecastStatus string

// Forecast statuses.
const (
	ForecastDate         ForecastStatus = "forecast"     // reaches the limit within the horizon
	ForecastReached      ForecastStatus = "reached"      // the fitted line is already past the limit
	ForecastBeyond       ForecastStatus = "beyond"       // rising, but not within the horizon
	ForecastFlat         ForecastStatus = "flat"         // no significant rise
	ForecastInsufficient ForecastStatus = "insufficient" // too few daily points
)

// Forecast is the exhaustion forecast of one resource of one instance.
type Forecast struct {
	Inst *profile
	// Metric is cpu, memory or disk; Path the disk's mount path.
	Metric, Path string
	// Limit is what counts as exhausted; Warn (disk) the early warning level.
	Limit, Warn float64
	// Daily are the daily points (p95 for CPU and memory, max for disk);
	// From is the first point fitted (after the last clean-up).
	Daily []float64
	From  int
	Fit   Trend
	// Points is how many daily points were fitted.
	Points  int
	Status  ForecastStatus
	Date    time.Time // the limit, when Status is forecast or reached
	WarnAt  time.Time // disk: the warning level, when within the horizon
	Current float64   // the last daily value
	Cleanup time.Time // disk: start of the segment after a clean-up
}

// DaysLeft is the time from at to the forecast date, in days.
func (f *Forecast) DaysLeft(at time.Time) float64 { return f.Date.Sub(at).Hours() / 24 }

// forecasts fits every trend of one profile.
func forecasts(p *profile, at time.Time, o Options) []*Forecast {
	d := newDays(p.window)
	var out []*Forecast
	cpu := make([]float64, len(p.Days))
	mem := make([]float64, len(p.Days))
	for k, dd := range p.Days {
		cpu[k], mem[k] = dd.CPUP95, dd.MemP95
	}
	out = append(out, fitOne(p, "cpu", "", cpu, o.CPUCeiling, 0, false, d, at, o))
	if p.Mem != nil {
		out = append(out, fitOne(p, "memory", "", mem, o.MemoryLimit, 0, false, d, at, o))
	}
	for _, dk := range p.Disks {
		out = append(out, fitOne(p, "disk", dk.Path, dk.Daily, 100, o.DiskWarning, true, d, at, o))
	}
	return out
}

func fitOne(p *profile, metric, path string, daily []float64, limit, warn float64, cleanup bool, d days, at time.Time, o Options) *Forecast {
	f := &Forecast{Inst: p, Metric: metric, Path: path, Limit: limit, Warn: warn, Daily: daily, Current: math.NaN()}
	// Only days with data take part; a clean-up resets the start.
	var xs, ys []float64
	var ks []int
	for k, v := range daily {
		if !math.IsNaN(v) {
			xs, ys, ks = append(xs, d.x(k)), append(ys, v), append(ks, k)
			f.Current = v
		}
	}
	if cleanup {
		if i := lastCleanup(ys, o.CleanupDrop); i > 0 {
			f.Cleanup = d.timeOf(float64(ks[i]))
			f.From = ks[i]
			xs, ys = xs[i:], ys[i:]
		}
	}
	f.Points = len(ys)
	if f.Points < o.TrendMinDays {
		f.Status = ForecastInsufficient
		if f.Points >= 3 {
			f.Fit = FitTrend(xs, ys)
		}
		return f
	}
	f.Fit = FitTrend(xs, ys)
	if !f.Fit.Rising(o.TrendSignificance) {
		f.Status = ForecastFlat
		return f
	}
	horizon := at.Add(time.Duration(o.HorizonDays) * 24 * time.Hour)
	x, _ := f.Fit.Cross(limit)
	f.Date = d.timeOf(x)
	switch {
	case !f.Date.After(at):
		f.Status = ForecastReached
	case f.Date.After(horizon):
		f.Status = ForecastBeyond
	default:
		f.Status = ForecastDate
	}
	if warn > 0 {
		if wx, ok := f.Fit.Cross(warn); ok {
			if w := d.timeOf(wx); !w.After(horizon) {
				f.WarnAt = w
			}
		}
	}
	return f
}

// urgent reports whether the forecast deserves a finding: the limit within
// the horizon, or (disk) the warning level within it.
func (f *Forecast) urgent() bool {
	return f.Status == ForecastDate || f.Status == ForecastReached || (f.Status == ForecastBeyond && !f.WarnAt.IsZero())
}
