package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/source"
)

// checkAt refuses an instant in the future for a source that reads what
// an account recorded: there is nothing to read yet, and a report for it
// would be a silent row of gaps. The demo and snapshots accept any instant.
func checkAt(cfg *config.Config, at time.Time) error {
	if cfg.Source.Type == "aws" && at.After(time.Now().Add(5*time.Minute)) {
		return fmt.Errorf("--at %s is in the future: the account has recorded nothing for it yet (only the demo source accepts any instant)", at.Format(time.RFC3339))
	}
	return nil
}

// parseAt reads --at: RFC 3339, or a local date-time without offset
// ("2026-11-24T08:00") taken in loc.
func parseAt(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at %q is not a time; use RFC 3339 (2026-11-24T08:00:00+09:00) or a local time (2026-11-24T08:00)", s)
}

// prepareOut creates --out DIR before anything runs, so a path that cannot
// be a directory is one usage error up front, not a failure after the data
// was collected (once per report kind for the demo).
func prepareOut(e *env, name, dir string) bool {
	if dir == "" {
		return true
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		fmt.Fprintf(e.stderr, "cwreport %s: --out %s is a file, not a directory; give a directory (it is created when missing)\n", name, dir)
		return false
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "cwreport %s: --out %s: cannot create the directory (%v); give a writable directory\n", name, dir, err)
		return false
	}
	return true
}

func newRunner(ctx context.Context, e *env, cfg *config.Config) (*jobs.Runner, error) {
	src, err := jobs.OpenSource(ctx, cfg)
	if err != nil {
		return nil, err
	}
	an, err := jobs.Analyzers()
	if err != nil {
		return nil, err
	}
	r := &jobs.Runner{Config: cfg, Source: src, Analyzers: an, Renderers: jobs.Renderers()}
	if e.isTerminal {
		r.Progress = newProgress(e)
	}
	return r, nil
}

// newProgress prints "collecting metrics 12/40 (3.1s)" on one terminal line.
func newProgress(e *env) source.ProgressFunc {
	var mu sync.Mutex
	start := time.Now()
	return func(stage string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		line := fmt.Sprintf("collecting %s %d/%d (%.1fs)", stage, done, total, time.Since(start).Seconds())
		fmt.Fprintf(e.stderr, "\r\033[K%s", line)
		if done >= total {
			fmt.Fprint(e.stderr, "\n")
		}
	}
}

func runCommand() *command {
	c := &command{
		name:    "run",
		summary: "Run one job of a configuration now (or as if at an instant)",
		usage:   "cwreport run JOB --config FILE [--out DIR] [--at TIME] [--no-deliver]",
		example: `  cwreport run morning --config examples/demo.yaml --out out
  cwreport run morning --config cwreport.yaml --at 2026-11-24T08:00   # as if it were 08:00 (job time zone)
  # exit 0 ok, 1 failed, 2 usage/config error, 3 produced but degraded (see data_gaps and deliveries)`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		cfgPath := fs.String("config", "", "configuration `FILE` (YAML)")
		out := fs.String("out", "", "also write the artifacts into `DIR`")
		at := fs.String("at", "", "run as if at `TIME` (RFC 3339, or local 2026-11-24T08:00); default now")
		noDeliver := fs.Bool("no-deliver", false, "render only: do not deliver to the job's targets")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) != 1 {
			fmt.Fprintln(e.stderr, "cwreport run: name exactly one JOB; 'cwreport list --config FILE' shows them")
			return 2
		}
		cfg, ok := loadConfig(e, *cfgPath)
		if !ok {
			return 2
		}
		job := cfg.Job(pos[0])
		if job == nil {
			fmt.Fprintf(e.stderr, "cwreport run: no job %q in %s; jobs are: %s\n", pos[0], cfg.File, strings.Join(cfg.JobNames(), ", "))
			return 2
		}
		instant := time.Now()
		if *at != "" {
			t, err := parseAt(*at, job.Location)
			if err == nil {
				err = checkAt(cfg, t)
			}
			if err != nil {
				fmt.Fprintln(e.stderr, "cwreport run:", err)
				return 2
			}
			instant = t
		}
		if !prepareOut(e, "run", *out) {
			return 2
		}
		runner, err := newRunner(ctx, e, cfg)
		if err != nil {
			fmt.Fprintln(e.stderr, "cwreport run:", err)
			return 1
		}
		if !*noDeliver {
			runner.Deliverer = jobs.NewDeliverer(cfg)
		}
		run := jobs.NewRun(job, instant)
		if st := openTrendHistory(ctx, e, runner, cfg, run); st != nil {
			defer st.Close()
			runner.History = st
		}
		return runOne(ctx, e, runner, run, *out)
	}
	return c
}

// openTrendHistory opens history.path read-only when the run's kind reads
// earlier reports (the security score history) and the database exists:
// a run beside or after serve (a CronJob, a manual re-run) sees the
// reports serve kept, and changes nothing in serve's history. A database
// that cannot be opened is a note, not a failure.
func openTrendHistory(ctx context.Context, e *env, runner *jobs.Runner, cfg *config.Config, run jobs.Run) *history.Store {
	an, ok := runner.Analyzers.Get(run.Job.Kind)
	if !ok || an.Plan(run.Job, run.Window, run.At).Earlier <= 0 {
		return nil
	}
	if _, err := os.Stat(cfg.History.Path); err != nil {
		return nil
	}
	st, err := history.OpenReadOnly(ctx, cfg.History.Path)
	if err != nil {
		fmt.Fprintf(e.stderr, "  note: earlier reports: run history not read: %v\n", err)
		return nil
	}
	return st
}

// runOne runs, writes the artifacts and reports the outcome.
func runOne(ctx context.Context, e *env, runner *jobs.Runner, run jobs.Run, out string) int {
	// Earlier reports written to --out feed trends (the security score history).
	if out != "" && !slices.Contains(runner.ArchiveDirs, out) {
		runner.ArchiveDirs = append(runner.ArchiveDirs, out)
	}
	res := runner.Run(ctx, run)
	if res.Err != nil && ctx.Err() != nil {
		// Ctrl-C or SIGTERM: say so, not "context canceled" from deep inside.
		fmt.Fprintf(e.stderr, "cwreport: %s: interrupted before it finished\n", run.Key())
		return jobs.ExitFailed
	}
	if res.Err != nil {
		fmt.Fprintf(e.stderr, "cwreport: %s failed: %v\n", run.Key(), res.Err)
		return res.ExitCode()
	}
	if out != "" {
		paths, err := jobs.WriteFiles(out, res.Artifacts)
		for _, p := range paths {
			fmt.Fprintln(e.stdout, p)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport: %s: %v\n", run.Key(), err)
			return jobs.ExitFailed
		}
	}
	fmt.Fprintf(e.stderr, "%s: %s, %d finding(s), %d data gap(s)\n", run.Key(), res.Report.Status, len(res.Report.Findings), len(res.Report.DataGaps))
	for _, g := range res.Report.DataGaps {
		fmt.Fprintf(e.stderr, "  data gap: %s %s: %s\n", g.Source, g.Part, g.Error)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(e.stderr, "  note: "+n)
	}
	for _, d := range res.Deliveries {
		fmt.Fprintln(e.stderr, "  "+jobs.DeliveryLine(d))
	}
	if out != "" && res.Deliveries != nil {
		p, err := jobs.WriteDeliveries(out, run.Key(), run.Base(), res.Deliveries)
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport: %s: %v\n", run.Key(), err)
			return jobs.ExitFailed
		}
		fmt.Fprintln(e.stdout, p)
	}
	return res.ExitCode()
}

//go:embed demo.yaml
var demoConfig []byte

func demoCommand() *command {
	c := &command{
		name:    "demo",
		summary: "Write every report kind for the built-in demo account (no AWS needed)",
		usage:   "cwreport demo [--out DIR] [--lang ko|en] [--at TIME]",
		example: `  cwreport demo --out out             # Korean reports into ./out
  cwreport demo --out out --lang en   # English
  cwreport demo --at 2026-11-24T08:00:00+09:00   # the same instant always gives the same bytes`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		out := fs.String("out", "out", "write the reports into `DIR`")
		lang := fs.String("lang", "ko", "report language: ko or en")
		at := fs.String("at", "", "generate as if at `TIME` (RFC 3339); default now")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			fmt.Fprintf(e.stderr, "cwreport demo: unexpected argument %q\n", pos[0])
			return 2
		}
		if *lang != "ko" && *lang != "en" {
			fmt.Fprintf(e.stderr, "cwreport demo: --lang %q: use ko or en\n", *lang)
			return 2
		}
		cfg, err := config.Parse("demo.yaml (built in)", demoConfig, func(string) (string, bool) { return "", false })
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport demo: built-in configuration: %v\n", err)
			return 1
		}
		for _, j := range cfg.Jobs {
			j.Language = *lang
		}
		instant := time.Now().Truncate(time.Minute)
		if *at != "" {
			if instant, err = parseAt(*at, cfg.Location); err != nil {
				fmt.Fprintln(e.stderr, "cwreport demo:", err)
				return 2
			}
		}
		if !prepareOut(e, "demo", *out) {
			return 2
		}
		runner, err := newRunner(ctx, e, cfg)
		if err != nil {
			fmt.Fprintln(e.stderr, "cwreport demo:", err)
			return 1
		}
		// Every artifact is stamped with the demo instant, so the same --at
		// gives byte-identical files.
		runner.Now = func() time.Time { return instant }
		worst, ran := 0, 0
		for i, j := range cfg.Jobs {
			if _, ok := runner.Analyzers.Get(j.Kind); !ok {
				continue
			}
			if ctx.Err() != nil {
				var rest []string
				for _, k := range cfg.Jobs[i:] {
					rest = append(rest, k.Kind)
				}
				fmt.Fprintf(e.stderr, "cwreport demo: interrupted; not started: %s\n", strings.Join(rest, ", "))
				return jobs.ExitFailed
			}
			ran++
			code := runOne(ctx, e, runner, jobs.NewRun(j, instant), *out)
			if code == jobs.ExitFailed || (code != 0 && worst == 0) {
				worst = code
			}
		}
		if worst == jobs.ExitDegraded {
			worst = 0 // the demo's data gaps are part of the show
		}
		if ran == 0 {
			fmt.Fprintln(e.stderr, "cwreport demo: no report kinds are available in this build")
			return 1
		}
		return worst
	}
	return c
}
