package aws

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// account is what seedAccount put into kumo, and what the dataset must
// therefore say.
type account struct {
	at        time.Time
	window    source.Window
	accountID string
	vpc       source.VPC
	sgs       map[string]source.SecurityGroup // by id
	instances []source.Instance
	series    []source.Series
	alarms    []source.Alarm
	topic     string
	groups    []source.LogGroup
	lines     map[string][]logLine // by group
	trailName string
	trailARN  string
	trailHome string // kumo homes every trail in us-east-1
	bucket    string
}

type logLine struct {
	t   time.Time
	msg string
}

var testMetrics = []source.MetricSpec{
	{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"},
	{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Maximum"},
	{Namespace: "CWAgent", Name: "mem_used_percent", Stat: "Average"},
	{Namespace: "CWAgent", Name: "disk_used_percent", Stat: "Average"},
}

var testTerms = []string{"ERROR", "Error", "error", "Exception", "FATAL"}

// seedAccount fills kumo with a small account: a VPC, three security
// groups, three instances, one-minute metrics for the last 24 h (plus
// decoys that must not be read), alarms in three states, log groups with
// error lines (hostile ones included), a trail with its bucket, an SNS
// topic with a subscriber and an AWS Config recorder.
func seedAccount(t *testing.T, ta *testAWS, at time.Time) *account {
	t.Helper()
	ctx := context.Background()
	cfg := ta.sdkConfig()
	acc := &account{at: at, window: source.Window{Start: at.Add(-24 * time.Hour), End: at}, accountID: "000000000000",
		sgs: map[string]source.SecurityGroup{}, lines: map[string][]logLine{}}

	e := ec2.NewFromConfig(cfg)
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: sdkaws.String("10.11.0.0/16"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: "vpc", Tags: []ec2types.Tag{{Key: sdkaws.String("Name"), Value: sdkaws.String("DMZVPC")}}}}})
	must(t, err)
	acc.vpc = source.VPC{ID: *vpc.Vpc.VpcId, Name: "DMZVPC", CIDR: "10.11.0.0/16"}
	mkSG := func(name string, rules []ec2types.IpPermission, want []source.SGRule) string {
		g, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: sdkaws.String(name), Description: sdkaws.String(name + " group"), VpcId: vpc.Vpc.VpcId})
		must(t, err)
		if len(rules) > 0 {
			_, err = e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: rules})
			must(t, err)
		}
		acc.sgs[*g.GroupId] = source.SecurityGroup{ID: *g.GroupId, Name: name, VPCID: *vpc.Vpc.VpcId, Description: name + " group", Ingress: want}
		return *g.GroupId
	}
	tcp := func(port int32, cidrs ...string) ec2types.IpPermission {
		p := ec2types.IpPermission{IpProtocol: sdkaws.String("tcp"), FromPort: sdkaws.Int32(port), ToPort: sdkaws.Int32(port)}
		for _, c := range cidrs {
			if strings.Contains(c, ":") {
				p.Ipv6Ranges = append(p.Ipv6Ranges, ec2types.Ipv6Range{CidrIpv6: sdkaws.String(c)})
			} else {
				p.IpRanges = append(p.IpRanges, ec2types.IpRange{CidrIp: sdkaws.String(c)})
			}
		}
		return p
	}
	web := mkSG("sg-web", []ec2types.IpPermission{tcp(80, "0.0.0.0/0"), tcp(443, "0.0.0.0/0")}, []source.SGRule{
		{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRs: []string{"0.0.0.0/0"}},
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"0.0.0.0/0"}},
	})
	// kumo keeps IPv4 ranges only (no IPv6 ranges, group pairs or prefix
	// lists): those are covered by TestSecurityGroupShapes.
	jup := mkSG("sg-jupyter", []ec2types.IpPermission{tcp(8888, "0.0.0.0/0")}, []source.SGRule{
		{Protocol: "tcp", FromPort: 8888, ToPort: 8888, CIDRs: []string{"0.0.0.0/0"}},
	})
	db := mkSG("sg-db", []ec2types.IpPermission{tcp(5432, "10.11.0.0/16")}, []source.SGRule{
		{Protocol: "tcp", FromPort: 5432, ToPort: 5432, CIDRs: []string{"10.11.0.0/16"}},
	})

	run := func(typ, sg string) source.Instance {
		out, err := e.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdkaws.String("ami-0c9c942bd7bf113a2"), InstanceType: ec2types.InstanceType(typ),
			MinCount: sdkaws.Int32(1), MaxCount: sdkaws.Int32(1), SecurityGroupIds: []string{sg}})
		must(t, err)
		i := out.Instances[0]
		return source.Instance{ID: *i.InstanceId, Type: typ, State: "running", LaunchTime: i.LaunchTime.UTC(),
			PrivateIP: sdkaws.ToString(i.PrivateIpAddress), Platform: "linux", SecurityGroupIDs: []string{sg}}
	}
	acc.instances = []source.Instance{run("t3.small", web), run("t3.large", jup), run("r6i.2xlarge", db)}
	sort.Slice(acc.instances, func(i, j int) bool { return acc.instances[i].ID < acc.instances[j].ID })
	for _, in := range acc.instances {
		sg := acc.sgs[in.SecurityGroupIDs[0]]
		sg.AttachedTo = append(sg.AttachedTo, in.ID)
		acc.sgs[sg.ID] = sg
	}

	// Metrics at one minute (what a 24 h window is read at), seeded at the
	// period queried because kumo returns raw points.
	web1, jup1, db1 := acc.instances[0], acc.instances[1], acc.instances[2]
	var ec2Data, agentData []kumoDatum
	add := func(dst *[]kumoDatum, ns, metric string, d []struct{ Name, Value string }, f func(i int) float64) {
		var sdims []source.Dimension
		id := ""
		for _, x := range d {
			sdims = append(sdims, source.Dimension{Name: x.Name, Value: x.Value})
			if x.Name == "InstanceId" {
				id = x.Value
			}
		}
		sort.Slice(sdims, func(i, j int) bool { return sdims[i].Name < sdims[j].Name })
		var times []int64
		var values []float64
		for i := 0; i < 1440; i++ {
			ts := acc.window.Start.Add(time.Duration(i) * time.Minute)
			v := f(i)
			*dst = append(*dst, kumoDatum{Metric: metric, Dims: d, Time: ts, Value: v})
			times = append(times, ts.Unix())
			values = append(values, v)
		}
		stats := []string{"Average"}
		if metric == "CPUUtilization" {
			stats = []string{"Average", "Maximum"}
		}
		for _, st := range stats {
			acc.series = append(acc.series, source.Series{Namespace: ns, Metric: metric, Dimensions: sdims, InstanceID: id, Stat: st,
				Unit: knownUnits[ns+"/"+metric], Period: 60, Times: times, Values: values})
		}
	}
	for k, in := range acc.instances {
		add(&ec2Data, "AWS/EC2", "CPUUtilization", dims("InstanceId", in.ID), func(i int) float64 { return float64(10*(k+1)) + float64(i%60)/10 })
	}
	add(&agentData, "CWAgent", "mem_used_percent", dims("InstanceId", jup1.ID, "ImageId", "ami-0c9c942bd7bf113a2", "InstanceType", "t3.large"), func(i int) float64 { return 30 + float64(i%7) })
	add(&agentData, "CWAgent", "disk_used_percent", dims("InstanceId", db1.ID, "path", "/", "device", "nvme0n1p1", "fstype", "xfs"), func(i int) float64 { return 41 })
	add(&agentData, "CWAgent", "disk_used_percent", dims("InstanceId", db1.ID, "path", "/data", "device", "nvme1n1", "fstype", "xfs"), func(i int) float64 { return 60 + float64(i)/100 })
	// Decoys: an ASG aggregate (no InstanceId), an instance outside the
	// inventory, and points just outside the window on a real series.
	ec2Data = append(ec2Data,
		kumoDatum{Metric: "CPUUtilization", Dims: dims("AutoScalingGroupName", "web-prod-asg"), Time: acc.window.Start, Value: 50},
		kumoDatum{Metric: "CPUUtilization", Dims: dims("InstanceId", "i-0123456789abcdef0"), Time: acc.window.Start, Value: 99},
		kumoDatum{Metric: "CPUUtilization", Dims: dims("InstanceId", web1.ID), Time: acc.window.Start.Add(-time.Minute), Value: 77},
		kumoDatum{Metric: "CPUUtilization", Dims: dims("InstanceId", web1.ID), Time: acc.window.End, Value: 77},
		kumoDatum{Metric: "NetworkIn", Dims: dims("InstanceId", web1.ID), Time: acc.window.Start, Value: 1},
	)
	ta.putMetricData("AWS/EC2", ec2Data)
	ta.putMetricData("CWAgent", agentData)
	sort.Slice(acc.series, func(i, j int) bool {
		return queryKey(metricQuery{instanceID: acc.series[i].InstanceID, namespace: acc.series[i].Namespace, name: acc.series[i].Metric, dims: acc.series[i].Dimensions, stat: acc.series[i].Stat}) <
			queryKey(metricQuery{instanceID: acc.series[j].InstanceID, namespace: acc.series[j].Namespace, name: acc.series[j].Metric, dims: acc.series[j].Dimensions, stat: acc.series[j].Stat})
	})

	// An SNS topic with an email subscriber, notified by two alarms.
	sn := sns.NewFromConfig(cfg)
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: sdkaws.String("ops-alerts")})
	must(t, err)
	acc.topic = *topic.TopicArn
	_, err = sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: sdkaws.String("email"), Endpoint: sdkaws.String("sre@example.com")})
	must(t, err)

	cw := cloudwatch.NewFromConfig(cfg)
	alarm := func(name, ns, metric string, d []cwtypes.Dimension, threshold float64, state string, actions []string) {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: sdkaws.String(name), Namespace: sdkaws.String(ns), MetricName: sdkaws.String(metric),
			Dimensions: d, Statistic: cwtypes.StatisticAverage, Period: sdkaws.Int32(300), EvaluationPeriods: sdkaws.Int32(2), Threshold: sdkaws.Float64(threshold),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, ActionsEnabled: sdkaws.Bool(true), AlarmActions: actions})
		must(t, err)
		if state != "" {
			_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: sdkaws.String(name), StateValue: cwtypes.StateValue(state), StateReason: sdkaws.String("seeded " + state)})
			must(t, err)
		}
		var sd []source.Dimension
		for _, x := range d {
			sd = append(sd, source.Dimension{Name: *x.Name, Value: *x.Value})
		}
		a := source.Alarm{Name: name, Namespace: ns, Metric: metric, Dimensions: sd, Statistic: "Average", Period: 300, EvaluationPeriods: 2,
			Threshold: threshold, Comparison: "GreaterThanThreshold", ActionsEnabled: true, AlarmActions: actions, State: source.AlarmState(state)}
		if state != "" {
			a.StateReason = "seeded " + state
		}
		acc.alarms = append(acc.alarms, a)
	}
	alarm("High-CPU-Usage", "AWS/EC2", "CPUUtilization", []cwtypes.Dimension{{Name: sdkaws.String("InstanceId"), Value: sdkaws.String(web1.ID)}}, 80, "ALARM", []string{acc.topic})
	alarm("Disk-Space-Low-db", "CWAgent", "disk_used_percent", []cwtypes.Dimension{{Name: sdkaws.String("InstanceId"), Value: sdkaws.String(db1.ID)}}, 85, "INSUFFICIENT_DATA", nil)
	alarm("CIS-UnauthorizedAPICalls", "CISBenchmark", "UnauthorizedAPICalls", nil, 0, "OK", []string{acc.topic})
	sort.Slice(acc.alarms, func(i, j int) bool { return acc.alarms[i].Name < acc.alarms[j].Name })

	// Log groups: errors (and hostile text) in the app group, a burst in the
	// cluster group, nothing in the quiet one, and a group out of scope.
	lg := cloudwatchlogs.NewFromConfig(cfg)
	group := func(name string, retention int32, kms string, lines []logLine) {
		_, err := lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: sdkaws.String(name), KmsKeyId: nilIfEmpty(kms)})
		must(t, err)
		if retention > 0 {
			_, err = lg.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: sdkaws.String(name), RetentionInDays: sdkaws.Int32(retention)})
			must(t, err)
		}
		_, err = lg.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: sdkaws.String(name), LogStreamName: sdkaws.String("i-stream")})
		must(t, err)
		var evs []logtypes.InputLogEvent
		for _, l := range lines {
			evs = append(evs, logtypes.InputLogEvent{Timestamp: sdkaws.Int64(l.t.UnixMilli()), Message: sdkaws.String(l.msg)})
		}
		if len(evs) > 0 {
			_, err = lg.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: sdkaws.String(name), LogStreamName: sdkaws.String("i-stream"), LogEvents: evs})
			must(t, err)
		}
		acc.lines[name] = lines
	}
	w := acc.window
	var app []logLine
	app = append(app, logLine{w.End.Add(-90 * time.Minute), "deploy: rolling out order-api v2.14.1"})
	for i := 0; i < 40; i++ {
		ts := w.End.Add(-85*time.Minute + time.Duration(i)*time.Minute)
		app = append(app, logLine{ts, fmt.Sprintf("2026-11-24T07:%02d:00Z ERROR java.lang.OutOfMemoryError: Java heap space (req %d)", i%60, 1000+i)})
		if i%4 == 0 {
			app = append(app, logLine{ts.Add(time.Second), fmt.Sprintf("NullPointerException at OrderService.place(OrderService.java:%d)", 100+i)})
		}
		app = append(app, logLine{ts.Add(2 * time.Second), "GET /health 200"})
	}
	app = append(app,
		logLine{w.End.Add(-10 * time.Minute), "ERROR | pipe | `tick` <script>alert(1)</script> <!channel> \x00\x07 \xff\xfe"},
		logLine{w.Start.Add(-time.Minute), "ERROR before the window"}, // outside: not counted
	)
	sortLines(app)
	var cluster []logLine
	for i := 0; i < 25; i++ {
		cluster = append(cluster, logLine{w.End.Add(-5*time.Hour + time.Duration(i)*2*time.Minute), fmt.Sprintf("grpc: error dialing 10.20.%d.%d:443: connection refused", i%4, i)})
	}
	sortLines(cluster)
	group("/aws/ec2/order-api/app", 30, "", app)
	group("/aws/eks/eksworkshop/cluster", 0, "arn:aws:kms:ap-northeast-2:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab", cluster)
	group("/aws/lambda/quiet", 14, "", []logLine{{w.End.Add(-time.Hour), "START RequestId: 1 Version: $LATEST"}})
	group("/other/ignored", 0, "", []logLine{{w.End.Add(-time.Hour), "ERROR not in scope"}})
	out, err := lg.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	must(t, err)
	for _, g := range out.LogGroups {
		if *g.LogGroupName == "/other/ignored" {
			continue
		}
		acc.groups = append(acc.groups, source.LogGroup{Name: *g.LogGroupName, ARN: strings.TrimSuffix(sdkaws.ToString(g.Arn), ":*"),
			RetentionDays: sdkaws.ToInt32(g.RetentionInDays), KMSKeyID: sdkaws.ToString(g.KmsKeyId), StoredBytes: sdkaws.ToInt64(g.StoredBytes),
			Created: time.UnixMilli(sdkaws.ToInt64(g.CreationTime)).UTC()})
	}
	sort.Slice(acc.groups, func(i, j int) bool { return acc.groups[i].Name < acc.groups[j].Name })

	// A multi-region trail delivering to a bucket, logging.
	acc.bucket, acc.trailName = "cloudtrail-logs-000000000000", "management-trail"
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: sdkaws.String(acc.bucket)})
	must(t, err)
	ct := cloudtrail.NewFromConfig(cfg)
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdkaws.String(acc.trailName), S3BucketName: sdkaws.String(acc.bucket),
		IsMultiRegionTrail: sdkaws.Bool(true), EnableLogFileValidation: sdkaws.Bool(true)})
	must(t, err)
	_, err = ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdkaws.String(acc.trailName)})
	must(t, err)
	trails, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err)
	acc.trailARN, acc.trailHome = *trails.TrailList[0].TrailARN, *trails.TrailList[0].HomeRegion

	cs := configservice.NewFromConfig(cfg)
	_, err = cs.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: sdkaws.String("default"), RoleARN: sdkaws.String("arn:aws:iam::000000000000:role/config"),
		RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true}}})
	must(t, err)
	return acc
}

func sortLines(ls []logLine) {
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].t.Before(ls[j].t) })
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return sdkaws.String(s)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// errorMessages are a group's distinct error messages in the window as
// Insights sees them (invalid UTF-8 arrives as U+FFFD; the first 2,048
// characters), with their count and first and last time, most frequent
// first: what `stats count(*), earliest(@timestamp), latest(@timestamp) by
// msg | sort desc` returns.
func (acc *account) errorMessages(group string) []sample {
	by := map[string]*sample{}
	var order []string
	for _, l := range acc.lines[group] {
		if !acc.window.Contains(l.t) {
			continue
		}
		b, _ := json.Marshal(l.msg)
		var msg string
		json.Unmarshal(b, &msg)
		isErr := false
		for _, term := range testTerms {
			isErr = isErr || strings.Contains(msg, term)
		}
		if !isErr {
			continue
		}
		if r := []rune(msg); len(r) > 2048 {
			msg = string(r[:2048])
		}
		s := by[msg]
		if s == nil {
			s = &sample{msg: msg, first: l.t, last: l.t}
			by[msg] = s
			order = append(order, msg)
		}
		s.n++
		if l.t.Before(s.first) {
			s.first = l.t
		}
		if l.t.After(s.last) {
			s.last = l.t
		}
	}
	out := make([]sample, 0, len(order))
	for _, m := range order {
		out = append(out, *by[m])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].n > out[j].n })
	return out
}

// errorBins counts, independently of logscan, the lines of a group that
// contain an error term, per hour from the window start.
func (acc *account) errorBins(group string) map[int64]int64 {
	out := map[int64]int64{}
	for _, l := range acc.lines[group] {
		if !acc.window.Contains(l.t) {
			continue
		}
		for _, term := range testTerms {
			if strings.Contains(l.msg, term) {
				bin := acc.window.Start.Add(l.t.Sub(acc.window.Start) / time.Hour * time.Hour)
				out[bin.Unix()]++
				break
			}
		}
	}
	return out
}

// fakeForMissingAPIs answers, with documented response shapes, the
// operations kumo does not implement, consistently with what was seeded.
func fakeForMissingAPIs(t *testing.T, ta *testAWS, acc *account) {
	// CloudWatch DescribeAlarmHistory (kumo: missing). CBOR, two pages.
	ta.handle("cloudwatch:DescribeAlarmHistory", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			HistoryItemType string
			StartDate       time.Time
			EndDate         time.Time
			NextToken       string
		}
		if err := readCBOR(r, &in); err != nil || in.HistoryItemType != "StateUpdate" || !in.StartDate.Equal(acc.window.Start) || !in.EndDate.Equal(acc.window.End) {
			writeError(w, "cloudwatch:DescribeAlarmHistory", 400, "InvalidParameterValue", fmt.Sprintf("unexpected request %+v %v", in, err))
			return
		}
		item := func(name string, ts time.Time, from, to string) map[string]any {
			return map[string]any{"AlarmName": name, "AlarmType": "MetricAlarm", "Timestamp": ts, "HistoryItemType": "StateUpdate",
				"HistorySummary": fmt.Sprintf("Alarm updated from %s to %s", from, to),
				"HistoryData":    fmt.Sprintf(`{"version":"1.0","oldState":{"stateValue":%q,"stateReason":"old"},"newState":{"stateValue":%q,"stateReason":"Threshold Crossed: 1 datapoint [95.0] was greater than the threshold (80.0).","stateReasonData":{"version":"1.0"}}}`, from, to)}
		}
		if in.NextToken == "" {
			writeCBOR(w, map[string]any{"AlarmHistoryItems": []any{item("High-CPU-Usage", acc.at.Add(-170*time.Minute), "OK", "ALARM")}, "NextToken": "page-2"})
			return
		}
		writeCBOR(w, map[string]any{"AlarmHistoryItems": []any{item("Disk-Space-Low-db", acc.at.Add(-3*time.Hour), "OK", "INSUFFICIENT_DATA")}})
	})
	// EC2 DescribeFlowLogs and DescribeNetworkAcls (kumo: missing). EC2 XML.
	ta.handle("ec2:DescribeFlowLogs", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<DescribeFlowLogsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>3cb46f23-099e-4bf0-891c-EXAMPLE</requestId>
    <flowLogSet>
        <item>
            <resourceId>vpc-0a1b2c3d4e5f67890</resourceId>
            <deliverLogsPermissionArn>arn:aws:iam::000000000000:role/flowlogsrole</deliverLogsPermissionArn>
            <flowLogStatus>ACTIVE</flowLogStatus>
            <creationTime>2026-01-23T19:47:49Z</creationTime>
            <logGroupName>AppVPCFlowLogs</logGroupName>
            <trafficType>ALL</trafficType>
            <flowLogId>fl-1a2b3c4d</flowLogId>
            <logDestinationType>cloud-watch-logs</logDestinationType>
        </item>
    </flowLogSet>
</DescribeFlowLogsResponse>`)
	})
	ta.handle("ec2:DescribeNetworkAcls", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, fmt.Sprintf(`<DescribeNetworkAclsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <networkAclSet>
   <item>
     <networkAclId>acl-5fb85d36</networkAclId>
     <vpcId>%s</vpcId>
     <default>false</default>
     <entrySet>
       <item><ruleNumber>32767</ruleNumber><protocol>-1</protocol><ruleAction>deny</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>
       <item><ruleNumber>100</ruleNumber><protocol>6</protocol><ruleAction>allow</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock><portRange><from>22</from><to>22</to></portRange></item>
       <item><ruleNumber>110</ruleNumber><protocol>6</protocol><ruleAction>allow</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock><portRange><from>3389</from><to>3389</to></portRange></item>
       <item><ruleNumber>100</ruleNumber><protocol>-1</protocol><ruleAction>allow</ruleAction><egress>true</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>
     </entrySet>
     <associationSet/>
     <tagSet/>
     <ownerId>000000000000</ownerId>
   </item>
   </networkAclSet>
</DescribeNetworkAclsResponse>`, acc.vpc.ID))
	})
	// Logs Insights (kumo: missing). The results are what Insights returns
	// for the seeded lines: this fake counts them itself, per group and hour.
	var (
		qmu     sync.Mutex
		queries = map[string]string{} // id -> kind:groups
		polls   = map[string]int{}
	)
	ta.handle("logs:StartQuery", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			LogGroupNames []string `json:"logGroupNames"`
			QueryString   string   `json:"queryString"`
			StartTime     int64    `json:"startTime"`
			EndTime       int64    `json:"endTime"`
			Limit         int32    `json:"limit"`
		}
		if err := readJSON(r, &in); err != nil || in.StartTime != acc.window.Start.Unix() || in.EndTime != acc.window.End.Unix()-1 || len(in.LogGroupNames) == 0 || len(in.LogGroupNames) > 50 {
			writeError(w, "logs:StartQuery", 400, "InvalidParameterException", fmt.Sprintf("bad request %+v %v", in, err))
			return
		}
		for _, term := range testTerms {
			if !strings.Contains(in.QueryString, `@message like "`+term+`"`) {
				writeError(w, "logs:StartQuery", 400, "MalformedQueryException", "missing term "+term)
				return
			}
		}
		kind := "hist"
		if strings.Contains(in.QueryString, "| pattern @message") {
			kind = "pattern"
		} else if strings.Contains(in.QueryString, "| fields substr(@message, 0, 2048) as msg\n| stats count(*) as events, earliest(@timestamp) as firstSeen, latest(@timestamp) as lastSeen by msg\n| sort events desc\n| limit 1000") {
			kind = "sample"
		} else if !strings.Contains(in.QueryString, "stats count(*) as errors by @log, bin(1h)") {
			writeError(w, "logs:StartQuery", 400, "MalformedQueryException", "unexpected query "+in.QueryString)
			return
		}
		qmu.Lock()
		id := fmt.Sprintf("12ab3456-12ab-123a-789e-%012d", len(queries))
		queries[id] = kind + ":" + strings.Join(in.LogGroupNames, ",")
		qmu.Unlock()
		writeJSON(w, fmt.Sprintf(`{"queryId":%q}`, id))
	})
	ta.handle("logs:GetQueryResults", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			QueryID string `json:"queryId"`
		}
		readJSON(r, &in)
		qmu.Lock()
		q, ok := queries[in.QueryID]
		polls[in.QueryID]++
		n := polls[in.QueryID]
		qmu.Unlock()
		if !ok {
			writeError(w, "logs:GetQueryResults", 400, "ResourceNotFoundException", "no such query")
			return
		}
		if n == 1 { // the first poll finds it still running
			writeJSON(w, `{"results":[],"statistics":{"bytesScanned":0,"recordsMatched":0,"recordsScanned":0},"status":"Running"}`)
			return
		}
		kind, groups, _ := strings.Cut(q, ":")
		type field struct {
			Field string `json:"field"`
			Value string `json:"value"`
		}
		var rows [][]field
		for _, g := range strings.Split(groups, ",") {
			if kind == "hist" {
				for bin, c := range acc.errorBins(g) {
					rows = append(rows, []field{{"@log", acc.accountID + ":" + g}, {"bin(1h)", time.Unix(bin, 0).UTC().Format("2006-01-02 15:04:05.000")}, {"errors", strconv.FormatInt(c, 10)}})
				}
				continue
			}
			if kind == "sample" {
				// stats ... by msg: one row per distinct error message
				// (its first 2,048 characters), most frequent first.
				for _, m := range acc.errorMessages(g) {
					rows = append(rows, []field{{"msg", m.msg}, {"events", strconv.FormatInt(m.n, 10)},
						{"firstSeen", m.first.UTC().Format("2006-01-02 15:04:05.000")}, {"lastSeen", m.last.UTC().Format("2006-01-02 15:04:05.000")}})
				}
				continue
			}
			for _, p := range insightsPatterns[g] {
				rows = append(rows, []field{{"@pattern", p.Pattern}, {"@ratio", "0.5"}, {"@sampleCount", strconv.FormatInt(p.Count, 10)}, {"@severityLabel", "Error"}})
			}
		}
		writeJSONValue(w, map[string]any{"results": rows, "statistics": map[string]float64{"bytesScanned": 1024, "recordsMatched": float64(len(rows)), "recordsScanned": 100}, "status": "Complete"})
	})
	// CloudWatch Logs DescribeMetricFilters (kumo: missing).
	ta.handle("logs:DescribeMetricFilters", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"metricFilters":[{"filterName":"UnauthorizedAPICalls","filterPattern":"{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }","logGroupName":"/aws/cloudtrail/management","metricTransformations":[{"metricName":"UnauthorizedAPICalls","metricNamespace":"CISBenchmark","metricValue":"1"}],"creationTime":1700000000000}]}`)
	})
	// CloudTrail GetEventSelectors (kumo: missing) and LookupEvents (kumo:
	// always empty). LookupEvents pages like AWS: 50 per page at most.
	ta.handle("cloudtrail:GetEventSelectors", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"TrailARN":"arn:aws:cloudtrail:ap-northeast-2:000000000000:trail/management-trail","EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[],"ExcludeManagementEventSources":[]}]}`)
	})
	ta.handle("cloudtrail:LookupEvents", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			StartTime        float64 `json:"StartTime"`
			EndTime          float64 `json:"EndTime"`
			MaxResults       int     `json:"MaxResults"`
			NextToken        string  `json:"NextToken"`
			LookupAttributes []any   `json:"LookupAttributes"`
		}
		if err := readJSON(r, &in); err != nil || in.MaxResults > 50 || len(in.LookupAttributes) > 0 {
			writeError(w, "cloudtrail:LookupEvents", 400, "InvalidLookupAttributesException", "bad request")
			return
		}
		recs := trailRecords(acc)
		page, token := recs[:3], "page-2"
		if in.NextToken == "page-2" {
			page, token = recs[3:], ""
		}
		var evs []map[string]any
		for _, rec := range page {
			var m map[string]any
			json.Unmarshal([]byte(rec), &m)
			evs = append(evs, map[string]any{"EventId": m["eventID"], "EventName": m["eventName"], "ReadOnly": "false", "EventSource": m["eventSource"],
				"EventTime": float64(mustTime(m["eventTime"].(string)).Unix()), "Resources": []any{}, "CloudTrailEvent": rec})
		}
		out := map[string]any{"Events": evs}
		if token != "" {
			out["NextToken"] = token
		}
		writeJSONValue(w, out)
	})
	// AWS Config DescribeConfigurationRecorderStatus (kumo: missing).
	ta.handle("config:DescribeConfigurationRecorderStatus", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"ConfigurationRecordersStatus":[{"name":"default","lastStartTime":1.7E9,"recording":true,"lastStatus":"SUCCESS","lastStatusChangeTime":1.7E9}]}`)
	})
	// IAM account data (kumo: missing). Query XML; the report is first
	// STARTED, then COMPLETE, as IAM answers.
	var genCalls int
	ta.handle("iam:ListAccountAliases", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
<ListAccountAliasesResult><IsTruncated>false</IsTruncated><AccountAliases><member>demo-ops</member></AccountAliases></ListAccountAliasesResult>
<ResponseMetadata><RequestId>c5a076e9-f1b0-11df-8fbe-45274EXAMPLE</RequestId></ResponseMetadata></ListAccountAliasesResponse>`)
	})
	ta.handle("iam:GenerateCredentialReport", func(w http.ResponseWriter, r *http.Request) {
		qmu.Lock()
		genCalls++
		state := "STARTED"
		if genCalls > 1 {
			state = "COMPLETE"
		}
		qmu.Unlock()
		writeXML(w, `<GenerateCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GenerateCredentialReportResult><Description>No report exists. Starting a new report generation task</Description><State>`+state+`</State></GenerateCredentialReportResult>
  <ResponseMetadata><RequestId>29f47818-99f5-11e1-a4c3-27EXAMPLE804</RequestId></ResponseMetadata>
</GenerateCredentialReportResponse>`)
	})
	ta.handle("iam:GetCredentialReport", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetCredentialReportResult><Content>`+base64.StdEncoding.EncodeToString([]byte(credentialReportCSV))+`</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-11-24T06:00:00Z</GeneratedTime></GetCredentialReportResult>
  <ResponseMetadata><RequestId>29f47818-99f5-11e1-a4c3-27EXAMPLE804</RequestId></ResponseMetadata>
</GetCredentialReportResponse>`)
	})
	ta.handle("iam:GetAccountSummary", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountSummaryResult><SummaryMap>
      <entry><key>Users</key><value>4</value></entry>
      <entry><key>AccountMFAEnabled</key><value>1</value></entry>
      <entry><key>AccountAccessKeysPresent</key><value>0</value></entry>
      <entry><key>Roles</key><value>12</value></entry>
  </SummaryMap></GetAccountSummaryResult>
  <ResponseMetadata><RequestId>f1e38443-f1ad-11df-b1ef-a9265EXAMPLE</RequestId></ResponseMetadata>
</GetAccountSummaryResponse>`)
	})
	ta.handle("iam:GetAccountPasswordPolicy", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<GetAccountPasswordPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountPasswordPolicyResult><PasswordPolicy>
      <AllowUsersToChangePassword>true</AllowUsersToChangePassword>
      <RequireUppercaseCharacters>true</RequireUppercaseCharacters>
      <RequireSymbols>false</RequireSymbols>
      <ExpirePasswords>false</ExpirePasswords>
      <RequireLowercaseCharacters>true</RequireLowercaseCharacters>
      <MinimumPasswordLength>8</MinimumPasswordLength>
      <RequireNumbers>true</RequireNumbers>
  </PasswordPolicy></GetAccountPasswordPolicyResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</GetAccountPasswordPolicyResponse>`)
	})
}

// insightsPatterns are what the fake's `pattern` command returns, in the
// documented token syntax.
var insightsPatterns = map[string][]source.LogPattern{
	"/aws/ec2/order-api/app": {
		{Pattern: "<Time-1> ERROR java.lang.OutOfMemoryError: Java heap space (req <Number-2>)", Count: 40},
		{Pattern: "NullPointerException at OrderService.place(OrderService.java:<Number-1>)", Count: 10},
		{Pattern: "ERROR | pipe | `tick` <script>alert(1)</script> <!channel> <*>", Count: 1},
	},
	"/aws/eks/eksworkshop/cluster": {
		{Pattern: "grpc: error dialing <IP-1>:443: connection refused", Count: 25},
	},
}

const credentialReportCSV = `user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::000000000000:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-21T08:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::000000000000:user/alice,2021-03-04T05:06:07+00:00,true,2026-11-23T01:02:03+00:00,2026-06-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
bob,arn:aws:iam::000000000000:user/bob,2021-03-04T05:06:07+00:00,true,no_information,2025-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
ci-deployer-user,arn:aws:iam::000000000000:user/ci-deployer-user,2022-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-05-08T00:00:00+00:00,2026-11-24T05:00:00+00:00,ap-northeast-2,ec2,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
`

// trailRecords are CloudTrail records in the documented log format, inside
// the window: a failed console login, a root login with MFA, an assumed
// role denied iam:PassRole, a security group opened to the world, and a
// login failure for a user that does not exist.
func trailRecords(acc *account) []string {
	at := acc.at
	ts := func(d time.Duration) string { return at.Add(-d).UTC().Format(time.RFC3339) }
	return []string{
		`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","accountId":"000000000000","accessKeyId":"","userName":"alice"},"eventTime":"` + ts(5*time.Hour) + `","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"ap-northeast-2","sourceIPAddress":"192.0.2.10","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"},"eventID":"a1b2c3d4-0001-0000-0000-000000000001","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"000000000000","eventCategory":"Management"}`,
		`{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"000000000000","arn":"arn:aws:iam::000000000000:root","accountId":"000000000000","accessKeyId":""},"eventTime":"` + ts(4*time.Hour) + `","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.20","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"Yes"},"eventID":"a1b2c3d4-0002-0000-0000-000000000002","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"000000000000","eventCategory":"Management"}`,
		`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEID:ci-session","arn":"arn:aws:sts::000000000000:assumed-role/ci-deployer/ci-session","accountId":"000000000000","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEID","arn":"arn:aws:iam::000000000000:role/ci-deployer","accountId":"000000000000","userName":"ci-deployer"},"webIdFederationData":{},"attributes":{"creationDate":"` + ts(3*time.Hour) + `","mfaAuthenticated":"false"}}},"eventTime":"` + ts(3*time.Hour) + `","eventSource":"iam.amazonaws.com","eventName":"PassRole","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5","userAgent":"aws-cli/2.15.0","errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts::000000000000:assumed-role/ci-deployer/ci-session is not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role/admin","requestParameters":{"roleName":"admin"},"responseElements":null,"eventID":"a1b2c3d4-0003-0000-0000-000000000003","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"000000000000","eventCategory":"Management"}`,
		`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEBOB","arn":"arn:aws:iam::000000000000:user/bob","accountId":"000000000000","accessKeyId":"AKIAEXAMPLE","userName":"bob"},"eventTime":"` + ts(2*time.Hour) + `","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","awsRegion":"ap-northeast-2","sourceIPAddress":"203.0.113.7","userAgent":"console.ec2.amazonaws.com","requestParameters":{"groupId":"sg-0jupyter","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":8888,"toPort":8888,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]},"prefixListIds":{}}]}},"responseElements":{"requestId":"r-1","_return":true},"eventID":"a1b2c3d4-0004-0000-0000-000000000004","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"000000000000","eventCategory":"Management"}`,
		`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"000000000000","accessKeyId":"","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"},"eventTime":"` + ts(1*time.Hour) + `","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.50","userAgent":"Mozilla/5.0","errorMessage":"No username found in supplied account","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"},"eventID":"a1b2c3d4-0005-0000-0000-000000000005","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"000000000000","eventCategory":"Management"}`,
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantTrailEvents is trailRecords as the dataset must hold them.
func wantTrailEvents(acc *account) []source.TrailEvent {
	at := acc.at
	return []source.TrailEvent{
		{ID: "a1b2c3d4-0001-0000-0000-000000000001", Time: at.Add(-5 * time.Hour), Name: "ConsoleLogin", Source: "signin.amazonaws.com", Region: "ap-northeast-2",
			SourceIP: "192.0.2.10", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", UserType: "IAMUser", UserName: "alice", AccountID: "000000000000",
			ErrorMessage: "Failed authentication", LoginResult: "Failure", MFAUsed: "No"},
		{ID: "a1b2c3d4-0002-0000-0000-000000000002", Time: at.Add(-4 * time.Hour), Name: "ConsoleLogin", Source: "signin.amazonaws.com", Region: "us-east-1",
			SourceIP: "198.51.100.20", UserAgent: "Mozilla/5.0", UserType: "Root", UserName: "root", PrincipalARN: "arn:aws:iam::000000000000:root", AccountID: "000000000000",
			LoginResult: "Success", MFAUsed: "Yes"},
		{ID: "a1b2c3d4-0003-0000-0000-000000000003", Time: at.Add(-3 * time.Hour), Name: "PassRole", Source: "iam.amazonaws.com", Region: "us-east-1",
			SourceIP: "203.0.113.5", UserAgent: "aws-cli/2.15.0", UserType: "AssumedRole", UserName: "ci-deployer",
			PrincipalARN: "arn:aws:sts::000000000000:assumed-role/ci-deployer/ci-session", AccountID: "000000000000", ErrorCode: "AccessDenied",
			ErrorMessage: "User: arn:aws:sts::000000000000:assumed-role/ci-deployer/ci-session is not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role/admin",
			Resources:    []string{"admin"}, RequestParameters: `{"roleName":"admin"}`},
		{ID: "a1b2c3d4-0004-0000-0000-000000000004", Time: at.Add(-2 * time.Hour), Name: "AuthorizeSecurityGroupIngress", Source: "ec2.amazonaws.com", Region: "ap-northeast-2",
			SourceIP: "203.0.113.7", UserAgent: "console.ec2.amazonaws.com", UserType: "IAMUser", UserName: "bob", PrincipalARN: "arn:aws:iam::000000000000:user/bob",
			AccountID: "000000000000", Resources: []string{"sg-0jupyter"},
			RequestParameters: `{"groupId":"sg-0jupyter","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":8888,"toPort":8888,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]},"prefixListIds":{}}]}}`},
		{ID: "a1b2c3d4-0005-0000-0000-000000000005", Time: at.Add(-1 * time.Hour), Name: "ConsoleLogin", Source: "signin.amazonaws.com", Region: "us-east-1",
			SourceIP: "203.0.113.50", UserAgent: "Mozilla/5.0", UserType: "IAMUser", UserName: "HIDDEN_DUE_TO_SECURITY_REASONS", AccountID: "000000000000",
			ErrorMessage: "No username found in supplied account", LoginResult: "Failure", MFAUsed: "No"},
	}
}

// TestCollectAgainstKumo collects every part from kumo (plus the
// documented-shape fakes for what kumo lacks) and checks the dataset is
// exactly what was seeded, with no gap and the fewest calls.
func TestCollectAgainstKumo(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	at := acc.at
	fakeForMissingAPIs(t, ta, acc)
	src := ta.source(config.Source{}, at)
	var progressMu sync.Mutex
	stages := map[string]bool{}
	req := source.Request{Window: acc.window, At: at, Needs: AllNeeds, Metrics: testMetrics,
		Logs: source.LogQuery{Groups: []string{"/aws/ec2/*", "/aws/eks/*", "/aws/lambda/quiet"}, ErrorTerms: testTerms},
		Progress: func(stage string, done, total int) {
			progressMu.Lock()
			stages[stage] = true
			progressMu.Unlock()
		}}
	ds, err := src.Collect(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	if ds.Account != (source.Account{ID: acc.accountID, Alias: "demo-ops", Region: testRegion}) {
		t.Errorf("account = %+v", ds.Account)
	}
	// Inventory and network.
	eq(t, "instances", ds.Instances, acc.instances)
	if len(ds.VPCs) != 1 {
		t.Fatalf("vpcs = %+v", ds.VPCs)
	}
	eq(t, "vpc", ds.VPCs[0], acc.vpc)
	gotSGs := map[string]source.SecurityGroup{}
	for _, g := range ds.SecurityGroups {
		gotSGs[g.ID] = g
	}
	for id, want := range acc.sgs {
		want.Egress = gotSGs[id].Egress // kumo's default egress rule, not seeded
		eq(t, "security group "+want.Name, gotSGs[id], want)
	}
	if len(ds.SecurityGroups) != len(acc.sgs) {
		t.Errorf("security groups: got %d, seeded %d: %+v", len(ds.SecurityGroups), len(acc.sgs), ds.SecurityGroups)
	}
	eq(t, "flow logs", ds.FlowLogs, []source.FlowLog{{ID: "fl-1a2b3c4d", ResourceID: "vpc-0a1b2c3d4e5f67890", Status: "ACTIVE", TrafficType: "ALL", Destination: "AppVPCFlowLogs"}})
	eq(t, "network acls", ds.NetworkACLs, []source.NetworkACL{{ID: "acl-5fb85d36", VPCID: acc.vpc.ID, Entries: []source.ACLEntry{
		{RuleNumber: 100, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22, Action: "allow"},
		{RuleNumber: 110, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 3389, ToPort: 3389, Action: "allow"},
		{RuleNumber: 32767, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "deny"},
		{RuleNumber: 100, Egress: true, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "allow"},
	}}})
	// Metrics: exactly the seeded series, decoys excluded, in one call.
	eq(t, "series", ds.Series, acc.series)
	if got, want := ds.Stats["cloudwatch:GetMetricData"], MinCalls(len(acc.series), 1440); got != want || want != 1 {
		t.Errorf("GetMetricData calls = %d, formula minimum %d", got, want)
	}
	if got := ds.Stats["cloudwatch:ListMetrics"]; got != 3 {
		t.Errorf("ListMetrics calls = %d, want 3 (one per metric name)", got)
	}
	// Alarms and history.
	for i := range ds.Alarms {
		if ds.Alarms[i].StateUpdated.IsZero() || ds.Alarms[i].ARN == "" {
			t.Errorf("alarm %s: no state time or ARN", ds.Alarms[i].Name)
		}
		ds.Alarms[i].StateUpdated, ds.Alarms[i].ARN = time.Time{}, ""
	}
	wantAlarms := append([]source.Alarm(nil), acc.alarms...)
	for i := range wantAlarms {
		if wantAlarms[i].State == "" {
			wantAlarms[i].State = ds.Alarms[i].State
		}
	}
	eq(t, "alarms", ds.Alarms, wantAlarms)
	eq(t, "alarm history", ds.AlarmHistory, []source.AlarmTransition{
		{Alarm: "Disk-Space-Low-db", Time: at.Add(-3 * time.Hour), From: "OK", To: "INSUFFICIENT_DATA", Reason: "Threshold Crossed: 1 datapoint [95.0] was greater than the threshold (80.0)."},
		{Alarm: "High-CPU-Usage", Time: at.Add(-170 * time.Minute), From: "OK", To: "ALARM", Reason: "Threshold Crossed: 1 datapoint [95.0] was greater than the threshold (80.0)."},
	})
	// Logs: groups as configured; Insights counts per hour equal to the
	// seeded error lines.
	eq(t, "log groups", ds.LogGroups, acc.groups)
	if len(ds.LogStats) != 3 {
		t.Fatalf("log stats for %d groups, want 3: %+v", len(ds.LogStats), ds.LogStats)
	}
	for _, st := range ds.LogStats {
		want := acc.errorBins(st.Group)
		var total int64
		for _, c := range want {
			total += c
		}
		if st.ErrorEvents != total || len(st.Histogram) != 24 {
			t.Errorf("%s: %d errors in %d bins, want %d in 24", st.Group, st.ErrorEvents, len(st.Histogram), total)
		}
		for _, b := range st.Histogram {
			if b.Count != want[b.Start.Unix()] {
				t.Errorf("%s bin %s = %d, want %d", st.Group, b.Start, b.Count, want[b.Start.Unix()])
			}
		}
		// Insights' patterns, made logscan's with the sample query's
		// messages: the very patterns the filter engine finds (text,
		// count, example, first and last time).
		wantP := []source.LogPattern{}
		for _, fs := range wantFilterStats(acc) {
			if fs.Group == st.Group {
				wantP = fs.Patterns
			}
		}
		eq(t, "patterns "+st.Group, st.Patterns, wantP)
	}
	if ds.Stats["logs:StartQuery"] != 5 { // one histogram query for 3 groups; a pattern and a sample query for each of the two with errors
		t.Errorf("StartQuery calls = %d, want 5", ds.Stats["logs:StartQuery"])
	}
	// CloudTrail (LookupEvents for a 24 h window), trails, recorders.
	eq(t, "trail events", ds.TrailEvents, wantTrailEvents(acc))
	off := false
	eq(t, "trails", ds.Trails, []source.Trail{{Name: acc.trailName, ARN: acc.trailARN,
		HomeRegion: acc.trailHome, MultiRegion: true, Logging: true, LogFileValidation: true, S3Bucket: acc.bucket,
		ManagementEvents: true, ReadWriteType: "All", BucketAccessLogging: &off}})
	eq(t, "config recorders", ds.ConfigRecorders, []source.ConfigRecorder{{Name: "default", Recording: true, AllSupported: true, IncludeGlobal: true}})
	eq(t, "metric filters", ds.MetricFilters, []source.MetricFilter{{Name: "UnauthorizedAPICalls", LogGroup: "/aws/cloudtrail/management",
		Pattern: `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, MetricNamespace: "CISBenchmark", MetricName: "UnauthorizedAPICalls"}})
	eq(t, "subscriptions", ds.Subscriptions, []source.Subscription{{TopicARN: acc.topic, Protocol: "email", Endpoint: "sre@example.com", Confirmed: true}})
	// IAM.
	if ds.IAM == nil {
		t.Fatal("no IAM data")
	}
	if len(ds.IAM.CredentialReport) != 4 || ds.IAM.CredentialReport[0].User != "<root_account>" || !ds.IAM.ReportGenerated.Equal(mustTime("2026-11-24T06:00:00Z")) {
		t.Errorf("credential report = %+v", ds.IAM)
	}
	eq(t, "password policy", ds.IAM.PasswordPolicy, &source.PasswordPolicy{MinimumLength: 8, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true, AllowUsersToChange: true})
	eq(t, "account summary", ds.IAM.Summary, map[string]int{"Users": 4, "AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Roles": 12})
	if ds.Stats["iam:GenerateCredentialReport"] != 2 || ds.Stats["iam:GetCredentialReport"] != 1 {
		t.Errorf("credential report calls: %v", ds.Stats)
	}
	for _, st := range []string{"inventory", "metrics", "logs", "cloudtrail"} {
		if !stages[st] {
			t.Errorf("no progress reported for %s (got %v)", st, stages)
		}
	}
	// The dataset survives a JSON round trip (it is a snapshot format).
	b, err := json.Marshal(ds)
	must(t, err)
	var back source.Dataset
	must(t, json.Unmarshal(b, &back))
}

// eq fails, showing the first differing lines of both values as JSON,
// when they differ.
func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	i := 0
	for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
		i++
	}
	from := max(0, i-4)
	t.Errorf("%s differ at line %d (got %d lines, want %d):\ngot:\n%s\nwant:\n%s", what, i, len(gl), len(wl),
		strings.Join(gl[from:min(len(gl), i+6)], "\n"), strings.Join(wl[from:min(len(wl), i+6)], "\n"))
}
