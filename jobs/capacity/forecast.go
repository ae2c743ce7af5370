package capacity

import (
	"math"
	"sort"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// ForecastStatus says what a trend means for a resource.
type ForecastStatus string

// Forecast statuses.
const (
	ForecastAbove        ForecastStatus = "above"        // the last day's value is already at or above the limit
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
	Date    time.Time // the limit, when Status is forecast or reached; when it crossed it, when above
	WarnAt  time.Time // disk: the warning level, when within the horizon
	Current float64   // the last daily value
	Cleanup time.Time // disk: start of the segment after a clean-up
	// Reported is set when the forecast raises a capacity.exhaustion finding
	// (see Result.markReported).
	Reported bool
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
	out = append(out, fitOne(p, "cpu", "", cpu, p.cpuSeries, o.CPUCeiling, 0, false, d, at, o))
	if p.Mem != nil {
		out = append(out, fitOne(p, "memory", "", mem, p.memSeries, o.MemoryLimit, 0, false, d, at, o))
	}
	for _, dk := range p.Disks {
		out = append(out, fitOne(p, "disk", dk.Path, dk.Daily, dk.series, 100, o.DiskWarning, true, d, at, o))
	}
	return out
}

// fitOne fits one resource's daily points. A resource whose last day (the
// 24 hours before the window's end) is already at or above the limit is
// "above" whatever its trend says: the limit is not a forecast any more, and
// Date is when it crossed (the first raw point at or above the limit on the
// first day of the run of days at or above it).
func fitOne(p *profile, metric, path string, daily []float64, raw *source.Series, limit, warn float64, cleanup bool, d days, at time.Time, o Options) *Forecast {
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
	if n := len(daily); n > 0 && !math.IsNaN(daily[n-1]) && daily[n-1] >= limit {
		f.Status = ForecastAbove
		first := n - 1
		for first > 0 && !math.IsNaN(daily[first-1]) && daily[first-1] >= limit {
			first--
		}
		f.Date = crossing(raw, d, first, limit)
		f.Points = len(ys)
		if f.Points >= 3 {
			f.Fit = FitTrend(xs, ys)
		}
		return f
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

// crossing is the time of the first raw point at or above limit on day k
// (the day's start when the raw series does not show one).
func crossing(s *source.Series, d days, k int, limit float64) time.Time {
	lo := d.start + int64(k)*daySec
	if s != nil {
		i := sort.Search(len(s.Times), func(i int) bool { return s.Times[i] >= lo })
		for ; i < len(s.Times) && s.Times[i] < lo+daySec; i++ {
			if v := s.Values[i]; !math.IsNaN(v) && v >= limit {
				return time.Unix(s.Times[i], 0).UTC()
			}
		}
	}
	return time.Unix(lo, 0).UTC()
}

// urgent reports whether the forecast deserves a finding: already above the
// limit, the limit within the horizon, or (disk) the warning level within it.
func (f *Forecast) urgent() bool {
	return f.Status == ForecastAbove || f.Status == ForecastDate || f.Status == ForecastReached || (f.Status == ForecastBeyond && !f.WarnAt.IsZero())
}

// hot reports whether the forecast says the instance's CPU or memory is
// short now or soon: above the limit, or reaching it within the horizon.
// Such an instance is never downsized nor moved to another type for a
// saving.
func (f *Forecast) hot() bool {
	return f.Metric != "disk" && (f.Status == ForecastAbove || f.Status == ForecastDate || f.Status == ForecastReached)
}

// urgency orders forecasts most urgent first: above the limit (longest
// above first), reached by the trend, then by the date the limit (or, for a
// disk whose limit is beyond the horizon, its warning level) is reached.
func urgency(a, b *Forecast) bool {
	ra, rb := urgencyRank(a), urgencyRank(b)
	if ra != rb {
		return ra < rb
	}
	da, db := a.urgentDate(), b.urgentDate()
	if !da.Equal(db) {
		return da.Before(db)
	}
	if a.Inst.Inst.Label() != b.Inst.Inst.Label() {
		return a.Inst.Inst.Label() < b.Inst.Inst.Label()
	}
	return a.Metric+a.Path < b.Metric+b.Path
}

func urgencyRank(f *Forecast) int {
	switch {
	case f.Status == ForecastAbove:
		return 0
	case f.Status == ForecastReached:
		return 1
	case f.Status == ForecastDate:
		return 2
	case f.Status == ForecastBeyond && !f.WarnAt.IsZero():
		return 3
	case f.Status == ForecastBeyond:
		return 4
	}
	return 5
}

func (f *Forecast) urgentDate() time.Time {
	if f.Status == ForecastBeyond && !f.WarnAt.IsZero() {
		return f.WarnAt
	}
	return f.Date
}
