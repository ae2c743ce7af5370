package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/aws"
	"github.com/cwreport/cwreport/report/pack/kmssign"
)

const policyConfig = `timezone: Asia/Seoul
source: {type: aws, region: ap-northeast-2, logs: {engine: filter}}
targets:
  archive: {type: s3, bucket: ops-reports, prefix: cwreport/, presign_expiry: "0"}
  mail: {type: email, ses: {}, from: "cwreport <reports@example.com>", to: [sre@example.com]}
  relay: {type: email, smtp: {host: email-smtp.ap-northeast-2.amazonaws.com}, from: reports@example.com, to: [sre@example.com]}
  ops: {type: slack, token: xoxb-test, channel: "#ops"}
jobs:
  - {name: morning, kind: daily-status, deliver: [archive, mail, relay, ops]}
  - {name: audit, kind: security, window: last-month, deliver: [archive]}
  - {name: weekly, kind: capacity}
  - {name: outage, kind: incident}
  - {name: compare, kind: benchmark}
`

func policyOf(t *testing.T, out string) aws.Policy {
	t.Helper()
	var p aws.Policy
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("stdout is not a policy document: %v\n%s", err, out)
	}
	return p
}

// TestIAMPolicy: the printed reads are exactly what the jobs' plans need
// (source.ReadActions of their union), and each target adds only its write.
func TestIAMPolicy(t *testing.T) {
	path := writeFile(t, "cwreport.yaml", policyConfig)
	code, out, errs := cli(t, "iam-policy", "--config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	p := policyOf(t, out)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := jobs.Analyzers()
	var needs source.Need
	for _, j := range cfg.Jobs {
		needs |= jobNeeds(reg, j, time.Now())
	}
	want := aws.ReadActions(needs, "filter")
	var reads []string
	for _, s := range p.Statement {
		if strings.HasPrefix(s.Sid, "CwreportRead") || strings.HasPrefix(s.Sid, "CwreportTrail") {
			for _, a := range s.Action {
				if a != "kms:Decrypt" {
					reads = append(reads, a)
				}
			}
		}
	}
	slices.Sort(reads)
	if strings.Join(reads, " ") != strings.Join(want, " ") {
		t.Errorf("reads:\n got %v\nwant %v", reads, want)
	}
	if slices.Contains(reads, "logs:StartQuery") {
		t.Error("logs.engine filter must not grant Insights")
	}
	bySid := map[string]aws.Statement{}
	for _, s := range p.Statement {
		bySid[s.Sid] = s
	}
	if s := bySid["CwreportDeliverArchive"]; strings.Join(s.Action, ",") != "s3:PutObject" || s.Resource[0] != "arn:aws:s3:::ops-reports/cwreport/*" {
		t.Errorf("s3 target statement: %+v", s)
	}
	if s := bySid["CwreportDeliverMail"]; strings.Join(s.Action, ",") != "ses:SendEmail,ses:SendRawEmail" || s.Condition["StringEquals"]["ses:FromAddress"] != "reports@example.com" {
		t.Errorf("ses target statement: %+v", s)
	}
	if _, ok := bySid["CwreportDeliverOps"]; ok {
		t.Error("a Slack target needs no AWS permission")
	}
	if !strings.Contains(errs, "relay sends through the SES SMTP endpoint") {
		t.Errorf("no SMTP note: %s", errs)
	}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			if strings.Contains(a, "*") || strings.HasPrefix(a, "iam:Put") || strings.HasPrefix(a, "iam:Create") {
				t.Errorf("over-broad action %s", a)
			}
		}
	}
}

// TestIAMPolicyOneJob: --job narrows the reads to that job's plan.
func TestIAMPolicyOneJob(t *testing.T) {
	path := writeFile(t, "cwreport.yaml", policyConfig)
	code, out, _ := cli(t, "iam-policy", "--config", path, "--job", "weekly", "--trail-bucket", "trail-logs")
	if code != 0 {
		t.Fatal(out)
	}
	p := policyOf(t, out)
	if len(p.Statement) != 1 || slices.Contains(p.Statement[0].Action, "cloudtrail:LookupEvents") || !slices.Contains(p.Statement[0].Action, "cloudwatch:GetMetricData") {
		t.Errorf("capacity only: %+v", p.Statement)
	}
	if code, _, errs := cli(t, "iam-policy", "--config", path, "--job", "nope"); code != 2 || !strings.Contains(errs, "jobs are: morning") {
		t.Errorf("unknown job: exit %d %s", code, errs)
	}
}

// TestIAMPolicyDemoSource: the demo reads nothing from AWS; only target
// writes remain.
func TestIAMPolicyDemoSource(t *testing.T) {
	path := writeFile(t, "cwreport.yaml", strings.Replace(policyConfig, "type: aws, region: ap-northeast-2, logs: {engine: filter}", "type: demo", 1))
	code, out, errs := cli(t, "iam-policy", "--config", path)
	if code != 0 {
		t.Fatal(errs)
	}
	p := policyOf(t, out)
	for _, s := range p.Statement {
		if !strings.HasPrefix(s.Sid, "CwreportDeliver") {
			t.Errorf("demo source policy has %s", s.Sid)
		}
	}
	if !strings.Contains(errs, "reading needs no AWS permission") {
		t.Errorf("stderr: %s", errs)
	}
}

// TestIAMPolicyCoversEveryKind: a config with every kind grants every read
// each kind's plan makes; with engine auto that is the source's whole read
// surface except what no kind asks for.
func TestIAMPolicyCoversEveryKind(t *testing.T) {
	path := writeFile(t, "cwreport.yaml", strings.Replace(policyConfig, ", logs: {engine: filter}", "", 1))
	_, out, _ := cli(t, "iam-policy", "--config", path)
	p := policyOf(t, out)
	got := p.Actions()
	for _, k := range config.Kinds {
		for _, a := range aws.ReadActions(kindNeeds[k], "auto") {
			if k == "capacity" && a == "pricing:GetProducts" {
				continue // only with capacity.live_prices
			}
			if !got[a] {
				t.Errorf("kind %s reads with %s, which the policy lacks", k, a)
			}
		}
	}
}

// TestIAMPolicyPackKMSKey: a security job that signs its audit pack with KMS
// gets kms:GetPublicKey and kms:Sign on that key only, whatever form the key
// is given in (report/pack/kmssign calls exactly these two); a job without
// a KMS key gets none, and --job leaves other jobs' keys out.
func TestIAMPolicyPackKMSKey(t *testing.T) {
	const keyARN = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cfg := `timezone: Asia/Seoul
source: {type: aws, region: ap-northeast-2, assume_role_arn: "arn:aws:iam::444455556666:role/cwreport-read"}
jobs:
  - {name: audit, kind: security, window: last-month, security: {pack: {kms_key_id: "` + keyARN + `"}}}
  - {name: audit-alias, kind: security, window: last-month, security: {pack: {kms_key_id: alias/cwreport-pack}}}
  - {name: audit-alias-arn, kind: security, window: last-month, security: {pack: {kms_key_id: "arn:aws:kms:us-east-1:111122223333:alias/audit"}}}
  - {name: audit-id, kind: security, window: last-month, security: {pack: {kms_key_id: mrk-1234abcd12ab34cd56ef1234567890ab}}}
  - {name: audit-again, kind: security, window: last-month, security: {pack: {kms_key_id: "` + keyARN + `"}}}
  - {name: audit-file, kind: security, window: last-month, security: {pack: {signing_key_file: /etc/cwreport/pack.pem}}}
  - {name: weekly, kind: capacity}
`
	path := writeFile(t, "cwreport.yaml", cfg)
	code, out, errs := cli(t, "iam-policy", "--config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	p := policyOf(t, out)
	type want struct {
		resource, alias string
	}
	wants := map[string]want{
		"CwreportSignPackAudit":         {keyARN, ""},
		"CwreportSignPackAuditAlias":    {"arn:aws:kms:ap-northeast-2:*:key/*", "alias/cwreport-pack"},
		"CwreportSignPackAuditAliasArn": {"arn:aws:kms:us-east-1:111122223333:key/*", "alias/audit"},
		"CwreportSignPackAuditId":       {"arn:aws:kms:ap-northeast-2:*:key/mrk-1234abcd12ab34cd56ef1234567890ab", ""},
	}
	got := map[string]bool{}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			if strings.HasPrefix(a, "kms:") && a != "kms:Decrypt" && !strings.HasPrefix(s.Sid, "CwreportSignPack") {
				t.Errorf("%s grants %s outside a pack statement", s.Sid, a)
			}
		}
		if !strings.HasPrefix(s.Sid, "CwreportSignPack") {
			continue
		}
		got[s.Sid] = true
		w, ok := wants[s.Sid]
		if !ok {
			t.Errorf("unexpected statement %+v (the same key twice, or a job without a KMS key)", s)
			continue
		}
		// The signer's client interface is the list of calls it makes.
		api := reflect.TypeFor[kmssign.API]()
		for i := range api.NumMethod() {
			if !slices.Contains(s.Action, "kms:"+api.Method(i).Name) {
				t.Errorf("%s lacks kms:%s, which report/pack/kmssign calls", s.Sid, api.Method(i).Name)
			}
		}
		if strings.Join(s.Action, ",") != "kms:GetPublicKey,kms:Sign" || len(s.Resource) != 1 || s.Resource[0] != w.resource {
			t.Errorf("%s: actions %v resource %v, want kms:GetPublicKey,kms:Sign on %s", s.Sid, s.Action, s.Resource, w.resource)
		}
		if alias := s.Condition["StringEquals"]["kms:RequestAlias"]; alias != w.alias || (w.alias == "" && s.Condition != nil) {
			t.Errorf("%s: condition %v, want kms:RequestAlias %q", s.Sid, s.Condition, w.alias)
		}
	}
	for sid := range wants {
		if !got[sid] {
			t.Errorf("no statement %s", sid)
		}
	}
	if !strings.Contains(errs, "CwreportSignPack*") {
		t.Errorf("the assume-role note does not say where the signing statements go: %s", errs)
	}

	_, out, _ = cli(t, "iam-policy", "--config", path, "--job", "weekly")
	for _, s := range policyOf(t, out).Statement {
		if strings.HasPrefix(s.Sid, "CwreportSignPack") {
			t.Errorf("--job weekly grants %s", s.Sid)
		}
	}
}
