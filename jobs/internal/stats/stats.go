// Package stats holds the robust statistics the analyzers share: order
// statistics by selection (median, percentiles), the median absolute
// deviation, the Theil-Sen slope with the Mann-Kendall trend test, and the
// rank tests for a change (Pettitt, Poisson rates).
//
// A function that takes a slice says whether it reorders it. The analyzers
// pass scratch buffers they own, so summarising thousands of series
// allocates nothing; a caller that still needs its order copies first.
// Values must not be NaN: callers drop missing points before asking.
package stats

import (
	"math"
	"slices"
)

// MADScale turns a median absolute deviation into a standard-deviation
// equivalent for normally distributed data (1/Φ⁻¹(3/4)), so a robust
// z-score reads like an ordinary one.
const MADScale = 1.4826

// Select rearranges v so that v[k] is the k-th smallest (0-based), nothing
// before it larger and nothing after it smaller, and returns v[k].
// Quickselect with a median-of-three pivot, insertion sort below 16
// elements: O(n) on average, which is what keeps a month of 5-minute points
// per series cheap.
func Select(v []float64, k int) float64 {
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

// Median returns the median of v (the mean of the two middle values when
// len(v) is even; NaN when v is empty). It reorders v.
func Median(v []float64) float64 {
	n := len(v)
	switch n {
	case 0:
		return math.NaN()
	case 1:
		return v[0]
	}
	k := n / 2
	hi := Select(v, k)
	if n%2 == 1 {
		return hi
	}
	// The lower middle is the largest of what selection left before k.
	lo := v[0]
	for _, x := range v[1:k] {
		if x > lo {
			lo = x
		}
	}
	return (lo + hi) / 2
}

// NearestRank returns the q-quantile (0..1) of v by the nearest-rank
// method: always one of the values, never an interpolation. It reorders v.
func NearestRank(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	k := int(math.Ceil(q*float64(len(v)))) - 1
	k = max(0, min(k, len(v)-1))
	return Select(v, k)
}

// Percentile returns the p-th percentile (0..100) of v, interpolating
// linearly between the closest ranks (the "R-7" definition spreadsheets
// use), without sorting: one selection. It reorders v.
func Percentile(v []float64, p float64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	h := (float64(n) - 1) * p / 100
	lo := int(math.Floor(h))
	if lo >= n-1 {
		lo = n - 1
	}
	x := Select(v, lo)
	if frac := h - float64(lo); frac > 0 && lo < n-1 {
		// The next order statistic is the smallest of what lies above.
		next := v[lo+1]
		for _, y := range v[lo+2:] {
			if y < next {
				next = y
			}
		}
		x += frac * (next - x)
	}
	return x
}

// Percentiles returns the R-7 percentiles ps (0..100, in any order) of v,
// one selection each. It reorders v.
func Percentiles(v []float64, ps ...float64) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = Percentile(v, p)
	}
	return out
}

// MAD returns the median absolute deviation of v from its median (NaN when
// v is empty). It reorders v and overwrites it with the deviations.
func MAD(v []float64) float64 {
	_, mad := medianMAD(v)
	return mad
}

func medianMAD(v []float64) (med, mad float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	med = Median(v)
	for i, x := range v {
		v[i] = math.Abs(x - med)
	}
	return med, Median(v)
}

// Robust is the centre and spread of a sample: the median and the scaled
// MAD. Both ignore outliers up to half the sample, so an earlier incident
// in a baseline does not widen it the way a standard deviation would.
type Robust struct {
	// Median is the sample median.
	Median float64
	// Scale is MADScale × MAD: a standard deviation for normal noise.
	Scale float64
	// N is the sample size.
	N int
}

// RobustOf computes the median and scaled MAD of v. It reorders v and
// overwrites it with the absolute deviations; it allocates nothing.
func RobustOf(v []float64) Robust {
	med, mad := medianMAD(v)
	return Robust{Median: med, Scale: MADScale * mad, N: len(v)}
}

// Ranks returns the 1-based ranks of xs, ties sharing their mean rank
// (midranks). xs is not modified.
func Ranks(xs []float64) []float64 {
	n := len(xs)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	// Ties get one mean rank, so the order among them does not matter.
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case xs[a] < xs[b]:
			return -1
		case xs[a] > xs[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, n)
	for i := 0; i < n; {
		j := i
		for j+1 < n && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		mean := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mean
		}
		i = j + 1
	}
	return r
}
