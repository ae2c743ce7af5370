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

// The benchmark fleet: 1,000 instances x 8 metrics x 30 days at one hour
// (CWREPORT_BENCH_INSTANCES changes the size), seeded once into the
// process's kumo at the period it is read at.
var benchFleet struct {
	once sync.Once
	f    *fleet.Fleet
	err  error
}

func seededFleet(b *testing.B) *fleet.Fleet {
	b.Helper()
	n := 1000
	if s := os.Getenv("CWREPORT_BENCH_INSTANCES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	benchFleet.once.Do(func() {
		start := time.Now()
		benchFleet.f, benchFleet.err = fleet.Seed(context.Background(), sharedKumo().URL, n, time.Now().UTC(), 30*24*time.Hour, time.Hour)
		b.Logf("seeded %d instances x %d metrics x %d points in %s", n, len(fleet.Metrics), benchFleet.f.Points(), time.Since(start))
	})
	if benchFleet.err != nil {
		b.Fatal(benchFleet.err)
	}
	return benchFleet.f
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

// BenchmarkCollectFleet collects the fleet's metrics with the aws source
// (default concurrency 4 and rate 25 calls/s) and reports its GetMetricData
// calls against the formula minimum and the two other ways' calls.
func BenchmarkCollectFleet(b *testing.B) {
	f := seededFleet(b)
	ta := newTestAWS(b)
	at := f.End
	src := ta.source(config.Source{}, at)
	req := source.Request{Window: source.Window{Start: f.Start, End: f.End}, At: at, Needs: source.NeedInstances | source.NeedMetrics,
		Metrics: fleet.Metrics, Period: f.Period, Scope: source.Scope{InstanceIDs: f.IDs}}
	var ds *source.Dataset
	runtime.GC()
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		peak = max(peak, peakHeap(func() {
			var err error
			ds, err = src.Collect(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.StopTimer()
	if len(ds.Gaps) > 0 || len(ds.Series) != f.Series() || len(ds.Series[0].Times) != f.Points() {
		b.Fatalf("%d series of %d points, gaps %+v", len(ds.Series), len(ds.Series[0].Times), ds.Gaps)
	}
	calls, min := ds.Stats["cloudwatch:GetMetricData"], MinCalls(f.Series(), f.Points())
	if calls != min {
		b.Errorf("GetMetricData calls %d, formula minimum %d", calls, min)
	}
	b.ReportMetric(float64(calls), "GetMetricData-calls")
	b.ReportMetric(float64(min), "formula-min")
	b.ReportMetric(float64(f.ScriptCalls()), "script-calls")
	b.ReportMetric(float64(f.MCPCalls()), "mcp-calls")
	b.ReportMetric(float64(f.ScriptCalls())/float64(calls), "x-fewer-than-script")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkScriptWay fetches the same series one GetMetricStatistics call
// per metric per instance (kumo answers each with one aggregate point, so
// the time is a lower bound for real CloudWatch).
func BenchmarkScriptWay(b *testing.B) {
	f := seededFleet(b)
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
	f := seededFleet(b)
	for i := 0; i < b.N; i++ {
		calls, err := f.MCP(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(calls), "calls")
	}
}
