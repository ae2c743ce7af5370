package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// samples returns random slices of many sizes, with ties on purpose (values
// rounded) and in runs (sorted, reversed, constant) that upset quickselect.
func samples() [][]float64 {
	rng := rand.New(rand.NewPCG(7, 8))
	var out [][]float64
	for n := 1; n <= 70; n++ {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Round(rng.NormFloat64() * 4)
		}
		out = append(out, v)
		s := slices.Clone(v)
		slices.Sort(s)
		r := slices.Clone(s)
		slices.Reverse(r)
		out = append(out, s, r, slices.Repeat([]float64{3}, n))
	}
	big := make([]float64, 5001)
	for i := range big {
		big[i] = rng.Float64() * 100
	}
	return append(out, big)
}

// sortedMedian is the textbook definition.
func sortedMedian(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// r7 is the R-7 percentile of sorted values, read off by its definition.
func r7(sorted []float64, p float64) float64 {
	n := len(sorted)
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

func TestSelectMatchesSort(t *testing.T) {
	for _, v := range samples() {
		sorted := slices.Clone(v)
		slices.Sort(sorted)
		step := 1
		if len(v) > 100 {
			step = 97 // every k of the small samples, a spread of the large one
		}
		var ks []int
		for k := 0; k < len(v); k += step {
			ks = append(ks, k)
		}
		for _, k := range append(ks, len(v)-1) {
			w := slices.Clone(v)
			if got := Select(w, k); got != sorted[k] {
				t.Fatalf("n=%d k=%d: %v, want %v", len(v), k, got, sorted[k])
			}
			for i := range w {
				if i < k && w[i] > w[k] || i > k && w[i] < w[k] {
					t.Fatalf("n=%d k=%d: not partitioned at %d", len(v), k, i)
				}
			}
			slices.Sort(w)
			if !slices.Equal(w, sorted) {
				t.Fatalf("n=%d: Select lost or invented values", len(v))
			}
		}
	}
}

func TestMedianAndPercentiles(t *testing.T) {
	for _, v := range samples() {
		sorted := slices.Clone(v)
		slices.Sort(sorted)
		if got, want := Median(slices.Clone(v)), sortedMedian(v); got != want {
			t.Errorf("n=%d: median %v, want %v", len(v), got, want)
		}
		for _, q := range []float64{0, 0.01, 0.5, 0.95, 0.995, 1} {
			want := sorted[max(0, int(math.Ceil(q*float64(len(v))))-1)]
			if got := NearestRank(slices.Clone(v), q); got != want {
				t.Errorf("n=%d: nearest rank %v = %v, want %v", len(v), q, got, want)
			}
		}
		ps := []float64{99.5, 0, 50, 95, 12.5, 100}
		got := Percentiles(slices.Clone(v), ps...)
		for i, p := range ps {
			if want := r7(sorted, p); got[i] != want {
				t.Errorf("n=%d: p%g = %v, want %v", len(v), p, got[i], want)
			}
		}
	}
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct{ p, want float64 }{{50, 5.5}, {95, 9.55}, {99.5, 9.955}, {100, 10}, {0, 1}} {
		if got := Percentile(slices.Clone(v), tc.p); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("p%g = %g, want %g", tc.p, got, tc.want)
		}
	}
	if q := NearestRank([]float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10}, 0.95); q != 10 {
		t.Errorf("nearest-rank p95 %v, want 10", q)
	}
	for name, f := range map[string]func([]float64) float64{
		"median": Median, "mad": MAD,
		"nearest":    func(v []float64) float64 { return NearestRank(v, 0.5) },
		"percentile": func(v []float64) float64 { return Percentile(v, 50) },
	} {
		if !math.IsNaN(f(nil)) {
			t.Errorf("%s of nothing is not NaN", name)
		}
	}
}

func TestRobust(t *testing.T) {
	for _, c := range []struct {
		in       []float64
		med, mad float64
	}{
		{[]float64{1}, 1, 0},
		{[]float64{3, 1, 2}, 2, 1},
		{[]float64{1, 2, 3, 4}, 2.5, 1},
		{[]float64{4, 1, 3, 2}, 2.5, 1},
		{[]float64{1, 1, 1, 1, 100}, 1, 0},
		{[]float64{5, 5, 5, 100}, 5, 0},
		{[]float64{5, 5, 5, 5}, 5, 0},
	} {
		r := RobustOf(slices.Clone(c.in))
		if r.Median != c.med || r.Scale != MADScale*c.mad || r.N != len(c.in) {
			t.Errorf("%v: %+v, want median %v scale %v", c.in, r, c.med, MADScale*c.mad)
		}
		if d := MAD(slices.Clone(c.in)); d != c.mad {
			t.Errorf("MAD(%v) = %v, want %v", c.in, d, c.mad)
		}
	}
	// Against the definition: the median of |x − median|.
	for _, v := range samples() {
		m := sortedMedian(v)
		dev := make([]float64, len(v))
		for i, x := range v {
			dev[i] = math.Abs(x - m)
		}
		if got, want := MAD(slices.Clone(v)), sortedMedian(dev); got != want {
			t.Errorf("n=%d: MAD %v, want %v", len(v), got, want)
		}
	}
	if r := RobustOf(nil); !math.IsNaN(r.Median) || !math.IsNaN(r.Scale) || r.N != 0 {
		t.Errorf("empty sample: %+v", r)
	}
}

// The order statistics run on scratch buffers in the analyzers' inner
// loops: they must not allocate.
func TestNoAllocations(t *testing.T) {
	v := samples()[len(samples())-1]
	w := make([]float64, len(v))
	for name, f := range map[string]func(){
		"Median":      func() { copy(w, v); Median(w) },
		"NearestRank": func() { copy(w, v); NearestRank(w, 0.95) },
		"Percentile":  func() { copy(w, v); Percentile(w, 99.5) },
		"RobustOf":    func() { copy(w, v); RobustOf(w) },
	} {
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
}

func TestRanks(t *testing.T) {
	r := Ranks([]float64{10, 20, 10, 30})
	if !slices.Equal(r, []float64{1.5, 3, 1.5, 4}) {
		t.Errorf("ranks %v", r)
	}
	// Against the definition: 1 + (values below) + (other equal values)/2.
	for _, v := range samples()[:200] {
		in := slices.Clone(v)
		got := Ranks(v)
		if !slices.Equal(v, in) {
			t.Fatal("Ranks reordered its input")
		}
		for i, x := range v {
			below, equal := 0, 0
			for _, y := range v {
				switch {
				case y < x:
					below++
				case y == x:
					equal++
				}
			}
			if want := 1 + float64(below) + float64(equal-1)/2; got[i] != want {
				t.Fatalf("n=%d: rank of %v is %v, want %v", len(v), x, got[i], want)
			}
		}
	}
}
