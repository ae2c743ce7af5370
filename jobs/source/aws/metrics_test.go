package aws

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// fleetFake answers DescribeInstances (EC2 XML, paginated, with tags),
// ListMetrics and GetMetricData (CBOR) like AWS does for a fleet of n
// instances, each publishing CPUUtilization and NetworkIn at period over
// any time range. GetMetricData enforces AWS's documented limits (500
// queries; 100,800 datapoints per response, beyond which it returns
// PartialData and a NextToken) and records what it was asked.
type fleetFake struct {
	n        int
	period   time.Duration
	pageSize int // datapoints per response; AWS's is 100,800
	mu       sync.Mutex
	calls    int
	maxQ     int
	maxDP    int
	mixed    int               // calls whose queries had different periods
	partial  map[string]string // instance id -> final status to report
	message  string            // a response-level Messages entry ("Code: Value")
}

func (f *fleetFake) id(i int) string { return fmt.Sprintf("i-%017x", 0xabc000+i) }

// value is the datapoint of instance i's metric at Unix time ts.
func fleetValue(metric string, i int, ts int64) float64 {
	v := float64((ts/60)%97) + float64(i%13)
	if metric == "NetworkIn" {
		v *= 1000
	}
	return v
}

func (f *fleetFake) install(ta *testAWS) {
	ta.handle("ec2:DescribeInstances", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		start := 0
		if tok := r.Form.Get("NextToken"); tok != "" {
			fmt.Sscan(tok, &start)
		}
		end := min(start+1000, f.n)
		var b strings.Builder
		b.WriteString(`<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>8f7724cf-496f-496e-8fe3-example</requestId><reservationSet>`)
		for i := start; i < end; i++ {
			fmt.Fprintf(&b, `<item><reservationId>r-%08x</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item>
<instanceId>%s</instanceId><imageId>ami-0abcdef1234567890</imageId><instanceState><code>16</code><name>running</name></instanceState>
<privateDnsName>ip-10-0-0-%d.ap-northeast-2.compute.internal</privateDnsName><instanceType>m6i.large</instanceType>
<launchTime>2026-01-02T03:04:05.000Z</launchTime><placement><availabilityZone>ap-northeast-2a</availabilityZone><tenancy>default</tenancy></placement>
<subnetId>subnet-0a1b2c3d</subnetId><vpcId>vpc-0a1b2c3d</vpcId><privateIpAddress>10.0.%d.%d</privateIpAddress>
<groupSet><item><groupId>sg-0a1b2c3d</groupId><groupName>app</groupName></item></groupSet>
<tagSet><item><key>Name</key><value>app-%04d</value></item><item><key>aws:autoscaling:groupName</key><value>app-asg</value></item>
<item><key>eks:cluster-name</key><value>eksworkshop</value></item><item><key>eks:nodegroup-name</key><value>ng-general</value></item></tagSet>
</item></instancesSet></item>`, i, f.id(i), i%250, i/250, i%250, i)
		}
		b.WriteString(`</reservationSet>`)
		if end < f.n {
			fmt.Fprintf(&b, `<nextToken>%d</nextToken>`, end)
		}
		b.WriteString(`</DescribeInstancesResponse>`)
		writeXML(w, b.String())
	})
	// ListMetrics: per instance an [InstanceId] series, plus aggregates
	// without InstanceId that discovery must skip; 500 per page.
	ta.handle("cloudwatch:ListMetrics", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Namespace, MetricName, NextToken string
		}
		readCBOR(r, &in)
		type dim struct{ Name, Value string }
		type metric struct {
			Namespace, MetricName string
			Dimensions            []dim
		}
		var all []metric
		for i := 0; i < f.n; i++ {
			all = append(all, metric{in.Namespace, in.MetricName, []dim{{"InstanceId", f.id(i)}}})
		}
		all = append(all, metric{in.Namespace, in.MetricName, []dim{{"AutoScalingGroupName", "app-asg"}}}, metric{in.Namespace, in.MetricName, []dim{{"InstanceType", "m6i.large"}}})
		start := 0
		fmt.Sscan(in.NextToken, &start)
		end := min(start+500, len(all))
		out := map[string]any{"Metrics": all[start:end]}
		if end < len(all) {
			out["NextToken"] = fmt.Sprint(end)
		}
		writeCBOR(w, out)
	})
	ta.handle("cloudwatch:GetMetricData", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			MetricDataQueries []struct {
				Id         string
				MetricStat struct {
					Metric struct {
						Namespace, MetricName string
						Dimensions            []struct{ Name, Value string }
					}
					Period int32
					Stat   string
				}
			}
			StartTime, EndTime time.Time
			NextToken          string
			MaxDatapoints      int32
			ScanBy             string
		}
		if err := readCBOR(r, &in); err != nil {
			writeError(w, "cloudwatch:GetMetricData", 400, "InvalidParameterValue", err.Error())
			return
		}
		if len(in.MetricDataQueries) > 500 {
			writeError(w, "cloudwatch:GetMetricData", 400, "InvalidParameterCombination", "The collection MetricDataQueries must not have a size greater than 500.")
			return
		}
		if in.MaxDatapoints > 100800 {
			writeError(w, "cloudwatch:GetMetricData", 400, "InvalidParameterValue", "MaxDatapoints must be at most 100800")
			return
		}
		// The response holds the points after NextToken (a point index in
		// the concatenation of every query's points), up to the page size.
		skip := 0
		fmt.Sscan(in.NextToken, &skip)
		first, last := in.StartTime.Unix(), in.EndTime.Unix()
		budget := f.pageSize
		pos := 0
		var results []map[string]any
		total := 0
		var next string
		periods := map[int32]bool{}
		for _, q := range in.MetricDataQueries {
			// Each query has its own period, as in AWS's API.
			period := int64(q.MetricStat.Period)
			periods[q.MetricStat.Period] = true
			perQuery := int((last - first) / period)
			id := q.MetricStat.Metric.Dimensions[0].Value
			i := 0
			fmt.Sscanf(id, "i-%x", &i)
			i -= 0xabc000
			var ts []time.Time
			var vs []float64
			status := "Complete"
			for k := 0; k < perQuery; k++ {
				if pos < skip {
					pos++
					continue
				}
				if budget == 0 {
					status = "PartialData"
					if next == "" {
						next = fmt.Sprint(pos)
					}
					break
				}
				t := first + int64(k)*period
				ts = append(ts, time.Unix(t, 0))
				vs = append(vs, fleetValue(q.MetricStat.Metric.MetricName, i, t))
				budget--
				pos++
				total++
			}
			if s, ok := f.partial[id]; ok && next == "" {
				status = s
			}
			results = append(results, map[string]any{"Id": q.Id, "Label": q.MetricStat.Metric.MetricName, "Timestamps": ts, "Values": vs, "StatusCode": status})
		}
		f.mu.Lock()
		f.calls++
		f.maxQ = max(f.maxQ, len(in.MetricDataQueries))
		f.maxDP = max(f.maxDP, total)
		if len(periods) > 1 {
			f.mixed++
		}
		f.mu.Unlock()
		out := map[string]any{"MetricDataResults": results, "Messages": []any{}}
		if code, value, ok := strings.Cut(f.message, ": "); ok {
			out["Messages"] = []any{map[string]any{"Code": code, "Value": value}}
		}
		if next != "" {
			out["NextToken"] = next
		}
		writeCBOR(w, out)
	})
}

// TestMetricsPackedToLimits fetches 1,234 instances x 2 metrics x 30 days
// hourly from a fake that enforces AWS's limits: the calls equal the
// formula minimum, no call exceeds a limit, every point arrives.
func TestMetricsPackedToLimits(t *testing.T) {
	ta := newTestAWS(t)
	f := &fleetFake{n: 1234, period: time.Hour, pageSize: MaxDatapointsPerCall}
	f.install(ta)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	src := ta.source(config.Source{Concurrency: 8, RateLimit: 1000}, at)
	req := source.Request{Window: source.Window{Start: at.Add(-30 * 24 * time.Hour), End: at}, At: at, Needs: source.NeedMetrics,
		Period: time.Hour, Metrics: []source.MetricSpec{{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"}, {Namespace: "AWS/EC2", Name: "NetworkIn", Stat: "Sum"}}}
	ds, err := src.Collect(context.Background(), req)
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	n, points := 2*f.n, 720
	// The fake sees retried attempts too (a response cut by a closed
	// connection is sent again): calls = invocations + retries.
	if want := MinCalls(n, points); ds.Stats["cloudwatch:GetMetricData"] != want || f.calls != want+ds.Stats["retries:cloudwatch:GetMetricData"] {
		t.Errorf("GetMetricData calls: fake saw %d, stats %v, formula minimum %d", f.calls, ds.Stats, want)
	}
	if f.maxQ > 500 || f.maxDP > MaxDatapointsPerCall {
		t.Errorf("a call exceeded a limit: %d queries, %d datapoints", f.maxQ, f.maxDP)
	}
	if ds.Stats["cloudwatch:ListMetrics"] != 2*3 { // 1,236 metrics per name: 3 pages each
		t.Errorf("ListMetrics calls = %d", ds.Stats["cloudwatch:ListMetrics"])
	}
	if ds.Stats["ec2:DescribeInstances"] != 2 || len(ds.Instances) != f.n {
		t.Errorf("inventory: %d instances in %d calls", len(ds.Instances), ds.Stats["ec2:DescribeInstances"])
	}
	if len(ds.Series) != n {
		t.Fatalf("%d series, want %d", len(ds.Series), n)
	}
	for _, s := range ds.Series {
		if len(s.Times) != points || s.Period != 3600 {
			t.Fatalf("%s %s: %d points at %ds", s.InstanceID, s.Metric, len(s.Times), s.Period)
		}
		var i int
		fmt.Sscanf(s.InstanceID, "i-%x", &i)
		for k, ts := range s.Times {
			if want := fleetValue(s.Metric, i-0xabc000, ts); s.Values[k] != want {
				t.Fatalf("%s %s at %d = %v, want %v", s.InstanceID, s.Metric, ts, s.Values[k], want)
			}
		}
	}
	in := ds.Instances[7]
	want := source.Instance{ID: f.id(7), Name: "app-0007", Type: "m6i.large", State: "running", LaunchTime: mustTime("2026-01-02T03:04:05Z"),
		AvailabilityZone: "ap-northeast-2a", VPCID: "vpc-0a1b2c3d", SubnetID: "subnet-0a1b2c3d", PrivateIP: "10.0.0.7", Platform: "linux",
		SecurityGroupIDs: []string{"sg-0a1b2c3d"}, AutoScalingGroup: "app-asg", NodeGroup: "ng-general", Cluster: "eksworkshop",
		Tags: map[string]string{"Name": "app-0007", "aws:autoscaling:groupName": "app-asg", "eks:cluster-name": "eksworkshop", "eks:nodegroup-name": "ng-general"}}
	eq(t, "instance", in, want)
}

// TestMetricsPerMetricPeriod: the capacity review's shape, a metric at 5
// minutes and the others hourly, over 30 days for 300 instances. Each
// period is packed on its own: the calls equal the sum of the formula
// minimum per period (300 series of 8,640 points: 28 calls; 600 of 720:
// 5), no call exceeds a limit or mixes periods, every series comes at its
// own period and the order is the key order whatever the periods.
func TestMetricsPerMetricPeriod(t *testing.T) {
	ta := newTestAWS(t)
	f := &fleetFake{n: 300, pageSize: MaxDatapointsPerCall}
	f.install(ta)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	src := ta.source(config.Source{Concurrency: 8, RateLimit: 1000}, at)
	req := source.Request{Window: source.Window{Start: at.Add(-30 * 24 * time.Hour), End: at}, At: at, Needs: source.NeedMetrics, Period: time.Hour,
		Metrics: []source.MetricSpec{
			{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Maximum", Period: 5 * time.Minute},
			{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"}, // Request.Period
			{Namespace: "AWS/EC2", Name: "NetworkIn", Stat: "Sum", Period: time.Hour},
		}}
	ds, err := src.Collect(context.Background(), req)
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	want := MinCallsByPeriod(Shape{300, 8640}, Shape{600, 720})
	if want != 28+5 || ds.Stats["cloudwatch:GetMetricData"] != want || f.calls != want+ds.Stats["retries:cloudwatch:GetMetricData"] {
		t.Errorf("GetMetricData calls: fake saw %d, stats %v, formula minimum per period %d", f.calls, ds.Stats, want)
	}
	if f.maxQ > 500 || f.maxDP > MaxDatapointsPerCall || f.mixed > 0 {
		t.Errorf("%d queries, %d datapoints in a call; %d calls mixed periods", f.maxQ, f.maxDP, f.mixed)
	}
	if len(ds.Series) != 900 {
		t.Fatalf("%d series, want 900", len(ds.Series))
	}
	for i, s := range ds.Series {
		wantPeriod, wantPoints := int32(3600), 720
		if s.Stat == "Maximum" {
			wantPeriod, wantPoints = 300, 8640
		}
		if s.Period != wantPeriod || len(s.Times) != wantPoints || s.Times[1]-s.Times[0] != int64(wantPeriod) {
			t.Fatalf("%s %s %s: %d points at %ds", s.InstanceID, s.Metric, s.Stat, len(s.Times), s.Period)
		}
		if i > 0 && s.InstanceID < ds.Series[i-1].InstanceID {
			t.Fatalf("series %d (%s) after %s: not in key order", i, s.InstanceID, ds.Series[i-1].InstanceID)
		}
	}
	if s := ds.Series[0]; s.Metric != "CPUUtilization" || s.Stat != "Average" || ds.Series[1].Stat != "Maximum" || ds.Series[2].Metric != "NetworkIn" {
		t.Errorf("first instance's series: %s/%s, %s/%s, %s/%s", s.Metric, s.Stat, ds.Series[1].Metric, ds.Series[1].Stat, ds.Series[2].Metric, ds.Series[2].Stat)
	}
}

// TestMetricsNextTokenAndPartialData: a response cut short (PartialData
// with a NextToken) is followed to the end; a series still PartialData or
// InternalError on the last page becomes a gap naming it.
func TestMetricsNextTokenAndPartialData(t *testing.T) {
	ta := newTestAWS(t)
	f := &fleetFake{n: 30, period: 5 * time.Minute, pageSize: 1000}
	f.partial = map[string]string{f.id(3): "PartialData", f.id(4): "InternalError"}
	f.install(ta)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	src := ta.source(config.Source{}, at)
	req := source.Request{Window: source.Window{Start: at.Add(-2 * 24 * time.Hour), End: at}, At: at, Needs: source.NeedMetrics,
		Period: 5 * time.Minute, Metrics: []source.MetricSpec{{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"}}}
	ds, err := src.Collect(context.Background(), req)
	must(t, err)
	// 30 series x 576 points = 17,280 points in one call, in pages of 1,000.
	if ds.Stats["cloudwatch:GetMetricData"] != 18 || f.calls != 18+ds.Stats["retries:cloudwatch:GetMetricData"] {
		t.Errorf("calls = %d (stats %d), want 18 pages of one planned call", f.calls, ds.Stats["cloudwatch:GetMetricData"])
	}
	for _, s := range ds.Series {
		if len(s.Times) != 576 {
			t.Errorf("%s: %d points after pagination, want 576", s.InstanceID, len(s.Times))
		}
	}
	var parts []string
	for _, g := range ds.Gaps {
		parts = append(parts, g.Part+" "+g.Error)
	}
	if len(ds.Gaps) != 2 || !strings.Contains(parts[0], f.id(3)) || !strings.Contains(parts[0], "PartialData") || !strings.Contains(parts[1], "InternalError") {
		t.Errorf("gaps = %q", parts)
	}
}

// TestMetricsResponseMessageIsPartial: a response-level message ("as much
// of the operation as possible is still executed", says the GetMetricData
// reference) is a partial gap, metrics:messages, not the whole-collection
// "metrics" gap that makes every instance's data unknown.
func TestMetricsResponseMessageIsPartial(t *testing.T) {
	ta := newTestAWS(t)
	f := &fleetFake{n: 3, period: 5 * time.Minute, pageSize: MaxDatapointsPerCall, message: "MaxQueryTimeRangeExceed: some queries were cut"}
	f.install(ta)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	ds, err := ta.source(config.Source{}, at).Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-time.Hour), End: at}, At: at,
		Needs: source.NeedMetrics, Period: 5 * time.Minute, Metrics: []source.MetricSpec{{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"}}})
	must(t, err)
	if len(ds.Series) != 3 {
		t.Errorf("%d series, want the 3 the response carried", len(ds.Series))
	}
	if len(ds.Gaps) != 1 || ds.Gaps[0].Part != "metrics:messages" || !strings.Contains(ds.Gaps[0].Error, "MaxQueryTimeRangeExceed") {
		t.Fatalf("gaps = %+v", ds.Gaps)
	}
	if ds.Missing("metrics:" + f.id(0)) {
		t.Error("an instance whose series arrived reads as missing")
	}
}

// TestMetricsPeriodFromAge: with Period 0 the resolution follows the age
// of the oldest point requested (History included).
func TestMetricsPeriodFromAge(t *testing.T) {
	for _, c := range []struct {
		window, history time.Duration
		want            int32
	}{{24 * time.Hour, 0, 60}, {24 * time.Hour, 14*24*time.Hour + time.Hour, 300}, {30 * 24 * time.Hour, 0, 300}, {30 * 24 * time.Hour, 60 * 24 * time.Hour, 3600}} {
		ta := newTestAWS(t)
		f := &fleetFake{n: 2, pageSize: MaxDatapointsPerCall}
		f.install(ta)
		at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
		src := ta.source(config.Source{}, at)
		ds, err := src.Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-c.window), End: at}, At: at, History: c.history,
			Needs: source.NeedMetrics, Metrics: []source.MetricSpec{{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "p95"}}})
		must(t, err)
		if len(ds.Series) != 2 || ds.Series[0].Period != c.want || ds.Series[0].Stat != "p95" {
			t.Errorf("window %s history %s: %d series, want 2 at period %d", c.window, c.history, len(ds.Series), c.want)
			continue
		}
		if got, want := len(ds.Series[0].Times), int((c.window+c.history)/(time.Duration(c.want)*time.Second)); got != want {
			t.Errorf("window %s history %s: %d points, want %d", c.window, c.history, got, want)
		}
	}
}

// TestScopeNarrowsInventoryAndMetrics: exact tags go to EC2 as filters,
// name globs apply on our side, and metrics are fetched for the scoped
// instances only.
func TestScopeNarrowsInventoryAndMetrics(t *testing.T) {
	ta := newTestAWS(t)
	f := &fleetFake{n: 40, period: time.Hour, pageSize: MaxDatapointsPerCall}
	f.install(ta)
	var filters []string
	inner := ta.handlers["ec2:DescribeInstances"]
	ta.handle("ec2:DescribeInstances", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		filters = []string{r.Form.Get("Filter.1.Name") + "=" + r.Form.Get("Filter.1.Value.1")}
		inner(w, r)
	})
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	src := ta.source(config.Source{}, at)
	ds, err := src.Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-24 * time.Hour), End: at}, At: at,
		Needs: source.NeedMetrics, Period: time.Hour, Metrics: []source.MetricSpec{{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"}},
		Scope: source.Scope{Tags: map[string]string{"eks:cluster-name": "eksworkshop"}, NameGlobs: []string{"app-000?", "app-0031"}}})
	must(t, err)
	if len(filters) != 1 || filters[0] != "tag:eks:cluster-name=eksworkshop" {
		t.Errorf("EC2 filters: %v", filters)
	}
	if len(ds.Instances) != 11 || len(ds.Series) != 11 {
		t.Fatalf("%d instances, %d series; want 11 each", len(ds.Instances), len(ds.Series))
	}
	for i, s := range ds.Series {
		if s.InstanceID != ds.Instances[i].ID || !source.Scope.Matches(source.Scope{NameGlobs: []string{"app-000?", "app-0031"}}, ds.Instances[i]) {
			t.Errorf("series %d is %s (instance %s)", i, s.InstanceID, ds.Instances[i].Name)
		}
	}
}

// TestFailedMetricCallsAreGapsPerInstance: a planned call that fails after
// its retries leaves a gap per instance it carried, so an analyzer can ask
// Missing("metrics:<id>"); when every call fails, one "metrics" gap says so.
func TestFailedMetricCallsAreGapsPerInstance(t *testing.T) {
	for _, failures := range []int{1, 2} {
		ta := newTestAWS(t)
		f := &fleetFake{n: 200, period: time.Hour, pageSize: MaxDatapointsPerCall}
		f.install(ta)
		for i := 0; i < failures; i++ {
			ta.inject("cloudwatch:GetMetricData", fault{403, "AccessDenied"})
		}
		at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
		src := ta.source(config.Source{MaxAttempts: 1, Concurrency: 1}, at)
		ds, err := src.Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-30 * 24 * time.Hour), End: at}, At: at,
			Needs: source.NeedMetrics, Period: time.Hour, Metrics: []source.MetricSpec{{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"}}})
		must(t, err)
		// 200 series of 720 points: 140 per call, 2 calls.
		if failures == 2 {
			if len(ds.Series) != 0 || len(ds.Gaps) != 1 || ds.Gaps[0].Part != "metrics" || ds.Gaps[0].Action != "cloudwatch:GetMetricData" {
				t.Errorf("all calls failed: %d series, gaps %+v", len(ds.Series), ds.Gaps)
			}
			continue
		}
		have := map[string]bool{}
		for _, s := range ds.Series {
			have[s.InstanceID] = true
		}
		if len(ds.Series) != 60 || len(ds.Gaps) != 140 {
			t.Fatalf("%d series, %d gaps; want 60 and 140", len(ds.Series), len(ds.Gaps))
		}
		for _, in := range ds.Instances {
			if ds.Missing("metrics:"+in.ID) == have[in.ID] {
				t.Errorf("%s: has series %v, Missing %v", in.ID, have[in.ID], ds.Missing("metrics:"+in.ID))
			}
		}
	}
}
