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
