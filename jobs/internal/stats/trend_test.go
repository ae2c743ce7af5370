package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTheilSen(t *testing.T) {
	xs := make([]float64, 20)
	ys := make([]float64, 20)
	for i := range xs {
		xs[i] = float64(i)
		ys[i] = 10 + 2*float64(i)
	}
	ys[5] = 500 // an outlier barely moves Theil-Sen
	if s, b := TheilSen(xs, ys); math.Abs(s-2) > 1e-9 || math.Abs(b-10) > 1e-9 {
		t.Errorf("slope %v intercept %v, want 2 and 10", s, b)
	}
	if s, b := TheilSen([]float64{1, 1, 1}, []float64{1, 2, 3}); !math.IsNaN(s) || !math.IsNaN(b) {
		t.Errorf("no two x differ: slope %v intercept %v", s, b)
	}

	// Against the definition, with repeated x (pairs skipped) and ties.
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 4; n < 40; n++ { // from 4: two distinct x
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range xs {
			xs[i] = float64(i / 3 * 2)
			ys[i] = math.Round(3*float64(i)/4 + rng.NormFloat64()*5)
		}
		inX, inY := slices.Clone(xs), slices.Clone(ys)
		var pair []float64
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if xs[j] != xs[i] {
					pair = append(pair, (ys[j]-ys[i])/(xs[j]-xs[i]))
				}
			}
		}
		want := sortedMedian(pair)
		res := make([]float64, n)
		for i := range res {
			res[i] = ys[i] - want*xs[i]
		}
		s, b := TheilSen(xs, ys)
		if s != want || b != sortedMedian(res) {
			t.Errorf("n=%d: (%v, %v), want (%v, %v)", n, s, b, want, sortedMedian(res))
		}
		if !slices.Equal(xs, inX) || !slices.Equal(ys, inY) {
			t.Fatal("TheilSen modified its input")
		}
	}
}

func TestMannKendallKnownValue(t *testing.T) {
	// n = 10 without ties: Var(S) = 10·9·25/18 = 125. One discordant pair
	// of 45: S = 44 − 1 = 43, Z = (S−1)/√125.
	s, z, p := MannKendall([]float64{1, 2, 3, 4, 5, 6, 7, 8, 10, 9})
	wantZ := 42 / math.Sqrt(125)
	if s != 43 || math.Abs(z-wantZ) > 1e-12 || math.Abs(p-math.Erfc(wantZ/math.Sqrt2)) > 1e-12 {
		t.Errorf("S %v Z %.6f p %.6g, want S 43 Z %.6f", s, z, p, wantZ)
	}
	// All ties: no trend, no division by zero.
	if s, z, p := MannKendall([]float64{5, 5, 5, 5, 5}); s != 0 || z != 0 || p != 1 {
		t.Errorf("constant series: S %v Z %v p %v", s, z, p)
	}
	if _, z, _ := MannKendall([]float64{9, 7, 6, 4, 2, 1}); z >= 0 {
		t.Errorf("falling series: Z %v", z)
	}
}

// mannKendallBrute is the definition: S over all pairs, the variance with
// the tie correction summed over groups of equal values.
func mannKendallBrute(ys []float64) (s, z float64) {
	n := len(ys)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			switch {
			case ys[j] > ys[i]:
				s++
			case ys[j] < ys[i]:
				s--
			}
		}
	}
	groups := map[float64]int{}
	for _, y := range ys {
		groups[y]++
	}
	nf := float64(n)
	v := nf * (nf - 1) * (2*nf + 5)
	for _, c := range groups {
		cf := float64(c)
		v -= cf * (cf - 1) * (2*cf + 5)
	}
	v /= 18
	switch {
	case v <= 0:
	case s > 0:
		z = (s - 1) / math.Sqrt(v)
	case s < 0:
		z = (s + 1) / math.Sqrt(v)
	}
	return s, z
}

func TestMannKendallMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for n := 3; n < 60; n += 4 {
		ys := make([]float64, n)
		for i := range ys {
			ys[i] = math.Round(float64(i)/5 + rng.NormFloat64()*2) // ties on purpose
		}
		in := slices.Clone(ys)
		s, z, p := MannKendall(ys)
		ws, wz := mannKendallBrute(ys)
		if s != ws || math.Abs(z-wz) > 1e-12 || p != math.Erfc(math.Abs(z)/math.Sqrt2) {
			t.Errorf("n=%d: S %v Z %v, definition S %v Z %v", n, s, z, ws, wz)
		}
		if !slices.Equal(ys, in) {
			t.Fatal("MannKendall modified its input")
		}
	}
}
