// Package fleet seeds kumo (the in-process AWS emulator) with a fleet of
// instances and their metrics, and fetches those metrics the two ways
// cwreport's aws source is compared with: a user's script (one
// GetMetricStatistics call per metric per instance, split at 1,440 points)
// and the CloudWatch MCP server's tool (one GetMetricData call per metric).
// The Go benchmark in jobs/source/aws and the bench/aws script share it.
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

	"github.com/cwreport/cwreport/jobs/source"
)

// Region is the region every fleet lives in.
const Region = "ap-northeast-2"

// Metrics are the eight metrics per instance: six from EC2, memory and
// disk from the CloudWatch agent.
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

// Fleet is what Seed created.
type Fleet struct {
	URL    string
	IDs    []string
	Start  time.Time
	End    time.Time
	Period time.Duration
}

// Points is the number of datapoints per series.
func (f *Fleet) Points() int { return int(f.End.Sub(f.Start) / f.Period) }

// Series is the number of series (instances x metrics).
func (f *Fleet) Series() int { return len(f.IDs) * len(Metrics) }

// Config is an SDK configuration that talks to the emulator at url, with
// the SDK's standard retries (as a script would have), which also retry a
// response cut off by a closed keep-alive connection.
func Config(url string) sdkaws.Config {
	return sdkaws.Config{Region: Region, Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "SECRETBENCH", ""),
		BaseEndpoint: sdkaws.String(url),
		Retryer: func() sdkaws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
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
// never flat.
func Value(metric string, i int, t time.Time) float64 {
	v := float64((t.Unix()/3600)%24) + float64(i%17)
	switch metric {
	case "NetworkIn", "NetworkOut":
		return v * 1e6
	case "StatusCheckFailed":
		return 0
	}
	return v
}

// Seed runs n instances and publishes the eight metrics for each at
// period over [end-window, end). kumo returns raw points (it neither
// aggregates by period nor limits responses), so the data is seeded at
// the period it will be read at.
func Seed(ctx context.Context, url string, n int, end time.Time, window, period time.Duration) (*Fleet, error) {
	cfg := Config(url)
	run, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdkaws.String("ami-0c9c942bd7bf113a2"), InstanceType: "m6i.large",
		MinCount: sdkaws.Int32(int32(n)), MaxCount: sdkaws.Int32(int32(n))})
	if err != nil {
		return nil, fmt.Errorf("seed instances: %w", err)
	}
	f := &Fleet{URL: url, Start: end.Add(-window).Truncate(period), End: end.Truncate(period), Period: period}
	for _, in := range run.Instances {
		f.IDs = append(f.IDs, *in.InstanceId)
	}
	for _, m := range Metrics {
		var batch []Datum
		flush := func() error {
			err := PutMetricData(ctx, url, m.Namespace, batch)
			batch = batch[:0]
			return err
		}
		for i, id := range f.IDs {
			d := dims(m, id)
			for t := f.Start; t.Before(f.End); t = t.Add(period) {
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
	return f.Series() * ((f.Points() + 1439) / 1440)
}

// Script fetches every series the way a user's script does, one call after
// the other, and returns the calls made.
func (f *Fleet) Script(ctx context.Context) (int, error) {
	cw := cloudwatch.NewFromConfig(Config(f.URL))
	calls := 0
	chunk := 1440 * f.Period
	for _, id := range f.IDs {
		for _, m := range Metrics {
			for s := f.Start; s.Before(f.End); s = s.Add(chunk) {
				e := s.Add(chunk)
				if e.After(f.End) {
					e = f.End
				}
				_, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: sdkaws.String(m.Namespace), MetricName: sdkaws.String(m.Name),
					Dimensions: sdkDims(dims(m, id)), StartTime: sdkaws.Time(s), EndTime: sdkaws.Time(e), Period: sdkaws.Int32(int32(f.Period / time.Second)),
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
func (f *Fleet) MCPCalls() int { return f.Series() * ((f.Points() + 100799) / 100800) }

// MCP fetches every series the way the CloudWatch MCP server's tool does:
// one GetMetricData call with one query per metric, one after the other.
func (f *Fleet) MCP(ctx context.Context) (int, error) {
	cw := cloudwatch.NewFromConfig(Config(f.URL))
	calls := 0
	for _, id := range f.IDs {
		for _, m := range Metrics {
			in := &cloudwatch.GetMetricDataInput{StartTime: sdkaws.Time(f.Start), EndTime: sdkaws.Time(f.End),
				MetricDataQueries: []cwtypes.MetricDataQuery{{Id: sdkaws.String("m0"), MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: sdkaws.String(m.Namespace), MetricName: sdkaws.String(m.Name), Dimensions: sdkDims(dims(m, id))},
					Period: sdkaws.Int32(int32(f.Period / time.Second)), Stat: sdkaws.String(m.Stat)}}}}
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
