package security

import (
	"fmt"
	"regexp"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// testAt is the run instant of every crafted dataset.
var testAt = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return testAt.Add(-d) }

const day = 24 * time.Hour

func ptr[T any](v T) *T { return &v }

const (
	testGroupARN = "arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws/cloudtrail/org:*"
	testTopic    = "arn:aws:sns:ap-northeast-2:123456789012:security-alarms"
)

// goodDataset is an account that passes every check: each check's test
// breaks exactly the thing the check looks at.
func goodDataset() *source.Dataset {
	d := &source.Dataset{
		Account: source.Account{ID: "123456789012", Region: "ap-northeast-2"},
		Window:  source.Window{Start: ago(30 * day), End: testAt},
		Trails: []source.Trail{{
			Name: "org-trail", HomeRegion: "ap-northeast-2", MultiRegion: true, Logging: true, LogFileValidation: true,
			KMSKeyID: "arn:aws:kms:ap-northeast-2:123456789012:key/1111", S3Bucket: "trail-bucket", LogGroupARN: testGroupARN,
			ManagementEvents: true, ReadWriteType: "All", BucketAccessLogging: ptr(true),
		}},
		ConfigRecorders: []source.ConfigRecorder{{Name: "default", Recording: true, AllSupported: true, IncludeGlobal: true}},
		Subscriptions:   []source.Subscription{{TopicARN: testTopic, Protocol: "email", Endpoint: "sec@example.com", Confirmed: true}},
		Instances: []source.Instance{
			{ID: "i-web", Name: "web", PublicIP: "203.0.113.10", SecurityGroupIDs: []string{"sg-web"}},
			{ID: "i-db", Name: "db", SecurityGroupIDs: []string{"sg-db"}},
		},
		SecurityGroups: []source.SecurityGroup{
			{ID: "sg-web", Name: "web", VPCID: "vpc-1", AttachedTo: []string{"i-web"}, Ingress: []source.SGRule{
				{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRs: []string{"0.0.0.0/0"}, IPv6CIDRs: []string{"::/0"}},
				{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"0.0.0.0/0"}},
				{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRs: []string{"10.0.0.0/8"}},
			}},
			{ID: "sg-db", Name: "db", VPCID: "vpc-1", AttachedTo: []string{"i-db"}, Ingress: []source.SGRule{
				{Protocol: "tcp", FromPort: 5432, ToPort: 5432, SourceGroups: []string{"sg-web"}},
			}},
			{ID: "sg-default", Name: "default", VPCID: "vpc-1"},
		},
		VPCs:     []source.VPC{{ID: "vpc-1", Name: "main", CIDR: "10.0.0.0/16"}},
		FlowLogs: []source.FlowLog{{ID: "fl-1", ResourceID: "vpc-1", Status: "ACTIVE", TrafficType: "ALL"}},
		NetworkACLs: []source.NetworkACL{{ID: "acl-1", VPCID: "vpc-1", Entries: []source.ACLEntry{
			{RuleNumber: 90, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22, Action: "deny"},
			{RuleNumber: 91, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 3389, ToPort: 3389, Action: "deny"},
			{RuleNumber: 100, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "allow"},
			{RuleNumber: 32767, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "deny"},
			{RuleNumber: 100, Egress: true, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "allow"},
		}}},
		IAM: &source.IAM{
			ReportGenerated: ago(time.Hour),
			CredentialReport: []source.CredentialReportRow{
				{User: RootUser, PasswordEnabled: true, PasswordLastUsed: ago(200 * day), MFAActive: true},
				{User: "alice", PasswordEnabled: true, PasswordLastUsed: ago(day), MFAActive: true, Created: ago(400 * day)},
				{User: "deployer", AccessKey1Active: true, AccessKey1LastRotated: ago(30 * day), AccessKey1LastUsed: ago(2 * time.Hour), Created: ago(400 * day)},
			},
			PasswordPolicy: &source.PasswordPolicy{MinimumLength: 16, ReusePrevention: 24, RequireSymbols: true},
		},
	}
	// One filter, alarm and subscriber per CIS 4.x recommendation, with the
	// pattern spaced and quoted differently from the benchmark's text.
	for _, m := range cisMonitors {
		metric := "cis_" + m.cis
		d.MetricFilters = append(d.MetricFilters, source.MetricFilter{Name: "cis-" + m.cis, LogGroup: "/aws/cloudtrail/org",
			Pattern: respace(m.patterns[0]), MetricNamespace: "CISBenchmark", MetricName: metric})
		d.Alarms = append(d.Alarms, source.Alarm{Name: "cis-" + m.cis + "-alarm", Namespace: "CISBenchmark", Metric: metric,
			State: source.StateOK, ActionsEnabled: true, AlarmActions: []string{testTopic}})
	}
	return d
}

var operatorSpace = regexp.MustCompile(`\s*([(){}=!<>&|]+)\s*`)

// respace rewrites a pattern with no spaces around operators and
// parentheses, as the AWS CLI examples often do.
func respace(p string) string { return operatorSpace.ReplaceAllString(p, "$1") }

func testEnv(d *source.Dataset) *Env {
	var o *config.SecurityOptions
	return &Env{Data: d, Opts: o.WithDefaults(), At: testAt}
}

func gap(part string) source.Gap {
	return source.Gap{Source: "test", Part: part, API: "test:Api", Error: fmt.Sprintf("AccessDenied reading %s", part)}
}
