package capacity

import (
	"math"

	"github.com/cwreport/cwreport/jobs/internal/stats"
)

// Trend is a robust straight line through daily points: the Theil-Sen slope
// (median of all pairwise slopes, robust to up to ~29% outliers) and the
// Mann-Kendall test of whether the series rises or falls at all.
type Trend struct {
	// N is the number of points fitted.
	N int
	// Slope is in units per day; Intercept is the value at X = 0.
	Slope, Intercept float64
	// P is the two-sided Mann-Kendall p-value; Z its normal score.
	P, Z float64
}

// FitTrend fits xs (days) and ys. It needs at least 3 points; callers ask
// for more (TrendMinDays) before believing the result.
func FitTrend(xs, ys []float64) Trend {
	n := len(xs)
	t := Trend{N: n, P: 1}
	if n < 3 || len(ys) != n {
		t.Slope, t.Intercept = math.NaN(), math.NaN()
		return t
	}
	t.Slope, t.Intercept = stats.TheilSen(xs, ys)
	_, t.Z, t.P = stats.MannKendall(ys)
	return t
}

// At is the fitted value at x.
func (t Trend) At(x float64) float64 { return t.Intercept + t.Slope*x }

// Rising reports whether the trend is a significant increase at level alpha.
func (t Trend) Rising(alpha float64) bool {
	return t.N >= 3 && t.Slope > 0 && t.Z > 0 && t.P < alpha
}

// Cross returns the x at which the line reaches limit; ok is false when the
// line never rises to it.
func (t Trend) Cross(limit float64) (float64, bool) {
	if !(t.Slope > 0) {
		return 0, false
	}
	return (limit - t.Intercept) / t.Slope, true
}

// lastCleanup returns the index of the first point after the last fall of at
// least drop between consecutive points (0 when there is none): a disk that
// was cleaned up is fitted only from there on, so the clean-up does not hide
// the growth after it.
func lastCleanup(ys []float64, drop float64) int {
	start := 0
	for i := 1; i < len(ys); i++ {
		if ys[i-1]-ys[i] >= drop {
			start = i
		}
	}
	return start
}
