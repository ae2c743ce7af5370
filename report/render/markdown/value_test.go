package markdown

import (
	"testing"

	"github.com/cwreport/cwreport/report"
)

func TestFindingValueLocalizesUnits(t *testing.T) {
	for _, tc := range []struct {
		v          float64
		unit, lang string
		want       string
	}{
		{1039, "events", "ko", "1,039건"},
		{1039, "events", "en", "1,039 events"},
		{1, "events", "en", "1 event"},
		{170, "min", "ko", "170분"},
		{72, "h", "en", "72 h"},
		{95.21, "%", "ko", "95.21 %"},
		{516.84, "USD/month", "ko", "516.84 USD/월"},
		{3, "count", "en", "3"},
		{4, "widgets|x", "en", `4 widgets\|x`}, // unknown units are shown, escaped
		{0.67, "score", "ko", "0.67점"},
	} {
		f := report.Finding{Value: report.Float(tc.v), Unit: tc.unit}
		if got := findingValue(f, tc.lang); got != tc.want {
			t.Errorf("%v %s (%s): got %q, want %q", tc.v, tc.unit, tc.lang, got, tc.want)
		}
	}
	if got := findingValue(report.Finding{Unit: "min"}, "ko"); got != "-" {
		t.Errorf("no value: %q", got)
	}
}
