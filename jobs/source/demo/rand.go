package demo

import "math"

// Every random-looking number in the demo is a pure function of a seed (the
// identity of what is being generated: a series, a log group, an event
// stream) and a counter (a time bucket, a line number). Nothing is drawn from
// a stateful generator, so adding an instance, widening a window or asking
// for another statistic never changes any other value: the same instant gives
// the same bytes, and overlapping windows agree on every shared point.

// mix is SplitMix64's finaliser: a fast, well-distributed 64-bit bijection.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// seedOf hashes a name (FNV-1a) into a seed.
func seedOf(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return mix(h)
}

// salt derives an independent stream from seed, so the jitter, the spread
// and the episode noise of one series do not move together.
func salt(seed uint64, n uint64) uint64 { return mix(seed ^ (n * 0xd1342543de82ef95)) }

// unit is a number in [0, 1) for counter k of stream seed: the k-th output
// of the SplitMix64 generator started at seed, computed directly.
func unit(seed uint64, k int64) float64 {
	return float64(mix(seed+uint64(k)*0x9e3779b97f4a7c15)>>11) / (1 << 53)
}

// signed is a number in [-1, 1) for counter k of stream seed.
func signed(seed uint64, k int64) float64 { return 2*unit(seed, k) - 1 }

// intn is an integer in [0, n) for counter k of stream seed.
func intn(seed uint64, k int64, n int) int { return int(unit(seed, k) * float64(n)) }

// smooth is value noise in [-1, 1]: random knots every knot seconds joined
// by a smoothstep, so it drifts instead of jumping.
func smooth(seed uint64, t, knot int64) float64 {
	k := floorDiv(t, knot)
	f := float64(t-k*knot) / float64(knot)
	a, b := signed(seed, k), signed(seed, k+1)
	f = f * f * (3 - 2*f)
	return a + (b-a)*f
}

// slow is two octaves of value noise (20 minutes and 3 hours), in about
// [-1, 1]: the drift every real metric has on top of its daily shape.
func slow(seed uint64, t int64) float64 {
	return 0.6*smooth(seed, t, 20*60) + 0.4*smooth(seed^0x5bd1e995, t, 3*3600)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
