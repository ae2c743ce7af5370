package status

import "math"

// madScale turns a median absolute deviation into a standard-deviation
// equivalent for normally distributed data (1/Φ⁻¹(3/4)), so a robust z-score
// reads like an ordinary one.
const madScale = 1.4826

// robust is the centre and spread of a set of values: the median and the
// scaled MAD. Both ignore outliers up to half the sample, so an earlier
// incident in the baseline does not widen it the way a standard deviation
// would.
type robust struct {
	median float64
	scale  float64 // madScale × MAD
	n      int
}

// robustOf computes the median and scaled MAD of v. It reorders v (it is a
// scratch buffer) and allocates nothing.
func robustOf(v []float64) robust {
	n := len(v)
	if n == 0 {
		return robust{median: math.NaN(), scale: math.NaN()}
	}
	med := median(v)
	for i, x := range v {
		v[i] = math.Abs(x - med)
	}
	return robust{median: med, scale: madScale * median(v), n: n}
}

// median returns the median of v, reordering v. Quickselect: O(n) on
// average, which matters when 8,000 series × 24 hours are summarised.
func median(v []float64) float64 {
	n := len(v)
	switch n {
	case 0:
		return math.NaN()
	case 1:
		return v[0]
	}
	k := n / 2
	hi := selectK(v, k)
	if n%2 == 1 {
		return hi
	}
	// The lower middle is the maximum of the left part after selection.
	lo := v[0]
	for _, x := range v[1:k] {
		if x > lo {
			lo = x
		}
	}
	return (lo + hi) / 2
}

// quantile returns the q-quantile (0..1) of v by the nearest-rank method,
// reordering v.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	k := int(math.Ceil(q*float64(len(v)))) - 1
	k = max(0, min(k, len(v)-1))
	return selectK(v, k)
}

// selectK places the k-th smallest element at v[k], smaller ones before it,
// and returns it (Hoare partition with a median-of-three pivot).
func selectK(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// Median of three into v[mid].
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
