package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// testAt is a Tuesday 08:00 in Seoul: the daily report's usual instant.
var testAt = time.Date(2026, 11, 24, 8, 0, 0, 0, seoul)

const allNeeds = source.NeedInstances | source.NeedMetrics | source.NeedAlarms | source.NeedAlarmHistory |
	source.NeedLogGroups | source.NeedLogStats | source.NeedTrailEvents | source.NeedNetwork |
	source.NeedTrailConfig | source.NeedMonitoring | source.NeedIAM

func collect(t testing.TB, req source.Request) *source.Dataset {
	t.Helper()
	ds, err := New().Collect(context.Background(), req)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	return ds
}

// daily is the daily-status request: the last 24 h, 7 days of history.
func daily(at time.Time, needs source.Need) source.Request {
	return source.Request{Window: source.Window{Start: at.Add(-day), End: at}, At: at, Needs: needs,
		History: 7 * day, Period: 5 * time.Minute, Metrics: allMetrics("Average")}
}

func marshal(t *testing.T, ds *source.Dataset) []byte {
	t.Helper()
	b, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeterministic(t *testing.T) {
	req := daily(testAt, allNeeds)
	a, b := marshal(t, collect(t, req)), marshal(t, collect(t, req))
	if !bytes.Equal(a, b) {
		t.Fatal("two collections of the same request differ")
	}
	// A different instant gives a different dataset ...
	later := daily(testAt.Add(time.Hour), allNeeds)
	if bytes.Equal(a, marshal(t, collect(t, later))) {
		t.Fatal("a different At gave the same bytes")
	}
	// ... the same instant in another zone the same one.
	utc := daily(testAt.UTC(), allNeeds)
	if !bytes.Equal(a, marshal(t, collect(t, utc))) {
		t.Fatal("the same instant in UTC gave different bytes")
	}
}

func TestStoriesFollowAt(t *testing.T) {
	for _, at := range []time.Time{testAt, testAt.Add(37*time.Hour + 13*time.Minute), time.Date(2031, 2, 3, 14, 5, 0, 0, time.UTC)} {
		ds := collect(t, daily(at, allNeeds))
		var fired time.Time
		for _, a := range ds.Alarms {
			if a.Name == "High-CPU-Usage" {
				fired = a.StateUpdated
			}
		}
		if want := at.Add(-dmzAlarmAt).UTC(); !fired.Equal(want) {
			t.Errorf("at %s: High-CPU-Usage fired at %s, want %s", at, fired, want)
		}
		s := find(t, ds, dmzName, mCPU, "Average", "")
		if v := maxIn(s, at.Add(-3*time.Hour), at); v < 85 {
			t.Errorf("at %s: DMZ CPU max in the last 3 h = %.1f", at, v)
		}
	}
}

func TestOverlappingWindowsAgree(t *testing.T) {
	a := collect(t, source.Request{Window: source.Window{Start: testAt.Add(-2 * day), End: testAt}, At: testAt,
		Needs: source.NeedMetrics, Period: 5 * time.Minute, Metrics: allMetrics("p90")})
	b := collect(t, source.Request{Window: source.Window{Start: testAt.Add(-3 * day), End: testAt.Add(-day)}, At: testAt,
		Needs: source.NeedMetrics, Period: 5 * time.Minute, Metrics: allMetrics("p90")})
	if len(a.Series) != len(b.Series) {
		t.Fatalf("%d vs %d series", len(a.Series), len(b.Series))
	}
	for i := range a.Series {
		av := map[int64]float64{}
		for j, ts := range a.Series[i].Times {
			av[ts] = a.Series[i].Values[j]
		}
		shared := 0
		for j, ts := range b.Series[i].Times {
			if v, ok := av[ts]; ok {
				shared++
				if v != b.Series[i].Values[j] {
					t.Fatalf("%s %s at %d: %v vs %v", a.Series[i].InstanceID, a.Series[i].Metric, ts, v, b.Series[i].Values[j])
				}
			}
		}
		if shared != 288 {
			t.Fatalf("%d shared points, want 288", shared)
		}
	}
}

func TestNeedsHonoured(t *testing.T) {
	type part struct {
		name string
		n    func(*source.Dataset) int
	}
	parts := map[source.Need]part{
		source.NeedInstances:    {"instances", func(d *source.Dataset) int { return len(d.Instances) }},
		source.NeedMetrics:      {"series", func(d *source.Dataset) int { return len(d.Series) }},
		source.NeedAlarms:       {"alarms", func(d *source.Dataset) int { return len(d.Alarms) }},
		source.NeedAlarmHistory: {"alarm history", func(d *source.Dataset) int { return len(d.AlarmHistory) }},
		source.NeedLogGroups:    {"log groups", func(d *source.Dataset) int { return len(d.LogGroups) }},
		source.NeedLogStats:     {"log stats", func(d *source.Dataset) int { return len(d.LogStats) }},
		source.NeedTrailEvents:  {"trail events", func(d *source.Dataset) int { return len(d.TrailEvents) }},
		source.NeedNetwork: {"network", func(d *source.Dataset) int {
			return len(d.SecurityGroups) + len(d.VPCs) + len(d.FlowLogs) + len(d.NetworkACLs)
		}},
		source.NeedTrailConfig: {"trail config", func(d *source.Dataset) int { return len(d.Trails) + len(d.ConfigRecorders) }},
		source.NeedMonitoring:  {"monitoring", func(d *source.Dataset) int { return len(d.MetricFilters) + len(d.Subscriptions) }},
		source.NeedIAM: {"iam", func(d *source.Dataset) int {
			if d.IAM == nil {
				return 0
			}
			return len(d.IAM.CredentialReport)
		}},
	}
	for need, p := range parts {
		t.Run(p.name, func(t *testing.T) {
			ds := collect(t, daily(testAt, need))
			for other, q := range parts {
				got := q.n(ds)
				if other == need && got == 0 {
					t.Errorf("asked for %s, got none", q.name)
				}
				if other != need && got != 0 {
					t.Errorf("asked only for %s, got %d %s", p.name, got, q.name)
				}
			}
			if !ds.Account.Demo || ds.Account.ID != accountID || ds.Account.Region != region {
				t.Errorf("account %+v", ds.Account)
			}
		})
	}
}

func TestScope(t *testing.T) {
	for _, tc := range []struct {
		name      string
		scope     source.Scope
		instances int
		alarms    []string // alarms on instances that must be present
		absent    []string
	}{
		{"everything", source.Scope{}, len(fleet), []string{"High-CPU-Usage", "High-Network-In"}, nil},
		{"web glob", source.Scope{NameGlobs: []string{"web-prod-*"}}, 12, nil, []string{"High-CPU-Usage", "High-Network-In"}},
		{"eks tag", source.Scope{Tags: map[string]string{"eks:cluster-name": eksCluster}}, 8, []string{"High-Network-In"}, []string{"High-CPU-Usage"}},
		{"one id", source.Scope{InstanceIDs: []string{hostByName[dmzName].id}}, 1, []string{"High-CPU-Usage"}, []string{"Low-CPU-Usage"}},
		{"nothing", source.Scope{NameGlobs: []string{"no-such-*"}}, 0, nil, []string{"High-CPU-Usage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := daily(testAt, source.NeedInstances|source.NeedMetrics|source.NeedAlarms|source.NeedAlarmHistory)
			req.Scope = tc.scope
			ds := collect(t, req)
			if len(ds.Instances) != tc.instances {
				t.Fatalf("%d instances, want %d", len(ds.Instances), tc.instances)
			}
			in := map[string]bool{}
			for _, i := range ds.Instances {
				in[i.ID] = true
				if !tc.scope.Matches(i) {
					t.Errorf("%s is out of scope", i.Name)
				}
			}
			for _, s := range ds.Series {
				if !in[s.InstanceID] {
					t.Fatalf("series for out-of-scope %s", s.InstanceID)
				}
			}
			names := map[string]bool{}
			for _, a := range ds.Alarms {
				names[a.Name] = true
			}
			for _, h := range ds.AlarmHistory {
				if !names[h.Alarm] {
					t.Errorf("history of %s, which is not listed", h.Alarm)
				}
			}
			for _, n := range tc.alarms {
				if !names[n] {
					t.Errorf("alarm %s missing", n)
				}
			}
			for _, n := range tc.absent {
				if names[n] {
					t.Errorf("alarm %s on an out-of-scope instance is listed", n)
				}
			}
			if !names["Web-Service-Health"] || !names["CIS-4.3-Root-Account-Usage"] {
				t.Error("alarms on no instance must always be listed")
			}
		})
	}
}

func TestInventory(t *testing.T) {
	ds := collect(t, daily(testAt, source.NeedInstances|source.NeedNetwork))
	idRe := regexp.MustCompile(`^i-0[0-9a-f]{16}$`)
	seen := map[string]bool{}
	ips := map[string]bool{}
	sgs := map[string]bool{}
	for _, g := range ds.SecurityGroups {
		sgs[g.ID] = true
	}
	for _, in := range ds.Instances {
		if !idRe.MatchString(in.ID) || seen[in.ID] {
			t.Errorf("bad or duplicate id %q", in.ID)
		}
		if ips[in.PrivateIP] {
			t.Errorf("duplicate IP %s", in.PrivateIP)
		}
		seen[in.ID], ips[in.PrivateIP] = true, true
		if in.Tags["Name"] != in.Name || in.State != "running" || !in.LaunchTime.Before(testAt.Add(-30*day)) {
			t.Errorf("%s: %+v", in.Name, in)
		}
		if !strings.HasPrefix(in.AvailabilityZone, "ap-northeast-2") || !strings.HasPrefix(in.SubnetID, "subnet-0") || !strings.HasPrefix(in.VPCID, "vpc-0") {
			t.Errorf("%s: placement %s %s %s", in.Name, in.AvailabilityZone, in.SubnetID, in.VPCID)
		}
		for _, g := range in.SecurityGroupIDs {
			if !sgs[g] {
				t.Errorf("%s uses unknown group %s", in.Name, g)
			}
		}
	}
	if len(ds.Instances) < 35 {
		t.Errorf("%d instances", len(ds.Instances))
	}
	dmz := instance(t, ds, dmzName)
	if dmz.PrivateIP != "10.11.20.101" || dmz.Type != "t3.medium" {
		t.Errorf("DMZ instance %+v", dmz)
	}
	eks := instance(t, ds, "eks-node-01")
	if eks.Cluster != eksCluster || eks.NodeGroup != eksNodegrp || eks.Tags["eks:cluster-name"] != eksCluster || eks.Type != "m6i.xlarge" {
		t.Errorf("eks node %+v", eks)
	}
	if w := instance(t, ds, "web-prod-07"); w.AutoScalingGroup != webASG || w.Type != "t3.small" {
		t.Errorf("web %+v", w)
	}
	if b := instance(t, ds, "bastion-01"); b.PublicIP == "" {
		t.Error("bastion has no public IP")
	}
}

func TestPeriodAndGrid(t *testing.T) {
	for _, tc := range []struct {
		name    string
		window  time.Duration
		history time.Duration
		period  time.Duration
		want    int32
	}{
		{"daily default", day, 7 * day, 0, 60},
		{"month default", 30 * day, 0, 0, 300},
		{"quarter default", 90 * day, 0, 0, 3600},
		{"explicit", day, 0, 15 * time.Minute, 900},
		{"sub-minute rounds up", day, 0, 10 * time.Second, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := source.Request{Window: source.Window{Start: testAt.Add(-tc.window), End: testAt.Add(time.Hour)}, At: testAt,
				Needs: source.NeedMetrics, History: tc.history, Period: tc.period,
				Scope: source.Scope{NameGlobs: []string{"db-primary-01"}}, Metrics: allMetrics("Maximum")}
			ds := collect(t, req)
			start := testAt.Add(-tc.window - tc.history).Unix()
			for _, s := range ds.Series {
				if s.Period != tc.want {
					t.Fatalf("period %d, want %d", s.Period, tc.want)
				}
				for i, ts := range s.Times {
					if ts%int64(s.Period) != 0 || ts < start || ts >= testAt.Unix() || (i > 0 && ts <= s.Times[i-1]) {
						t.Fatalf("%s: bad time %d at %d", s.Metric, ts, i)
					}
				}
				if want := int((testAt.Unix() - start + int64(s.Period) - 1) / int64(s.Period)); len(s.Times) < want-1 || len(s.Times) > want {
					t.Errorf("%s: %d points, want about %d", s.Metric, len(s.Times), want)
				}
			}
		})
	}
}

func TestNoDataBeforeLaunch(t *testing.T) {
	req := source.Request{Window: source.Window{Start: testAt.Add(-60 * day), End: testAt}, At: testAt, Needs: source.NeedMetrics | source.NeedInstances,
		Period: time.Hour, Scope: source.Scope{NameGlobs: []string{"jupyter-01"}}, Metrics: allMetrics("Average")[:1]}
	ds := collect(t, req)
	s := ds.Series[0]
	if first := s.Time(0); first.Before(ds.Instances[0].LaunchTime) || first.Sub(ds.Instances[0].LaunchTime) > time.Hour {
		t.Errorf("first point %s, launched %s", first, ds.Instances[0].LaunchTime)
	}
}

func TestUnsupportedStatisticIsAGap(t *testing.T) {
	req := daily(testAt, source.NeedMetrics)
	req.Metrics = []source.MetricSpec{{Namespace: nsEC2, Name: mCPU, Stat: "tm99"}, {Namespace: nsEC2, Name: mCPU, Stat: "p99.9"},
		{Namespace: "AWS/RDS", Name: "FreeStorageSpace", Stat: "Average"}}
	ds := collect(t, req)
	if len(ds.Gaps) != 1 || !strings.Contains(ds.Gaps[0].Error, "tm99") || !ds.Missing("metrics") {
		t.Errorf("gaps %+v", ds.Gaps)
	}
	for _, s := range ds.Series {
		if s.Stat != "p99.9" || s.Metric != mCPU {
			t.Errorf("unexpected series %s %s", s.Metric, s.Stat)
		}
	}
	if len(ds.Series) != len(fleet) {
		t.Errorf("%d series", len(ds.Series))
	}
}

func TestBadRequests(t *testing.T) {
	if _, err := New().Collect(context.Background(), source.Request{}); err == nil || !strings.Contains(err.Error(), "no window") {
		t.Errorf("no window: %v", err)
	}
	if _, err := New().Collect(context.Background(), source.Request{Window: source.Window{Start: testAt, End: testAt}}); err == nil {
		t.Error("empty window accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Collect(ctx, daily(testAt, allNeeds)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// Without At, the end of the window is the instant.
	req := daily(testAt, source.NeedAlarms)
	req.At = time.Time{}
	if a, b := marshal(t, collect(t, req)), marshal(t, collect(t, daily(testAt, source.NeedAlarms))); !bytes.Equal(a, b) {
		t.Error("zero At is not Window.End")
	}
}

// --- helpers ----------------------------------------------------------------

func instance(t testing.TB, ds *source.Dataset, name string) source.Instance {
	t.Helper()
	for _, in := range ds.Instances {
		if in.Name == name {
			return in
		}
	}
	t.Fatalf("no instance %s", name)
	return source.Instance{}
}

func find(t testing.TB, ds *source.Dataset, name, metric, stat, path string) *source.Series {
	t.Helper()
	id := hostByName[name].id
	for i := range ds.Series {
		s := &ds.Series[i]
		if s.InstanceID == id && s.Metric == metric && s.Stat == stat && s.Dim("path") == path {
			return s
		}
	}
	t.Fatalf("no series %s %s %s %s", name, metric, stat, path)
	return nil
}

func between(s *source.Series, from, to time.Time) []float64 {
	var out []float64
	for i, ts := range s.Times {
		if ts >= from.Unix() && ts < to.Unix() {
			out = append(out, s.Values[i])
		}
	}
	return out
}

func maxIn(s *source.Series, from, to time.Time) float64 {
	m := math.Inf(-1)
	for _, v := range between(s, from, to) {
		m = math.Max(m, v)
	}
	return m
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(math.Round(q/100*float64(len(s)-1)))]
}

func mean(v []float64) float64 {
	var sum float64
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

func TestProgress(t *testing.T) {
	req := daily(testAt, allNeeds)
	last := map[string][2]int{}
	req.Progress = func(stage string, done, total int) {
		if done < 0 || done > total {
			t.Errorf("%s: %d of %d", stage, done, total)
		}
		last[stage] = [2]int{done, total}
	}
	collect(t, req)
	for _, stage := range []string{"metrics", "alarms", "logs", "cloudtrail"} {
		if p, ok := last[stage]; !ok || p[0] != p[1] {
			t.Errorf("stage %s ended at %v", stage, p)
		}
	}
}
