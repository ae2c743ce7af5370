// Package fleet seeds kumo (the in-process AWS emulator) with a fleet of
// instances and their metrics, and fetches those metrics the two ways
// cwreport's aws source is compared with: a user's script (one
// GetMetricStatistics call per metric per instance, split at 1,440 points)
// and the CloudWatch MCP server's tool (one GetMetricData call per metric).
// The Go benchmark in jobs/source/aws and the bench/aws script share it.
//
// kumo stores raw datapoints and returns them as they are; CloudWatch
// aggregates them into the period and statistic each query asks for.
// Aggregator puts that behaviour in front of kumo, so one fleet seeded at
// 5 minutes can be read at 5 minutes and hourly, as the capacity review
// reads it.
package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/fxamacker/cbor/v2"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/capacity"
	"github.com/cwreport/cwreport/jobs/source"
)

// Region is the region every fleet lives in.
const Region = "ap-northeast-2"

// Metrics are the eight metrics per instance of the uniform fleet (issue
// 3's benchmark): six from EC2, memory and disk from the CloudWatch agent,
// all read at the request's period.
var Metrics = []source.MetricSpec{
	{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"},
	{Namespace: "AWS/EC2", Name: "NetworkIn", Stat: "Sum"},
	{Namespace: "AWS/EC2", Name: "NetworkOut", Stat: "Sum"},
	{Namespace: "AWS/EC2", Name: "EBSReadOps", Stat: "Sum"},
	{Namespace: "AWS/EC2", Name: "EBSWriteOps", Stat: "Sum"},
	{Namespace: "AWS/EC2", Name: "StatusCheckFailed", Stat: "Maximum"},
	{Namespace: "CWAgent", Name: "mem_used_percent", Stat: "Average"},
	{Namespace: "CWAgent", Name: "disk_used_percent", Stat: "Average"},
}

// Shapes a fleet is read in, by name (the -shape flag of awsbench).
const (
	// ShapeUniform is Metrics at the seeded period.
	ShapeUniform = "uniform"
	// ShapeCapacity is the capacity review's plan as it is: CPU maxima at
	// 5 minutes, its seven other metrics hourly.
	ShapeCapacity = "capacity"
	// ShapeCapacity5m is the capacity review's metrics all at 5 minutes,
	// as its plan asked them before per-metric periods.
	ShapeCapacity5m = "capacity-5m"
)

// Shape is the metrics (each at its own period, 0 meaning period) and the
// request period of a named shape for window w read at at.
func Shape(name string, w source.Window, at time.Time, seeded time.Duration) (specs []source.MetricSpec, period time.Duration, err error) {
	switch name {
	case ShapeUniform:
		return Metrics, seeded, nil
	case ShapeCapacity, ShapeCapacity5m:
		req := capacity.New().Plan(&config.Job{Name: "bench", Kind: "capacity"}, w, at).Request
		if name == ShapeCapacity {
			return req.Metrics, req.Period, nil
		}
		specs = make([]source.MetricSpec, len(req.Metrics))
		for i, m := range req.Metrics {
			m.Period = 0
			specs[i] = m
		}
		return specs, 5 * time.Minute, nil
	}
	return nil, 0, fmt.Errorf("unknown shape %q (uniform, capacity, capacity-5m)", name)
}

// Fleet is what Seed created, and how it is read.
type Fleet struct {
	URL   string
	IDs   []string
	Start time.Time
	End   time.Time
	// Seeded is the resolution of the seeded datapoints.
	Seeded time.Duration
	// Period is the request's period; Metrics are read each at its own
	// period, or Period.
	Period  time.Duration
	Metrics []source.MetricSpec
}

// Reading is the same seeded fleet read as specs at period.
func (f *Fleet) Reading(specs []source.MetricSpec, period time.Duration) *Fleet {
	g := *f
	g.Metrics, g.Period = specs, period
	return &g
}

// PeriodOf is the period m is read at.
func (f *Fleet) PeriodOf(m source.MetricSpec) time.Duration {
	if m.Period > 0 {
		return m.Period
	}
	return f.Period
}

// PointsOf is the number of datapoints of one series of m.
func (f *Fleet) PointsOf(m source.MetricSpec) int { return int(f.End.Sub(f.Start) / f.PeriodOf(m)) }

// Series is the number of series read (instances x metrics).
func (f *Fleet) Series() int { return len(f.IDs) * len(f.Metrics) }

// Points is the number of datapoints read, all series together.
func (f *Fleet) Points() int {
	n := 0
	for _, m := range f.Metrics {
		n += len(f.IDs) * f.PointsOf(m)
	}
	return n
}

// Group is the series read at one period.
type Group struct {
	Period time.Duration
	Series int
	Points int // per series
}

// Groups are the series by period, finest first.
func (f *Fleet) Groups() []Group {
	var out []Group
	for _, m := range f.Metrics {
		p := f.PeriodOf(m)
		found := false
		for i := range out {
			if out[i].Period == p {
				out[i].Series += len(f.IDs)
				found = true
			}
		}
		if !found {
			out = append(out, Group{Period: p, Series: len(f.IDs), Points: f.PointsOf(m)})
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Period < out[j-1].Period; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Config is an SDK configuration that talks to the emulator at url, with
// the SDK's standard retries (as a script would have), which also retry a
// response cut off by a closed keep-alive connection, up to 10 attempts:
// tens of thousands of calls in a row against a loaded emulator met that
// error three times running (the calls are counted once each either way).
func Config(url string) sdkaws.Config {
	return sdkaws.Config{Region: Region, Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "SECRETBENCH", ""),
		BaseEndpoint: sdkaws.String(url),
		Retryer: func() sdkaws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 10
				o.Retryables = append(o.Retryables, retry.IsErrorRetryableFunc(func(err error) sdkaws.Ternary {
					return sdkaws.BoolTernary(errors.Is(err, net.ErrClosed))
				}))
			})
		}}
}

// dims are the exact dimensions of metric m on instance id, as the
// CloudWatch agent publishes disk usage (path, device, fstype).
func dims(m source.MetricSpec, id string) []Dim {
	if m.Name == "disk_used_percent" {
		return []Dim{{"InstanceId", id}, {"path", "/"}, {"device", "nvme0n1p1"}, {"fstype", "xfs"}}
	}
	return []Dim{{"InstanceId", id}}
}

// Dim is one dimension.
type Dim struct{ Name, Value string }

// Datum is one datapoint to seed.
type Datum struct {
	Metric string
	Dims   []Dim
	Time   time.Time
	Value  float64
}

// Value is the seeded value of a metric of instance i at t: deterministic,
// never flat (a daily cycle in 5-minute steps).
func Value(metric string, i int, t time.Time) float64 {
	v := float64((t.Unix()/300)%288)/12 + float64(i%17)
	switch metric {
	case "NetworkIn", "NetworkOut":
		return v * 1e6
	case "StatusCheckFailed":
		return 0
	}
	return v
}

// Seed runs n instances and publishes every metric named in specs (once
// per namespace and name, whatever its statistics) at period seeded over
// [end-window, end), both ends on the hour. kumo returns raw points (it
// neither aggregates by period nor limits responses): read the fleet at
// coarser periods through Aggregator. The fleet is read as specs at
// seeded until Reading says otherwise.
func Seed(ctx context.Context, url string, n int, end time.Time, window, seeded time.Duration, specs []source.MetricSpec) (*Fleet, error) {
	cfg := Config(url)
	run, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdkaws.String("ami-0c9c942bd7bf113a2"), InstanceType: "m6i.large",
		MinCount: sdkaws.Int32(int32(n)), MaxCount: sdkaws.Int32(int32(n))})
	if err != nil {
		return nil, fmt.Errorf("seed instances: %w", err)
	}
	f := &Fleet{URL: url, Start: end.Add(-window).Truncate(time.Hour), End: end.Truncate(time.Hour), Seeded: seeded, Period: seeded, Metrics: specs}
	for _, in := range run.Instances {
		f.IDs = append(f.IDs, *in.InstanceId)
	}
	seen := map[string]bool{}
	for _, m := range specs {
		if seen[m.Namespace+"/"+m.Name] {
			continue
		}
		seen[m.Namespace+"/"+m.Name] = true
		var batch []Datum
		flush := func() error {
			err := PutMetricData(ctx, url, m.Namespace, batch)
			batch = batch[:0]
			return err
		}
		for i, id := range f.IDs {
			d := dims(m, id)
			for t := f.Start; t.Before(f.End); t = t.Add(seeded) {
				batch = append(batch, Datum{Metric: m.Name, Dims: d, Time: t, Value: Value(m.Name, i, t)})
				if len(batch) == 1000 {
					if err := flush(); err != nil {
						return nil, err
					}
				}
			}
		}
		if len(batch) > 0 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

// PutMetricData posts datapoints with explicit timestamps to kumo as CBOR
// it can read: kumo takes Timestamp as RFC 3339 text, while current SDKs
// send an epoch tag that it rejects (see shared/kumo-notes.md).
func PutMetricData(ctx context.Context, url, namespace string, data []Datum) error {
	type dim struct{ Name, Value string }
	type datum struct {
		MetricName string
		Dimensions []dim
		Timestamp  string
		Value      float64
	}
	out := make([]datum, 0, len(data))
	for _, d := range data {
		ds := make([]dim, len(d.Dims))
		for i, x := range d.Dims {
			ds[i] = dim{x.Name, x.Value}
		}
		out = append(out, datum{MetricName: d.Metric, Dimensions: ds, Timestamp: d.Time.UTC().Format(time.RFC3339), Value: d.Value})
	}
	body, err := cbor.Marshal(struct {
		Namespace  string
		MetricData []datum
	}{namespace, out})
	if err != nil {
		return fmt.Errorf("seed metrics: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/service/GraniteServiceVersion20100801/operation/PutMetricData", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/cbor")
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/"+Region+"/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("seed metrics: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("seed metrics: %s: %s", resp.Status, b)
	}
	return nil
}

// ScriptCalls is how many calls a user's script makes: one
// GetMetricStatistics per metric per instance and per 1,440 points (the
// most one call returns).
func (f *Fleet) ScriptCalls() int {
	n := 0
	for _, m := range f.Metrics {
		n += len(f.IDs) * ((f.PointsOf(m) + 1439) / 1440)
	}
	return n
}

// Script fetches every series the way a user's script does, one call after
// the other, and returns the calls made.
func (f *Fleet) Script(ctx context.Context) (int, error) {
	cw := cloudwatch.NewFromConfig(Config(f.URL))
	calls := 0
	for _, id := range f.IDs {
		for _, m := range f.Metrics {
			period := f.PeriodOf(m)
			chunk := 1440 * period
			for s := f.Start; s.Before(f.End); s = s.Add(chunk) {
				e := s.Add(chunk)
				if e.After(f.End) {
					e = f.End
				}
				_, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: sdkaws.String(m.Namespace), MetricName: sdkaws.String(m.Name),
					Dimensions: sdkDims(dims(m, id)), StartTime: sdkaws.Time(s), EndTime: sdkaws.Time(e), Period: sdkaws.Int32(int32(period / time.Second)),
					Statistics: []cwtypes.Statistic{cwtypes.Statistic(m.Stat)}})
				calls++
				if err != nil {
					return calls, fmt.Errorf("script GetMetricStatistics: %w", err)
				}
			}
		}
	}
	return calls, nil
}

// MCPCalls is how many calls the MCP server's tool makes: one GetMetricData
// per metric (of one instance), plus its pages.
func (f *Fleet) MCPCalls() int {
	n := 0
	for _, m := range f.Metrics {
		n += len(f.IDs) * ((f.PointsOf(m) + 100799) / 100800)
	}
	return n
}

// MCP fetches every series the way the CloudWatch MCP server's tool does:
// one GetMetricData call with one query per metric, one after the other.
func (f *Fleet) MCP(ctx context.Context) (int, error) {
	cw := cloudwatch.NewFromConfig(Config(f.URL))
	calls := 0
	for _, id := range f.IDs {
		for _, m := range f.Metrics {
			in := &cloudwatch.GetMetricDataInput{StartTime: sdkaws.Time(f.Start), EndTime: sdkaws.Time(f.End),
				MetricDataQueries: []cwtypes.MetricDataQuery{{Id: sdkaws.String("m0"), MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: sdkaws.String(m.Namespace), MetricName: sdkaws.String(m.Name), Dimensions: sdkDims(dims(m, id))},
					Period: sdkaws.Int32(int32(f.PeriodOf(m) / time.Second)), Stat: sdkaws.String(m.Stat)}}}}
			for {
				out, err := cw.GetMetricData(ctx, in)
				calls++
				if err != nil {
					return calls, fmt.Errorf("mcp GetMetricData: %w", err)
				}
				if out.NextToken == nil || *out.NextToken == "" {
					break
				}
				in.NextToken = out.NextToken
			}
		}
	}
	return calls, nil
}

func sdkDims(ds []Dim) []cwtypes.Dimension {
	out := make([]cwtypes.Dimension, len(ds))
	for i, d := range ds {
		out[i] = cwtypes.Dimension{Name: sdkaws.String(d.Name), Value: sdkaws.String(d.Value)}
	}
	return out
}
