package security

import (
	"slices"
	"strings"
	"testing"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// TestChecksMetadata keeps the checks table consistent: unique ids, real
// CIS v5.0.0 numbers used once, both languages, a function each, and every
// CIS recommendation in the v5.0.0 table mapped by a check.
func TestChecksMetadata(t *testing.T) {
	cs := Checks()
	if err := validateChecks(cs); err != nil {
		t.Fatal(err)
	}
	mapped := map[string]bool{}
	for _, c := range cs {
		mapped[c.CIS] = true
		if c.Needs == 0 {
			t.Errorf("check %s does not say which dataset parts it needs", c.ID)
		}
		prefix, _, _ := strings.Cut(c.ID, ".")
		if !slices.Contains([]string{"cloudtrail", "config", "monitoring", "network", "iam"}, prefix) {
			t.Errorf("check %s: id prefix %q is not a check family", c.ID, prefix)
		}
	}
	for n := range cisV5 {
		if !mapped[n] {
			t.Errorf("CIS %s is in the v5.0.0 table but no check maps it", n)
		}
	}
	// The table must reject what it claims to reject.
	bad := []struct {
		name   string
		mutate func([]Check)
	}{
		{"duplicate id", func(cs []Check) { cs[1].ID = cs[0].ID }},
		{"v3 number", func(cs []Check) { cs[0].CIS = "4.16.1" }},
		{"CIS used twice", func(cs []Check) { cs[1].CIS = cs[0].CIS }},
		{"missing Korean", func(cs []Check) { cs[0].Title.Ko = "" }},
		{"no function", func(cs []Check) { cs[0].Run = nil }},
		{"info severity", func(cs []Check) { cs[0].Severity = report.SeverityInfo }},
	}
	for _, b := range bad {
		cs := Checks()
		b.mutate(cs)
		if validateChecks(cs) == nil {
			t.Errorf("validateChecks accepted a table with %s", b.name)
		}
	}
}

func findCheck(t *testing.T, id string) Check {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return Check{}
}

func rootRow(d *source.Dataset) *source.CredentialReportRow { return &d.IAM.CredentialReport[0] }
func userRow(d *source.Dataset, name string) *source.CredentialReportRow {
	for i := range d.IAM.CredentialReport {
		if d.IAM.CredentialReport[i].User == name {
			return &d.IAM.CredentialReport[i]
		}
	}
	panic(name)
}

func removeFilter(cis string) func(*source.Dataset) {
	return func(d *source.Dataset) {
		d.MetricFilters = slices.DeleteFunc(d.MetricFilters, func(f source.MetricFilter) bool { return f.Name == "cis-"+cis })
	}
}

// checkCases breaks, for each check, exactly what it looks at (fail) and
// hides exactly the data it needs (unknown). Every check must have a case.
var checkCases = map[string]struct {
	fail      func(*source.Dataset)
	offenders []string
	unknown   func(*source.Dataset)
}{
	"cloudtrail.multi_region": {
		fail:    func(d *source.Dataset) { d.Trails[0].ReadWriteType = "WriteOnly" },
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("trails")) },
	},
	"cloudtrail.log_file_validation": {
		fail: func(d *source.Dataset) { d.Trails[0].LogFileValidation = false }, offenders: []string{"org-trail"},
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("trails")) },
	},
	"config.recording": {
		fail:    func(d *source.Dataset) { d.ConfigRecorders[0].IncludeGlobal = false },
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("config_recorders")) },
	},
	"cloudtrail.bucket_access_logging": {
		fail: func(d *source.Dataset) { d.Trails[0].BucketAccessLogging = ptr(false) }, offenders: []string{"org-trail"},
		// nil: the source could not read the bucket's logging.
		unknown: func(d *source.Dataset) { d.Trails[0].BucketAccessLogging = nil },
	},
	"cloudtrail.kms_encryption": {
		fail: func(d *source.Dataset) { d.Trails[0].KMSKeyID = "" }, offenders: []string{"org-trail"},
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("trails")) },
	},
	"network.sg_admin_ports_ipv4": {
		fail: func(d *source.Dataset) {
			d.SecurityGroups[1].Ingress = append(d.SecurityGroups[1].Ingress, source.SGRule{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}})
		},
		offenders: []string{"sg-db"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("security_groups")) },
	},
	"network.sg_admin_ports_ipv6": {
		fail: func(d *source.Dataset) {
			d.SecurityGroups[0].Ingress = append(d.SecurityGroups[0].Ingress, source.SGRule{Protocol: "tcp", FromPort: 3000, ToPort: 4000, IPv6CIDRs: []string{"::/0"}})
		},
		offenders: []string{"sg-web"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("security_groups:vpc-1")) },
	},
	"network.sg_sensitive_ports": {
		fail: func(d *source.Dataset) {
			d.SecurityGroups[1].Ingress = append(d.SecurityGroups[1].Ingress, source.SGRule{Protocol: "6", FromPort: 8888, ToPort: 8888, IPv6CIDRs: []string{"::/0"}})
		},
		offenders: []string{"sg-db"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("security_groups")) },
	},
	"network.default_sg_restricts_all": {
		fail: func(d *source.Dataset) {
			d.SecurityGroups[2].Egress = []source.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}}}
		},
		offenders: []string{"sg-default"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("security_groups")) },
	},
	"network.nacl_admin_ports": {
		// Without the DENY rule 90, the ALLOW-all rule 100 lets 22 in.
		fail: func(d *source.Dataset) {
			d.NetworkACLs[0].Entries = slices.DeleteFunc(d.NetworkACLs[0].Entries, func(e source.ACLEntry) bool { return e.RuleNumber == 90 })
		},
		offenders: []string{"acl-1"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("network_acls")) },
	},
	"network.vpc_flow_logs": {
		fail: func(d *source.Dataset) {
			d.VPCs = append(d.VPCs, source.VPC{ID: "vpc-2", CIDR: "172.31.0.0/16", IsDefault: true})
			d.FlowLogs = append(d.FlowLogs, source.FlowLog{ID: "fl-2", ResourceID: "subnet-in-vpc-2", Status: "ACTIVE"})
		},
		offenders: []string{"vpc-2"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("flow_logs")) },
	},
	"iam.root_access_keys": {
		fail: func(d *source.Dataset) { rootRow(d).AccessKey2Active = true }, offenders: []string{"root"},
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("iam:credential_report")) },
	},
	"iam.root_mfa": {
		fail: func(d *source.Dataset) { rootRow(d).MFAActive = false }, offenders: []string{"root"},
		unknown: func(d *source.Dataset) { d.IAM = nil },
	},
	"iam.root_recent_use": {
		fail: func(d *source.Dataset) { rootRow(d).PasswordLastUsed = ago(3 * day) }, offenders: []string{"root"},
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("iam")) },
	},
	"iam.password_min_length": {
		fail:    func(d *source.Dataset) { d.IAM.PasswordPolicy.MinimumLength = 8 },
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("iam:password_policy")) },
	},
	"iam.password_reuse": {
		fail:    func(d *source.Dataset) { d.IAM.PasswordPolicy = nil }, // no policy at all
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("iam:password_policy")) },
	},
	"iam.console_users_mfa": {
		fail: func(d *source.Dataset) {
			d.IAM.CredentialReport = append(d.IAM.CredentialReport, source.CredentialReportRow{User: "bob", PasswordEnabled: true, PasswordLastUsed: ago(day)})
		},
		offenders: []string{"bob"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("iam:credential_report")) },
	},
	"iam.unused_credentials": {
		fail: func(d *source.Dataset) {
			userRow(d, "alice").PasswordLastUsed = ago(120 * day)
			userRow(d, "deployer").AccessKey1LastUsed = ago(45 * day)
		},
		offenders: []string{"alice", "deployer"},
		unknown:   func(d *source.Dataset) { d.IAM.CredentialReport = nil },
	},
	"iam.single_active_key": {
		fail: func(d *source.Dataset) {
			u := userRow(d, "deployer")
			u.AccessKey2Active, u.AccessKey2LastRotated = true, ago(day)
		},
		offenders: []string{"deployer"},
		unknown:   func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("iam:credential_report")) },
	},
	"iam.access_key_rotation": {
		fail: func(d *source.Dataset) { userRow(d, "deployer").AccessKey1LastRotated = ago(200 * day) }, offenders: []string{"deployer"},
		unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("iam:credential_report")) },
	},
}

func init() {
	for _, m := range cisMonitors {
		checkCases[m.id] = struct {
			fail      func(*source.Dataset)
			offenders []string
			unknown   func(*source.Dataset)
		}{fail: removeFilter(m.cis), unknown: func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("metric_filters")) }}
	}
}

func TestEveryCheckPassesFailsAndIsUnknown(t *testing.T) {
	for _, c := range Checks() {
		tc, ok := checkCases[c.ID]
		if !ok {
			t.Errorf("check %s has no pass/fail/unknown test case", c.ID)
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			if r := c.Run(testEnv(goodDataset())); r.Status != Pass {
				t.Errorf("good account: %s (%s), want pass", r.Status, r.Summary.En)
			}
			d := goodDataset()
			tc.fail(d)
			r := c.Run(testEnv(d))
			if r.Status != Fail {
				t.Errorf("broken account: %s (%s), want fail", r.Status, r.Summary.En)
			}
			if tc.offenders != nil && !slices.Equal(r.Offenders, tc.offenders) {
				t.Errorf("offenders %v, want %v", r.Offenders, tc.offenders)
			}
			if r.Summary.En == "" || r.Summary.Ko == "" {
				t.Error("a failure must say why in both languages")
			}
			d = goodDataset()
			tc.unknown(d)
			if r := c.Run(testEnv(d)); r.Status != Unknown {
				t.Errorf("unread data: %s (%s), want unknown", r.Status, r.Summary.En)
			}
		})
	}
}

// A gap for a sibling part must not make a check unknown: a missing
// password policy says nothing about the credential report.
func TestSiblingGapIsNotUnknown(t *testing.T) {
	d := goodDataset()
	d.Gaps = append(d.Gaps, gap("iam:password_policy"), gap("trail_events"))
	if r := findCheck(t, "iam.root_mfa").Run(testEnv(d)); r.Status != Pass {
		t.Errorf("root MFA with a password-policy gap: %s", r.Status)
	}
	if r := findCheck(t, "iam.password_reuse").Run(testEnv(d)); r.Status != Unknown {
		t.Errorf("password reuse with a password-policy gap: %s", r.Status)
	}
}

// The aws source records per-trail and per-topic gaps; they make unknown
// only what they hide.
func TestPieceGaps(t *testing.T) {
	cases := []struct {
		gap   string
		check string
		want  Status
	}{
		{"trails:org-trail:status", "cloudtrail.multi_region", Unknown},
		{"trails:org-trail:status", "monitoring.root_usage", Unknown},
		{"trails:org-trail:status", "cloudtrail.log_file_validation", Pass},
		{"trails:org-trail:bucket_logging", "cloudtrail.kms_encryption", Pass},
		{"trails:other-trail:status", "cloudtrail.multi_region", Pass},
		{"subscriptions:" + testTopic, "monitoring.root_usage", Unknown},
		{"subscriptions:arn:aws:sns:ap-northeast-2:123456789012:unrelated", "monitoring.root_usage", Pass},
		{"config_recorders:status", "config.recording", Unknown},
		{"iam:account_summary", "iam.root_mfa", Pass},
	}
	for _, c := range cases {
		d := goodDataset()
		d.Gaps = append(d.Gaps, gap(c.gap))
		if r := findCheck(t, c.check).Run(testEnv(d)); r.Status != c.want {
			t.Errorf("gap %s: %s is %s (%s), want %s", c.gap, c.check, r.Status, r.Summary.En, c.want)
		}
	}
	// A trail whose status is unknown still fails when it is single-region.
	d := goodDataset()
	d.Trails[0].MultiRegion = false
	d.Gaps = append(d.Gaps, gap("trails:org-trail:status"))
	if r := findCheck(t, "cloudtrail.multi_region").Run(testEnv(d)); r.Status != Fail {
		t.Errorf("single-region trail with unknown status: %s", r.Status)
	}
}

func TestNoDatasetIsAllUnknown(t *testing.T) {
	e := testEnv(nil)
	for i, r := range run(Checks(), e) {
		if r.Status != Unknown {
			t.Errorf("%s without a dataset: %s", Checks()[i].ID, r.Status)
		}
	}
}

// The steps of the CIS 4.x audit beyond the filter: alarm, SNS action,
// confirmed subscriber, each missing or unread.
func TestMonitoringChain(t *testing.T) {
	c := findCheck(t, "monitoring.root_usage")
	cases := []struct {
		name   string
		mutate func(*source.Dataset)
		want   Status
		why    string
	}{
		{"no alarm on the metric", func(d *source.Dataset) { d.Alarms[2].Metric = "other" }, Fail, "no alarm"},
		{"alarm actions disabled", func(d *source.Dataset) { d.Alarms[2].ActionsEnabled = false }, Fail, "notifies no SNS topic"},
		{"alarm notifies a Lambda, not SNS", func(d *source.Dataset) {
			d.Alarms[2].AlarmActions = []string{"arn:aws:lambda:ap-northeast-2:123456789012:function:x"}
		}, Fail, "notifies no SNS topic"},
		{"subscription pending", func(d *source.Dataset) { d.Subscriptions[0].Confirmed = false }, Fail, "no confirmed subscriber"},
		{"filter on another log group", func(d *source.Dataset) { d.MetricFilters[2].LogGroup = "/other" }, Fail, "no metric filter"},
		{"trail without CloudWatch Logs", func(d *source.Dataset) { d.Trails[0].LogGroupARN = "" }, Fail, "delivers to CloudWatch Logs"},
		{"single-region trail", func(d *source.Dataset) { d.Trails[0].MultiRegion = false }, Fail, "delivers to CloudWatch Logs"},
		{"alarms unread", func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("alarms")) }, Unknown, "alarms"},
		{"subscriptions unread", func(d *source.Dataset) { d.Gaps = append(d.Gaps, gap("subscriptions")) }, Unknown, "subscriptions"},
		{"event selectors unread", func(d *source.Dataset) { d.Trails[0].ReadWriteType = "" }, Unknown, "event_selectors"},
		{"a broader filter still passes", func(d *source.Dataset) {
			d.MetricFilters[2].Pattern = `{ $.userIdentity.type = "Root" }`
		}, Pass, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := goodDataset()
			tc.mutate(d)
			r := c.Run(testEnv(d))
			if r.Status != tc.want || !strings.Contains(r.Summary.En, tc.why) {
				t.Errorf("got %s (%s), want %s containing %q", r.Status, r.Summary.En, tc.want, tc.why)
			}
		})
	}
}

// An old 4.10 filter without ModifySecurityGroupRules (added in v5.0.0)
// fails and the evidence names the missing event.
func TestMonitoringMissingTerms(t *testing.T) {
	d := goodDataset()
	for i := range d.MetricFilters {
		if d.MetricFilters[i].Name == "cis-4.10" {
			d.MetricFilters[i].Pattern = `{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }`
		}
	}
	r := findCheck(t, "monitoring.security_group_changes").Run(testEnv(d))
	if r.Status != Fail {
		t.Fatalf("status %s", r.Status)
	}
	if got := r.Evidence["missing_terms"]; !slices.Equal(got.([]string), []string{"$.eventName = ModifySecurityGroupRules"}) {
		t.Errorf("missing terms %v", got)
	}
}

func TestOpenRulesAndSeverity(t *testing.T) {
	d := goodDataset()
	d.SecurityGroups[0].Ingress = append(d.SecurityGroups[0].Ingress, source.SGRule{Protocol: "tcp", FromPort: 0, ToPort: 65535, CIDRs: []string{"0.0.0.0/0"}})
	rules := WorldOpenRules(d.SecurityGroups, []int{22, 3389, 8888})
	var all *OpenRule
	for i, o := range rules {
		if o.Ports == "all" {
			all = &rules[i]
		}
	}
	if all == nil || !slices.Equal(all.Exposed, []int{22, 3389, 8888}) {
		t.Fatalf("a 0-65535 rule must expose every checked port: %+v", rules)
	}
	e := testEnv(d)
	fs := networkFindings("en", Checks(), run(Checks(), e), e)
	if len(fs) != 1 || fs[0].ID != FindingSGOpen || fs[0].Severity != report.SeverityCritical {
		t.Fatalf("findings %+v", fs)
	}
	// ICMP from anywhere opens no port.
	icmp := []source.SecurityGroup{{ID: "sg-i", Ingress: []source.SGRule{{Protocol: "icmp", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}}}}}
	if r := WorldOpenRules(icmp, []int{22}); len(r) != 1 || len(r[0].Exposed) != 0 {
		t.Errorf("icmp rule: %+v", r)
	}
}
