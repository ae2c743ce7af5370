package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
)

// instanceFlags collects repeated --instance values: ids (i-...) or Name
// tag globs (order-api-*).
type instanceFlags []string

func (f *instanceFlags) String() string { return strings.Join(*f, ",") }

func (f *instanceFlags) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*f = append(*f, s)
		}
	}
	return nil
}

// scope turns the values into a job scope: ids by id, anything else as a
// Name tag glob.
func (f instanceFlags) scope() config.Scope {
	var sc config.Scope
	for _, v := range f {
		if strings.HasPrefix(v, "i-") && !strings.ContainsAny(v, "*?[") {
			sc.InstanceIDs = append(sc.InstanceIDs, v)
		} else {
			sc.Names = append(sc.Names, v)
		}
	}
	return sc
}

// onDemandJob returns a copy of the configuration's job of kind (the one
// named by --job, or the first of that kind), or an ad-hoc job with the
// kind's defaults when the configuration has none. The copy may be changed
// by flags without touching the configuration.
func onDemandJob(cfg *config.Config, kind, name string) (*config.Job, error) {
	var src *config.Job
	if name != "" {
		src = cfg.Job(name)
		if src == nil {
			return nil, fmt.Errorf("no job %q in %s; jobs are: %s", name, cfg.File, strings.Join(cfg.JobNames(), ", "))
		}
		if src.Kind != kind {
			return nil, fmt.Errorf("job %q is of kind %s, not %s", name, src.Kind, kind)
		}
	}
	for _, j := range cfg.Jobs {
		if src == nil && j.Kind == kind {
			src = j
		}
	}
	if src != nil {
		j := *src
		j.Scope.InstanceIDs = slices.Clone(src.Scope.InstanceIDs)
		j.Scope.Names = slices.Clone(src.Scope.Names)
		return &j, nil
	}
	window := map[string]string{"incident": "1h", "benchmark": "24h"}[kind]
	return &config.Job{
		Name: kind, Kind: kind, Window: config.Window{Raw: window}, Period: "run",
		Formats: slices.Clone(config.Formats), Timeout: config.Duration{Duration: 15 * time.Minute, Raw: "15m"},
		Timezone: cfg.Timezone, Location: cfg.Location, Language: cfg.Language,
		Logs: config.LogsScope{ErrorTerms: slices.Clone(config.DefaultErrorTerms)},
	}, nil
}

// onDemand is what the incident and benchmark commands share: load, pick
// or make the job, apply the flags, run like `run` does.
type onDemand struct {
	cfgPath, out, at, job *string
	noDeliver             *bool
	instances             instanceFlags
}

func (o *onDemand) flags(c *command, e *env, atHelp string) *flag.FlagSet {
	fs := newFlags(c, e)
	o.cfgPath = fs.String("config", "", "configuration `FILE` (YAML)")
	o.out = fs.String("out", "", "also write the artifacts into `DIR`")
	o.at = fs.String("at", "", atHelp)
	o.job = fs.String("job", "", "use this `JOB` of the configuration (default: the first job of this kind, or the kind's defaults)")
	o.noDeliver = fs.Bool("no-deliver", false, "render only: do not deliver to the job's targets")
	fs.Var(&o.instances, "instance", "limit to an instance `ID` (i-...) or Name glob (order-api-*); repeat or comma-separate")
	return fs
}

// start loads the configuration and the job; code is the exit code when ok
// is false.
func (o *onDemand) start(e *env, name, kind string, pos []string) (*config.Config, *config.Job, int, bool) {
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "cwreport %s: unexpected argument %q\n", name, pos[0])
		return nil, nil, 2, false
	}
	cfg, ok := loadConfig(e, *o.cfgPath)
	if !ok {
		return nil, nil, 2, false
	}
	job, err := onDemandJob(cfg, kind, *o.job)
	if err != nil {
		fmt.Fprintf(e.stderr, "cwreport %s: %v\n", name, err)
		return nil, nil, 2, false
	}
	if len(o.instances) > 0 {
		job.Scope = o.instances.scope()
	}
	return cfg, job, 0, true
}

func (o *onDemand) run(ctx context.Context, e *env, name string, cfg *config.Config, job *config.Job, instant time.Time) int {
	if !prepareOut(e, name, *o.out) {
		return 2
	}
	runner, err := newRunner(ctx, e, cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "cwreport %s: %v\n", name, err)
		return 1
	}
	if !*o.noDeliver && len(job.Deliver) > 0 {
		runner.Deliverer = jobs.NewDeliverer(cfg)
	}
	return runOne(ctx, e, runner, jobs.NewRun(job, instant), *o.out)
}

func incidentCommand() *command {
	c := &command{
		name:    "incident",
		summary: "Analyse an incident: what changed around a time, in what order, and the probable cause",
		usage:   "cwreport incident --config FILE --at TIME [--window 30m] [--instance ID ...] [--out DIR]",
		example: `  cwreport incident --config cwreport.yaml --at 2026-11-24T14:30 --out out
  cwreport incident --config cwreport.yaml --at 2026-11-24T14:30 --window 2h --instance order-api-02 --instance i-0abc123
  # uses the first incident job of the file (its log groups, targets, options) or the defaults;
  # exit 0 ok, 1 failed, 2 usage/config error, 3 produced but degraded (see data_gaps and deliveries)`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var o onDemand
		fs := o.flags(c, e, "the incident `TIME` (RFC 3339, or local 2026-11-24T14:30 in the job's time zone); required")
		window := fs.String("window", "", "how far either side of TIME to look (`DURATION`, 5m to 24h); default the job's, 30m")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		cfg, job, code, ok := o.start(e, c.name, "incident", pos)
		if !ok {
			return code
		}
		if *o.at == "" {
			fmt.Fprintln(e.stderr, "cwreport incident: --at TIME is required: when did the incident happen? (e.g. --at 2026-11-24T14:30)")
			return 2
		}
		instant, err := parseAt(*o.at, job.Location)
		if err == nil {
			err = checkAt(cfg, instant)
		}
		if err != nil {
			fmt.Fprintln(e.stderr, "cwreport incident:", err)
			return 2
		}
		if *window != "" {
			d, err := config.ParseDuration(*window)
			if err != nil || d < 5*time.Minute || d > 24*time.Hour {
				fmt.Fprintf(e.stderr, "cwreport incident: --window %q: use a duration from 5m to 24h, e.g. 30m or 2h\n", *window)
				return 2
			}
			opts := config.IncidentOptions{}
			if job.Incident != nil {
				opts = *job.Incident
			}
			opts.Before = config.Duration{Duration: d, Raw: *window}
			opts.After = config.Duration{Duration: d, Raw: *window}
			job.Incident = &opts
			job.Window = config.Window{Raw: (2 * d).String()}
		}
		return o.run(ctx, e, c.name, cfg, job, instant)
	}
	return c
}

func benchmarkCommand() *command {
	c := &command{
		name:    "benchmark",
		summary: "Compare instances or groups with the same window one week earlier",
		usage:   "cwreport benchmark --config FILE [--instance ID ...] [--at TIME] [--group-by group|instance] [--out DIR]",
		example: `  cwreport benchmark --config cwreport.yaml --out out
  cwreport benchmark --config cwreport.yaml --instance 'order-api-*' --at 2026-11-24T09:00
  # the last 24h (or the benchmark job's window) against the same hours 7 days earlier;
  # exit 0 ok, 1 failed, 2 usage/config error, 3 produced but degraded (see data_gaps and deliveries)`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var o onDemand
		fs := o.flags(c, e, "end the window at `TIME` (RFC 3339, or local 2026-11-24T09:00); default now")
		groupBy := fs.String("group-by", "", "compare Auto Scaling/node groups and name families as one (group) or every instance alone (instance); default the job's, group")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		cfg, job, code, ok := o.start(e, c.name, "benchmark", pos)
		if !ok {
			return code
		}
		instant := time.Now().Truncate(time.Minute)
		if *o.at != "" {
			t, err := parseAt(*o.at, job.Location)
			if err == nil {
				err = checkAt(cfg, t)
			}
			if err != nil {
				fmt.Fprintln(e.stderr, "cwreport benchmark:", err)
				return 2
			}
			instant = t
		}
		if *groupBy != "" {
			if !slices.Contains(config.BenchmarkGroupBy, *groupBy) {
				fmt.Fprintf(e.stderr, "cwreport benchmark: --group-by %q: use %s\n", *groupBy, strings.Join(config.BenchmarkGroupBy, " or "))
				return 2
			}
			opts := config.BenchmarkOptions{}
			if job.Benchmark != nil {
				opts = *job.Benchmark
			}
			opts.GroupBy = *groupBy
			job.Benchmark = &opts
		}
		return o.run(ctx, e, c.name, cfg, job, instant)
	}
	return c
}
