package security

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

func analyzeDataset(t *testing.T, d *source.Dataset) *report.Report {
	t.Helper()
	job := testJob("en")
	rep, err := New().Analyze(analyze.Input{Job: job, At: testAt, Window: d.Window, Location: seoul, Lang: "en", Data: d})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// checksOf lists the checks a finding says it stands for: `check` (one) or
// `checks` (sg.open_to_world).
func checksOf(f report.Finding) []string {
	var out []string
	if c, ok := f.Evidence["check"].(string); ok {
		out = append(out, c)
	}
	if cs, ok := f.Evidence["checks"].([]string); ok {
		out = append(out, cs...)
	}
	return out
}

// A failing check is one problem and reads as one finding: its own
// cis.<number>, or the more specific finding that stands for it (coveredBy),
// carrying the check id and CIS number — never both, with two severities.
func TestEachFailingCheckIsReportedOnce(t *testing.T) {
	for _, c := range Checks() {
		tc := checkCases[c.ID]
		t.Run(c.ID, func(t *testing.T) {
			d := goodDataset()
			tc.fail(d)
			rep := analyzeDataset(t, d)
			ids := map[string]int{}
			var sevs []report.Severity
			for _, f := range rep.Findings {
				if !slices.Contains(checksOf(f), c.ID) {
					continue
				}
				ids[f.ID]++
				sevs = append(sevs, f.Severity)
				if got := f.Evidence["cis"]; c.CIS != "" && got != c.CIS && !(fmt.Sprint(got) == fmt.Sprint([]string{c.CIS}) || slices.Contains(asStrings(got), c.CIS)) {
					t.Errorf("%s: evidence cis %v, want %s", f.ID, got, c.CIS)
				}
			}
			want := "cis." + c.CIS
			if coveredBy[c.ID] != "" {
				want = coveredBy[c.ID]
			}
			if len(ids) != 1 || ids[want] == 0 {
				t.Fatalf("findings for the failing check: %v, want only %s", ids, want)
			}
			if want != "cis."+c.CIS {
				for _, f := range rep.Findings {
					if f.ID == "cis."+c.CIS {
						t.Errorf("%s raised beside %s for the same failure", f.ID, want)
					}
				}
			}
			// Offender by offender where the finding is per resource.
			if want != "cis."+c.CIS && want != FindingTrailMissing && want != FindingConfig && want != FindingRootUsage && len(tc.offenders) > 0 && ids[want] != len(tc.offenders) {
				t.Errorf("%d %s findings for offenders %v", ids[want], want, tc.offenders)
			}
			// One severity rule: the check's, except where the finding's rule
			// raises it (an admin port on a public instance, root without MFA).
			for _, s := range sevs {
				if s != c.Severity && !(want == FindingSGOpen && s == report.SeverityCritical) {
					t.Errorf("severity %s, the check says %s", s, c.Severity)
				}
			}
		})
	}
}

func asStrings(v any) []string {
	xs, _ := v.([]string)
	return xs
}

// Every check a finding stands for exists, and the finding is declared.
func TestCoveredByIsConsistent(t *testing.T) {
	cs := Checks()
	declared := map[string]bool{}
	for _, d := range findingDefs() {
		declared[d.ID] = true
	}
	for id, f := range coveredBy {
		if !slices.ContainsFunc(cs, func(c Check) bool { return c.ID == id }) {
			t.Errorf("coveredBy names no check %s", id)
		}
		if !declared[f] {
			t.Errorf("coveredBy: %s is not a declared finding", f)
		}
	}
	for _, c := range cs {
		switch {
		case coveredBy[c.ID] != "" && declared["cis."+c.CIS]:
			t.Errorf("cis.%s is declared though %s reports check %s", c.CIS, coveredBy[c.ID], c.ID)
		case coveredBy[c.ID] == "" && c.CIS != "" && !declared["cis."+c.CIS]:
			t.Errorf("cis.%s is not declared", c.CIS)
		case coveredBy[c.ID] == "" && c.CIS == "":
			t.Errorf("check %s has no CIS number and no finding: its failure would be silent", c.ID)
		}
	}
}

// The checks one finding stands for agree on a severity, so the finding has
// one rule (TestEachFailingCheckIsReportedOnce checks it is applied).
func TestCoveredChecksShareSeverity(t *testing.T) {
	cs := Checks()
	for _, f := range []string{FindingSGOpen, FindingFlowLogs, FindingTrailMissing, FindingTrailValidation, FindingTrailEncryption, FindingTrailBucketLog, FindingConfig, FindingRootUsage} {
		var sev report.Severity
		for _, c := range coveringChecks(cs, f) {
			if sev != "" && c.Severity != sev {
				t.Errorf("%s stands for checks of severity %s and %s", f, sev, c.Severity)
			}
			sev = c.Severity
		}
		if sev == "" {
			t.Errorf("%s stands for no check", f)
		}
	}
}

// root.usage is one finding whichever source saw root: CloudTrail events in
// the window, the credential report (check 1.6), or both.
func TestRootUsageFromEitherSource(t *testing.T) {
	rootLogin := source.TrailEvent{ID: "root-1", Time: ago(3 * day), Name: "ConsoleLogin", Source: "signin.amazonaws.com", SourceIP: "198.51.100.99",
		UserType: "Root", UserName: "root", LoginResult: "Success", MFAUsed: "Yes"}
	cases := []struct {
		name                string
		events, credentials bool
		noMFA               bool
		want                report.Severity
		value               bool
	}{
		{"events and credential report", true, true, false, report.SeverityHigh, true},
		{"credential report only", false, true, false, report.SeverityHigh, false},
		{"events only (report generated before)", true, false, false, report.SeverityHigh, true},
		{"console sign-in without MFA", true, true, true, report.SeverityCritical, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := goodDataset()
			if tc.events {
				ev := rootLogin
				if tc.noMFA {
					ev.MFAUsed = "No"
				}
				d.TrailEvents = append(d.TrailEvents, ev)
			}
			if tc.credentials {
				rootRow(d).PasswordLastUsed = ago(3 * day)
			}
			rep := analyzeDataset(t, d)
			var got []report.Finding
			for _, f := range rep.Findings {
				if f.ID == FindingRootUsage || f.ID == "cis.1.6" {
					got = append(got, f)
				}
			}
			if len(got) != 1 || got[0].ID != FindingRootUsage {
				t.Fatalf("root findings %+v, want one root.usage", got)
			}
			f := got[0]
			if f.Severity != tc.want || (f.Value != nil) != tc.value {
				t.Errorf("severity %s value %v, want %s (value %v)", f.Severity, f.Value, tc.want, tc.value)
			}
			if tc.credentials != (f.Evidence["cis"] == "1.6") {
				t.Errorf("evidence %v: cis 1.6 only when the check failed", f.Evidence)
			}
			if !slices.Contains(splitHeadline(rep.Headline), "root used") {
				t.Errorf("headline %q does not say root was used", rep.Headline)
			}
		})
	}
	// Neither source: no finding.
	for _, f := range analyzeDataset(t, goodDataset()).Findings {
		if f.ID == FindingRootUsage {
			t.Errorf("root.usage on an account whose root was not used: %+v", f)
		}
	}
}

func splitHeadline(h string) []string { return strings.Split(h, " · ") }
