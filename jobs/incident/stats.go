package incident

import (
	"math"

	"github.com/cwreport/cwreport/jobs/internal/stats"
)

// maxZ caps reported z-scores: beyond it the number says nothing more, and a
// near-zero noise estimate must not produce "Inf".
const maxZ = 999

// diffNoise estimates the point-to-point noise of a series from its first
// differences: MAD(diff)·1.4826/√2. Slow trends and daily seasonality barely
// move it, a single step does not move it at all. xs is not modified.
func diffNoise(xs []float64) float64 {
	if len(xs) < 3 {
		return 0
	}
	d := make([]float64, len(xs)-1)
	for i := 1; i < len(xs); i++ {
		d[i-1] = xs[i] - xs[i-1]
	}
	return stats.MADScale * stats.MAD(d) / math.Sqrt2
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

// poissonZ is stats.PoissonZ, the test for a change in an event rate,
// clamped for the report.
func poissonZ(a, b float64, na, nb int) float64 { return clampZ(stats.PoissonZ(a, b, na, nb)) }
