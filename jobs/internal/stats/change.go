package stats

import "math"

// Pettitt is Pettitt's (1979) non-parametric change-point test, the
// Mann-Whitney statistic of every split: U_t = 2·Σ_{i≤t} r_i − t(n+1) for
// the split after t points (r: midranks), O(n log n). Only splits t in
// [lo, hi] are considered (a caller wants the first point after the split
// inside its window and a minimum number of points on each side). It
// returns the split t (the index of the first point after the change),
// K = |U_t| and the approximate significance p ≈ 2·exp(−6K²/(n³+n²)),
// capped at 1; t is −1 and p 1 when no split fits. xs is not modified.
func Pettitt(xs []float64, lo, hi int) (t int, k, p float64) {
	n := len(xs)
	if n < 2 || lo < 1 || hi > n-1 || lo > hi {
		return -1, 0, 1
	}
	r := Ranks(xs)
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

// PoissonZ is the two-sample test for a change in an event rate: a events
// over na bins after, b over nb bins before. Under "same rate" the pooled
// rate r = (a+b)/(na+nb) gives z = (a/na − b/nb)/√(r·(1/na + 1/nb)). It is
// 0 when either side has no bins or there are no events at all.
func PoissonZ(a, b float64, na, nb int) float64 {
	if na == 0 || nb == 0 {
		return 0
	}
	r := (a + b) / float64(na+nb)
	if r == 0 {
		return 0
	}
	return (a/float64(na) - b/float64(nb)) / math.Sqrt(r*(1/float64(na)+1/float64(nb)))
}
