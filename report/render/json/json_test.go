package json

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/cwreport/cwreport/report"
)

// The JSON artifact writes every time in UTC whatever zone the report's
// times were computed in, and leaves the report the other renderers read
// as it was.
func TestEncodeWritesUTC(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, seoul)
	r := &report.Report{Schema: report.Schema, Status: report.StatusOK, GeneratedAt: at, Window: report.Window{Start: at.Add(-24 * time.Hour), End: at},
		Findings: []report.Finding{{ID: "x", Severity: report.SeverityLow, Evidence: map[string]any{"since": at, "first": at.Format(time.RFC3339)}}},
		Sections: []report.Section{{ID: "s", Charts: []report.Chart{{ID: "c", Kind: report.ChartTimeSeries, Start: at.Add(-time.Hour), End: at,
			Series: []report.ChartSeries{{Name: "cpu", Points: []report.ChartPoint{{T: at, V: 1}}}}}}}}}
	b, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`\d{2}:\d{2}:\d{2}\+09:00`).Find(b); m != nil {
		t.Errorf("local time %s in the JSON:\n%s", m, b)
	}
	if n := bytes.Count(b, []byte(`"2026-11-23T23:00:00Z"`)); n != 6 { // generated_at, window end, chart end, point, two evidence
		t.Errorf("%d times at 2026-11-23T23:00:00Z, want 6:\n%s", n, b)
	}
	if r.GeneratedAt.Location() != seoul || r.Sections[0].Charts[0].Series[0].Points[0].T.Location() != seoul {
		t.Error("Encode modified the report")
	}
}
