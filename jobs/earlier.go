package jobs

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cwreport/cwreport/report"
)

// Bounds of the earlier-report search: a hostile or huge archive costs at
// most this much.
const (
	maxEarlierFiles = 400     // JSON files looked at
	maxEarlierBytes = 8 << 20 // per file
	maxEarlierDepth = 5       // <dir>/<job>/<YYYY>/<MM>/<DD>/<file>
)

// earlier loads up to n earlier JSON reports of run's job, newest first,
// from the job's file targets (dated layout <dir>/<job>/YYYY/MM/DD/) and
// from ArchiveDirs (flat, as --out writes them, or dated). Reports of
// other jobs or kinds, not earlier than this run's window, or unreadable
// are skipped: an old file that does not parse must not fail this month's
// audit. S3 archives are not read (see docs/security.md).
func (r *Runner) earlier(run Run, n int) []*report.Report {
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
	var out []*report.Report
	for _, p := range paths {
		rep := readReport(p)
		if rep == nil || rep.Schema != report.Schema || rep.Job != run.Job.Name || rep.Kind != run.Job.Kind ||
			!rep.Window.Start.Before(run.Window.Start) {
			continue
		}
		out = append(out, rep)
	}
	slices.SortStableFunc(out, func(a, b *report.Report) int {
		if c := b.Window.End.Compare(a.Window.End); c != 0 {
			return c
		}
		return b.GeneratedAt.Compare(a.GeneratedAt)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func readReport(path string) *report.Report {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEarlierBytes+1))
	if err != nil || len(data) > maxEarlierBytes {
		return nil
	}
	var rep report.Report
	if json.Unmarshal(data, &rep) != nil {
		return nil
	}
	return &rep
}
