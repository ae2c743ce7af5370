package textfmt

import (
	"regexp"
	"strconv"
	"time"
)

// reasonTime matches the datapoint timestamps CloudWatch writes into an
// alarm's StateReason, "95.14 (23/11/26 20:05:00)": dd/MM/yy HH:mm:ss, in
// UTC (the format CloudWatch documents for state reasons).
var reasonTime = regexp.MustCompile(`\((\d{2})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})\)`)

// LocalReason rewrites the timestamps in an alarm's state reason (current
// state or a history item) in the report's time zone and in the report's
// own layout ("(11-24 05:05)"), so a reason next to a local time does not
// read nine hours off. Every report that shows CloudWatch's reasons uses
// it; the evidence keeps CloudWatch's text. Anything that is not a valid
// date and time is left as CloudWatch wrote it.
func LocalReason(reason string, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return reasonTime.ReplaceAllStringFunc(reason, func(m string) string {
		p := reasonTime.FindStringSubmatch(m)
		n := make([]int, 6)
		for i := range n {
			n[i], _ = strconv.Atoi(p[i+1])
		}
		day, month, year, hh, mm, ss := n[0], n[1], 2000+n[2], n[3], n[4], n[5]
		t := time.Date(year, time.Month(month), day, hh, mm, ss, 0, time.UTC)
		if t.Day() != day || int(t.Month()) != month || t.Hour() != hh || t.Minute() != mm || t.Second() != ss {
			return m // not a real instant (31/02, 25:00): leave it
		}
		layout := "01-02 15:04"
		if ss != 0 {
			layout = "01-02 15:04:05"
		}
		return "(" + t.In(loc).Format(layout) + ")"
	})
}
