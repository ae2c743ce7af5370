package aws

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwreport/cwreport/bench/aws/fleet"
	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// The benchmark fleets (CWREPORT_BENCH_INSTANCES changes their size,
// default 1,000), seeded once each into the process's kumo: the uniform
// fleet (8 metrics x 30 days at one hour, issue 3's) and the capacity fleet
// (the capacity review's metrics x 30 days at 5 minutes, read through
// fleet.Aggregator at 5 minutes and hourly).
var benchFleets struct {
	sync.Mutex
	m map[string]*fleet.Fleet
}

func seededFleet(b *testing.B, name string) *fleet.Fleet {
	b.Helper()
	n := 1000
	if s := os.Getenv("CWREPORT_BENCH_INSTANCES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	benchFleets.Lock()
	defer benchFleets.Unlock()
	if f := benchFleets.m[name]; f != nil {
		return f
	}
	end := time.Now().UTC()
	window := 30 * 24 * time.Hour
	seeded, specs := time.Hour, fleet.Metrics
	if name == "capacity" {
		seeded = 5 * time.Minute
		var err error
		specs, _, err = fleet.Shape(fleet.ShapeCapacity5m, source.Window{Start: end.Add(-window), End: end}, end, seeded)
		if err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	f, err := fleet.Seed(context.Background(), sharedKumo().URL, n, end, window, seeded, specs)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d instances x %d metrics x %d points in %s", n, len(specs), f.PointsOf(specs[0]), time.Since(start))
	if benchFleets.m == nil {
		benchFleets.m = map[string]*fleet.Fleet{}
	}
	benchFleets.m[name] = f
	return f
}

// peakHeap samples the heap while f runs and returns the highest HeapAlloc
// seen (kumo's own allocations included: it serves in this process).
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	return peak.Load()
}

// BenchmarkCollectFleet collects the uniform fleet's metrics with the aws
// source (default concurrency 4 and rate 25 calls/s) and reports its
// GetMetricData calls against the formula minimum and the two other ways'
// calls.
func BenchmarkCollectFleet(b *testing.B) {
	benchCollect(b, seededFleet(b, "uniform"))
}

// BenchmarkCollectCapacity collects the capacity review's metrics for the
// fleet as its plan asked them before per-metric periods (every metric at
// 5 minutes) and as it asks them now (CPU maxima at 5 minutes, the rest
// hourly).
func BenchmarkCollectCapacity(b *testing.B) {
	f := seededFleet(b, "capacity")
	for _, shape := range []string{fleet.ShapeCapacity5m, fleet.ShapeCapacity} {
		b.Run(shape, func(b *testing.B) {
			specs, period, err := fleet.Shape(shape, source.Window{Start: f.Start, End: f.End}, f.End, f.Seeded)
			if err != nil {
				b.Fatal(err)
			}
			benchCollect(b, f.Reading(specs, period))
		})
	}
}

// benchCollect collects f with the aws source through fleet.Aggregator
// (kumo returns raw points; CloudWatch aggregates them by period and
// statistic) and reports calls, the formula minimum per period, the other
// ways' calls, the points and the peak heap.
func benchCollect(b *testing.B, f *fleet.Fleet) {
	ta := newTestAWS(b)
	ta.handle("cloudwatch:GetMetricData", fleet.Aggregator(sharedKumo().URL).ServeHTTP)
	at := f.End
	src := ta.source(config.Source{}, at)
	req := source.Request{Window: source.Window{Start: f.Start, End: f.End}, At: at, Needs: source.NeedInstances | source.NeedMetrics,
		Metrics: f.Metrics, Period: f.Period, Scope: source.Scope{InstanceIDs: f.IDs}}
	var ds *source.Dataset
	runtime.GC()
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		ds = nil
		runtime.GC()
		peak = max(peak, peakHeap(func() {
			var err error
			ds, err = src.Collect(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.StopTimer()
	points := 0
	for _, s := range ds.Series {
		points += len(s.Times)
	}
	if len(ds.Gaps) > 0 || len(ds.Series) != f.Series() || points != f.Points() {
		b.Fatalf("%d series of %d points (want %d of %d), gaps %+v", len(ds.Series), points, f.Series(), f.Points(), ds.Gaps)
	}
	var shapes []Shape
	for _, g := range f.Groups() {
		shapes = append(shapes, Shape{Series: g.Series, Points: g.Points})
	}
	calls, min := ds.Stats["cloudwatch:GetMetricData"], MinCallsByPeriod(shapes...)
	if calls != min {
		b.Errorf("GetMetricData calls %d, formula minimum per period %d", calls, min)
	}
	b.ReportMetric(float64(calls), "GetMetricData-calls")
	b.ReportMetric(float64(min), "formula-min")
	b.ReportMetric(float64(f.ScriptCalls()), "script-calls")
	b.ReportMetric(float64(f.MCPCalls()), "mcp-calls")
	b.ReportMetric(float64(f.ScriptCalls())/float64(calls), "x-fewer-than-script")
	b.ReportMetric(float64(points)*16/1e6, "points-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkScriptWay fetches the same series one GetMetricStatistics call
// per metric per instance (kumo answers each with one aggregate point, so
// the time is a lower bound for real CloudWatch).
func BenchmarkScriptWay(b *testing.B) {
	f := seededFleet(b, "uniform")
	for i := 0; i < b.N; i++ {
		calls, err := f.Script(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(calls), "calls")
	}
}

// BenchmarkMCPWay fetches the same series one GetMetricData call per
// metric, as the CloudWatch MCP server's tool does.
func BenchmarkMCPWay(b *testing.B) {
	f := seededFleet(b, "uniform")
	for i := 0; i < b.N; i++ {
		calls, err := f.MCP(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(calls), "calls")
	}
}
