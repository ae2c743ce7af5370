package markdown

import (
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
)

// The footer rule must stand apart from what precedes it: directly under a
// table row it is cosmetic, but directly under a paragraph "---" would turn
// that paragraph into a heading.
func TestFooterRuleIsItsOwnBlock(t *testing.T) {
	for _, kind := range []string{"daily-status", "capacity", "security", "incident", "benchmark"} {
		for _, lang := range []string{"ko", "en"} {
			r := &report.Report{Schema: report.Schema, Job: "j", Kind: kind, Timezone: "Asia/Seoul", Language: lang,
				Status: report.StatusWarning, Headline: "h", GeneratedAt: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
				Findings: []report.Finding{}, Sections: []report.Section{},
				DataGaps: []report.DataGap{{Source: "aws", Part: "alarm_history", Error: "AccessDenied"}}}
			md, err := Source(r)
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			s := string(md)
			i := strings.LastIndex(s, "\n---\n")
			if i < 0 {
				t.Fatalf("%s/%s: no footer rule", kind, lang)
			}
			if !strings.HasSuffix(s[:i], "\n") {
				t.Errorf("%s/%s: the footer rule follows a line directly:\n%s", kind, lang, s[max(0, i-120):i+5])
			}
		}
	}
}
