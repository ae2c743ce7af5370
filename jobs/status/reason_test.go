package status

import (
	"strings"
	"testing"
)

// The alarm tables and the firing finding show CloudWatch's UTC datapoint
// times in the report's zone; the evidence keeps CloudWatch's text.
func TestAlarmReasonsInReportZone(t *testing.T) {
	b := crafted(fixedAt)
	const reason = "Threshold Crossed: 1 out of the last 1 datapoints [85.0908 (23/11/26 21:35:00)] was greater than the threshold (80.0)."
	b.ds.Alarms[0].StateReason = reason
	b.ds.AlarmHistory[0].Reason = reason
	r := b.analyze(t, nil)
	f := one(t, r, FindAlarmFiring, "High-CPU-Usage")
	if !strings.Contains(f.Detail, "[85.0908 (11-24 06:35)]") || strings.Contains(f.Detail, "21:35") {
		t.Errorf("detail: %s", f.Detail)
	}
	if f.Evidence["reason"] != reason {
		t.Errorf("evidence: %v", f.Evidence["reason"])
	}
	for _, id := range []string{TabAlarmsFiring, TabAlarmChanges} {
		found := false
		for _, row := range r.Table(id).Rows {
			for _, c := range row {
				if strings.Contains(c.Text, "85.0908") {
					found = true
					if !strings.Contains(c.Text, "(11-24 06:35)") {
						t.Errorf("%s: %s", id, c.Text)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: no row with the reason", id)
		}
	}
}
