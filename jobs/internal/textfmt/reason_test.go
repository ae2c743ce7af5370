package textfmt

import (
	"testing"
	"time"
)

func TestLocalReason(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	const cw = "Threshold Crossed: 2 out of the last 2 datapoints [95.1427 (23/11/26 20:05:00), 95.2045 (23/11/26 20:00:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{cw, seoul, "Threshold Crossed: 2 out of the last 2 datapoints [95.1427 (11-24 05:05), 95.2045 (11-24 05:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."},
		{cw, time.UTC, "Threshold Crossed: 2 out of the last 2 datapoints [95.1427 (11-23 20:05), 95.2045 (11-23 20:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."},
		{cw, nil, "Threshold Crossed: 2 out of the last 2 datapoints [95.1427 (11-23 20:05), 95.2045 (11-23 20:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."},
		{"[0.4 (31/12/26 23:59:30)]", seoul, "[0.4 (01-01 08:59:30)]"}, // seconds kept when not zero; the day and year roll over
		{"[1 (31/02/26 10:00:00)]", seoul, "[1 (31/02/26 10:00:00)]"},  // not a date: left as written
		{"[1 (23/11/26 25:00:00)]", seoul, "[1 (23/11/26 25:00:00)]"},
		{"no timestamps (80.0)", seoul, "no timestamps (80.0)"},
		{"", seoul, ""},
	} {
		if got := LocalReason(tc.in, tc.loc); got != tc.want {
			t.Errorf("%s in %s:\n got %s\nwant %s", tc.in, tc.loc, got, tc.want)
		}
	}
}
