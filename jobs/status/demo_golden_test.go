package status

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/demo"
)

// demoAt is the fixed instant of the demo golden files.
var demoAt = time.Date(2026, 11, 24, 8, 0, 0, 0, seoul)

// TestGoldenDemo renders the demo account's daily report at a fixed instant
// (as `cwreport demo --at 2026-11-24T08:00:00+09:00` does) and compares it
// with testdata/demo.*. A change to the demo story or to the analyzer shows
// up here; if it is intended: go test ./jobs/status -run TestGoldenDemo -update
func TestGoldenDemo(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		job := &config.Job{Name: "daily-status", Kind: Kind, Language: lang, Location: seoul, Period: "day",
			Window: config.Window{Raw: "24h"}, Logs: config.LogsScope{ErrorTerms: config.DefaultErrorTerms}}
		w := source.Window{Start: demoAt.Add(-24 * time.Hour), End: demoAt}
		plan := New().Plan(job, w, demoAt)
		plan.Request.At = demoAt
		ds, err := demo.New().Collect(context.Background(), plan.Request)
		if err != nil {
			t.Fatal(err)
		}
		r, err := New().Analyze(analyze.Input{Job: job, At: demoAt, Window: w, Location: seoul, Lang: lang, Data: ds})
		if err != nil {
			t.Fatal(err)
		}
		r.GeneratedAt = demoAt.UTC()
		md, js := renderAll(t, r)
		golden(t, "demo."+lang+".md", md)
		if lang == "ko" {
			golden(t, "demo.json", js)
			checkWellFormed(t, "demo", r, md) // the demo carries hostile lines too
			// Korean is written for a reader, not assembled: no "이(가)" or
			// "은(는)" left for the reader to resolve.
			for _, p := range []string{"이(가)", "은(는)", "을(를)", "(으)로"} {
				if bytes.Contains(js, []byte(p)) {
					t.Errorf("ko: the report leaves the particle %q to the reader", p)
				}
			}
		}
	}
}
