package main

import (
	"strings"
	"testing"
)

// A security job delivering to an s3 target may read its earlier reports
// back: the policy lists the bucket for that job's keys only and reads
// them; a kind without a trend (daily-status) adds nothing.
func TestIAMPolicyEarlierReports(t *testing.T) {
	path := writeFile(t, "cwreport.yaml", policyConfig)
	code, out, errs := cli(t, "iam-policy", "--config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var earlier []string
	for _, s := range policyOf(t, out).Statement {
		if strings.Contains(s.Sid, "Earlier") {
			earlier = append(earlier, s.Sid+" "+strings.Join(s.Action, ",")+" "+strings.Join(s.Resource, ",")+" "+s.Condition["StringLike"]["s3:prefix"])
		}
	}
	want := []string{
		"CwreportDeliverArchiveEarlierAuditList s3:ListBucket arn:aws:s3:::ops-reports cwreport/audit/*",
		"CwreportDeliverArchiveEarlierAuditRead s3:GetObject arn:aws:s3:::ops-reports/cwreport/audit/* ",
	}
	if strings.Join(earlier, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements:\n%s\nwant\n%s", strings.Join(earlier, "\n"), strings.Join(want, "\n"))
	}
	_, out, _ = cli(t, "iam-policy", "--config", path, "--job", "morning")
	if strings.Contains(out, "Earlier") {
		t.Errorf("daily-status reads no earlier reports:\n%s", out)
	}
}
