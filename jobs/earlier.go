package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
)

// Bounds of the earlier-report search: a hostile or huge archive costs at
// most this much.
const (
	maxEarlierFiles = 400                    // JSON files looked at
	maxEarlierBytes = history.MaxReportBytes // per file or stored report
	maxEarlierDepth = 5                      // <dir>/<job>/<YYYY>/<MM>/<DD>/<file>
	// maxEarlierNotes bounds the notes one run prints about skipped
	// earlier reports; the rest are counted.
	maxEarlierNotes = 5
)

// ReportHistory is where the runner looks for earlier reports first: run
// history (*history.Store), which keeps each completed run's report.
type ReportHistory interface {
	Reports(ctx context.Context, q history.ReportQuery) ([]history.StoredReport, error)
}

// TrendReport is what run history keeps of a report for later periods'
// trends: its JSON without the sections (status, headline, score with its
// categories, findings, data gaps), which is what the spool keeps too. The
// sections are most of a report (the demo security report: 68 KB of JSON,
// 23 KB without sections; 10 KB and 5 KB gzip-compressed).
func TrendReport(rep *report.Report) ([]byte, error) {
	trimmed := *rep
	trimmed.Sections = nil
	data, err := json.Marshal(&trimmed)
	if err != nil {
		return nil, fmt.Errorf("encode the report for history: %w", err)
	}
	return data, nil
}

// earlierReport is one candidate: the report, the period it covers and
// the day the dated layout files it under (deliver.CoverDate).
type earlierReport struct {
	rep    *report.Report
	period string
	cover  time.Time
}

// notes collects what the earlier-report search skipped, bounded.
type notes struct {
	list    []string
	dropped int
}

func (n *notes) add(format string, args ...any) {
	if len(n.list) < maxEarlierNotes {
		n.list = append(n.list, fmt.Sprintf(format, args...))
		return
	}
	n.dropped++
}

func (n *notes) done() []string {
	if n.dropped > 0 {
		n.list = append(n.list, fmt.Sprintf("earlier reports: %d more skipped", n.dropped))
	}
	return n.list
}

// search is one run's search for earlier reports.
type search struct {
	run   Run
	n     int
	loc   *time.Location
	have  map[string]bool // periods found (and the run's own)
	found []earlierReport
	notes notes
}

// accept reports whether rep is an earlier report of the run's job.
func (s *search) accept(rep *report.Report) bool {
	return rep.Job == s.run.Job.Name && rep.Kind == s.run.Job.Kind && rep.Window.Start.Before(s.run.Window.Start)
}

func (s *search) add(rep *report.Report, period string) {
	s.have[period] = true
	cover := deliver.CoverDate(report.Summary{Window: rep.Window, Timezone: rep.Timezone})
	s.found = append(s.found, earlierReport{rep, period, cover})
}

// earlier loads up to n earlier reports of run's job, newest first, one
// per period: from run history when the runner has it (serve's store, or
// history.path opened read-only by `run`); then, for the periods history
// does not have, from the job's file targets (dated layout
// <dir>/<job>/YYYY/MM/DD/) and ArchiveDirs (flat, as --out writes them,
// or dated); then from the job's s3 targets (same dated layout, through
// delivery's clients) while fewer than n are known. Reports of other jobs
// or kinds and those not earlier than this run's window are left out. A
// report that cannot be read (a damaged history row, a file or object
// that does not parse, another schema version) is skipped with a note: an
// old row or file must never fail this month's audit.
func (r *Runner) earlier(ctx context.Context, run Run, n int) ([]*report.Report, []string) {
	s := &search{run: run, n: n, loc: run.Job.Location, have: map[string]bool{run.Period: true}}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if r.History != nil {
		r.fromHistory(ctx, s)
	}
	r.fromFiles(s)
	r.fromS3(ctx, s)

	slices.SortStableFunc(s.found, func(a, b earlierReport) int {
		if c := b.rep.Window.End.Compare(a.rep.Window.End); c != 0 {
			return c
		}
		if c := b.rep.GeneratedAt.Compare(a.rep.GeneratedAt); c != 0 {
			return c
		}
		return strings.Compare(b.period, a.period)
	})
	var out []*report.Report
	for _, e := range s.found {
		if len(out) == n {
			break
		}
		out = append(out, e.rep)
	}
	return out, s.notes.done()
}

func (r *Runner) fromHistory(ctx context.Context, s *search) {
	rows, err := r.History.Reports(ctx, history.ReportQuery{Job: s.run.Job.Name, Period: s.run.Period, Before: s.run.At, Limit: s.n + maxEarlierNotes})
	if err != nil {
		s.notes.add("earlier reports: run history not read: %v", err)
	}
	for _, row := range rows {
		if s.have[row.Period] {
			continue
		}
		if row.Err != nil {
			s.notes.add("earlier reports: run history %s skipped: %v", row.RunKey, row.Err)
			continue
		}
		rep, err := parseReport(row.JSON)
		if err != nil {
			s.notes.add("earlier reports: run history %s skipped: %v", row.RunKey, err)
			continue
		}
		if s.accept(rep) {
			s.add(rep, row.Period)
		}
	}
}

// fromFiles fills in the periods history lacks (before serve ran, or
// pruned by history.retain) from the file archive; the newest report of
// a period wins.
func (r *Runner) fromFiles(s *search) {
	byPeriod := map[string]*report.Report{}
	for _, p := range r.archivePaths(s.run) {
		period := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), s.run.Job.Name+"-"), ".json")
		if s.have[period] {
			continue
		}
		rep, err := readReport(p)
		if err != nil {
			s.notes.add("earlier reports: %s skipped: %v", p, err)
			continue
		}
		if !s.accept(rep) {
			continue
		}
		if old := byPeriod[period]; old == nil || rep.GeneratedAt.After(old.GeneratedAt) {
			byPeriod[period] = rep
		}
	}
	for _, period := range slices.Sorted(maps.Keys(byPeriod)) {
		s.add(byPeriod[period], period)
	}
}

// archivePaths lists the JSON reports named for run's job in its file
// targets and ArchiveDirs, bounded by maxEarlierFiles and maxEarlierDepth.
func (r *Runner) archivePaths(run Run) []string {
	var dirs []string
	if r.Config != nil {
		for _, name := range run.Job.Deliver {
			if t := r.Config.Targets[name]; t != nil && t.Type == "file" && t.Dir != "" {
				dirs = append(dirs, filepath.Join(t.Dir, run.Job.Name))
			}
		}
	}
	for _, d := range r.ArchiveDirs {
		dirs = append(dirs, d, filepath.Join(d, run.Job.Name))
	}
	prefix := run.Job.Name + "-"
	var paths []string
	seen := map[string]bool{}
	for _, dir := range dirs {
		root := filepath.Clean(dir)
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // an unreadable directory is skipped, not fatal
			}
			if d.IsDir() {
				rel, _ := filepath.Rel(root, p)
				if rel != "." && strings.Count(rel, string(filepath.Separator))+1 > maxEarlierDepth-1 {
					return filepath.SkipDir
				}
				return nil
			}
			name := d.Name()
			if !d.Type().IsRegular() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".json") ||
				strings.HasSuffix(name, ".deliveries.json") || name == run.Base()+".json" {
				return nil
			}
			if abs, err := filepath.Abs(p); err == nil && !seen[abs] {
				seen[abs] = true
				paths = append(paths, p)
			}
			if len(paths) >= maxEarlierFiles {
				return filepath.SkipAll
			}
			return nil
		})
	}
	return paths
}

func readReport(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEarlierBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxEarlierBytes {
		return nil, fmt.Errorf("over %d bytes", maxEarlierBytes)
	}
	return parseReport(data)
}

// parseReport decodes a JSON report of this schema version.
func parseReport(data []byte) (*report.Report, error) {
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("not a JSON report: %w", err)
	}
	if rep.Schema != report.Schema {
		return nil, fmt.Errorf("schema %q, not %s", rep.Schema, report.Schema)
	}
	return &rep, nil
}
