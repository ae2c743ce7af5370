package security

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Status is the outcome of one check.
type Status string

// Check outcomes. Unknown means the data the check needs could not be read
// (a data gap, or a part the source did not collect): it is never counted as
// a pass, and the score leaves it out and lists it apart.
const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Unknown Status = "unknown"
)

// Category is one weighted part of the score.
type Category string

// The score categories, in the order reports show them.
const (
	Authentication Category = "authentication"
	Permissions    Category = "permissions"
	Network        Category = "network"
	Monitoring     Category = "monitoring"
)

// Categories lists every category in report order.
var Categories = []Category{Authentication, Permissions, Network, Monitoring}

// CategoryTitle names each category for readers.
var CategoryTitle = map[Category]i18n.Text{
	Authentication: {En: "Authentication", Ko: "인증"},
	Permissions:    {En: "Permissions", Ko: "권한"},
	Network:        {En: "Network", Ko: "네트워크"},
	Monitoring:     {En: "Monitoring", Ko: "모니터링"},
}

// Benchmark names the standard the CIS numbers refer to.
const Benchmark = "CIS Amazon Web Services Foundations Benchmark v5.0.0"

// Check is one security check: metadata as data, and the one function that
// evaluates it, side by side. The metadata is what the report, the evidence
// CSV, docs/security.md and the cis.<number> findings are made from.
type Check struct {
	// ID is stable and never reused for another meaning: "iam.root_mfa".
	ID string
	// CIS is the recommendation number in CIS AWS Foundations Benchmark
	// v5.0.0 ("1.4"), or "" for checks CIS does not have.
	CIS      string
	Title    i18n.Text
	Category Category
	// Severity of a failure; it also weighs the check within its category.
	Severity report.Severity
	// Remediation says what to do when the check fails.
	Remediation i18n.Text
	// Needs names the dataset parts the check reads (for the docs and the
	// IAM policy); the function decides on its own when they are missing.
	Needs source.Need
	// Run evaluates the check. It never reads the clock (Env.At is the run
	// instant) and never returns Pass when it could not read its data.
	Run func(e *Env) Result
}

// Result is what a check found.
type Result struct {
	Status Status
	// Summary says in one line why the check passed, failed or is unknown.
	Summary i18n.Text
	// Offenders are the resources that made it fail (user names, group ids),
	// sorted; for evidence and findings.
	Offenders []string
	// Evidence holds machine-readable facts (ports, ages, pattern names);
	// keys are documented per check in docs/security.md.
	Evidence map[string]any
}

// Env is what a check may read: the dataset, the options and the instant.
type Env struct {
	Data *source.Dataset
	Opts config.SecurityOptions
	At   time.Time
}

// unread reports whether the dataset says part could not be read: a gap for
// the part itself, for a part it belongs to ("iam" for "iam:credential_report")
// or for a piece of it ("security_groups:vpc-1"). A gap for a sibling
// ("iam:password_policy") does not make "iam:credential_report" unread.
func (e *Env) unread(parts ...string) bool {
	if e.Data == nil {
		return true
	}
	for _, g := range e.Data.Gaps {
		for _, p := range parts {
			if g.Part == p || strings.HasPrefix(p, g.Part+":") || strings.HasPrefix(g.Part, p+":") {
				return true
			}
		}
	}
	return false
}

// unreadExact reports whether part as a whole could not be read (a gap for
// it or for a part it belongs to).
func (e *Env) unreadExact(part string) bool {
	if e.Data == nil {
		return true
	}
	return gapCovers(e.Data.Gaps, part)
}

// unreadPiece reports whether a piece of part could not be read
// ("trail_events:us-east-1"), so what was read is a lower bound.
func (e *Env) unreadPiece(part string) bool {
	if e.Data == nil {
		return false
	}
	for _, g := range e.Data.Gaps {
		if strings.HasPrefix(g.Part, part+":") {
			return true
		}
	}
	return false
}

// unreadPrevious reports whether the comparison dataset lacks the events.
func (e *Env) unreadPrevious(prev *source.Dataset) bool {
	return gapCovers(prev.Gaps, partEvents)
}

func gapCovers(gs []source.Gap, part string) bool {
	for _, g := range gs {
		if g.Part == part || strings.HasPrefix(part, g.Part+":") {
			return true
		}
	}
	return false
}

func itoa(i int) string { return strconv.Itoa(i) }

// unknown makes an Unknown result naming the unread parts.
func unknown(parts ...string) Result {
	list := strings.Join(parts, ", ")
	return Result{Status: Unknown, Summary: i18n.Text{
		En: "not evaluated: could not read " + list + " (see data gaps)",
		Ko: "평가하지 못함: " + list + " 데이터를 읽지 못했습니다 (수집하지 못한 데이터 참조)",
	}}
}

// pass and fail make results with a summary.
func pass(en, ko string) Result { return Result{Status: Pass, Summary: i18n.Text{En: en, Ko: ko}} }

func fail(en, ko string, offenders []string, ev map[string]any) Result {
	o := slices.Clone(offenders)
	slices.Sort(o)
	o = slices.Compact(o)
	return Result{Status: Fail, Summary: i18n.Text{En: en, Ko: ko}, Offenders: o, Evidence: ev}
}

// Checks returns every check, in report order: CloudTrail and Config,
// monitoring (CIS 4.x), network, IAM. The slice is new on each call.
func Checks() []Check {
	var all []Check
	all = append(all, loggingChecks()...)
	all = append(all, monitoringChecks()...)
	all = append(all, networkChecks()...)
	all = append(all, iamChecks()...)
	return all
}

// validateChecks enforces what the report, the score and the docs rely on:
// unique ids, a known category and severity, both languages, a remediation,
// a function, and CIS numbers that exist in v5.0.0 and are used once.
func validateChecks(cs []Check) error {
	ids := map[string]bool{}
	cis := map[string]string{}
	for _, c := range cs {
		switch {
		case c.ID == "" || ids[c.ID]:
			return fmt.Errorf("check id %q is empty or duplicated", c.ID)
		case !slices.Contains(Categories, c.Category):
			return fmt.Errorf("check %s: unknown category %q", c.ID, c.Category)
		case c.Severity.Rank() < report.SeverityLow.Rank():
			return fmt.Errorf("check %s: severity %q is not low, medium, high or critical", c.ID, c.Severity)
		case c.Title.En == "" || c.Title.Ko == "" || c.Remediation.En == "" || c.Remediation.Ko == "":
			return fmt.Errorf("check %s: title and remediation need both languages", c.ID)
		case c.Run == nil:
			return fmt.Errorf("check %s has no function", c.ID)
		}
		ids[c.ID] = true
		if c.CIS == "" {
			continue
		}
		if _, ok := cisV5[c.CIS]; !ok {
			return fmt.Errorf("check %s: %q is not a recommendation of %s", c.ID, c.CIS, Benchmark)
		}
		if prev, dup := cis[c.CIS]; dup {
			return fmt.Errorf("CIS %s is mapped by both %s and %s", c.CIS, prev, c.ID)
		}
		cis[c.CIS] = c.ID
	}
	return nil
}

// cisV5 lists the CIS AWS Foundations Benchmark v5.0.0 recommendations this
// package maps, with their titles as the benchmark words them, so a mistyped
// or v3-era number fails the metadata test. Numbering as published by CIS
// (v5.0.0 moved VPC flow logs to 3.7 under Logging and monitoring to 4.1-4.16);
// cross-checked with prowler-cloud/prowler compliance/aws/cis_5.0_aws.json.
var cisV5 = map[string]string{
	"1.3":  "Ensure no 'root' user account access key exists",
	"1.4":  "Ensure MFA is enabled for the 'root' user account",
	"1.6":  "Eliminate use of the 'root' user for administrative and daily tasks",
	"1.7":  "Ensure IAM password policy requires minimum length of 14 or greater",
	"1.8":  "Ensure IAM password policy prevents password reuse",
	"1.9":  "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password",
	"1.11": "Ensure credentials unused for 45 days or more are disabled",
	"1.12": "Ensure there is only one active access key for any single IAM user",
	"1.13": "Ensure access keys are rotated every 90 days or less",
	"3.1":  "Ensure CloudTrail is enabled in all regions",
	"3.2":  "Ensure CloudTrail log file validation is enabled",
	"3.3":  "Ensure AWS Config is enabled in all regions",
	"3.4":  "Ensure that server access logging is enabled on the CloudTrail S3 bucket",
	"3.5":  "Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
	"3.7":  "Ensure VPC flow logging is enabled in all VPCs",
	"4.1":  "Ensure unauthorized API calls are monitored",
	"4.2":  "Ensure management console sign-in without MFA is monitored",
	"4.3":  "Ensure usage of the 'root' account is monitored",
	"4.4":  "Ensure IAM policy changes are monitored",
	"4.5":  "Ensure CloudTrail configuration changes are monitored",
	"4.6":  "Ensure AWS Management Console authentication failures are monitored",
	"4.7":  "Ensure disabling or scheduled deletion of customer created CMKs is monitored",
	"4.8":  "Ensure S3 bucket policy changes are monitored",
	"4.9":  "Ensure AWS Config configuration changes are monitored",
	"4.10": "Ensure security group changes are monitored",
	"4.11": "Ensure Network Access Control List (NACL) changes are monitored",
	"4.12": "Ensure changes to network gateways are monitored",
	"4.13": "Ensure route table changes are monitored",
	"4.14": "Ensure VPC changes are monitored",
	"4.15": "Ensure AWS Organizations changes are monitored",
	"5.2":  "Ensure no Network ACLs allow ingress from 0.0.0.0/0 to remote server administration ports",
	"5.3":  "Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports",
	"5.4":  "Ensure no security groups allow ingress from ::/0 to remote server administration ports",
	"5.5":  "Ensure the default security group of every VPC restricts all traffic",
}

// CISTitle returns the benchmark's wording of a CIS v5.0.0 recommendation.
func CISTitle(number string) string { return cisV5[number] }

// run evaluates every check, in order.
func run(cs []Check, e *Env) []Result {
	out := make([]Result, len(cs))
	for i, c := range cs {
		r := c.Run(e)
		if r.Status != Pass && r.Status != Fail && r.Status != Unknown {
			r = Result{Status: Unknown, Summary: i18n.Text{En: "check returned no status", Ko: "점검 결과 상태가 없습니다"}}
		}
		out[i] = r
	}
	return out
}
