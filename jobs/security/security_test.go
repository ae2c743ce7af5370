package security

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/demo"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/json"
	"github.com/cwreport/cwreport/report/render/markdown"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./jobs/security -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := 0; i < len(wl) && i < len(gl); i++ {
			if wl[i] != gl[i] {
				t.Errorf("%s differs at line %d (run: go test ./jobs/security -run %s -update if intended)\nwant: %s\n got: %s", path, i+1, t.Name(), wl[i], gl[i])
				return
			}
		}
		t.Errorf("%s differs in length (%d vs %d lines)", path, len(wl), len(gl))
	}
}

var seoul, _ = time.LoadLocation("Asia/Seoul")

func testJob(lang string) *config.Job {
	return &config.Job{Name: "audit", Kind: "security", Language: lang, Period: "month", Window: config.Window{Raw: "30d"}, Location: seoul}
}

func analyzeCrafted(t *testing.T, lang string, earlier []*report.Report) *report.Report {
	t.Helper()
	d, prev := activityDataset()
	job := testJob(lang)
	an := New()
	plan := an.Plan(job, d.Window, testAt)
	if !plan.Request.Needs.Has(source.NeedIAM|source.NeedTrailEvents|source.NeedMonitoring) || plan.Compare == nil ||
		!plan.Compare.End.Equal(d.Window.Start) || plan.CompareNeeds != source.NeedTrailEvents {
		t.Fatalf("plan %+v", plan)
	}
	rep, err := an.Analyze(analyze.Input{Job: job, At: testAt, Window: d.Window, Location: seoul, Lang: lang, Data: d, Previous: prev, Earlier: earlier})
	if err != nil {
		t.Fatal(err)
	}
	rep.GeneratedAt = testAt
	return rep
}

func renderBoth(t *testing.T, r *report.Report) (md, js []byte) {
	t.Helper()
	src, err := markdown.Source(r)
	if err != nil {
		t.Fatal(err)
	}
	doc := &render.Document{Report: r, Markdown: src, Base: "audit-2026-11"}
	m, err := markdown.Renderer{}.Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Renderer{}.Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	return m[0].Data, j[0].Data
}

func earlierReport(period string, value float64, start time.Time) *report.Report {
	return &report.Report{Job: "audit", Kind: "security", Window: report.Window{Start: start, End: start.Add(30 * day)}, Score: &report.Score{Value: value, Max: 100}}
}

func TestGoldenCrafted(t *testing.T) {
	earlier := []*report.Report{
		earlierReport("2026-10", 95, ago(60*day)),
		earlierReport("2026-09", 90, ago(90*day)),
	}
	for _, lang := range []string{"ko", "en"} {
		md, js := renderBoth(t, analyzeCrafted(t, lang, earlier))
		golden(t, "crafted."+lang+".md", md)
		if lang == "en" {
			golden(t, "crafted.json", js)
		}
	}
}

func TestReportContent(t *testing.T) {
	rep := analyzeCrafted(t, "en", []*report.Report{earlierReport("2026-10", 99, ago(60*day))})
	ids := map[string]int{}
	for _, f := range rep.Findings {
		ids[f.ID]++
	}
	for _, want := range []string{FindingLoginFailures, FindingBruteForce, FindingAccessDenied, FindingRootUsage, FindingSGOpened,
		FindingAssumeNewCaller, FindingAssumeNewSourceIP} {
		if ids[want] == 0 {
			t.Errorf("no %s finding", want)
		}
	}
	if ids[FindingAccessDenied] != 2 {
		t.Errorf("%d access-denied findings, want one per principal (2)", ids[FindingAccessDenied])
	}
	// The crafted account passes every check; activity alone raises findings.
	for id := range ids {
		if strings.HasPrefix(id, "cis.") {
			t.Errorf("unexpected %s on an account that passes every check", id)
		}
	}
	if rep.Score.Value != 100 || len(rep.Score.Unknown) != 0 || len(rep.Score.History) != 1 {
		t.Errorf("score %+v", rep.Score)
	}
	for _, id := range EvidenceTables {
		if rep.Table(id) == nil {
			t.Errorf("evidence table %s missing", id)
		}
	}
	for _, c := range []string{ChartGauge, ChartCategories, ChartTrend, ChartLogins} {
		if rep.Chart(c) == nil {
			t.Errorf("chart %s missing", c)
		}
	}
	if !strings.Contains(rep.Headline, "28 failed logins") || !strings.Contains(rep.Headline, "root used") {
		t.Errorf("headline %q", rep.Headline)
	}
}

// A source that could read nothing gives a report that says so: every check
// unknown and listed apart, no score pretending to be 100, activity unknown.
func TestEverythingUnread(t *testing.T) {
	d := &source.Dataset{Window: source.Window{Start: ago(30 * day), End: testAt}}
	for _, p := range []string{"trails", "config_recorders", "metric_filters", "alarms", "subscriptions", "security_groups",
		"network_acls", "vpcs", "flow_logs", "iam", "trail_events"} {
		d.Gaps = append(d.Gaps, gap(p))
	}
	job := testJob("ko")
	rep, err := New().Analyze(analyze.Input{Job: job, At: testAt, Window: d.Window, Location: seoul, Lang: "ko", Data: d})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Score.Value != 0 || len(rep.Score.Unknown) != len(Checks()) {
		t.Errorf("score %v, %d unknown of %d", rep.Score.Value, len(rep.Score.Unknown), len(Checks()))
	}
	if len(rep.Findings) != 0 {
		t.Errorf("findings without data: %+v", rep.Findings)
	}
	if len(rep.DataGaps) != len(d.Gaps) {
		t.Errorf("%d data gaps, want %d", len(rep.DataGaps), len(d.Gaps))
	}
	md, _ := renderBoth(t, rep)
	for _, want := range []string{"평가하지 못한 점검", "CloudTrail 이벤트를 읽지 못했습니다", "수집하지 못한 데이터"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestScoreFormula(t *testing.T) {
	cs := []Check{
		{ID: "a", Category: Authentication, Severity: report.SeverityCritical},
		{ID: "b", Category: Authentication, Severity: report.SeverityLow},
		{ID: "c", Category: Network, Severity: report.SeverityHigh},
		{ID: "d", Category: Network, Severity: report.SeverityHigh},
		{ID: "e", Category: Monitoring, Severity: report.SeverityMedium},
		{ID: "f", Category: Permissions, Severity: report.SeverityMedium},
	}
	rs := []Result{{Status: Pass}, {Status: Fail}, {Status: Pass}, {Status: Unknown}, {Status: Fail}, {Status: Unknown}}
	s := Score(cs, rs, config.SecurityWeights{Authentication: 25, Permissions: 20, Network: 35, Monitoring: 20})
	// authentication 100×4/5 = 80; network 100×3/3 = 100 (d unknown, left
	// out); monitoring 0; permissions has no known check and drops out:
	// (25×80 + 35×100 + 20×0) / (25+35+20) = 68.75 → 68.8.
	if s.Value != 68.8 {
		t.Errorf("score %v, want 68.8", s.Value)
	}
	want := []struct {
		score   float64
		unknown int
	}{{80, 0}, {0, 1}, {100, 1}, {0, 0}}
	for i, c := range s.Categories {
		if c.Score != want[i].score || c.Unknown != want[i].unknown {
			t.Errorf("category %s: %+v", c.ID, c)
		}
	}
	if strings.Join(s.Unknown, ",") != "d,f" {
		t.Errorf("unknown %v", s.Unknown)
	}
	// Unknown never counts as pass: turning the unknown into fails can only
	// lower the score, and into passes only raise it.
	rs[3], rs[5] = Result{Status: Fail}, Result{Status: Fail}
	if lower := Score(cs, rs, config.DefaultSecurityWeights); lower.Value >= s.Value {
		t.Errorf("failing the unknown checks gave %v ≥ %v", lower.Value, s.Value)
	}
}

func TestScoreDropped(t *testing.T) {
	s := &report.Score{Value: 61.5, History: []report.ScorePoint{{Period: "2026-09", Value: 60}, {Period: "2026-10", Value: 72}}}
	fs := scoreFindings("en", s)
	if len(fs) != 1 || fs[0].ID != FindingScoreDropped || *fs[0].Value != 10.5 || fs[0].Evidence["previous_period"] != "2026-10" {
		t.Fatalf("findings %+v", fs)
	}
	s.Value = 62.5 // a 9.5-point drop is within month-to-month noise
	if fs := scoreFindings("en", s); len(fs) != 0 {
		t.Errorf("drop below %d points raised %+v", scoreDrop, fs)
	}
}

func TestHistory(t *testing.T) {
	cur := report.Window{Start: time.Date(2026, 10, 31, 15, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)}
	mk := func(job string, start time.Time, v float64) *report.Report {
		return &report.Report{Job: job, Window: report.Window{Start: start, End: start.AddDate(0, 1, 0)}, Score: &report.Score{Value: v}}
	}
	earlier := []*report.Report{
		mk("audit", cur.Start.AddDate(0, -1, 0), 70),
		mk("audit", cur.Start.AddDate(0, -1, 0).Add(time.Hour), 60), // same period again: the newer (first) wins
		mk("other", cur.Start.AddDate(0, -2, 0), 10),
		mk("audit", cur.Start, 99), // the current period itself
		{Job: "audit", Window: report.Window{Start: cur.Start.AddDate(0, -3, 0), End: cur.Start.AddDate(0, -2, 0)}}, // no score
		mk("audit", cur.Start.AddDate(0, -2, 0), 50),
		nil,
	}
	h := History(earlier, "audit", "month", true, cur, seoul)
	if len(h) != 2 || h[0] != (report.ScorePoint{Period: "2026-09", Value: 50}) || h[1] != (report.ScorePoint{Period: "2026-10", Value: 70}) {
		t.Errorf("history %+v", h)
	}
}

func BenchmarkAnalyze(b *testing.B) {
	d, prev := activityDataset()
	for i := 0; i < 2000; i++ {
		d.SecurityGroups = append(d.SecurityGroups, source.SecurityGroup{ID: "sg-x", Ingress: []source.SGRule{{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"0.0.0.0/0"}}}})
		d.IAM.CredentialReport = append(d.IAM.CredentialReport, source.CredentialReportRow{User: "u", PasswordEnabled: true, MFAActive: true, PasswordLastUsed: ago(day)})
	}
	job := testJob("ko")
	an := New()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := an.Analyze(analyze.Input{Job: job, At: testAt, Window: d.Window, Location: seoul, Lang: "ko", Data: d, Previous: prev}); err != nil {
			b.Fatal(err)
		}
	}
}

// demoAt is the instant of the demo golden files.
var demoAt = time.Date(2026, 11, 25, 9, 0, 0, 0, seoul)

// TestGoldenDemo pins the audit of the built-in demo account: it scores the
// account, shows the failed logins (the burst from 203.0.113.50 with hidden
// user names), the AccessDenied errors, the root login and the open
// security groups.
func TestGoldenDemo(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		job := testJob(lang)
		job.Name = "security"
		run := source.Window{Start: demoAt.Add(-30 * day), End: demoAt}
		an := New()
		plan := an.Plan(job, run, demoAt)
		plan.Request.At = demoAt
		src := demo.New()
		data, err := src.Collect(context.Background(), plan.Request)
		if err != nil {
			t.Fatal(err)
		}
		prevReq := plan.Request
		prevReq.Window, prevReq.Needs = *plan.Compare, plan.CompareNeeds
		prev, err := src.Collect(context.Background(), prevReq)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := an.Analyze(analyze.Input{Job: job, At: demoAt, Window: run, Location: seoul, Lang: lang, Data: data, Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		rep.GeneratedAt = demoAt.UTC()
		md, js := renderBoth(t, rep)
		golden(t, "demo."+lang+".md", md)
		// Counts agree with their nouns ("1 event", "2 users have"), and the
		// Korean report carries no English evidence.
		if i := bytes.Index(md, []byte("(s)")); i >= 0 {
			t.Errorf("%s: a lazy plural: %q", lang, md[max(0, i-40):i+3])
		}
		if lang == "ko" && bytes.Contains(md, []byte(" day")) {
			t.Errorf("ko: English evidence in the Korean report")
		}
		// A failed check's finding names the requirement as one: the
		// finding says users lack MFA, it must not read "every user has MFA".
		if want := map[string]string{"en": "CIS 1.9 not met (requirement: ", "ko": "CIS 1.9 미충족 (요건: "}[lang]; !bytes.Contains(md, []byte(want)) {
			t.Errorf("%s: no %q", lang, want)
		}
		// Each problem once: the open groups, the trail's KMS and bucket
		// logging, the VPCs without flow logs and root's use are their own
		// findings carrying the CIS number, not also cis.5.3, cis.3.5, ...
		checks := map[string]string{}
		for _, f := range rep.Findings {
			for _, c := range checksOf(f) {
				if prev, dup := checks[c]; dup && prev != f.ID {
					t.Errorf("%s: check %s reported by both %s and %s", lang, c, prev, f.ID)
				}
				checks[c] = f.ID
			}
			if slices.Contains([]string{"cis.5.3", "cis.3.5", "cis.3.7", "cis.3.4", "cis.1.6"}, f.ID) {
				t.Errorf("%s: %s beside its specific finding", lang, f.ID)
			}
		}
		for c, id := range map[string]string{"network.sg_admin_ports_ipv4": FindingSGOpen, "cloudtrail.kms_encryption": FindingTrailEncryption,
			"network.vpc_flow_logs": FindingFlowLogs, "cloudtrail.bucket_access_logging": FindingTrailBucketLog, "iam.root_recent_use": FindingRootUsage,
			"network.sg_sensitive_ports": FindingSGOpen, "network.nacl_admin_ports": "cis.5.2"} {
			if checks[c] != id {
				t.Errorf("%s: check %s reported by %q, want %s", lang, c, checks[c], id)
			}
		}
		// One word for a CloudWatch alarm across the reports: 알람, as in
		// the daily status (not 경보).
		if lang == "ko" && bytes.Contains(md, []byte("경보")) {
			t.Errorf("ko: 경보 where the reports say 알람")
		}
		// A metric is 지표, as in the daily status (CloudWatch Logs' metric
		// filter is 지표 필터 in AWS's Korean console too).
		if lang == "ko" && bytes.Contains(md, []byte("메트릭")) {
			t.Errorf("ko: 메트릭 where the reports say 지표")
		}
		// Every time is in the report's zone: the root user's "password last
		// used" (credential report) is the day of its ConsoleLogin (CloudTrail),
		// 03:00 KST, the day before in UTC.
		if creds, root := rep.Table(TableCredentials), rep.Table(TableRoot); creds == nil || root == nil || len(root.Rows) == 0 {
			t.Errorf("%s: no credentials or root-usage table", lang)
		} else if used, login := creds.Rows[0][2].Text, root.Rows[0][0].Text; creds.Rows[0][0].Text != RootUser || !strings.HasPrefix(login, used) {
			t.Errorf("%s: root password last used %q (%s), but it signed in at %q", lang, used, creds.Rows[0][0].Text, login)
		}
		if lang == "en" {
			golden(t, "demo.json", js)
			for _, want := range []string{"203.0.113.50", "HIDDEN_DUE_TO_SECURITY_REASONS", "ci-deployer", "iam:PassRole", "ConsoleLogin", "sg-bastion", "sg-jupyter", "198.51.100.7"} {
				if !bytes.Contains(js, []byte(want)) {
					t.Errorf("the demo audit does not show %q", want)
				}
			}
			if rep.Score.Value <= 0 || rep.Score.Value >= 60 || len(rep.Score.Unknown) != 0 {
				t.Errorf("demo score %v, unknown %v", rep.Score.Value, rep.Score.Unknown)
			}
		}
	}
}
