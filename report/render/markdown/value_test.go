package markdown

import (
	"testing"

	"github.com/cwreport/cwreport/report"
)

func TestFindingValueLocalizesUnits(t *testing.T) {
	for _, tc := range []struct {
		v          float64
		unit, lang string
		title      string
		want       string
	}{
		{1039, "events", "ko", "", "1,039건"},
		{1039, "events", "en", "", "1,039 events"},
		{1, "events", "en", "", "1 event"},
		{516.84, "USD/month", "ko", "", "516.84 USD/월"},
		{3, "count", "en", "", "3"},
		{4, "widgets|x", "en", "", `4 widgets\|x`}, // unknown units are shown, escaped
		{0.67, "score", "ko", "", "0.67점"},
		// Durations read as durations, like the titles beside them.
		{170, "min", "ko", "알람 발생 중: High-CPU-Usage (2시간 50분째)", "2시간 50분"},
		{170, "min", "en", "", "2h 50m"},
		{12960, "min", "ko", "알람 발생 중: Low-CPU-Usage (9일째)", "9일"},
		{72, "h", "ko", "알람이 3일째 데이터 부족 상태", "3일"},
		{72, "h", "en", "", "3d"},
		{1.5, "h", "en", "", "1h 30m"},
		{-88, "min", "ko", "", "-1시간 28분"},
		{8, "min", "ko", "", "8분"},
		{0.5, "min", "en", "", "0.5 min"}, // under a minute: no invented seconds
		// Percentages as precise as the title.
		{95.75, "%", "ko", "DMZVPC-Private-A-10.11.20.101 CPU 급증: 평소 5.0% → 최대 95.8%", "95.8%"},
		{95.97, "%", "en", "CPU anomaly: 96.0% vs usual 8.1%", "96.0%"},
		{1107.4, "%", "ko", "CPUUtilization, 지난주 대비 1107% 증가 (p95 7.9% → 95.2%)", "1107%"},
		{-39.4, "%", "ko", "batch-worker-*의 CPUUtilization, 지난주 대비 39% 감소 (p95 61% → 37%)", "-39%"},
		{33.2, "%", "en", "NetworkIn +33% change", "+33%"},
		{11, "%", "en", "11% more (p95 56.3% → 62.5%)", "11%"},
		{5, "%", "en", "from 15% to 95%", "5.0%"}, // 15% and 95% are other numbers
		{95.21, "%", "ko", "", "95.2%"},
		{12345.6, "%", "en", "", "12,345.6%"},
	} {
		f := report.Finding{Value: report.Float(tc.v), Unit: tc.unit, Title: tc.title}
		if got := findingValue(f, tc.lang); got != tc.want {
			t.Errorf("%v %s (%s) %q: got %q, want %q", tc.v, tc.unit, tc.lang, tc.title, got, tc.want)
		}
	}
	if got := findingValue(report.Finding{Unit: "min"}, "ko"); got != "-" {
		t.Errorf("no value: %q", got)
	}
	// An upper bound says so.
	f := report.Finding{Value: report.Float(5), Unit: "min", Evidence: map[string]any{"at_most": true}}
	if got := findingValue(f, "ko"); got != "≤ 5분" {
		t.Errorf("at most: %q", got)
	}
}
