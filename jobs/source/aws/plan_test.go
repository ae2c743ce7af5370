package aws

import (
	"math"
	"testing"
	"time"
)

// formula is the call count, written independently of MinCalls:
// max(ceil(N/500), ceil(N/floor(100800/T))).
func formula(n, t int) int {
	a := math.Ceil(float64(n) / 500)
	b := math.Ceil(float64(n) / math.Floor(100800/float64(t)))
	return int(math.Max(a, b))
}

// checkPlan verifies the plan's call count equals the formula, that every
// call respects both limits, and that the calls cover the queries exactly
// once, in order.
func checkPlan(t *testing.T, n, points int) {
	t.Helper()
	batches := PlanBatches(n, points)
	if len(batches) != formula(n, points) || MinCalls(n, points) != len(batches) {
		t.Fatalf("N=%d T=%d: %d calls planned, MinCalls %d, formula %d", n, points, len(batches), MinCalls(n, points), formula(n, points))
	}
	next := 0
	for _, b := range batches {
		size := b.End - b.Start
		if b.Start != next || size < 1 || size > MaxQueriesPerCall || size*points > MaxDatapointsPerCall {
			t.Fatalf("N=%d T=%d: bad batch %+v after %d", n, points, b, next)
		}
		next = b.End
	}
	if next != n {
		t.Fatalf("N=%d T=%d: batches cover %d queries", n, points, next)
	}
}

// TestPlanEqualsFormulaEveryPointCount checks every series length a call
// can hold (1 to 100,800 points) for query counts around each limit.
func TestPlanEqualsFormulaEveryPointCount(t *testing.T) {
	for points := 1; points <= MaxDatapointsPerCall; points++ {
		per := min(500, MaxDatapointsPerCall/points)
		for _, n := range []int{1, 2, per - 1, per, per + 1, 2*per + 1, 499, 500, 501, 1234} {
			if n >= 1 {
				checkPlan(t, n, points)
			}
		}
	}
}

// TestPlanEqualsFormulaEveryQueryCount checks every query count up to
// 8,000 (1,000 instances x 8 metrics) for the lengths reports use and the
// lengths where floor(100800/T) changes around 500.
func TestPlanEqualsFormulaEveryQueryCount(t *testing.T) {
	for _, points := range []int{1, 24, 60, 168, 200, 201, 202, 288, 720, 1440, 2016, 4320, 8640, 10080, 20160, 21600, 43200, 50400, 50401, 100800} {
		for n := 1; n <= 8000; n++ {
			checkPlan(t, n, points)
		}
	}
	if PlanBatches(0, 10) != nil || MinCalls(0, 10) != 0 {
		t.Error("no queries must plan no call")
	}
}

func TestTimeChunks(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 30, 0, time.UTC)
	cases := []struct {
		name   string
		start  time.Time
		end    time.Time
		period time.Duration
		chunks []int
	}{
		{"24h at 1m, unaligned start", start, start.Add(24 * time.Hour), time.Minute, []int{1441}},
		{"30d at 5m", start, start.Add(30 * 24 * time.Hour), 5 * time.Minute, []int{8641}},
		{"90d at 1m splits", start, start.Add(90 * 24 * time.Hour), time.Minute, []int{100800, 28801}},
		{"empty", start, start, time.Minute, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := TimeChunks(c.start, c.end, c.period)
			if len(got) != len(c.chunks) {
				t.Fatalf("chunks = %+v", got)
			}
			for i, ch := range got {
				if ch.Points != c.chunks[i] || ch.End.Sub(ch.Start) != time.Duration(ch.Points)*c.period || ch.Start.Unix()%int64(c.period/time.Second) != 0 {
					t.Errorf("chunk %d = %+v", i, ch)
				}
				if i > 0 && !ch.Start.Equal(got[i-1].End) {
					t.Errorf("chunk %d does not follow %d", i, i-1)
				}
			}
		})
	}
}

func TestInsightsGroupsPerQuery(t *testing.T) {
	for bins, want := range map[int]int{0: 50, 1: 50, 24: 50, 200: 50, 201: 49, 720: 13, 10000: 1, 20000: 1} {
		if got := InsightsGroupsPerQuery(bins); got != want {
			t.Errorf("bins %d: %d groups per query, want %d", bins, got, want)
		}
	}
}
