package deliver

import (
	"net/url"
	"path"
	"strconv"
	"time"

	"github.com/cwreport/cwreport/report"
)

// DatedPath is where an artifact goes in a dated tree, shared by the file
// and S3 targets so both archives look the same:
// "<job>/<YYYY>/<MM>/<DD>/<name>". The date is the last day the report
// covers, in the report's time zone, so a run keyed "yesterday" files under
// yesterday and every retry of a run lands on the same path.
func DatedPath(s report.Summary, name string) string {
	return path.Join(s.Job, CoverDate(s).Format("2006/01/02"), name)
}

// CoverDate is the last instant the report covers ([start, end) ends just
// before End), in the report's time zone; UTC when it is unknown.
func CoverDate(s report.Summary) time.Time {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil || s.Timezone == "" {
		loc = time.UTC
	}
	end := s.Window.End
	if end.After(s.Window.Start) {
		end = end.Add(-time.Nanosecond)
	}
	return end.In(loc)
}

// LinkExpiry reads when a presigned (SigV4) link stops working from its
// X-Amz-Date and X-Amz-Expires parameters; ok is false for other links.
func LinkExpiry(link string) (time.Time, bool) {
	u, err := url.Parse(link)
	if err != nil {
		return time.Time{}, false
	}
	q := u.Query()
	start, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return time.Time{}, false
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return start.Add(time.Duration(secs) * time.Second), true
}
