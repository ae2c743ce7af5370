package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/history"
)

func historyCommand() *command {
	c := &command{
		name:    "history",
		summary: "Show recent runs of serve and their deliveries",
		usage:   "cwreport history --config FILE [--job JOB] [--limit N] [--json]",
		example: `  cwreport history --config cwreport.yaml
  cwreport history --config cwreport.yaml --job morning --limit 5
  # 2026-11-24 08:00 KST  morning/2026-11-24  ok  schedule  1.2s  2 artifact(s)
  #     files    ok  1 attempt(s)  path:morning-2026-11-24.md=...`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		cfgPath := fs.String("config", "", "configuration `FILE` (YAML); its history.path is read")
		job := fs.String("job", "", "only this `JOB`")
		limit := fs.Int("limit", 20, "at most `N` runs, newest first")
		asJSON := fs.Bool("json", false, "print the runs as JSON")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			fmt.Fprintf(e.stderr, "cwreport history: unexpected argument %q\n", pos[0])
			return 2
		}
		if *limit <= 0 {
			fmt.Fprintf(e.stderr, "cwreport history: --limit %d: use a positive number\n", *limit)
			return 2
		}
		cfg, ok := loadConfig(e, *cfgPath)
		if !ok {
			return 2
		}
		if *job != "" && cfg.Job(*job) == nil {
			fmt.Fprintf(e.stderr, "cwreport history: no job %q in %s; jobs are: %s\n", *job, cfg.File, strings.Join(cfg.JobNames(), ", "))
			return 2
		}
		if _, err := os.Stat(cfg.History.Path); errors.Is(err, iofs.ErrNotExist) {
			// Nothing has run yet: that is an answer, not a failure.
			if *asJSON {
				fmt.Fprintln(e.stdout, "[]")
			} else {
				fmt.Fprintf(e.stdout, "no runs recorded yet: %s does not exist (cwreport serve creates it; history.path sets where)\n", cfg.History.Path)
			}
			return 0
		}
		store, err := history.OpenReadOnly(ctx, cfg.History.Path)
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport history: %v\n", err)
			return 1
		}
		defer store.Close()
		runs, err := store.Recent(ctx, *job, *limit)
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport history: %v\n", err)
			return 1
		}
		if *asJSON {
			return printHistoryJSON(e, runs)
		}
		if len(runs) == 0 {
			fmt.Fprintf(e.stdout, "no runs recorded in %s\n", cfg.History.Path)
			return 0
		}
		for _, r := range runs {
			printRun(e.stdout, cfg, r)
		}
		return 0
	}
	return c
}

func printRun(w io.Writer, cfg *config.Config, r history.Run) {
	loc := cfg.Location
	if j := cfg.Job(r.Job); j != nil && j.Location != nil {
		loc = j.Location
	}
	if loc == nil {
		loc = time.UTC
	}
	line := fmt.Sprintf("%s  %s  %s  %s", r.ScheduledAt.In(loc).Format("2006-01-02 15:04 MST"), r.Key, r.Status, r.Trigger)
	if !r.Finished.IsZero() && r.Status != history.StatusSkipped && r.Status != history.StatusLeased && r.Status != history.StatusElsewhere && r.Status != history.StatusAbandoned {
		line += "  " + r.Finished.Sub(r.Started).Round(10*time.Millisecond).String()
	}
	if r.Repeats > 1 {
		line += fmt.Sprintf("  %d fires, the last at %s", r.Repeats, r.ScheduledAt.In(loc).Format("15:04:05"))
	}
	if len(r.Artifacts) > 0 {
		line += fmt.Sprintf("  %d artifact(s)", len(r.Artifacts))
	}
	var gaps []json.RawMessage
	if json.Unmarshal(r.DataGaps, &gaps) == nil && len(gaps) > 0 {
		line += fmt.Sprintf("  %d data gap(s)", len(gaps))
	}
	if r.Replica != "" {
		line += "  on " + r.Replica
	}
	fmt.Fprintln(w, line)
	if r.Reason != "" {
		fmt.Fprintf(w, "    %s\n", oneLine(r.Reason))
	}
	for _, d := range r.Deliveries {
		s := fmt.Sprintf("    %-10s %-6s %d attempt(s)  %s", d.Target, d.Status, d.Attempts, d.At.In(loc).Format("2006-01-02 15:04:05"))
		if d.Error != "" {
			s += "  " + oneLine(d.Error)
		}
		for _, k := range slices.Sorted(maps.Keys(d.Detail)) {
			if strings.HasPrefix(k, "link:") {
				continue // presigned URLs are long and expire; --json has them
			}
			s += "  " + k + "=" + d.Detail[k]
		}
		fmt.Fprintln(w, s)
	}
}

// oneLine keeps a multi-line error on one terminal line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func printHistoryJSON(e *env, runs []history.Run) int {
	type delivery struct {
		Target   string            `json:"target"`
		Status   string            `json:"status"`
		Attempts int               `json:"attempts"`
		At       time.Time         `json:"at"`
		Error    string            `json:"error,omitempty"`
		Detail   map[string]string `json:"detail,omitempty"`
	}
	type run struct {
		RunKey      string             `json:"run_key"`
		Job         string             `json:"job"`
		Period      string             `json:"period"`
		ScheduledAt time.Time          `json:"scheduled_at"`
		Started     time.Time          `json:"started"`
		Finished    *time.Time         `json:"finished,omitempty"`
		Status      string             `json:"status"`
		Reason      string             `json:"reason,omitempty"`
		Trigger     string             `json:"trigger"`
		Repeats     int                `json:"repeats"`
		Replica     string             `json:"replica,omitempty"`
		DataGaps    json.RawMessage    `json:"data_gaps"`
		Artifacts   []history.Artifact `json:"artifacts"`
		Deliveries  []delivery         `json:"deliveries"`
	}
	out := make([]run, 0, len(runs))
	for _, r := range runs {
		o := run{RunKey: r.Key, Job: r.Job, Period: r.Period, ScheduledAt: r.ScheduledAt, Started: r.Started, Status: r.Status, Reason: r.Reason,
			Trigger: r.Trigger, Repeats: r.Repeats, Replica: r.Replica, DataGaps: r.DataGaps, Artifacts: r.Artifacts, Deliveries: []delivery{}}
		if !r.Finished.IsZero() {
			f := r.Finished
			o.Finished = &f
		}
		if len(o.DataGaps) == 0 {
			o.DataGaps = json.RawMessage("[]")
		}
		if o.Artifacts == nil {
			o.Artifacts = []history.Artifact{}
		}
		for _, d := range r.Deliveries {
			o.Deliveries = append(o.Deliveries, delivery{Target: d.Target, Status: d.Status, Attempts: d.Attempts, At: d.At, Error: d.Error, Detail: d.Detail})
		}
		out = append(out, o)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(e.stderr, "cwreport history: %v\n", err)
		return 1
	}
	return 0
}
