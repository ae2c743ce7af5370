package status

import (
	"strings"
	"testing"
	"time"
)

func TestLocalReason(t *testing.T) {
	const cw = "Threshold Crossed: 2 out of the last 2 datapoints [95.1427 (23/11/26 20:05:00), 95.2045 (23/11/26 20:00:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{cw, seoul, "Threshold Crossed: 2 out of the last 2 datapoints [95.1427 (11-24 05:05), 95.2045 (11-24 05:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."},
		{cw, time.UTC, "Threshold Crossed: 2 out of the last 2 datapoints [95.1427 (11-23 20:05), 95.2045 (11-23 20:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."},
		{"[0.4 (31/12/26 23:59:30)]", seoul, "[0.4 (01-01 08:59:30)]"}, // seconds kept when not zero; the day and year roll over
		{"[1 (31/02/26 10:00:00)]", seoul, "[1 (31/02/26 10:00:00)]"},  // not a date: left as written
		{"[1 (23/11/26 25:00:00)]", seoul, "[1 (23/11/26 25:00:00)]"},
		{"no timestamps (80.0)", seoul, "no timestamps (80.0)"},
		{"", seoul, ""},
	} {
		if got := localReason(tc.in, tc.loc); got != tc.want {
			t.Errorf("%s in %s:\n got %s\nwant %s", tc.in, tc.loc, got, tc.want)
		}
	}
}

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
