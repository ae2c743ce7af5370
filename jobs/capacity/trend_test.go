package capacity

import (
	"math"
	"testing"
)

func TestFitTrend(t *testing.T) {
	xs := make([]float64, 20)
	ys := make([]float64, 20)
	for i := range xs {
		xs[i] = float64(i)
		ys[i] = 10 + 2*float64(i)
	}
	ys[5] = 500 // an outlier barely moves Theil-Sen
	tr := FitTrend(xs, ys)
	if math.Abs(tr.Slope-2) > 1e-9 || math.Abs(tr.Intercept-10) > 1e-9 {
		t.Errorf("fit %+v, want slope 2 intercept 10", tr)
	}
	if !tr.Rising(0.05) || tr.P > 1e-6 {
		t.Errorf("monotonic rise not significant: %+v", tr)
	}
	if x, ok := tr.Cross(90); !ok || math.Abs(x-40) > 1e-9 {
		t.Errorf("cross %v %v, want 40", x, ok)
	}
	// All ties: no trend, no division by zero.
	for i := range ys {
		ys[i] = 5
	}
	if tr := FitTrend(xs, ys); tr.Rising(0.05) || tr.P != 1 || tr.Slope != 0 {
		t.Errorf("constant series %+v", tr)
	}
	// Falling: never a forecast.
	for i := range ys {
		ys[i] = 90 - float64(i)
	}
	if tr := FitTrend(xs, ys); tr.Rising(0.05) {
		t.Errorf("falling series rises: %+v", tr)
	} else if _, ok := tr.Cross(100); ok {
		t.Error("falling series crosses its limit")
	}
	if tr := FitTrend(xs[:2], ys[:2]); !math.IsNaN(tr.Slope) || tr.Rising(0.05) {
		t.Errorf("two points fitted: %+v", tr)
	}
}

func TestMannKendallKnownValue(t *testing.T) {
	// n = 10 without ties: Var(S) = 10·9·25/18 = 125.
	ys := []float64{1, 2, 3, 4, 5, 6, 7, 8, 10, 9}
	xs := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	// One discordant pair of 45: S = 44 - 1 = 43, Z = (S-1)/√125.
	tr := FitTrend(xs, ys)
	wantZ := 42 / math.Sqrt(125)
	if math.Abs(tr.Z-wantZ) > 1e-9 || math.Abs(tr.P-math.Erfc(wantZ/math.Sqrt2)) > 1e-12 {
		t.Errorf("Z %.6f p %.6g, want Z %.6f", tr.Z, tr.P, wantZ)
	}
}

func TestLastCleanup(t *testing.T) {
	for _, tc := range []struct {
		ys   []float64
		want int
	}{
		{[]float64{50, 55, 60, 65}, 0},
		{[]float64{50, 70, 40, 45, 80, 60, 62}, 5},
		{[]float64{50, 45, 40}, 0}, // a slow fall is not a clean-up
	} {
		if got := lastCleanup(tc.ys, 10); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.ys, got, tc.want)
		}
	}
}
