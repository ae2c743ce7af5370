package capacity

import (
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// TestPlanPeriods: only the CPU maxima are asked at 5 minutes; the other
// seven metrics hourly (they become daily sums, means and maxima). A window
// older than CloudWatch's 5-minute retention asks everything hourly.
func TestPlanPeriods(t *testing.T) {
	job := &config.Job{Name: "c", Kind: "capacity"}
	for _, c := range []struct {
		name   string
		w      source.Window
		cpuMax time.Duration
	}{
		{"30 days", window, 5 * time.Minute},
		{"90 days", source.Window{Start: at.Add(-90 * 24 * time.Hour), End: at}, time.Hour},
	} {
		req := New().Plan(job, c.w, at).Request
		if len(req.Metrics) != len(metrics) {
			t.Fatalf("%s: %d metrics, want %d", c.name, len(req.Metrics), len(metrics))
		}
		fine := 0
		for _, m := range req.Metrics {
			want := time.Hour
			if m.Name == "CPUUtilization" && m.Stat == "Maximum" {
				want = c.cpuMax
				fine++
			}
			if got := req.PeriodOf(m, at); got != want {
				t.Errorf("%s: %s %s at %s, want %s", c.name, m.Name, m.Stat, got, want)
			}
		}
		if fine != 1 {
			t.Errorf("%s: %d CPU maxima specs", c.name, fine)
		}
	}
	if metrics[1].Period != 0 || metrics[6].Period != 0 {
		t.Error("Plan changed the package's metric list instead of a copy")
	}
}
