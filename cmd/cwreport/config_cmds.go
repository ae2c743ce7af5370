package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/schedule"
)

// loadConfig loads path and prints every error; ok is false when the
// command must exit 2.
func loadConfig(e *env, path string) (*config.Config, bool) {
	if path == "" {
		fmt.Fprintln(e.stderr, "cwreport: --config FILE is required (see examples/demo.yaml)")
		return nil, false
	}
	cfg, err := config.Load(path)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			fmt.Fprintln(e.stderr, errs.Error())
			fmt.Fprintf(e.stderr, "%s: %d error(s); nothing was run\n", path, len(errs))
		} else {
			fmt.Fprintf(e.stderr, "cwreport: %v\n", err)
		}
		return nil, false
	}
	return cfg, true
}

func validateCommand() *command {
	c := &command{
		name:    "validate",
		summary: "Check a configuration file and print every mistake at once",
		usage:   "cwreport validate --config FILE",
		example: `  cwreport validate --config cwreport.yaml
  # prints one line per job, or every error as FILE:LINE:COLUMN: FIELD: message; exits 2 on errors`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		cfgPath := fs.String("config", "", "configuration `FILE` (YAML)")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			fmt.Fprintf(e.stderr, "cwreport validate: unexpected argument %q\n", pos[0])
			return 2
		}
		cfg, ok := loadConfig(e, *cfgPath)
		if !ok {
			return 2
		}
		fmt.Fprintf(e.stdout, "%s: ok, source %s, %d job(s), %d target(s)\n", cfg.File, cfg.Source.Type, len(cfg.Jobs), len(cfg.Targets))
		for _, j := range cfg.Jobs {
			fmt.Fprintln(e.stdout, "  "+jobSummary(j))
		}
		return 0
	}
	return c
}

func jobSummary(j *config.Job) string {
	sched := "on demand"
	if j.Schedule != "" {
		sched = fmt.Sprintf("%q %s", j.Schedule, j.Timezone)
	}
	deliver := "files only"
	if len(j.Deliver) > 0 {
		deliver = "-> " + strings.Join(j.Deliver, ", ")
	}
	return fmt.Sprintf("%-16s %-13s %s, window %s, %s, %s %s", j.Name, j.Kind, sched, j.Window, j.Language, strings.Join(j.Formats, "+"), deliver)
}

func listCommand() *command {
	c := &command{
		name:    "list",
		summary: "List the jobs of a configuration and their next run times",
		usage:   "cwreport list --config FILE [--next N] [--from TIME]",
		example: `  cwreport list --config cwreport.yaml --next 3
  # morning  daily-status  "0 8 * * *" Asia/Seoul
  #   2026-11-25 08:00 KST (Wed)
  cwreport list --config cwreport.yaml --from 2026-03-07T12:00 --next 3   # fire times after an instant (a DST day)`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		cfgPath := fs.String("config", "", "configuration `FILE` (YAML)")
		next := fs.Int("next", 3, "how many upcoming run times to show per job")
		from := fs.String("from", "", "show the run times after `TIME` instead of now: RFC 3339, or a local time in each job's time zone, as run --at")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			fmt.Fprintf(e.stderr, "cwreport list: unexpected argument %q\n", pos[0])
			return 2
		}
		if *next < 0 || *next > 1000 {
			fmt.Fprintf(e.stderr, "cwreport list: --next %d: give how many run times to show, 0 to 1000\n", *next)
			return 2
		}
		cfg, ok := loadConfig(e, *cfgPath)
		if !ok {
			return 2
		}
		if *from != "" {
			if _, err := parseAt(*from, cfg.Location); err != nil {
				fmt.Fprintf(e.stderr, "cwreport list: --from %q is not a time; use RFC 3339 (2026-03-08T01:00:00-05:00) or a local time (2026-03-08T01:00) taken in each job's time zone\n", *from)
				return 2
			}
		}
		for _, j := range cfg.Jobs {
			fmt.Fprintln(e.stdout, jobSummary(j))
			if j.Schedule == "" {
				continue
			}
			now := time.Now()
			if *from != "" {
				now, _ = parseAt(*from, j.Location)
			}
			for _, t := range schedule.NextRuns(j, now, *next) {
				fmt.Fprintf(e.stdout, "    %s\n", t.In(j.Location).Format("2006-01-02 15:04 MST (Mon)"))
			}
		}
		return 0
	}
	return c
}
