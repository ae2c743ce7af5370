package jobs

import (
	"context"
	"path"
	"strings"
	"time"

	"github.com/cwreport/cwreport/report/deliver"
)

// TargetOpener gives a job's delivery targets by name (*Deliverer does).
type TargetOpener interface {
	Target(ctx context.Context, name string) (deliver.Target, error)
}

// archiveReader is a target that reads back what it archived in the dated
// layout <job>/YYYY/MM/DD/<file> (report/deliver/s3). Keys are relative
// to the target's prefix.
type archiveReader interface {
	// List returns the keys under dir, in key order, at most max (0: no
	// bound of the caller's).
	List(ctx context.Context, dir string, max int) ([]string, error)
	// Read returns the object at key, refusing one over max bytes.
	Read(ctx context.Context, key string, max int64) ([]byte, error)
}

// maxArchiveMonths bounds how many months of an S3 archive one run lists
// back from its own.
const maxArchiveMonths = 24

// fromS3 reads earlier reports back from the job's s3 targets while fewer
// than n are known, newest month first, for periods not known yet. Keys
// sort by date in the dated layout, so one listing of a single key finds
// the oldest month and each month is one listing: a monthly job with a
// year of reports costs at most 13 listings and one read per period
// history and the files lacked. Every error is a note.
func (r *Runner) fromS3(ctx context.Context, s *search) {
	opener := r.Archives
	if opener == nil && r.Deliverer != nil {
		opener = r.Deliverer
	}
	if opener == nil || r.Config == nil {
		return
	}
	for _, name := range s.run.Job.Deliver {
		if t := r.Config.Targets[name]; t == nil || t.Type != "s3" {
			continue
		}
		if s.newerThan(time.Time{}) >= s.n {
			return
		}
		tgt, err := opener.Target(ctx, name)
		if err != nil {
			s.notes.add("earlier reports: s3 target %s not read: %v", name, err)
			continue
		}
		if ar, ok := tgt.(archiveReader); ok {
			s.fromArchive(ctx, name, ar)
		}
	}
}

// newerThan counts the reports found whose last covered day (as the
// dated layout files them) is on or after t.
func (s *search) newerThan(t time.Time) int {
	c := 0
	for _, e := range s.found {
		if !e.cover.Before(t) {
			c++
		}
	}
	return c
}

func (s *search) fromArchive(ctx context.Context, target string, ar archiveReader) {
	job := s.run.Job.Name
	first, err := ar.List(ctx, job+"/", 1)
	if err != nil {
		s.notes.add("earlier reports: s3 target %s not read: %v", target, err)
		return
	}
	if len(first) == 0 {
		return
	}
	last := s.run.Window.Start.Add(-time.Nanosecond).In(s.loc)
	month := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, s.loc)
	oldest := month.AddDate(0, -maxArchiveMonths+1, 0)
	if rest := strings.TrimPrefix(first[0], job+"/"); len(rest) >= 7 {
		if t, err := time.ParseInLocation("2006/01", rest[:7], s.loc); err == nil && t.After(oldest) {
			oldest = t // the job's first report is filed under this month
		}
	}
	reads := 0
	for ; !month.Before(oldest); month = month.AddDate(0, -1, 0) {
		// n reports covering later months: nothing filed under this
		// month or before can be among the newest n.
		if s.newerThan(month.AddDate(0, 1, 0)) >= s.n {
			return
		}
		keys, err := ar.List(ctx, job+"/"+month.Format("2006/01")+"/", 0)
		if err != nil {
			s.notes.add("earlier reports: s3 target %s not read: %v", target, err)
			return
		}
		for i := len(keys) - 1; i >= 0; i-- {
			name := path.Base(keys[i])
			if !strings.HasPrefix(name, job+"-") || !strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".deliveries.json") {
				continue
			}
			period := strings.TrimSuffix(strings.TrimPrefix(name, job+"-"), ".json")
			if s.have[period] {
				continue
			}
			if reads == s.n+maxEarlierNotes {
				return
			}
			// Keys go newest first: once n known reports are filed after
			// this key's day, neither it nor any older one is needed (a
			// daily job's month holds 30 of them).
			if rest := strings.TrimPrefix(keys[i], job+"/"); len(rest) >= 10 {
				if day, err := time.ParseInLocation("2006/01/02", rest[:10], s.loc); err == nil && s.newerThan(day.AddDate(0, 0, 1)) >= s.n {
					return
				}
			}
			reads++
			data, err := ar.Read(ctx, keys[i], maxEarlierBytes)
			if err != nil {
				s.notes.add("earlier reports: s3 target %s: %s skipped: %v", target, keys[i], err)
				continue
			}
			rep, err := parseReport(data)
			if err != nil {
				s.notes.add("earlier reports: s3 target %s: %s skipped: %v", target, keys[i], err)
				continue
			}
			if s.accept(rep) {
				s.add(rep, period)
			}
		}
	}
}
