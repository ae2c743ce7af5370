package incident

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestDetectStepAndNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var times []int64
	var step, flat, ramp []float64
	for i := 0; i < 120; i++ {
		times = append(times, start.Add(time.Duration(i)*time.Minute).Unix())
		n := rng.NormFloat64()
		flat = append(flat, 30+n)
		ramp = append(ramp, 30+n+float64(i)*0.1)
		if i >= 80 {
			step = append(step, 70+n)
		} else {
			step = append(step, 30+n)
		}
	}
	from := start.Add(60 * time.Minute).Unix()
	s := detect(times, step, from, kindPercent)
	if !s.Tested || s.Onset != 80 || s.Z < 20 || s.P > 1e-6 || !s.Step {
		t.Errorf("step: %+v", s)
	}
	if f := detect(times, flat, from, kindPercent); math.Abs(f.Z) > 2 {
		t.Errorf("flat series moved: z %v", f.Z)
	}
	if r := detect(times, ramp, from, kindPercent); r.Step {
		t.Errorf("a ramp is not a step: %+v", r)
	}
	// Too few points after the window start to test.
	if s := detect(times[:8], step[:8], from, kindPercent); s.Tested {
		t.Error("tested with 8 points")
	}
	// A level near zero jumping: the relative floor keeps z finite.
	zero := make([]float64, 120)
	for i := 80; i < 120; i++ {
		zero[i] = 1000
	}
	if z := detect(times, zero, from, kindLevel); z.Z != 20 {
		t.Errorf("0 → 1000 with no noise: z %v, want 1/0.05 = 20", z.Z)
	}
}

func TestPoissonZ(t *testing.T) {
	if z := poissonZ(150, 0, 30, 90); z < 20 {
		t.Errorf("0 → 5/bin: z %v", z)
	}
	if z := poissonZ(3, 9, 30, 90); math.Abs(z) > 0.5 {
		t.Errorf("same rate: z %v", z)
	}
	if poissonZ(0, 0, 10, 10) != 0 {
		t.Error("no events at all is no change")
	}
}
