package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/report/deliver"
)

func testSendCommand() *command {
	c := &command{
		name:    "test-send",
		summary: "Deliver the demo daily report to one target, to check its setup",
		usage:   "cwreport test-send TARGET --config FILE [--lang ko|en]",
		example: `  cwreport test-send ops-slack --config cwreport.yaml
  cwreport test-send archive --config cwreport.yaml --lang en
  # prints what the target answered (S3 version ids, message ids, Slack ts);
  # exit 0 delivered, 1 not delivered (the error says what to fix), 2 usage or config error`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		cfgPath := fs.String("config", "", "configuration `FILE` (YAML) that defines the target")
		lang := fs.String("lang", "", "report language, ko or en; default the configuration's")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) != 1 {
			fmt.Fprintln(e.stderr, "cwreport test-send: name exactly one TARGET (a key under targets: in the configuration)")
			return 2
		}
		cfg, ok := loadConfig(e, *cfgPath)
		if !ok {
			return 2
		}
		name := pos[0]
		if _, ok := cfg.Targets[name]; !ok {
			var names []string
			for n := range cfg.Targets {
				names = append(names, n)
			}
			slices.Sort(names)
			fmt.Fprintf(e.stderr, "cwreport test-send: no target %q in %s; targets are: %s\n", name, cfg.File, strings.Join(names, ", "))
			return 2
		}
		if *lang == "" {
			*lang = cfg.Language
		}
		if *lang != "ko" && *lang != "en" {
			fmt.Fprintf(e.stderr, "cwreport test-send: --lang %q: use ko or en\n", *lang)
			return 2
		}
		res, code := demoReport(ctx, e, *lang)
		if res == nil {
			return code
		}
		d := jobs.NewDeliverer(cfg)
		results := d.Deliver(ctx, res.Run, res.Report, res.Artifacts, []string{name})
		for _, r := range results {
			fmt.Fprintln(e.stdout, jobs.DeliveryLine(r))
			for _, k := range slices.Sorted(maps.Keys(r.Receipt)) {
				fmt.Fprintf(e.stdout, "  %s: %s\n", k, r.Receipt[k])
			}
		}
		if deliver.Failed(results) {
			return 1
		}
		return 0
	}
	return c
}

// demoReport renders the built-in demo's daily-status report as of now.
func demoReport(ctx context.Context, e *env, lang string) (*jobs.Result, int) {
	cfg, err := config.Parse("demo.yaml (built in)", demoConfig, func(string) (string, bool) { return "", false })
	if err != nil {
		fmt.Fprintf(e.stderr, "cwreport test-send: built-in configuration: %v\n", err)
		return nil, 1
	}
	job := cfg.Job("daily-status")
	if job == nil {
		fmt.Fprintln(e.stderr, "cwreport test-send: the built-in demo has no daily-status job")
		return nil, 1
	}
	job.Language = lang
	runner, err := newRunner(ctx, e, cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, "cwreport test-send:", err)
		return nil, 1
	}
	// Every format this build renders, so each target sees what it would
	// in production (the PDF to attach or upload, the charts to inline).
	job.Formats = slices.DeleteFunc(slices.Clone(config.Formats), func(f string) bool { _, ok := runner.Renderers[f]; return !ok })
	res := runner.Run(ctx, jobs.NewRun(job, time.Now().Truncate(time.Minute)))
	if res.Err != nil {
		fmt.Fprintf(e.stderr, "cwreport test-send: render the demo report: %v\n", res.Err)
		return nil, 1
	}
	return res, 0
}
