package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// TestTransientFaultsAreRetried: throttling (each protocol's own code),
// HTTP 429 without a code and 5xx are retried by the adaptive retryer; the
// data arrives complete and Stats counts the retries.
func TestTransientFaultsAreRetried(t *testing.T) {
	cases := []struct {
		api    string
		faults []fault
		need   source.Need
		check  func(*source.Dataset) bool
	}{
		{"cloudwatch:DescribeAlarms", []fault{{400, "ThrottlingException"}, {400, "ThrottlingException"}}, source.NeedAlarms,
			func(ds *source.Dataset) bool { return len(ds.Alarms) >= 3 }},
		{"logs:DescribeLogGroups", []fault{{429, ""}, {429, ""}}, source.NeedLogGroups,
			func(ds *source.Dataset) bool { return len(ds.LogGroups) >= 3 }},
		{"ec2:DescribeInstances", []fault{{503, ""}, {500, "InternalError"}}, source.NeedInstances,
			func(ds *source.Dataset) bool { return len(ds.Instances) >= 3 }},
		{"ec2:DescribeSecurityGroups", []fault{{503, "RequestLimitExceeded"}}, source.NeedNetwork,
			func(ds *source.Dataset) bool { return len(ds.SecurityGroups) >= 3 }},
		{"cloudwatch:GetMetricData", []fault{{500, ""}, {400, "Throttling"}}, source.NeedMetrics,
			func(ds *source.Dataset) bool { return len(ds.Series) >= 9 }},
	}
	for _, c := range cases {
		t.Run(c.api, func(t *testing.T) {
			ta := newTestAWS(t)
			acc := ta.account(t)
			fakeForMissingAPIs(t, ta, acc)
			ta.inject(c.api, c.faults...)
			src := ta.source(config.Source{}, acc.at)
			ds, err := src.Collect(context.Background(), source.Request{Window: acc.window, At: acc.at, Needs: c.need, Metrics: testMetrics})
			must(t, err)
			if len(ds.Gaps) > 0 {
				t.Fatalf("gaps after retries: %+v", ds.Gaps)
			}
			if !c.check(ds) {
				t.Errorf("data incomplete after retries")
			}
			// Every injected fault was retried and counted (the transport may
			// add a retry of its own: a response cut by a closed connection).
			retries := ds.Stats["retries:"+c.api]
			if got := ta.attemptsOf(c.api); retries < len(c.faults) || got != retries+ds.Stats[c.api] {
				t.Errorf("%d attempts, %d retries for %d faults", got, retries, len(c.faults))
			}
			if ds.Stats[c.api] != 1 && c.api != "cloudwatch:GetMetricData" {
				t.Errorf("stats: %d calls", ds.Stats[c.api])
			}
		})
	}
}

// TestRetriesAreBounded: past source.max_attempts a throttled call is a gap
// and the collection goes on.
func TestRetriesAreBounded(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	for i := 0; i < 5; i++ {
		ta.inject("cloudwatch:DescribeAlarms", fault{400, "ThrottlingException"})
	}
	src := ta.source(config.Source{MaxAttempts: 3}, acc.at)
	ds, err := src.Collect(context.Background(), source.Request{Window: acc.window, At: acc.at, Needs: source.NeedAlarms | source.NeedInstances})
	must(t, err)
	if ta.attemptsOf("cloudwatch:DescribeAlarms") != 3 {
		t.Errorf("%d attempts, want 3", ta.attemptsOf("cloudwatch:DescribeAlarms"))
	}
	if len(ds.Gaps) != 1 || ds.Gaps[0].Part != "alarms" || ds.Gaps[0].API != "cloudwatch:DescribeAlarms" || !strings.HasPrefix(ds.Gaps[0].Error, "ThrottlingException") {
		t.Errorf("gaps: %+v", ds.Gaps)
	}
	if len(ds.Instances) < 3 {
		t.Error("the instances must still be collected")
	}
}

// TestDeniedAndMissingAPIsAreGaps: AccessDenied in each protocol's shape
// is a gap naming the IAM action to grant; an API the peer does not have
// (kumo has no DescribeNetworkAcls) is a gap with the peer's error; every
// other part is still collected.
func TestDeniedAndMissingAPIsAreGaps(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	fakeForMissingAPIs(t, ta, acc)
	ta.handle("ec2:DescribeNetworkAcls", nil) // back to kumo, which lacks it
	ta.inject("cloudwatch:DescribeAlarmHistory", fault{403, "AccessDenied"})
	ta.inject("ec2:DescribeFlowLogs", fault{403, "UnauthorizedOperation"})
	ta.inject("logs:DescribeMetricFilters", fault{400, "AccessDeniedException"})
	ta.inject("iam:GetAccountSummary", fault{403, "AccessDenied"})
	ta.inject("s3:GetBucketLogging", fault{403, "AccessDenied"})
	src := ta.source(config.Source{}, acc.at)
	ds, err := src.Collect(context.Background(), source.Request{Window: acc.window, At: acc.at, Needs: AllNeeds, Metrics: testMetrics, Logs: testLogQuery})
	must(t, err)
	want := map[string]string{ // part -> action
		"alarm_history":       "cloudwatch:DescribeAlarmHistory",
		"flow_logs":           "ec2:DescribeFlowLogs",
		"metric_filters":      "logs:DescribeMetricFilters",
		"iam:account_summary": "iam:GetAccountSummary",
		"trails:" + acc.trailName + ":bucket_logging": "s3:GetBucketLogging",
		"network_acls": "",
	}
	got := map[string]source.Gap{}
	for _, g := range ds.Gaps {
		got[g.Part] = g
	}
	for part, action := range want {
		g, ok := got[part]
		if !ok {
			t.Errorf("no gap for %s (gaps: %+v)", part, ds.Gaps)
			continue
		}
		if g.Source != "aws" || g.Action != action || g.API == "" || g.Error == "" {
			t.Errorf("gap %s = %+v, want action %q", part, g, action)
		}
		if action != "" && !strings.Contains(g.Error, "grant "+action) {
			t.Errorf("gap %s error %q does not say what to grant", part, g.Error)
		}
	}
	if len(ds.Gaps) != len(want) {
		t.Errorf("%d gaps, want %d: %+v", len(ds.Gaps), len(want), ds.Gaps)
	}
	if g := got["network_acls"]; g.API != "ec2:DescribeNetworkAcls" {
		t.Errorf("missing API gap = %+v", g)
	}
	// Everything else is there.
	if len(ds.Instances) < 3 || len(ds.Series) < 9 || len(ds.Alarms) < 3 || len(ds.LogStats) != 3 || len(ds.TrailEvents) != 5 ||
		ds.IAM == nil || len(ds.IAM.CredentialReport) != 4 || ds.IAM.Summary != nil || len(ds.Trails) != 1 || ds.Trails[0].BucketAccessLogging != nil {
		t.Errorf("other parts incomplete")
	}
	if !ds.Missing("flow_logs") || ds.Missing("vpcs") {
		t.Error("Dataset.Missing must tell not-read from none")
	}
}

// TestNoPasswordPolicyIsNotAGap: IAM's NoSuchEntity for the password
// policy means the account has none: nil policy, no gap.
func TestNoPasswordPolicyIsNotAGap(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	fakeForMissingAPIs(t, ta, acc)
	ta.inject("iam:GetAccountPasswordPolicy", fault{404, "NoSuchEntity"})
	src := ta.source(config.Source{}, acc.at)
	ds, err := src.Collect(context.Background(), source.Request{Window: acc.window, At: acc.at, Needs: source.NeedIAM})
	must(t, err)
	if len(ds.Gaps) != 0 || ds.IAM == nil || ds.IAM.PasswordPolicy != nil || len(ds.IAM.CredentialReport) != 4 {
		t.Errorf("gaps %+v, iam %+v", ds.Gaps, ds.IAM)
	}
}

// TestNoCredentialsIsAnError: without credentials nothing can be read, so
// Collect fails instead of returning a dataset of gaps.
func TestNoCredentialsIsAnError(t *testing.T) {
	ta := newTestAWS(t)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	s, err := New(context.Background(), Options{Config: config.Source{Type: "aws", Region: testRegion, EndpointURL: ta.kumo.URL, MaxAttempts: 1}})
	must(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Collect(ctx, source.Request{Needs: source.NeedInstances}); err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("err = %v", err)
	}
}
