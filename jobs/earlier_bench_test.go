package jobs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report"
)

// benchKinds is one demo job per kind, as cmd/cwreport/demo.yaml has
// them (security as the monthly audit it is in production).
const benchKinds = `timezone: Asia/Seoul
source: {type: demo}
jobs:
  - {name: daily-status, kind: daily-status, window: 24h, formats: [json]}
  - {name: capacity, kind: capacity, window: 30d, formats: [json], capacity: {preset: balanced}}
  - {name: security, kind: security, window: last-month, period: month, formats: [json]}
  - {name: incident, kind: incident, window: 2h, formats: [json], incident: {before: 2h, after: 0m}}
  - {name: benchmark, kind: benchmark, window: 24h, formats: [json]}
`

func benchReport(b *testing.B, cfg *config.Config, job *config.Job, at time.Time) *report.Report {
	b.Helper()
	src, err := OpenSource(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	an, err := Analyzers()
	if err != nil {
		b.Fatal(err)
	}
	r := &Runner{Config: cfg, Source: src, Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }}
	res := r.Run(context.Background(), NewRun(job, at))
	if res.Err != nil {
		b.Fatal(res.Err)
	}
	return res.Report
}

// BenchmarkStoredReportSize is what history keeps per run of each demo
// kind: stored-B/run is the gzip of the report without sections (what
// SaveReport writes), json-B/run the whole JSON report for comparison.
func BenchmarkStoredReportSize(b *testing.B) {
	cfg, err := config.Parse("bench.yaml", []byte(benchKinds), func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	for _, job := range cfg.Jobs {
		rep := benchReport(b, cfg, job, at)
		full, _ := json.Marshal(rep)
		b.Run(job.Kind, func(b *testing.B) {
			var stored int
			for b.Loop() {
				data, err := TrendReport(rep)
				if err != nil {
					b.Fatal(err)
				}
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(data)
				zw.Close()
				stored = z.Len()
			}
			b.ReportMetric(float64(stored), "stored-B/run")
			b.ReportMetric(float64(len(full)), "json-B/run")
		})
	}
}

// BenchmarkEarlier is the earlier-report search of a monthly audit with
// 12 wanted: from a history of 24 months of stored demo reports (the
// decompression, decoding and query of each), and from a directory of
// 24 whole JSON reports (what the archive costs without history).
func BenchmarkEarlier(b *testing.B) {
	cfg, err := config.Parse("bench.yaml", []byte(benchKinds), func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	job := cfg.Job("security")
	loc := job.Location
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, loc)
	demo := benchReport(b, cfg, job, now)
	ctx := context.Background()
	st, err := history.Open(ctx, filepath.Join(b.TempDir(), "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	flat := b.TempDir()
	for m := range 24 {
		at := now.AddDate(0, -m-1, 0)
		run := NewRun(job, at)
		rep := *demo
		rep.Window = report.Window{Start: run.Window.Start, End: run.Window.End}
		id, err := st.StartRun(ctx, history.Run{Key: run.Key(), Job: job.Name, Period: run.Period, ScheduledAt: at, Started: at, Trigger: history.TriggerSchedule})
		if err != nil {
			b.Fatal(err)
		}
		data, _ := TrendReport(&rep)
		if err := st.SaveReport(ctx, id, data); err != nil {
			b.Fatal(err)
		}
		st.FinishRun(ctx, id, at, history.StatusOK, "", nil, nil)
		full, _ := json.Marshal(&rep)
		os.WriteFile(filepath.Join(flat, run.Base()+".json"), full, 0o644)
	}
	run := NewRun(job, now)
	for _, tc := range []struct {
		name string
		r    *Runner
	}{
		{"history", &Runner{Config: cfg, History: st}},
		{"files", &Runner{Config: cfg, ArchiveDirs: []string{flat}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				got, notes := tc.r.earlier(ctx, run, 12)
				if len(got) != 12 || len(notes) != 0 {
					b.Fatal(fmt.Sprint(len(got), notes))
				}
			}
		})
	}
}

// BenchmarkSaveReport is serve's added cost per completed run: encode the
// demo audit without sections, compress and store it.
func BenchmarkSaveReport(b *testing.B) {
	cfg, err := config.Parse("bench.yaml", []byte(benchKinds), func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	job := cfg.Job("security")
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, job.Location)
	rep := benchReport(b, cfg, job, at)
	ctx := context.Background()
	st, err := history.Open(ctx, filepath.Join(b.TempDir(), "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	id, _ := st.StartRun(ctx, history.Run{Key: "security/2026-11", Job: "security", Period: "2026-11", ScheduledAt: at, Started: at})
	for b.Loop() {
		data, err := TrendReport(rep)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.SaveReport(ctx, id, data); err != nil {
			b.Fatal(err)
		}
	}
}
