package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// pettittBrute is the O(n²) definition, to check the rank form against.
func pettittBrute(xs []float64, lo, hi int) (int, float64) {
	best, at := -1.0, -1
	for t := lo; t <= hi; t++ {
		u := 0.0
		for i := 0; i < t; i++ {
			for j := t; j < len(xs); j++ {
				switch {
				case xs[i] > xs[j]:
					u++
				case xs[i] < xs[j]:
					u--
				}
			}
		}
		if math.Abs(u) > best {
			best, at = math.Abs(u), t
		}
	}
	return at, best
}

func TestPettittMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 10; n < 60; n += 7 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Round(rng.NormFloat64() * 3) // ties on purpose
			if i > n/3 {
				xs[i] += 2
			}
		}
		gt, gk, p := Pettitt(xs, 3, n-3)
		wt, wk := pettittBrute(xs, 3, n-3)
		if gt != wt || gk != wk {
			t.Errorf("n=%d: pettitt (%d, %v), definition (%d, %v)", n, gt, gk, wt, wk)
		}
		nf := float64(n)
		if want := math.Min(1, 2*math.Exp(-6*wk*wk/(nf*nf*nf+nf*nf))); p != want {
			t.Errorf("n=%d: p %v, want %v", n, p, want)
		}
	}
	for _, tc := range []struct{ n, lo, hi int }{{1, 1, 1}, {10, 0, 5}, {10, 3, 10}, {10, 6, 5}} {
		if at, k, p := Pettitt(make([]float64, tc.n), tc.lo, tc.hi); at != -1 || k != 0 || p != 1 {
			t.Errorf("%+v: (%d, %v, %v), want no split", tc, at, k, p)
		}
	}
}

func TestPoissonZ(t *testing.T) {
	if z := PoissonZ(150, 0, 30, 90); z < 20 {
		t.Errorf("0 → 5/bin: z %v", z)
	}
	if z := PoissonZ(3, 9, 30, 90); math.Abs(z) > 0.5 {
		t.Errorf("same rate: z %v", z)
	}
	if PoissonZ(0, 0, 10, 10) != 0 || PoissonZ(5, 5, 0, 10) != 0 {
		t.Error("no events or no bins is no change")
	}
	// 10 events in 10 bins after, 10 in 40 before: rates 1 and 0.25,
	// pooled 0.4, z = 0.75/√(0.4·(0.1+0.025)) = 0.75/√0.05.
	if z, want := PoissonZ(10, 10, 10, 40), 0.75/math.Sqrt(0.05); math.Abs(z-want) > 1e-12 {
		t.Errorf("z %v, want %v", z, want)
	}
}
