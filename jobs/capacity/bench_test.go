package capacity

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cwreport/cwreport/jobs/source"
)

// fleet builds n instances × 30 days of 5-minute data: CPU maximum and
// average, memory and one disk per instance, network and EBS shared (read
// only) to keep the benchmark's own memory bounded; every fifth instance
// pair belongs to a 10-node Auto Scaling group.
func fleet(n int) *source.Dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	ds := &source.Dataset{Account: source.Account{ID: "1", Region: "ap-northeast-2"}}
	var times []int64
	for t := window.Start; t.Before(window.End); t = t.Add(step) {
		times = append(times, t.Unix())
	}
	shared := func(v float64) []float64 {
		out := make([]float64, len(times))
		for i := range out {
			out[i] = v * (0.5 + rng.Float64())
		}
		return out
	}
	net, ebs := shared(5e7), shared(3000)
	types := []string{"m6i.xlarge", "c6i.large", "r6i.2xlarge", "t3.medium", "m5.large"}
	mk := func(id, ns, metric, stat string, vals []float64, dims ...source.Dimension) source.Series {
		return source.Series{Namespace: ns, Metric: metric, Stat: stat, InstanceID: id, Period: 300, Times: times, Values: vals,
			Dimensions: append([]source.Dimension{{Name: "InstanceId", Value: id}}, dims...)}
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("i-%08d", i)
		in := source.Instance{ID: id, Name: fmt.Sprintf("node-%04d", i), Type: types[i%len(types)], State: "running"}
		if i%5 < 2 {
			in.AutoScalingGroup = fmt.Sprintf("asg-%03d", i/50)
		}
		ds.Instances = append(ds.Instances, in)
		base := 5 + 60*rng.Float64()
		growth := 0.5 * rng.Float64()
		cpuMax, cpuAvg, memV, disk := make([]float64, len(times)), make([]float64, len(times)), make([]float64, len(times)), make([]float64, len(times))
		for k := range times {
			d := float64(k) / 288
			cpuMax[k] = min(100, base+growth*d+10*rng.Float64())
			cpuAvg[k] = cpuMax[k] * 0.7
			memV[k] = 30 + 0.3*d + 5*rng.Float64()
			disk[k] = 40 + 0.2*d
		}
		ds.Series = append(ds.Series,
			mk(id, "AWS/EC2", "CPUUtilization", "Maximum", cpuMax),
			mk(id, "AWS/EC2", "CPUUtilization", "Average", cpuAvg),
			mk(id, "AWS/EC2", "NetworkIn", "Sum", net), mk(id, "AWS/EC2", "NetworkOut", "Sum", net),
			mk(id, "AWS/EC2", "EBSReadOps", "Sum", ebs), mk(id, "AWS/EC2", "EBSWriteOps", "Sum", ebs),
			mk(id, "CWAgent", "mem_used_percent", "Maximum", memV),
			mk(id, "CWAgent", "disk_used_percent", "Maximum", disk, source.Dimension{Name: "path", Value: "/"}),
		)
	}
	return ds
}

// BenchmarkAnalyze1000 is the yardstick: 1,000 instances × 30 days of
// 5-minute data (8 series each, 69 M points), analysis and report.
func BenchmarkAnalyze1000(b *testing.B) {
	ds := fleet(1000)
	in := input(ds, nil, "en")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := New().Analyze(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ds.Series)), "series")
}
