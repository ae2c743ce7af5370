package aws

import "time"

// GetMetricData's documented limits: a call holds at most 500 queries and a
// response at most 100,800 datapoints (beyond that CloudWatch paginates).
const (
	MaxQueriesPerCall    = 500
	MaxDatapointsPerCall = 100800
)

// MinCalls is the fewest GetMetricData calls that fetch n series of points
// datapoints each: max(ceil(n/500), ceil(n/floor(100800/points))). It
// assumes 1 <= points <= 100,800 (longer series are split in time first,
// see TimeChunks).
func MinCalls(n, points int) int {
	if n <= 0 {
		return 0
	}
	return max(ceilDiv(n, MaxQueriesPerCall), ceilDiv(n, MaxDatapointsPerCall/points))
}

// Shape is Series series of Points datapoints each: the queries of one
// period.
type Shape struct{ Series, Points int }

// MinCallsByPeriod is the fewest GetMetricData calls the planner makes for
// series of several periods: each period is packed on its own, so the calls
// are the sum of MinCalls over the shapes. (Mixing periods in one call
// could fill the last, partial call of each period with another's series,
// saving at most one call per period beyond the first.)
func MinCallsByPeriod(shapes ...Shape) int {
	n := 0
	for _, s := range shapes {
		n += MinCalls(s.Series, s.Points)
	}
	return n
}

// Batch is the half-open range [Start, End) of query indexes sent in one
// GetMetricData call.
type Batch struct{ Start, End int }

// PlanBatches packs n queries of points datapoints each into calls: every
// call but the last holds the most queries both limits allow,
// min(500, floor(100800/points)), so the number of calls is MinCalls(n,
// points). It is pure so that equality can be tested exhaustively.
func PlanBatches(n, points int) []Batch {
	if n <= 0 {
		return nil
	}
	if points < 1 {
		points = 1
	}
	per := min(MaxQueriesPerCall, MaxDatapointsPerCall/max(points, 1))
	if per < 1 {
		per = 1
	}
	out := make([]Batch, 0, ceilDiv(n, per))
	for start := 0; start < n; start += per {
		out = append(out, Batch{start, min(start+per, n)})
	}
	return out
}

// TimeChunk is one [Start, End) slice of a metric window whose points fit
// in one response.
type TimeChunk struct {
	Start, End time.Time
	Points     int
}

// TimeChunks aligns [start, end) to period (start down, end up, as
// CloudWatch buckets datapoints) and splits it so that no chunk holds more
// than 100,800 datapoints of one series. Almost every request is one chunk:
// 100,800 one-minute points are 70 days, beyond the 15 days CloudWatch keeps
// them.
func TimeChunks(start, end time.Time, period time.Duration) []TimeChunk {
	if period <= 0 || !end.After(start) {
		return nil
	}
	start = start.Truncate(period)
	if t := end.Truncate(period); t.Before(end) {
		end = t.Add(period)
	}
	total := int(end.Sub(start) / period)
	var out []TimeChunk
	for done := 0; done < total; {
		n := min(total-done, MaxDatapointsPerCall)
		s := start.Add(time.Duration(done) * period)
		out = append(out, TimeChunk{Start: s, End: s.Add(time.Duration(n) * period), Points: n})
		done += n
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
