package pdf_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/report/render/pdf"
)

// TestDemoTablesKeepShortWordsWhole renders every demo report kind in both
// languages to PDF and fails on any table cell that breaks a word of 12
// characters or fewer between characters ("t3.mediu / m", "CPU 이상," one
// letter per line): a table must rather shrink or wrap other columns.
// Longer words (ids, paths, log patterns) may still break when nothing else
// fits.
func TestDemoTablesKeepShortWordsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("renders every demo report")
	}
	path := filepath.Join("..", "..", "..", "cmd", "cwreport", "demo.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, data, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	an, err := jobs.Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	src, err := jobs.OpenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)
	r := &jobs.Runner{Config: cfg, Source: src, Analyzers: an, Renderers: jobs.Renderers(), Now: func() time.Time { return at }}
	kinds := map[string]bool{}
	// The fill's work budget bounds hostile tables; no table of a real
	// report may reach it (its widths would then be second best).
	maxWork, stopped := 0, 0
	pdf.SetFillHook(func(work int, stop bool) {
		maxWork = max(maxWork, work)
		if stop {
			stopped++
		}
	})
	defer pdf.SetFillHook(nil)
	for _, lang := range []string{"ko", "en"} {
		for _, j := range cfg.Jobs {
			if _, ok := an.Get(j.Kind); !ok {
				continue
			}
			kinds[j.Kind] = true
			j.Language = lang
			j.Formats = []string{"json"}
			run := jobs.NewRun(j, at)
			res := r.Run(context.Background(), run)
			if res.Err != nil {
				t.Fatalf("%s: %v", run.Key(), res.Err)
			}
			broken := map[string]int{}
			pdf.SetBreakHook(func(word, header string) {
				if utf8.RuneCountInString(word) <= 12 {
					broken["'"+word+"' in column '"+header+"'"]++
				}
			})
			_, err := r.Render(res.Report, run.Base(), []string{"pdf"})
			pdf.SetBreakHook(nil)
			if err != nil {
				t.Fatalf("%s: %v", run.Key(), err)
			}
			var list []string
			for k := range broken {
				list = append(list, k)
			}
			sort.Strings(list)
			for _, k := range list {
				t.Errorf("%s (%s): short word broken: %s", j.Kind, lang, k)
			}
		}
	}
	t.Logf("largest fill: %d units of work", maxWork)
	if stopped > 0 {
		t.Errorf("%d demo tables reached the fill budget", stopped)
	}
	if len(kinds) < 5 {
		t.Logf("only %d report kinds in this build", len(kinds))
	}
}
