package incident

import (
	"math"
	"sort"
)

// madScale turns a median absolute deviation into a standard deviation for
// normally distributed noise (1/Φ⁻¹(3/4)).
const madScale = 1.4826

// maxZ caps reported z-scores: beyond it the number says nothing more, and a
// near-zero noise estimate must not produce "Inf".
const maxZ = 999

// median returns the median of xs (NaN when empty). xs is not modified.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	s := make([]float64, n)
	copy(s, xs)
	sort.Float64s(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// mad is the median absolute deviation from the median.
func mad(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := median(xs)
	d := make([]float64, len(xs))
	for i, x := range xs {
		d[i] = math.Abs(x - m)
	}
	return median(d)
}

// diffNoise estimates the point-to-point noise of a series from its first
// differences: MAD(diff)·1.4826/√2. Slow trends and daily seasonality barely
// move it, a single step does not move it at all.
func diffNoise(xs []float64) float64 {
	if len(xs) < 3 {
		return 0
	}
	d := make([]float64, len(xs)-1)
	for i := 1; i < len(xs); i++ {
		d[i-1] = xs[i] - xs[i-1]
	}
	return madScale * mad(d) / math.Sqrt2
}

// midranks returns the 1-based ranks of xs, ties sharing their mean rank.
func midranks(xs []float64) []float64 {
	n := len(xs)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
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

// pettitt is Pettitt's (1979) non-parametric change-point test, the
// Mann-Whitney statistic of every split: U_t = 2·Σ_{i≤t} r_i − t(n+1) for the
// split after t points (r: midranks), O(n log n). Only splits t in [lo, hi]
// are considered (the first point after the split must lie in the analysis
// window, each side needs a minimum number of points). It returns the split
// t (the index of the first point after the change), K = |U_t| and the
// approximate significance p ≈ 2·exp(−6K²/(n³+n²)), capped at 1.
func pettitt(xs []float64, lo, hi int) (t int, k float64, p float64) {
	n := len(xs)
	if n < 2 || lo < 1 || hi > n-1 || lo > hi {
		return -1, 0, 1
	}
	r := midranks(xs)
	var cum float64
	best := -1.0
	t = -1
	for i := 1; i <= hi; i++ {
		cum += r[i-1]
		if i < lo {
			continue
		}
		u := math.Abs(2*cum - float64(i)*float64(n+1))
		if u > best {
			best, t = u, i
		}
	}
	nf := float64(n)
	p = 2 * math.Exp(-6*best*best/(nf*nf*nf+nf*nf))
	if p > 1 {
		p = 1
	}
	return t, best, p
}

// clampZ keeps a z-score finite and within ±maxZ.
func clampZ(z float64) float64 {
	switch {
	case math.IsNaN(z):
		return 0
	case z > maxZ:
		return maxZ
	case z < -maxZ:
		return -maxZ
	}
	return z
}

// poissonZ is the two-sample test for a change in an event rate: counts a
// over na bins after, b over nb bins before; under "same rate" the pooled
// rate r = (a+b)/(na+nb) gives z = (a/na − b/nb)/√(r·(1/na + 1/nb)).
func poissonZ(a, b float64, na, nb int) float64 {
	if na == 0 || nb == 0 {
		return 0
	}
	r := (a + b) / float64(na+nb)
	if r == 0 {
		return 0
	}
	return clampZ((a/float64(na) - b/float64(nb)) / math.Sqrt(r*(1/float64(na)+1/float64(nb))))
}
