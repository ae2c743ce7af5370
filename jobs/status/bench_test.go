package status

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
)

// The benchmarks size the daily report of a large account: 1,000 instances
// × 8 metrics × 24 h at 1-minute resolution (plus a 24 h baseline at the
// same resolution), and 50 log groups × 100,000 lines scanned by logscan.
// Run: go test ./jobs/status -run '^$' -bench . -benchmem
const (
	benchInstances = 1000
	benchGroups    = 50
	benchLines     = 100_000
)

var benchAt = time.Date(2026, 11, 24, 8, 0, 0, 0, seoul)

// benchMetrics builds series over [at-24h-history, at) at period seconds.
// Times are shared by every series (read-only in the analyzer), values are
// seasonal noise with a spike on every 50th instance.
// With wide, every series swings widely enough that no series can be
// skipped by the analyzer's exact pre-check (the worst case).
func benchMetrics(history time.Duration, period int64, wide bool) *source.Dataset {
	w := source.Window{Start: benchAt.Add(-24 * time.Hour), End: benchAt}
	ds := &source.Dataset{Account: source.Account{ID: "111122223333", Region: "ap-northeast-2"}, Window: w}
	var times []int64
	for t := w.Start.Add(-history).Unix(); t < w.End.Unix(); t += period {
		times = append(times, t)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	metrics := []struct{ ns, name, stat string }{
		{"AWS/EC2", "CPUUtilization", "Average"}, {"AWS/EC2", "NetworkIn", "Sum"}, {"AWS/EC2", "NetworkOut", "Sum"},
		{"AWS/EC2", "EBSReadOps", "Sum"}, {"AWS/EC2", "EBSWriteOps", "Sum"}, {"AWS/EC2", "StatusCheckFailed", "Maximum"},
		{"CWAgent", "mem_used_percent", "Average"}, {"CWAgent", "disk_used_percent", "Average"},
	}
	spikeFrom := benchAt.Add(-2 * time.Hour).Unix()
	for i := 0; i < benchInstances; i++ {
		id := fmt.Sprintf("i-%017x", i+1)
		ds.Instances = append(ds.Instances, source.Instance{ID: id, Name: fmt.Sprintf("node-%04d", i), Type: "m6i.large", State: "running"})
		level := 5 + rng.Float64()*40
		for _, m := range metrics {
			s := source.Series{Namespace: m.ns, Metric: m.name, Stat: m.stat, InstanceID: id, Period: int32(period),
				Dimensions: []source.Dimension{{Name: "InstanceId", Value: id}}, Times: times, Values: make([]float64, len(times))}
			if m.name == "disk_used_percent" {
				s.Dimensions = append(s.Dimensions, source.Dimension{Name: "path", Value: "/"})
			}
			for k, t := range times {
				h := float64((t/60)%1440) / 60
				amp, netScale, opsScale := 0.3, 1e6, 100.0
				if wide {
					amp, netScale, opsScale = 0.9, 1e9, 1e5
				}
				v := level * (1 + amp*math.Sin(h/24*2*math.Pi) + 0.05*rng.NormFloat64())
				switch m.name {
				case "StatusCheckFailed":
					v = 0
				case "NetworkIn", "NetworkOut":
					v *= netScale
				case "EBSReadOps", "EBSWriteOps":
					v *= opsScale
				}
				if i%50 == 0 && m.name == "CPUUtilization" && t >= spikeFrom {
					v = 97
				}
				s.Values[k] = v
			}
			ds.Series = append(ds.Series, s)
		}
	}
	return ds
}

// benchLogLines are 100,000 lines of one group over the day, ~3% errors in
// a few hundred shapes, reused for every group.
type line struct {
	t    time.Time
	text string
}

func benchLogLines() []line {
	rng := rand.New(rand.NewPCG(3, 5))
	out := make([]line, benchLines)
	start := benchAt.Add(-24 * time.Hour)
	for i := range out {
		t := start.Add(time.Duration(i) * 24 * time.Hour / benchLines)
		var s string
		switch r := rng.IntN(100); {
		case r < 2:
			s = fmt.Sprintf("2026-11-24T%02d:%02d:%02d.%03dZ ERROR [worker-%d] request %08x failed: upstream 10.0.%d.%d:8080 timeout after %dms",
				t.Hour(), t.Minute(), t.Second(), i%1000, rng.IntN(32), rng.Uint32(), rng.IntN(255), rng.IntN(255), 1000+rng.IntN(4000))
		case r < 3:
			s = fmt.Sprintf("java.lang.IllegalStateException: order %d in state %d cannot move to SHIPPED (code %d)", rng.IntN(1e6), rng.IntN(9), rng.IntN(300))
		default:
			s = fmt.Sprintf("2026-11-24T%02d:%02d:%02dZ INFO GET /api/v1/orders/%d 200 %dms bytes=%d", t.Hour(), t.Minute(), t.Second(), rng.IntN(1e6), rng.IntN(200), rng.IntN(50000))
		}
		out[i] = line{t, s}
	}
	return out
}

// scanGroups runs logscan over every group, as the demo and aws sources do.
func scanGroups(lines []line, w source.Window) []source.LogStats {
	stats := make([]source.LogStats, 0, benchGroups)
	for g := 0; g < benchGroups; g++ {
		sc := logscan.New(fmt.Sprintf("/aws/app/group-%02d", g), w, config.DefaultErrorTerms, time.Hour, topPatterns)
		for _, l := range lines {
			sc.Add(l.t, l.text)
		}
		stats = append(stats, sc.Stats())
	}
	return stats
}

func benchInput(ds *source.Dataset, baselineDays int) analyze.Input {
	job := &config.Job{Name: "morning", Kind: Kind, Language: "ko", Location: seoul,
		Logs: config.LogsScope{ErrorTerms: config.DefaultErrorTerms}, DailyStatus: &config.DailyStatusOptions{BaselineDays: baselineDays}}
	return analyze.Input{Job: job, At: benchAt, Window: ds.Window, Location: seoul, Lang: "ko", Data: ds}
}

func analyzeOrFail(b *testing.B, in analyze.Input) {
	r, err := New().Analyze(in)
	if err != nil {
		b.Fatal(err)
	}
	if len(findings(r, FindMetricAnomaly, "")) != benchInstances/50 {
		b.Fatalf("found %d anomalies, planted %d", len(findings(r, FindMetricAnomaly, "")), benchInstances/50)
	}
}

// BenchmarkAnalyzeMetrics: the analysis alone, 1,000 × 8 series of
// 24 h + 24 h baseline at 1 minute (23 M points).
func BenchmarkAnalyzeMetrics(b *testing.B) {
	in := benchInput(benchMetrics(24*time.Hour, 60, false), 1)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		analyzeOrFail(b, in)
	}
}

// BenchmarkAnalyzeWorstCase: as AnalyzeMetrics, but no series can skip
// the baseline medians.
func BenchmarkAnalyzeWorstCase(b *testing.B) {
	in := benchInput(benchMetrics(24*time.Hour, 60, true), 1)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		analyzeOrFail(b, in)
	}
}

// BenchmarkAnalyzePlanShape: what the default plan asks for, 1,000 × 8
// series of 24 h + 7 days at 5 minutes (18 M points).
func BenchmarkAnalyzePlanShape(b *testing.B) {
	in := benchInput(benchMetrics(7*24*time.Hour, 300, false), 7)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		analyzeOrFail(b, in)
	}
}

// BenchmarkLogScan: 50 groups × 100,000 lines through logscan.
func BenchmarkLogScan(b *testing.B) {
	lines := benchLogLines()
	w := source.Window{Start: benchAt.Add(-24 * time.Hour), End: benchAt}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if st := scanGroups(lines, w); len(st) != benchGroups || st[0].ErrorEvents == 0 {
			b.Fatal("scan found nothing")
		}
	}
}

// BenchmarkDailyStatus: scan and analysis together, the whole daily report
// of a 1,000-instance, 50-group account (metrics as in AnalyzeMetrics).
func BenchmarkDailyStatus(b *testing.B) {
	ds := benchMetrics(24*time.Hour, 60, false)
	lines := benchLogLines()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		ds.LogStats = scanGroups(lines, ds.Window)
		ds.LogGroups = ds.LogGroups[:0]
		analyzeOrFail(b, benchInput(ds, 1))
	}
}

// reportCPU adds a cpu-ns/op metric: call as defer reportCPU(b)() before
// the loop.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if d := cpuTime() - start; d > 0 && b.N > 0 {
			b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}
