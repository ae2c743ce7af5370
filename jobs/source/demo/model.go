package demo

import "math"

// A model is one metric series of one instance as a function of time: a
// daily shape (the Seoul business day, a nightly batch window, or none),
// scaled by a peak level, a long-term trend and a week-over-week change,
// wobbled by slow noise, with story episodes (a spike, a burst, a failed
// status check) laid over it. A point of any period is computed directly
// from the model, so 30 days at 5 minutes costs one evaluation per point.

type shape uint8

const (
	business shape = iota // busier in Seoul office hours, quieter at night and weekends
	nightly               // a batch window from 01:00 to 03:30 KST every night
	steady                // no daily shape (disk usage)
	binary                // 0 or 1 per sample (status checks)
)

// knot is one point of a piecewise-linear trend: the multiplier v at ago
// days before At.
type knot struct{ ago, v float64 }

// episode replaces the model's level by level (± noise) during [start, end).
type episode struct {
	start, end int64
	level      float64
	noise      float64
}

type model struct {
	seed uint64
	// streams are the model's independent noise streams (see newStreams).
	streams [streamCount]uint64
	at      int64 // the run instant, Unix seconds
	shape   shape
	peak    float64 // level at the busiest hour of a weekday
	night   float64 // quietest level as a fraction of peak
	trend   []knot  // sorted by ago, descending; nil = no trend
	// lastWeek multiplies the level before At-7d (0: no change), with a
	// six-hour transition, for the benchmark's week-over-week story.
	lastWeek float64
	// wobble is the relative amplitude of slow drift; jitter of per-point
	// noise at one-minute resolution; spread of the within-period range
	// (max - average) relative to the level; abs an absolute floor for
	// jitter and spread, so a near-zero series is never flat.
	wobble, jitter, spread, abs float64
	lo, hi                      float64 // physical bounds (hi 0: none)
	integer                     bool    // samples are whole numbers (bytes, counts)
	eps                         []episode
}

// pt is one period: average, minimum and maximum of its samples, and how
// many one-minute samples it has.
type pt struct{ avg, lo, hi, n float64 }

// weekdayCurve is the busy-ness of a Seoul weekday by hour (0-24, the last
// repeating the first): up from 08:00, a lunch dip at 12:00-13:00, the
// afternoon peak, quiet after 20:00.
var weekdayCurve = [25]float64{
	0.10, 0.07, 0.05, 0.05, 0.05, 0.07, 0.12, 0.25, 0.50, 0.80, 0.95, 1.00,
	0.80, 0.90, 1.00, 1.00, 0.95, 0.85, 0.60, 0.42, 0.33, 0.27, 0.20, 0.14, 0.10,
}

// season is the business-day shape at t, in [0, 1].
func season(t int64) float64 {
	local := t + seoulOffset
	sod := local - floorDiv(local, 86400)*86400
	wd := (floorDiv(local, 86400) + 4) % 7 // 1970-01-01 was a Thursday; 0 = Sunday
	if wd < 0 {
		wd += 7
	}
	h := float64(sod) / 3600
	i := int(h)
	c := weekdayCurve[i] + (weekdayCurve[i+1]-weekdayCurve[i])*(h-float64(i))
	if wd == 0 || wd == 6 {
		return 0.06 + 0.3*c
	}
	return c
}

// batchWindow is 1 from 01:00 to 03:30 KST, with 15-minute ramps, else 0.
func batchWindow(t int64) float64 {
	local := t + seoulOffset
	m := float64(local-floorDiv(local, 86400)*86400) / 60 // minute of day
	switch {
	case m < 60 || m >= 225:
		return 0
	case m < 75:
		return (m - 60) / 15
	case m >= 210:
		return (225 - m) / 15
	}
	return 1
}

func (m *model) trendAt(t int64) float64 {
	ago := float64(m.at-t) / 86400
	ks := m.trend
	if ago >= ks[0].ago {
		return ks[0].v
	}
	for i := 1; i < len(ks); i++ {
		if ago >= ks[i].ago {
			a, b := ks[i-1], ks[i]
			return b.v + (a.v-b.v)*(ago-b.ago)/(a.ago-b.ago)
		}
	}
	return ks[len(ks)-1].v
}

func (m *model) weekAt(t int64) float64 {
	const ramp = 6 * 3600
	b := m.at - int64(weekChange.Seconds())
	f := clamp(float64(t-(b-ramp/2))/ramp, 0, 1)
	f = f * f * (3 - 2*f)
	return m.lastWeek + (1-m.lastWeek)*f
}

// level is the noiseless-but-drifting level at t.
func (m *model) level(t int64) float64 {
	d := 1.0
	switch m.shape {
	case business:
		d = m.night + (1-m.night)*season(t)
	case nightly:
		d = m.night + (1-m.night)*batchWindow(t)
	}
	v := m.peak * d
	if m.trend != nil {
		v *= m.trendAt(t)
	}
	if m.lastWeek != 0 {
		v *= m.weekAt(t)
	}
	return v * (1 + m.wobble*slow(m.seed, t))
}

// Independent noise streams of a model.
const (
	streamJitter = iota + 1
	streamAbs
	streamHi
	streamLo
	streamEpisode
	streamEpisodeSlow
	streamCount
)

// init derives the noise streams from the seed; modelFor calls it once.
func (m *model) initStreams() {
	for i := range m.streams {
		m.streams[i] = salt(m.seed, uint64(i))
	}
}

// spreadScale is how the within-period range grows with the number of
// samples: none for one sample, 1 at five, ~1.6 at sixty.
func spreadScale(n float64) float64 {
	if n <= 1 {
		return 0
	}
	return math.Sqrt(math.Log(n) / math.Log(5))
}

// scale is what depends only on a period's length: its number of
// one-minute samples, the jitter's 1/sqrt(n) and the spread's growth.
type scale struct{ n, sc, g float64 }

func scaleFor(span int64) scale {
	n := math.Max(1, math.Floor(float64(span)/60))
	return scale{n: n, sc: 1 / math.Sqrt(n), g: spreadScale(n)}
}

// point computes the period [t, end).
func (m *model) point(t, end int64) pt { return m.pointScaled(t, end, scaleFor(end-t)) }

func (m *model) pointScaled(t, end int64, s scale) pt {
	span := end - t
	n, sc, g := s.n, s.sc, s.g
	if m.shape == binary {
		return m.binaryPoint(t, end, n)
	}
	base := m.level(t + span/2)
	p := m.spreadAround(base*(1+m.jitter*sc*signed(m.streams[streamJitter], t))+
		m.abs*sc*signed(m.streams[streamAbs], t), m.spread, g, t)
	p.n = n
	for _, e := range m.eps {
		o := min(end, e.end) - max(t, e.start)
		if o <= 0 {
			continue
		}
		f := float64(o) / float64(span)
		lvl := e.level * (1 + e.noise*(0.6*slow(m.streams[streamEpisodeSlow], t)+0.4*sc*signed(m.streams[streamEpisode], t)))
		// An episode is a steadier state (a pinned CPU, a saturated
		// link): its spread follows its own noise.
		q := m.spreadAround(lvl, 2*e.noise, g, t)
		if f >= 1 {
			p.avg, p.lo, p.hi = q.avg, q.lo, q.hi
			continue
		}
		p.avg = (1-f)*p.avg + f*q.avg
		p.lo = math.Min(p.lo, q.lo)
		p.hi = math.Max(p.hi, q.hi)
	}
	return m.bound(p)
}

func (m *model) spreadAround(avg, spread, g float64, t int64) pt {
	if g == 0 {
		return pt{avg: avg, lo: avg, hi: avg}
	}
	dev := (spread*math.Abs(avg) + m.abs) * g
	return pt{avg: avg,
		hi: avg + dev*(0.35+0.65*unit(m.streams[streamHi], t)),
		lo: avg - 0.8*dev*(0.35+0.65*unit(m.streams[streamLo], t))}
}

// bound keeps the point physical: within [lo, hi], whole samples for
// counters, and min <= average <= max.
func (m *model) bound(p pt) pt {
	hi := m.hi
	if hi == 0 {
		hi = math.MaxFloat64
	}
	p.avg, p.lo, p.hi = fclamp(p.avg, m.lo, hi), fclamp(p.lo, m.lo, hi), fclamp(p.hi, m.lo, hi)
	if m.integer {
		p.avg = math.Round(p.avg*p.n) / p.n
		p.hi = math.Ceil(p.hi)
		p.lo = math.Floor(p.lo)
	}
	if p.n == 1 {
		p.lo, p.hi = p.avg, p.avg
	}
	if p.lo > p.avg {
		p.lo = p.avg
	}
	if p.hi < p.avg {
		p.hi = p.avg
	}
	return p
}

// fclamp is clamp for finite values, without math.Min/Max's NaN handling.
func fclamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// binaryPoint: samples are 1 while an episode lasts, else 0.
func (m *model) binaryPoint(t, end int64, n float64) pt {
	var failed float64
	for _, e := range m.eps {
		if o := min(end, e.end) - max(t, e.start); o > 0 {
			failed += math.Ceil(float64(o) / 60)
		}
	}
	failed = math.Min(failed, n)
	p := pt{avg: failed / n, n: n}
	if failed > 0 {
		p.hi = 1
	}
	if failed == n {
		p.lo = 1
	}
	return p
}

// stat is a parsed CloudWatch statistic.
type stat struct {
	kind byte    // a(verage) x(max) m(in) s(um) c(ount) p(ercentile)
	q    float64 // percentile, 0-100
}

// parseStat accepts what GetMetricData accepts of the statistics the demo
// can compute: Average, Maximum, Minimum, Sum, SampleCount and pNN(.NN).
func parseStat(s string) (stat, bool) {
	switch s {
	case "Average":
		return stat{kind: 'a'}, true
	case "Maximum":
		return stat{kind: 'x'}, true
	case "Minimum":
		return stat{kind: 'm'}, true
	case "Sum":
		return stat{kind: 's'}, true
	case "SampleCount":
		return stat{kind: 'c'}, true
	}
	if len(s) < 2 || s[0] != 'p' {
		return stat{}, false
	}
	q, ok := parsePercent(s[1:])
	if !ok {
		return stat{}, false
	}
	return stat{kind: 'p', q: q}, true
}

// parsePercent reads "99", "99.5", "50" (0 < q <= 100).
func parsePercent(s string) (float64, bool) {
	var q, frac float64
	seenDot, digits := false, 0
	scale := 1.0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if seenDot {
				scale /= 10
				frac += float64(c-'0') * scale
			} else {
				q = q*10 + float64(c-'0')
			}
		case c == '.' && !seenDot && digits > 0:
			seenDot = true
		default:
			return 0, false
		}
	}
	q += frac
	if digits == 0 || s[len(s)-1] == '.' || q <= 0 || q > 100 {
		return 0, false
	}
	return q, true
}

// value is the statistic of a period. Percentiles are placed between the
// average (p50) and the extremes with a cubic, so p90 < p99 < p100 = max.
func (m *model) value(st stat, p pt) float64 {
	switch st.kind {
	case 'a':
		return p.avg
	case 'x':
		return p.hi
	case 'm':
		return p.lo
	case 's':
		if m.integer || m.shape == binary {
			return math.Round(p.avg * p.n)
		}
		return p.avg * p.n
	case 'c':
		return p.n
	}
	if m.shape == binary {
		if st.q/100 > 1-p.avg {
			return 1
		}
		return 0
	}
	if st.q >= 50 {
		u := (st.q - 50) / 50
		return p.avg + (p.hi-p.avg)*u*u*u
	}
	u := (50 - st.q) / 50
	return p.avg - (p.avg-p.lo)*u*u*u
}
