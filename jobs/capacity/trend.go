package capacity

import (
	"math"
	"slices"
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
	slopes := make([]float64, 0, n*(n-1)/2)
	var s float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if dx := xs[j] - xs[i]; dx != 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
			switch d := ys[j] - ys[i]; {
			case d > 0:
				s++
			case d < 0:
				s--
			}
		}
	}
	t.Slope = median(slopes)
	res := make([]float64, n)
	for i := range xs {
		res[i] = ys[i] - t.Slope*xs[i]
	}
	t.Intercept = median(res)

	// Variance of S with the correction for tied values.
	ties := map[float64]int{}
	for _, y := range ys {
		ties[y]++
	}
	nf := float64(n)
	v := nf * (nf - 1) * (2*nf + 5)
	for _, c := range ties {
		if c > 1 {
			cf := float64(c)
			v -= cf * (cf - 1) * (2*cf + 5)
		}
	}
	v /= 18
	switch {
	case v <= 0:
		t.Z = 0
	case s > 0:
		t.Z = (s - 1) / math.Sqrt(v)
	case s < 0:
		t.Z = (s + 1) / math.Sqrt(v)
	}
	t.P = math.Erfc(math.Abs(t.Z) / math.Sqrt2)
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

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// percentile of sorted values, linear interpolation between closest ranks
// (the "R-7" definition spreadsheets use).
func percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if n == 1 {
		return sorted[0]
	}
	h := (float64(n) - 1) * p / 100
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// quantiles returns the R-7 percentiles ps (ascending or not) of vals
// without sorting them: a selection per rank, O(n) each, which is what keeps
// a month of 5-minute points per instance cheap. vals is reordered.
func quantiles(vals []float64, ps ...float64) []float64 {
	out := make([]float64, len(ps))
	n := len(vals)
	if n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	for i, p := range ps {
		h := (float64(n) - 1) * p / 100
		lo := int(math.Floor(h))
		if lo >= n-1 {
			lo = n - 1
		}
		v := selectK(vals, lo)
		if frac := h - float64(lo); frac > 0 && lo < n-1 {
			// The next order statistic is the minimum of what lies above.
			next := vals[lo+1]
			for _, x := range vals[lo+2:] {
				if x < next {
					next = x
				}
			}
			v += frac * (next - v)
		}
		out[i] = v
	}
	return out
}

// selectK rearranges v so that v[k] is the k-th smallest, everything before
// it no larger and everything after no smaller (quickselect, median-of-3).
func selectK(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for hi > lo {
		if hi-lo < 16 {
			for i := lo + 1; i <= hi; i++ {
				for j := i; j > lo && v[j] < v[j-1]; j-- {
					v[j], v[j-1] = v[j-1], v[j]
				}
			}
			break
		}
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}
