package security

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Finding ids raised by this package besides cis.<number>.
const (
	FindingSGOpen            = "sg.open_to_world"
	FindingSGOpened          = "sg.opened_to_world"
	FindingFlowLogs          = "vpc.flow_logs_disabled"
	FindingTrailMissing      = "cloudtrail.no_multi_region_trail"
	FindingTrailValidation   = "cloudtrail.log_validation_disabled"
	FindingTrailEncryption   = "cloudtrail.not_encrypted"
	FindingTrailBucketLog    = "cloudtrail.bucket_logging_disabled"
	FindingConfig            = "config.not_recording"
	FindingLoginFailures     = "auth.console_login_failures"
	FindingBruteForce        = "auth.brute_force"
	FindingAccessDenied      = "iam.access_denied"
	FindingRootUsage         = "root.usage"
	FindingAssumeNewCaller   = "iam.assume_role_new_principal"
	FindingAssumeNewSourceIP = "iam.assume_role_new_source_ip"
	FindingScoreDropped      = "security.score_dropped"
)

// scoreDrop is how many points the score must fall, month over month, to
// raise security.score_dropped.
const scoreDrop = 10

// cisReference is the Reference line of a cis.<number> finding.
func cisReference(number string) string {
	return fmt.Sprintf("%s %s: %s", Benchmark, number, cisV5[number])
}

// coveredBy maps a check to the finding that reports its failure in more
// detail (per trail, per VPC, per security group, with the activity). A
// failing check is reported once: by that finding, which carries the check
// id and its CIS number in its evidence, or, for a check not in this table,
// by cis.<number>. One problem, one finding, one severity rule.
var coveredBy = map[string]string{
	"cloudtrail.multi_region":          FindingTrailMissing,
	"cloudtrail.log_file_validation":   FindingTrailValidation,
	"config.recording":                 FindingConfig,
	"cloudtrail.bucket_access_logging": FindingTrailBucketLog,
	"cloudtrail.kms_encryption":        FindingTrailEncryption,
	"network.vpc_flow_logs":            FindingFlowLogs,
	"network.sg_admin_ports_ipv4":      FindingSGOpen,
	"network.sg_admin_ports_ipv6":      FindingSGOpen,
	"network.sg_sensitive_ports":       FindingSGOpen,
	"iam.root_recent_use":              FindingRootUsage,
}

// coveringChecks returns the checks a finding id reports, in report order.
func coveringChecks(cs []Check, id string) []Check {
	var out []Check
	for _, c := range cs {
		if coveredBy[c.ID] == id {
			out = append(out, c)
		}
	}
	return out
}

// coverText says which failing checks raise a finding id, for its docs:
// "check `network.vpc_flow_logs` (CIS 3.7)".
func coverText(cs []Check, id string) string {
	var parts []string
	for _, c := range coveringChecks(cs, id) {
		p := "check `" + c.ID + "`"
		if c.CIS != "" {
			p += " (CIS " + c.CIS + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// coverCIS lists the cis.<number> ids a finding stands in for.
func coverCIS(cs []Check, id string) string {
	var parts []string
	for _, c := range coveringChecks(cs, id) {
		if c.CIS != "" {
			parts = append(parts, "`cis."+c.CIS+"`")
		}
	}
	return strings.Join(parts, ", ")
}

// coverSeverity is the severity of the checks a finding stands for (they
// agree; TestCoveredChecksShareSeverity keeps them so).
func coverSeverity(cs []Check, id string) string {
	for _, c := range coveringChecks(cs, id) {
		return string(c.Severity)
	}
	return ""
}

// findingDefs documents every finding id; cis.<number> ones are generated
// from the checks table, so a new CIS check documents itself, and a check
// that a more specific finding reports (coveredBy) has no cis.<number>.
func findingDefs() []report.FindingDef {
	var defs []report.FindingDef
	cs := Checks()
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(a, b Check) int { return CompareCIS(a.CIS, b.CIS) })
	for _, c := range sorted {
		if c.CIS == "" || coveredBy[c.ID] != "" {
			continue
		}
		defs = append(defs, report.FindingDef{
			ID:             "cis." + c.CIS,
			Title:          "Failed CIS check: " + c.Title.En + " (check `" + c.ID + "`). Raised once per failing check, naming every offending resource.",
			Severity:       string(c.Severity) + ", the check's severity.",
			Recommendation: c.Remediation.En,
			Value:          "number of offending resources, when the check names them",
			Evidence:       []string{"`check`: the check id", "`cis`: the recommendation number", "`offenders`: the failing resources", "plus the check's own evidence (docs/security.md)"},
			Reference:      cisReference(c.CIS),
		})
	}
	once := func(id string) string {
		return " Raised when " + coverText(cs, id) + " fails; that failure raises no " + coverCIS(cs, id) + " finding of its own."
	}
	checkEv := []string{"`check`: the failing check", "`cis`: its CIS v5.0.0 number"}
	return append(defs,
		report.FindingDef{ID: FindingSGOpen, Title: "A security group lets the whole internet (0.0.0.0/0 or ::/0) reach an administration port (22, 3389) or a configured sensitive port: one finding per group, whichever of the checks it fails." +
			" Raised when " + coverText(cs, FindingSGOpen) + " fails for the group; those failures raise no " + coverCIS(cs, FindingSGOpen) + " finding of their own.",
			Severity:       "critical when an administration port is open and the group is attached to an instance with a public IP; otherwise the severity of the checks the group fails (" + coverSeverity(cs, FindingSGOpen) + ").",
			Recommendation: "Narrow the source to known ranges or remove the rule; reach instances through SSM Session Manager or a VPN.",
			Value:          "number of exposed ports", Evidence: []string{"`ports`: exposed ports", "`sources`: 0.0.0.0/0 and/or ::/0", "`vpc`", "`attached_instances`", "`public_instances`: attached instances with a public IP",
				"`checks`: the failing checks", "`cis`: their CIS numbers (5.3 for 0.0.0.0/0, 5.4 for ::/0 on 22 or 3389; none when only a sensitive port is open)"},
			Reference: cisReference("5.3") + "; 5.4"},
		report.FindingDef{ID: FindingSGOpened, Title: "A security group change in the window opened an administration or sensitive port to the internet (CloudTrail): who did it and when. The open rule itself, while it lasts, is `sg.open_to_world`.",
			Severity: "high.", Recommendation: "Confirm the change was intended and approved; revert it if not.",
			Evidence: []string{"`group`", "`ports`", "`who`", "`source_ip`", "`time`", "`event`"}},
		report.FindingDef{ID: FindingFlowLogs, Title: "A VPC has no active flow log: one finding per VPC the check names." + once(FindingFlowLogs),
			Severity:       coverSeverity(cs, FindingFlowLogs) + ", the check's severity.",
			Recommendation: "Create a VPC flow log (at least REJECT traffic) into CloudWatch Logs or S3.",
			Evidence:       append([]string{"`vpc`", "`name`", "`cidr`", "`default`"}, checkEv...), Reference: cisReference("3.7")},
		report.FindingDef{ID: FindingTrailMissing, Title: "No CloudTrail trail is multi-region, logging and recording read and write management events (or no trail exists)." + once(FindingTrailMissing),
			Severity: coverSeverity(cs, FindingTrailMissing) + ", the check's severity.", Recommendation: "Create a multi-region trail recording all management events and start logging.",
			Evidence: append([]string{"`trails`: each trail and what it lacks"}, checkEv...), Reference: cisReference("3.1")},
		report.FindingDef{ID: FindingTrailValidation, Title: "A trail has log file validation off, so altered or deleted log files go unnoticed: one finding per trail the check names (with no trail at all, `cloudtrail.no_multi_region_trail` says so)." + once(FindingTrailValidation),
			Severity: coverSeverity(cs, FindingTrailValidation) + ", the check's severity.", Recommendation: "aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
			Evidence: append([]string{"`trail`", "`bucket`"}, checkEv...), Reference: cisReference("3.2")},
		report.FindingDef{ID: FindingTrailEncryption, Title: "A trail's log files are not encrypted with a KMS key (SSE-KMS): one finding per trail the check names (with no trail at all, `cloudtrail.no_multi_region_trail` says so)." + once(FindingTrailEncryption),
			Severity: coverSeverity(cs, FindingTrailEncryption) + ", the check's severity.", Recommendation: "aws cloudtrail update-trail --name <trail> --kms-id <key>",
			Evidence: append([]string{"`trail`", "`bucket`"}, checkEv...), Reference: cisReference("3.5")},
		report.FindingDef{ID: FindingTrailBucketLog, Title: "The S3 bucket a trail writes to has server access logging off: one finding per trail the check names (with no trail at all, `cloudtrail.no_multi_region_trail` says so)." + once(FindingTrailBucketLog),
			Severity: coverSeverity(cs, FindingTrailBucketLog) + ", the check's severity.", Recommendation: "Enable server access logging on the trail bucket, into another bucket.",
			Evidence: append([]string{"`trail`", "`bucket`"}, checkEv...), Reference: cisReference("3.4")},
		report.FindingDef{ID: FindingConfig, Title: "AWS Config is not recording every supported resource (including global ones) in the region." + once(FindingConfig),
			Severity: coverSeverity(cs, FindingConfig) + ", the check's severity.", Recommendation: "Record all supported resources including global types, and start the recorder.",
			Evidence: append([]string{"`recorders`: each recorder and what it lacks"}, checkEv...), Reference: cisReference("3.3")},
		report.FindingDef{ID: FindingLoginFailures, Title: "Failed AWS console sign-ins in the window (CloudTrail ConsoleLogin with Failure).",
			Severity:       "high when a brute-force burst was seen; medium from 10 failures; low otherwise.",
			Recommendation: "Check the users and source IPs; lock or reset targeted accounts and require MFA.",
			Value:          "number of failed sign-ins",
			Evidence:       []string{"`by_user`: failures per user name (HIDDEN_DUE_TO_SECURITY_REASONS: a name that is not an IAM user)", "`by_ip`: failures per source IP", "`bursts`: number of brute-force bursts"}},
		report.FindingDef{ID: FindingBruteForce, Title: "A brute-force burst: at least brute_force_failures failed sign-ins from one source IP (or for one user) within brute_force_window.",
			Severity: "high.", Recommendation: "Block the source IP (WAF, network ACL), check whether any sign-in from it succeeded, and make sure every console user has MFA.",
			Value: "failed sign-ins in the burst", Evidence: []string{"`by`: ip or user", "`key`: the IP or user name", "`start`, `end`", "`others`: the users tried (for an IP) or IPs used (for a user)"}},
		report.FindingDef{ID: FindingAccessDenied, Title: "A principal's API calls failed with AccessDenied or UnauthorizedOperation (CloudTrail).",
			Severity:       "medium from 20 errors or on iam/sts/kms/organizations APIs; low otherwise.",
			Recommendation: "Find out whether the principal needs the permission (fix its policy) or is probing (investigate its credentials).",
			Value:          "number of denied calls", Evidence: []string{"`apis`: denied calls per API (`service:Action`, CloudTrail's version suffix removed)", "`type`: the identity type", "`codes`: error codes"}},
		report.FindingDef{ID: FindingRootUsage, Title: "The root user was used: the window's CloudTrail events include root events (userIdentity.type Root), or " + coverText(cs, FindingRootUsage) +
			" fails (the credential report shows a use within root_use_days). One finding for both sources; the check's failure raises no " + coverCIS(cs, FindingRootUsage) + " finding of its own.",
			Severity:       "critical when root signed in to the console without MFA; otherwise " + coverSeverity(cs, FindingRootUsage) + " (the check's severity).",
			Recommendation: coveringChecks(cs, FindingRootUsage)[0].Remediation.En,
			Value:          "number of root events in the window; none when only the credential report shows the use",
			Evidence:       []string{"`events`: time, event, source IP, MFA of up to 20 events", "`check`, `cis`: when the check failed", "`within_days`, `password_last_used`, `access_key_1_last_used`, `access_key_2_last_used`: the credential report, when the check failed"},
			Reference:      cisReference("1.6")},
		report.FindingDef{ID: FindingAssumeNewCaller, Title: "A principal assumed roles in the window that did not assume any in the previous window.",
			Severity: "medium.", Recommendation: "Confirm the new caller is expected (a new pipeline, a new person); otherwise revoke its sessions.",
			Value: "number of AssumeRole calls", Evidence: []string{"`principal`", "`source_ips`", "`roles`", "`first`"}},
		report.FindingDef{ID: FindingAssumeNewSourceIP, Title: "A principal assumed roles from a source IP it did not use in the previous window.",
			Severity: "medium.", Recommendation: "Confirm the source IP belongs to you (CI runners, office, VPN); otherwise rotate the principal's credentials.",
			Value: "number of AssumeRole calls", Evidence: []string{"`principal`", "`source_ip`", "`roles`", "`first`"}},
		report.FindingDef{ID: FindingScoreDropped, Title: fmt.Sprintf("The security score fell by %d points or more since the previous report.", scoreDrop),
			Severity: "medium.", Recommendation: "Look at the checks that newly fail (the checks table) and fix them first.",
			Value: "points lost", Evidence: []string{"`previous`: the earlier score", "`previous_period`", "`current`"}},
	)
}

// CompareCIS orders recommendation numbers numerically: 1.3 < 1.11 < 3.1.
func CompareCIS(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		if errx != nil || erry != nil {
			if c := strings.Compare(as[i], bs[i]); c != 0 {
				return c
			}
			continue
		}
		if x != y {
			return x - y
		}
	}
	return len(as) - len(bs)
}

// mkFinding builds a finding in lang.
// Untrusted text in a finding is bounded: names and messages come from the
// account and may be hostile.
const (
	maxResource = 256
	maxTitle    = 512
	maxDetail   = 2048
	maxEvString = 512
	maxEvList   = 100
)

func mkFinding(lang, id string, sev report.Severity, resource string, title, detail, rec i18n.Text, value *float64, unit string, ev map[string]any) report.Finding {
	out := map[string]any{}
	for k, v := range ev {
		out[k] = bound(v)
	}
	return report.Finding{ID: id, Severity: sev, Resource: textfmt.Clip(resource, maxResource), Title: textfmt.Clip(title.In(lang), maxTitle),
		Detail: textfmt.Clip(detail.In(lang), maxDetail), Value: value, Unit: unit, Recommendation: rec.In(lang), Evidence: out}
}

// bound clips the strings of an evidence value and caps its lists and maps.
func bound(v any) any {
	switch x := v.(type) {
	case string:
		return textfmt.Clip(x, maxEvString)
	case []string:
		n := min(len(x), maxEvList)
		out := make([]string, n)
		for i := range out {
			out[i] = textfmt.Clip(x[i], maxEvString)
		}
		return out
	case []map[string]any:
		out := make([]map[string]any, 0, min(len(x), maxEvList))
		for _, m := range x[:min(len(x), maxEvList)] {
			out = append(out, bound(m).(map[string]any))
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i == maxEvList {
				out["…"] = fmt.Sprintf("%d more", len(keys)-maxEvList)
				break
			}
			out[textfmt.Clip(k, maxEvString)] = bound(x[k])
		}
		return out
	case map[string][]string:
		m := make(map[string]any, len(x))
		for k, v := range x {
			m[k] = v
		}
		return bound(m)
	case map[string]int:
		m := make(map[string]any, len(x))
		for k, v := range x {
			m[k] = v
		}
		return bound(m)
	}
	return v
}

// listResource names up to n resources, then "+k".
func listResource(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(" +%d", len(xs)-n)
}

func checkFindings(lang string, cs []Check, rs []Result) []report.Finding {
	var out []report.Finding
	for i, c := range cs {
		if c.CIS == "" || rs[i].Status != Fail || coveredBy[c.ID] != "" {
			continue
		}
		r := rs[i]
		ev := map[string]any{"check": c.ID, "cis": c.CIS, "offenders": nonNil(r.Offenders)}
		for k, v := range r.Evidence {
			if _, taken := ev[k]; !taken {
				ev[k] = v
			}
		}
		var value *float64
		if len(r.Offenders) > 0 {
			value = report.Float(float64(len(r.Offenders)))
		}
		resource := "account"
		if len(r.Offenders) > 0 {
			resource = listResource(r.Offenders, 5)
		}
		// The check title states the requirement; the finding says it is not
		// met, and says it is the requirement: "CIS 1.6 미충족: 최근 루트
		// 사용자 사용 없음" read as if root had not been used.
		title := i18n.Text{En: "CIS " + c.CIS + " not met (requirement: " + c.Title.En + ")", Ko: "CIS " + c.CIS + " 미충족 (요건: " + c.Title.Ko + ")"}
		out = append(out, mkFinding(lang, "cis."+c.CIS, c.Severity, resource, title, r.Summary, c.Remediation, value, "", ev))
	}
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// failed is what the failing checks said, by check id.
type failed map[string]struct {
	c Check
	r Result
}

func failures(cs []Check, rs []Result) failed {
	out := failed{}
	for i, c := range cs {
		if rs[i].Status == Fail {
			out[c.ID] = struct {
				c Check
				r Result
			}{c, rs[i]}
		}
	}
	return out
}

// withCheck adds the failing check and its CIS number to a finding's
// evidence: the finding stands for the check (coveredBy).
func withCheck(ev map[string]any, c Check) map[string]any {
	out := make(map[string]any, len(ev)+2)
	for k, v := range ev {
		out[k] = v
	}
	out["check"] = c.ID
	if c.CIS != "" {
		out["cis"] = c.CIS
	}
	return out
}

// cisSuffix is " (CIS 3.7)" for a title, "" for a check CIS does not have.
func cisSuffix(numbers ...string) string {
	var ns []string
	for _, n := range numbers {
		if n != "" {
			ns = append(ns, n)
		}
	}
	if len(ns) == 0 {
		return ""
	}
	return " (CIS " + strings.Join(ns, ", ") + ")"
}

// networkFindings raises sg.open_to_world per group that fails one of the
// open-port checks and vpc.flow_logs_disabled per VPC the flow-log check
// names: each stands for those checks' failures (coveredBy).
func networkFindings(lang string, cs []Check, rs []Result, e *Env) []report.Finding {
	var out []report.Finding
	if e.Data == nil {
		return out
	}
	fs := failures(cs, rs)
	// The checks each group fails, in report order.
	byGroup := map[string][]Check{}
	for _, c := range coveringChecks(cs, FindingSGOpen) {
		for _, g := range fs[c.ID].r.Offenders {
			byGroup[g] = append(byGroup[g], c)
		}
	}
	if len(byGroup) > 0 {
		checked := append(slices.Clone(AdminPorts), e.Opts.SensitivePorts...)
		public := map[string]bool{}
		for _, in := range e.Data.Instances {
			if in.PublicIP != "" {
				public[in.ID] = true
			}
		}
		type agg struct {
			g       source.SecurityGroup
			ports   []int
			sources []string
		}
		open := map[string]*agg{}
		for _, o := range WorldOpenRules(e.Data.SecurityGroups, checked) {
			if len(o.Exposed) == 0 || byGroup[o.Group.ID] == nil {
				continue
			}
			a := open[o.Group.ID]
			if a == nil {
				a = &agg{g: o.Group}
				open[o.Group.ID] = a
			}
			a.ports = append(a.ports, o.Exposed...)
			if !slices.Contains(a.sources, o.Source) {
				a.sources = append(a.sources, o.Source)
			}
		}
		ids := make([]string, 0, len(byGroup))
		for id := range byGroup {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			a := open[id]
			if a == nil {
				continue // cannot happen: the checks read the same rules (TestEachFailingCheckIsReportedOnce)
			}
			slices.Sort(a.ports)
			a.ports = slices.Compact(a.ports)
			slices.Sort(a.sources)
			var pub []string
			for _, inst := range a.g.AttachedTo {
				if public[inst] {
					pub = append(pub, inst)
				}
			}
			// One severity rule: the worst of the failing checks, critical
			// when an administration port reaches an instance with a public IP.
			sev := report.SeverityLow
			var checkIDs, cis []string
			for _, c := range byGroup[id] {
				if c.Severity.Rank() > sev.Rank() {
					sev = c.Severity
				}
				checkIDs = append(checkIDs, c.ID)
				if c.CIS != "" {
					cis = append(cis, c.CIS)
				}
			}
			admin := slices.ContainsFunc(a.ports, func(p int) bool { return slices.Contains(AdminPorts, p) })
			if admin && len(pub) > 0 {
				sev = report.SeverityCritical
			}
			ports := joinInts(a.ports)
			src := strings.Join(a.sources, ", ")
			name := a.g.Name
			if name == "" {
				name = id
			}
			out = append(out, mkFinding(lang, FindingSGOpen, sev, id,
				i18n.Text{En: fmt.Sprintf("Security group %s opens %s to the internet%s", name, ports, cisSuffix(cis...)), Ko: fmt.Sprintf("보안 그룹 %s: %s 포트가 인터넷에 열려 있음%s", name, ports, cisSuffix(cis...))},
				i18n.Text{En: fmt.Sprintf("%s (%s) accepts %s from %s; attached to %s, %d with a public IP.", id, name, ports, src, textfmt.Count(len(a.g.AttachedTo), "instance", "instances"), len(pub)),
					Ko: fmt.Sprintf("%s(%s) 규칙이 %s에서 오는 %s 포트 접속을 허용합니다. 연결된 인스턴스 %d개 중 %d개에 공인 IP가 있습니다.", id, name, src, ports, len(a.g.AttachedTo), len(pub))},
				i18n.Text{En: "Narrow the source to known ranges or remove the rule; reach instances through SSM Session Manager or a VPN.",
					Ko: "출발지를 알려진 대역으로 좁히거나 규칙을 지우고, 인스턴스 접속은 SSM Session Manager나 VPN을 이용하십시오."},
				report.Float(float64(len(a.ports))), "",
				map[string]any{"ports": nonNilInts(a.ports), "sources": nonNil(a.sources), "vpc": a.g.VPCID, "attached_instances": nonNil(a.g.AttachedTo), "public_instances": nonNil(pub),
					"checks": checkIDs, "cis": nonNil(cis)}))
		}
	}
	if f, ok := fs["network.vpc_flow_logs"]; ok {
		vpcs := map[string]source.VPC{}
		for _, v := range e.Data.VPCs {
			vpcs[v.ID] = v
		}
		for _, id := range f.r.Offenders {
			v := vpcs[id]
			label := id
			if v.Name != "" {
				label = v.Name + " (" + id + ")"
			}
			out = append(out, mkFinding(lang, FindingFlowLogs, f.c.Severity, id,
				i18n.Text{En: "VPC " + label + " has no flow log" + cisSuffix(f.c.CIS), Ko: "VPC " + label + "에 플로 로그가 없음" + cisSuffix(f.c.CIS)},
				i18n.Text{En: fmt.Sprintf("%s %s has no active flow log: rejected and accepted traffic is not recorded.", label, v.CIDR),
					Ko: fmt.Sprintf("%s %s에 활성 플로 로그가 없어 허용·거부된 트래픽이 기록되지 않습니다.", label, v.CIDR)},
				i18n.Text{En: "Create a VPC flow log (at least REJECT traffic) into CloudWatch Logs or S3.", Ko: "VPC 플로 로그(최소 REJECT 트래픽)를 CloudWatch Logs나 S3로 만드십시오."},
				nil, "", withCheck(map[string]any{"vpc": id, "name": v.Name, "cidr": v.CIDR, "default": v.IsDefault}, f.c)))
		}
	}
	return out
}

func nonNilInts(xs []int) []int {
	if xs == nil {
		return []int{}
	}
	return xs
}

// trailFindings raises the cloudtrail.* and config.* findings: account-wide
// for the multi-region trail and AWS Config, per trail the per-trail checks
// name. Each stands for its check's failure (coveredBy).
func trailFindings(lang string, cs []Check, rs []Result, e *Env) []report.Finding {
	var out []report.Finding
	fs := failures(cs, rs)
	if f, ok := fs["cloudtrail.multi_region"]; ok {
		out = append(out, mkFinding(lang, FindingTrailMissing, f.c.Severity, "account",
			i18n.Text{En: "No multi-region trail records all management events" + cisSuffix(f.c.CIS), Ko: "모든 관리 이벤트를 기록하는 멀티 리전 트레일 없음" + cisSuffix(f.c.CIS)},
			f.r.Summary, f.c.Remediation, nil, "", withCheck(f.r.Evidence, f.c)))
	}
	if f, ok := fs["config.recording"]; ok {
		out = append(out, mkFinding(lang, FindingConfig, f.c.Severity, "account",
			i18n.Text{En: "AWS Config is not recording everything" + cisSuffix(f.c.CIS), Ko: "AWS Config가 모든 리소스를 기록하지 않음" + cisSuffix(f.c.CIS)},
			f.r.Summary, f.c.Remediation, nil, "", withCheck(f.r.Evidence, f.c)))
	}
	bucket := map[string]string{}
	if e.Data != nil {
		for _, t := range e.Data.Trails {
			bucket[t.Name] = t.S3Bucket
		}
	}
	perTrail := []struct {
		check, id   string
		title, body func(trail, bucket string) i18n.Text
	}{
		{"cloudtrail.log_file_validation", FindingTrailValidation,
			func(t, _ string) i18n.Text {
				return i18n.Text{En: "Trail " + t + " has log file validation off", Ko: "트레일 " + t + "의 로그 파일 검증이 꺼져 있음"}
			},
			func(_, _ string) i18n.Text {
				return i18n.Text{En: "Without digest files, a changed or deleted log file cannot be detected.", Ko: "다이제스트 파일이 없어 로그 파일이 바뀌거나 삭제되어도 알 수 없습니다."}
			}},
		{"cloudtrail.kms_encryption", FindingTrailEncryption,
			func(t, _ string) i18n.Text {
				return i18n.Text{En: "Trail " + t + " is not encrypted with KMS", Ko: "트레일 " + t + ": KMS 암호화 미사용"}
			},
			func(_, b string) i18n.Text {
				return i18n.Text{En: "Anyone who can read bucket " + b + " can read the logs; SSE-KMS adds a key permission.", Ko: "버킷 " + b + "에 읽기 권한만 있으면 로그도 읽을 수 있습니다. SSE-KMS를 쓰면 키 권한이 한 단계 더 필요합니다."}
			}},
		{"cloudtrail.bucket_access_logging", FindingTrailBucketLog,
			func(t, b string) i18n.Text {
				return i18n.Text{En: "Trail bucket " + b + " has no access logging", Ko: "트레일 버킷 " + b + "에 액세스 로깅이 없음"}
			},
			func(_, _ string) i18n.Text {
				return i18n.Text{En: "Reads and deletions of the trail's log files are not recorded.", Ko: "트레일 로그 파일의 조회·삭제가 기록되지 않습니다."}
			}},
	}
	for _, p := range perTrail {
		f, ok := fs[p.check]
		if !ok {
			continue
		}
		// No offenders: no trail at all, which cloudtrail.no_multi_region_trail reports.
		for _, t := range f.r.Offenders {
			b := bucket[t]
			title := p.title(t, b)
			title.En += cisSuffix(f.c.CIS)
			title.Ko += cisSuffix(f.c.CIS)
			out = append(out, mkFinding(lang, p.id, f.c.Severity, t, title, p.body(t, b), f.c.Remediation, nil, "",
				withCheck(map[string]any{"trail": t, "bucket": b}, f.c)))
		}
	}
	return out
}

// sensitiveAPI lists services where a denied call deserves a closer look.
var sensitiveAPI = []string{"iam:", "sts:", "kms:", "organizations:"}

func activityFindings(lang string, a Activity, e *Env, loc *time.Location) []report.Finding {
	var out []report.Finding
	if !a.Known {
		return out
	}
	if a.FailedLogins > 0 {
		sev := report.SeverityLow
		if a.FailedLogins >= 10 {
			sev = report.SeverityMedium
		}
		if len(a.Bursts) > 0 {
			sev = report.SeverityHigh
		}
		byUser, byIP := map[string]int{}, map[string]int{}
		for i, g := range a.LoginByUser {
			if i < 20 {
				byUser[g.Key] = g.Count
			}
		}
		for i, g := range a.LoginByIP {
			if i < 20 {
				byIP[g.Key] = g.Count
			}
		}
		out = append(out, mkFinding(lang, FindingLoginFailures, sev, "console",
			i18n.Text{En: textfmt.Count(a.FailedLogins, "failed console sign-in", "failed console sign-ins"), Ko: fmt.Sprintf("콘솔 로그인 실패 %s회", textfmt.Int(int64(a.FailedLogins)))},
			i18n.Text{En: fmt.Sprintf("%s for %s from %s; %s.", textfmt.Count(a.FailedLogins, "failed sign-in", "failed sign-ins"), textfmt.Count(len(a.LoginByUser), "user name", "user names"), textfmt.Count(len(a.LoginByIP), "source IP", "source IPs"), textfmt.Count(len(a.Bursts), "brute-force burst", "brute-force bursts")),
				Ko: fmt.Sprintf("사용자 이름 %s개, 출발지 IP %s개에서 로그인 실패 %s회, 무차별 대입 의심 구간 %s개.", textfmt.Int(int64(len(a.LoginByUser))), textfmt.Int(int64(len(a.LoginByIP))), textfmt.Int(int64(a.FailedLogins)), textfmt.Int(int64(len(a.Bursts))))},
			i18n.Text{En: "Check the users and source IPs; lock or reset targeted accounts and require MFA.", Ko: "대상 사용자와 출발지 IP를 확인하고, 공격받은 계정은 잠그거나 암호를 재설정하며 MFA를 의무화하십시오."},
			report.Float(float64(a.FailedLogins)), "", map[string]any{"by_user": byUser, "by_ip": byIP, "bursts": len(a.Bursts)}))
	}
	for _, b := range a.Bursts {
		who := b.Key
		if b.By == "user" {
			who = "user " + b.Key
		}
		span := i18n.Duration(b.End.Sub(b.Start), lang)
		out = append(out, mkFinding(lang, FindingBruteForce, report.SeverityHigh, who,
			i18n.Text{En: fmt.Sprintf("Brute-force burst: %s from %s", textfmt.Count(b.Count, "failed sign-in", "failed sign-ins"), who), Ko: fmt.Sprintf("무차별 대입 의심: %s에서 로그인 실패 %s회", who, textfmt.Int(int64(b.Count)))},
			i18n.Text{En: fmt.Sprintf("%s in %s, %s to %s.", textfmt.Count(b.Count, "failure", "failures"), span, b.Start.In(loc).Format(i18n.DateTime), b.End.In(loc).Format(i18n.DateTime)),
				Ko: fmt.Sprintf("%s부터 %s까지 %s 동안 %s회 실패.", b.Start.In(loc).Format(i18n.DateTime), b.End.In(loc).Format(i18n.DateTime), span, textfmt.Int(int64(b.Count)))},
			i18n.Text{En: "Block the source IP (WAF, network ACL), check whether any sign-in from it succeeded, and make sure every console user has MFA.",
				Ko: "출발지 IP를 차단하고(WAF, 네트워크 ACL) 그 IP에서 성공한 로그인이 있었는지 확인한 뒤, 모든 콘솔 사용자에게 MFA를 적용하십시오."},
			report.Float(float64(b.Count)), "", map[string]any{"by": b.By, "key": b.Key, "start": b.Start.UTC().Format(time.RFC3339), "end": b.End.UTC().Format(time.RFC3339), "others": nonNil(b.Others)}))
	}
	// AccessDenied: one finding per principal, APIs in the evidence.
	type den struct {
		typ          string
		count        int
		apis         map[string]int
		codes        []string
		sensitiveAPI bool
	}
	byPrincipal := map[string]*den{}
	var principals []string
	for _, d := range a.Denied {
		p := byPrincipal[d.Principal]
		if p == nil {
			p = &den{typ: d.Type, apis: map[string]int{}}
			byPrincipal[d.Principal] = p
			principals = append(principals, d.Principal)
		}
		p.count += d.Count
		p.apis[d.API] += d.Count
		for _, c := range d.Codes {
			if !slices.Contains(p.codes, c) {
				p.codes = append(p.codes, c)
			}
		}
		if slices.ContainsFunc(sensitiveAPI, func(s string) bool { return strings.HasPrefix(d.API, s) }) {
			p.sensitiveAPI = true
		}
	}
	slices.Sort(principals)
	for _, pr := range principals {
		p := byPrincipal[pr]
		slices.Sort(p.codes)
		sev := report.SeverityLow
		if p.count >= 20 || p.sensitiveAPI {
			sev = report.SeverityMedium
		}
		var apis []string
		for api := range p.apis {
			apis = append(apis, api)
		}
		slices.Sort(apis)
		out = append(out, mkFinding(lang, FindingAccessDenied, sev, pr,
			i18n.Text{En: fmt.Sprintf("%s was denied %s", pr, textfmt.Count(p.count, "API call", "API calls")), Ko: fmt.Sprintf("%s의 API 호출 %s건이 거부됨", pr, textfmt.Int(int64(p.count)))},
			i18n.Text{En: "Denied: " + listResource(apis, 5) + ".", Ko: "거부된 API: " + listResource(apis, 5) + "."},
			i18n.Text{En: "Find out whether the principal needs the permission (fix its policy) or is probing (investigate its credentials).",
				Ko: "해당 주체에 권한이 정말 필요한지(정책 수정), 아니면 권한을 탐색하는 것인지(자격 증명 조사) 확인하십시오."},
			report.Float(float64(p.count)), "", map[string]any{"apis": p.apis, "type": p.typ, "codes": p.codes}))
	}
	for _, n := range a.AssumeNew {
		id, title := FindingAssumeNewSourceIP, i18n.Text{En: fmt.Sprintf("%s assumed roles from a new source IP %s", n.Principal, n.SourceIP), Ko: fmt.Sprintf("%s: 새 출발지 IP %s에서 역할 전환(AssumeRole)", n.Principal, n.SourceIP)}
		ev := map[string]any{"principal": n.Principal, "source_ip": n.SourceIP, "roles": nonNil(n.Roles), "first": n.First.UTC().Format(time.RFC3339)}
		rec := i18n.Text{En: "Confirm the source IP belongs to you (CI runners, office, VPN); otherwise rotate the principal's credentials.",
			Ko: "해당 IP가 회사 자산(CI 러너, 사무실, VPN)인지 확인하고, 아니라면 주체의 자격 증명을 교체하십시오."}
		if n.Kind == "new_principal" {
			id = FindingAssumeNewCaller
			title = i18n.Text{En: n.Principal + " assumed roles for the first time", Ko: n.Principal + ": 처음으로 역할 전환(AssumeRole)"}
			ev = map[string]any{"principal": n.Principal, "source_ips": n.SourceIP, "roles": nonNil(n.Roles), "first": n.First.UTC().Format(time.RFC3339)}
			rec = i18n.Text{En: "Confirm the new caller is expected (a new pipeline, a new person); otherwise revoke its sessions.",
				Ko: "새 호출자가 예정된 것인지(새 파이프라인, 새 담당자) 확인하고, 아니라면 세션을 취소하십시오."}
		}
		out = append(out, mkFinding(lang, id, report.SeverityMedium, n.Principal, title,
			i18n.Text{En: fmt.Sprintf("%s, first at %s, roles: %s.", textfmt.Count(n.Count, "AssumeRole call", "AssumeRole calls"), n.First.In(loc).Format(i18n.DateTime), listResource(n.Roles, 3)),
				Ko: fmt.Sprintf("AssumeRole %s회, 처음 %s, 역할: %s.", textfmt.Int(int64(n.Count)), n.First.In(loc).Format(i18n.DateTime), listResource(n.Roles, 3))},
			rec, report.Float(float64(n.Count)), "", ev))
	}
	groupName := map[string]string{}
	if e.Data != nil {
		for _, g := range e.Data.SecurityGroups {
			groupName[g.ID] = g.Name
		}
	}
	for _, c := range a.SGChanges {
		if len(c.WorldPorts) == 0 || c.Error != "" {
			continue
		}
		ports := strings.Join(c.WorldPorts, ", ")
		target := c.Target
		if n := groupName[c.Target]; n != "" && n != c.Target {
			target = n + " (" + c.Target + ")"
		}
		out = append(out, mkFinding(lang, FindingSGOpened, report.SeverityHigh, c.Target,
			i18n.Text{En: fmt.Sprintf("%s opened %s to the internet on %s", c.Who, ports, target), Ko: fmt.Sprintf("%s: %s의 %s 포트를 인터넷에 개방", c.Who, target, ports)},
			i18n.Text{En: fmt.Sprintf("%s at %s from %s: %s", c.Event, c.Time.In(loc).Format(i18n.DateTime), c.IP, c.Detail),
				Ko: fmt.Sprintf("%s, %s, 출발지 %s: %s", c.Event, c.Time.In(loc).Format(i18n.DateTime), c.IP, c.Detail)},
			i18n.Text{En: "Confirm the change was intended and approved; revert it if not.", Ko: "승인된 변경인지 확인하고, 아니라면 되돌리십시오."},
			nil, "", map[string]any{"group": c.Target, "ports": c.WorldPorts, "who": c.Who, "source_ip": c.IP, "time": c.Time.UTC().Format(time.RFC3339), "event": c.Event}))
	}
	return out
}

// rootFindings raises root.usage once, from the window's CloudTrail root
// events and from check iam.root_recent_use (the credential report): one
// problem, whichever source saw it.
func rootFindings(lang string, cs []Check, rs []Result, a Activity, loc *time.Location) []report.Finding {
	check := coveringChecks(cs, FindingRootUsage)[0]
	f, checkFailed := failures(cs, rs)[check.ID]
	events := a.Known && len(a.Root) > 0
	if !events && !checkFailed {
		return nil
	}
	sev := check.Severity
	ev := map[string]any{}
	var title, detail i18n.Text
	var value *float64
	if events {
		var evs []map[string]any
		for i, e := range a.Root {
			if e.Name == "ConsoleLogin" && strings.EqualFold(e.LoginResult, "Success") && !strings.EqualFold(e.MFAUsed, "Yes") {
				sev = report.SeverityCritical
			}
			if i < 20 {
				evs = append(evs, map[string]any{"time": e.Time.UTC().Format(time.RFC3339), "event": e.Name, "source_ip": e.SourceIP, "mfa": e.MFAUsed, "result": e.LoginResult})
			}
		}
		ev["events"] = evs
		last := a.Root[len(a.Root)-1]
		title = i18n.Text{En: "The root user was used: " + textfmt.Count(len(a.Root), "event", "events"), Ko: fmt.Sprintf("루트 사용자 사용: %s건", textfmt.Int(int64(len(a.Root))))}
		detail = i18n.Text{En: fmt.Sprintf("Last: %s %s from %s.", last.Time.In(loc).Format(i18n.DateTime), last.Name, last.SourceIP),
			Ko: fmt.Sprintf("마지막 사용: %s %s (출발지 %s).", last.Time.In(loc).Format(i18n.DateTime), last.Name, last.SourceIP)}
		value = report.Float(float64(len(a.Root)))
	} else {
		days := f.r.Evidence["within_days"]
		title = i18n.Text{En: fmt.Sprintf("The root user was used within %v days", days), Ko: fmt.Sprintf("최근 %v일 안에 루트 사용자 사용", days)}
		if a.Known {
			detail = i18n.Text{En: "No root event among this window's CloudTrail events.", Ko: "이 구간의 CloudTrail 이벤트에는 루트 사용이 없습니다."}
		}
	}
	if checkFailed {
		ev = withCheck(ev, check)
		for k, v := range f.r.Evidence {
			ev[k] = v
		}
		title.En += cisSuffix(check.CIS)
		title.Ko += cisSuffix(check.CIS)
		detail = i18n.Text{En: strings.TrimSpace(detail.En + " Credential report: " + f.r.Summary.En + "."), Ko: strings.TrimSpace(detail.Ko + " 자격 증명 보고서: " + f.r.Summary.Ko + ".")}
	}
	return []report.Finding{mkFinding(lang, FindingRootUsage, sev, "root", title, detail, check.Remediation, value, "", ev)}
}

func scoreFindings(lang string, s *report.Score) []report.Finding {
	if s == nil || len(s.History) == 0 {
		return nil
	}
	prev := s.History[len(s.History)-1]
	drop := textfmt.Round(prev.Value-s.Value, 1)
	if drop < scoreDrop {
		return nil
	}
	return []report.Finding{mkFinding(lang, FindingScoreDropped, report.SeverityMedium, "account",
		i18n.Text{En: fmt.Sprintf("Security score fell %.1f points since %s", drop, prev.Period), Ko: fmt.Sprintf("보안 점수가 %s 대비 %.1f점 하락", prev.Period, drop)},
		i18n.Text{En: fmt.Sprintf("%.1f → %.1f.", prev.Value, s.Value), Ko: fmt.Sprintf("%.1f → %.1f.", prev.Value, s.Value)},
		i18n.Text{En: "Look at the checks that newly fail (the checks table) and fix them first.", Ko: "새로 실패한 점검 항목(점검 결과 표)을 먼저 확인하고 조치하십시오."},
		report.Float(drop), "points", map[string]any{"previous": prev.Value, "previous_period": prev.Period, "current": s.Value})}
}
