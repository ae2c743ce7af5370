package stats

import (
	"math"
	"slices"
)

// TheilSen fits a robust straight line through (xs, ys): the slope is the
// median of the slopes of all pairs with distinct x (robust to about 29%
// outliers), the intercept the median of ys − slope·xs. Slope and intercept
// are NaN when no two x differ. xs and ys are not modified.
func TheilSen(xs, ys []float64) (slope, intercept float64) {
	n := min(len(xs), len(ys))
	slopes := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if dx := xs[j] - xs[i]; dx != 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
		}
	}
	slope = Median(slopes)
	res := slopes[:0] // the slopes are spent: reuse their room
	if cap(res) < n {
		res = make([]float64, 0, n)
	}
	for i := 0; i < n; i++ {
		res = append(res, ys[i]-slope*xs[i])
	}
	return slope, Median(res)
}

// MannKendall tests ys, in time order, for a monotonic trend. S is the
// number of rising pairs minus falling pairs; its variance carries the
// correction for tied values; Z is the continuity-corrected normal score
// and P its two-sided p-value (1 when nothing can be said). ys is not
// modified.
func MannKendall(ys []float64) (s, z, p float64) {
	n := len(ys)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			switch d := ys[j] - ys[i]; {
			case d > 0:
				s++
			case d < 0:
				s--
			}
		}
	}
	nf := float64(n)
	v := nf * (nf - 1) * (2*nf + 5)
	// Tie groups: runs of equal values once sorted. Every term is an
	// integer, so the order of the sum does not matter.
	sorted := slices.Clone(ys)
	slices.Sort(sorted)
	for i := 0; i < n; {
		j := i + 1
		for j < n && sorted[j] == sorted[i] {
			j++
		}
		if c := float64(j - i); c > 1 {
			v -= c * (c - 1) * (2*c + 5)
		}
		i = j
	}
	v /= 18
	switch {
	case v <= 0:
		z = 0
	case s > 0:
		z = (s - 1) / math.Sqrt(v)
	case s < 0:
		z = (s + 1) / math.Sqrt(v)
	}
	return s, z, math.Erfc(math.Abs(z) / math.Sqrt2)
}
