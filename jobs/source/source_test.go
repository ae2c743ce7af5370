package source

import (
	"testing"
	"time"
)

func TestScopeMatches(t *testing.T) {
	web := Instance{ID: "i-1", Name: "web-prod-01", Tags: map[string]string{"env": "prod", "team": "web"}}
	db := Instance{ID: "i-2", Name: "db-primary-01", Tags: map[string]string{"env": "prod"}}
	for _, tc := range []struct {
		name  string
		scope Scope
		want  [2]bool
	}{
		{"empty", Scope{}, [2]bool{true, true}},
		{"ids", Scope{InstanceIDs: []string{"i-2"}}, [2]bool{false, true}},
		{"tag value", Scope{Tags: map[string]string{"team": "web"}}, [2]bool{true, false}},
		{"tag any value", Scope{Tags: map[string]string{"env": "*"}}, [2]bool{true, true}},
		{"glob", Scope{NameGlobs: []string{"web-*"}}, [2]bool{true, false}},
		{"all conditions", Scope{Tags: map[string]string{"env": "prod"}, NameGlobs: []string{"db-*", "x"}}, [2]bool{false, true}},
	} {
		got := [2]bool{tc.scope.Matches(web), tc.scope.Matches(db)}
		if got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPeriodFor(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		age  time.Duration
		want time.Duration
	}{
		{24 * time.Hour, time.Minute},
		{15 * 24 * time.Hour, time.Minute},
		{16 * 24 * time.Hour, 5 * time.Minute},
		{63 * 24 * time.Hour, 5 * time.Minute},
		{64 * 24 * time.Hour, time.Hour},
	} {
		if got := PeriodFor(now.Add(-tc.age), now); got != tc.want {
			t.Errorf("age %s: got %s, want %s", tc.age, got, tc.want)
		}
	}
}

func TestLogQuerySelects(t *testing.T) {
	for _, tc := range []struct {
		groups []string
		name   string
		want   bool
	}{
		{nil, "/aws/eks/eksworkshop/cluster", true},
		{[]string{"/aws/eks/*"}, "/aws/eks/eksworkshop/cluster", true},
		{[]string{"/aws/eks/*"}, "/aws/lambda/x", false},
		{[]string{"/aws/lambda/order-notifier"}, "/aws/lambda/order-notifier", true},
		{[]string{"/aws/lambda/order-notifier"}, "/aws/lambda/order-notifier-2", false},
		{[]string{"*/alerts/*"}, "/firewall/alerts/dmz", true},
		{[]string{"/firewall/alerts/?mz"}, "/firewall/alerts/dmz", true},
		{[]string{"/x", "*cloudtrail*"}, "/aws/cloudtrail/management", true},
		{[]string{"**a**a**a**a**b"}, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	} {
		if got := (LogQuery{Groups: tc.groups}).Selects(tc.name); got != tc.want {
			t.Errorf("%v selects %q: got %v, want %v", tc.groups, tc.name, got, tc.want)
		}
	}
}

func TestRequestPeriodOf(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	month := Window{Start: now.Add(-30 * 24 * time.Hour), End: now}
	cpu := MetricSpec{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Maximum"}
	hourly := cpu
	hourly.Period = time.Hour
	for _, tc := range []struct {
		name string
		req  Request
		m    MetricSpec
		want time.Duration
	}{
		{"the metric's own period wins", Request{Window: month, Period: 5 * time.Minute}, hourly, time.Hour},
		{"else the request's", Request{Window: month, Period: 5 * time.Minute}, cpu, 5 * time.Minute},
		{"else from the age of the data", Request{Window: month}, cpu, 5 * time.Minute},
		{"history counts in the age", Request{Window: month, History: 60 * 24 * time.Hour}, cpu, time.Hour},
	} {
		if got := tc.req.PeriodOf(tc.m, now); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
