package incident

import (
	"math"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/stats"
)

// minSegment is the fewest points each side of a change needs: with one
// point a minute, a change must last five minutes to be told from a blip.
const minSegment = 5

// noiseFloorPercent is the smallest noise scale of a percentage metric, in
// points: with the default min_shift of 5, a percentage must move at least
// 5 points to count, however quiet it was before.
const noiseFloorPercent = 1.0

// noiseFloorRelative is the smallest noise scale of any other metric, as a
// fraction of the larger of the two medians: with min_shift 5 the smallest
// change that counts is about a third up or a quarter down, so a metric
// sitting at exactly 1000 is not "changed" by moving to 1010.
const noiseFloorRelative = 0.05

// valueKind says how a series' noise is modelled.
type valueKind int

const (
	kindLevel   valueKind = iota // a measured level (bytes, ops, counts per period)
	kindPercent                  // a percentage (CPU, memory, disk)
	kindEvents                   // events per bin (log errors): Poisson
)

// shift is the change found in one series, or why none could be tested.
type shift struct {
	// Tested is false when the series had too few points on either side.
	Tested bool
	// Split is the index of the first point after Pettitt's change point.
	Split int
	// Onset is the index of the first point of the change: the first of three
	// consecutive points past halfway between the two medians, searched
	// within minSegment points of the split.
	Onset int
	Time  time.Time
	// Before and After are the medians (for events: the mean rate per bin).
	Before, After float64
	// Noise is the pre-change noise scale the shift is divided by.
	Noise float64
	// Z is (After − Before) / Noise, or the Poisson rate z for events.
	Z float64
	// P is Pettitt's approximate significance of the change point.
	P float64
	// Step is true for an abrupt change (the shift across the onset alone is
	// at least half the total), false for a drift.
	Step bool
	// NBefore, NAfter count the points on each side.
	NBefore, NAfter int
	// SumAfter, SumBefore are the event counts (kindEvents only).
	SumBefore, SumAfter float64
}

// detect finds the most likely change point in vals (at Unix seconds
// times) whose first changed point lies at or after from, and measures the
// shift across it.
func detect(times []int64, vals []float64, from int64, kind valueKind) shift {
	n := len(vals)
	first := 0
	for first < n && times[first] < from {
		first++
	}
	lo := max(minSegment, first)
	hi := n - minSegment
	if n < 2*minSegment || lo > hi {
		return shift{NBefore: first, NAfter: n - first}
	}
	t, _, p := stats.Pettitt(vals, lo, hi)
	before, after := vals[:t], vals[t:]
	s := shift{Tested: true, Split: t, P: p, NBefore: len(before), NAfter: len(after)}
	switch kind {
	case kindEvents:
		for _, v := range before {
			s.SumBefore += v
		}
		for _, v := range after {
			s.SumAfter += v
		}
		s.Before = s.SumBefore / float64(len(before))
		s.After = s.SumAfter / float64(len(after))
		s.Noise = math.Sqrt(math.Max(s.Before, 1/float64(len(before))))
		s.Z = poissonZ(s.SumAfter, s.SumBefore, len(after), len(before))
	default:
		// vals is read again below: the statistics work on a copy.
		sc := make([]float64, 0, n)
		s.Before = stats.Median(append(sc, before...))
		s.After = stats.Median(append(sc, after...))
		floor := noiseFloorPercent
		if kind == kindLevel {
			floor = noiseFloorRelative * math.Max(math.Abs(s.Before), math.Abs(s.After))
		}
		s.Noise = math.Max(math.Max(stats.MADScale*stats.MAD(append(sc, before...)), diffNoise(before)), math.Max(floor, 1e-9))
		s.Z = clampZ((s.After - s.Before) / s.Noise)
	}
	s.Onset = onset(vals, t, max(first, 1), (s.Before+s.After)/2, s.After >= s.Before)
	s.Time = time.Unix(times[s.Onset], 0).UTC()
	s.Step = isStep(vals, s.Onset, s.After-s.Before)
	return s
}

// onset refines the split to the first of three consecutive points past
// mid (in the direction of the change), looking minSegment points either
// side of split but not before lo.
func onset(vals []float64, split, lo int, mid float64, up bool) int {
	past := func(i int) bool {
		if up {
			return vals[i] > mid
		}
		return vals[i] < mid
	}
	for j := max(lo, split-minSegment); j <= split+minSegment && j+2 < len(vals); j++ {
		if past(j) && past(j+1) && past(j+2) {
			return j
		}
	}
	return split
}

// isStep reports whether the local shift across the onset (medians of
// minSegment points each side) carries at least half of the total shift.
func isStep(vals []float64, at int, total float64) bool {
	if total == 0 {
		return false
	}
	lo, hi := max(0, at-minSegment), min(len(vals), at+minSegment)
	if at-lo < 2 || hi-at < 2 {
		return true
	}
	sc := make([]float64, 0, hi-lo)
	local := stats.Median(append(sc, vals[at:hi]...)) - stats.Median(append(sc, vals[lo:at]...))
	return local/total >= 0.5
}
