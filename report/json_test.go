package report

import (
	"encoding/json"
	"strings"
	"testing"
)

// The JSON report is data: text such as "CPUUtilization > 80" or a log line
// with "<b>" must reach consumers as written, not as \u003e escapes.
func TestJSONKeepsAngleBracketsAndAmpersands(t *testing.T) {
	f := Finding{ID: "x", Severity: SeverityLow, Title: "CPUUtilization > 80 & <b>", Evidence: map[string]any{"line": "a<b>c"}}
	row := []Cell{Text("x > y")}
	for _, v := range []any{f, row} {
		// As the JSON renderer encodes: without HTML escaping.
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		s := strings.TrimSuffix(buf.String(), "\n")
		if strings.Contains(s, `\u003`) || strings.Contains(s, `\u0026`) {
			t.Errorf("HTML-escaped JSON: %s", s)
		}
		if strings.Contains(s, "\n") {
			t.Errorf("newline inside a value: %q", s)
		}
	}
}

// A count cell groups its digits for readers; its JSON is the plain number.
func TestCountCell(t *testing.T) {
	for _, tc := range []struct {
		n          int64
		text, json string
	}{
		{0, "0", "0"}, {999, "999", "999"}, {3756, "3,756", "3756"}, {908914902, "908,914,902", "908914902"}, {-1200, "-1,200", "-1200"},
	} {
		c := Count(tc.n)
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if c.Text != tc.text || string(b) != tc.json {
			t.Errorf("Count(%d): text %q, JSON %s; want %q, %s", tc.n, c.Text, b, tc.text, tc.json)
		}
	}
	// Ports, years and ids are not counts.
	if c := Int(8888); c.Text != "8888" {
		t.Errorf("Int(8888) text %q", c.Text)
	}
}
