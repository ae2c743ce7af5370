package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// CronParser accepts 5-field expressions, an optional leading seconds field
// and descriptors (@daily, @every 1h). The scheduler uses the same parser.
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func applyDefaults(c *Config) {
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if c.Language == "" {
		c.Language = "ko"
	}
	if c.Source.Type == "" {
		c.Source.Type = "aws"
	}
	if c.Source.MaxAttempts == 0 {
		c.Source.MaxAttempts = 5
	}
	if c.Source.Concurrency == 0 {
		c.Source.Concurrency = 4
	}
	for i, j := range c.Jobs {
		if j == nil {
			continue
		}
		j.Index = i
		if j.Window.Raw == "" {
			j.Window.Raw = defaultWindow[j.Kind]
		}
		if j.Period == "" {
			j.Period = defaultPeriod[j.Kind]
		}
		if len(j.Formats) == 0 {
			j.Formats = slices.Clone(Formats)
		}
		if !j.Timeout.IsSet() {
			j.Timeout = Duration{Duration: 15 * time.Minute}
		}
		if len(j.Logs.ErrorTerms) == 0 {
			j.Logs.ErrorTerms = slices.Clone(DefaultErrorTerms)
		}
	}
	serveDefaults(c)
}

// validator checks meaning once the shape is right. Every check adds to the
// parser's error list; none stops the others.
type validator struct {
	*parser
}

// at returns the node for path, or the nearest ancestor's when the field is
// absent (so "missing field" errors point at the enclosing block).
func (v *validator) at(path string) *yaml.Node {
	for p := path; ; {
		if n, ok := v.nodes[p]; ok {
			return n
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return v.nodes[""]
		}
		p = p[:i]
	}
}

func (v *validator) errorf(path, format string, args ...any) {
	n := v.at(path)
	v.errAt(n, path, format, args...)
}

// found quotes the value at path for a message, unless it came from the
// environment (a secret must never be echoed).
func (v *validator) found(path, value string) string {
	if n, ok := v.nodes[path]; ok && v.fromEnv[n] {
		return "a value from the environment"
	}
	return fmt.Sprintf("%q", value)
}

func (v *validator) oneOf(path, value string, allowed []string) bool {
	if slices.Contains(allowed, value) {
		return true
	}
	msg := fmt.Sprintf("found %s; allowed: %s", v.found(path, value), strings.Join(allowed, ", "))
	if s := suggest(value, allowed); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	v.errorf(path, "%s", msg)
	return false
}

func (v *validator) config(c *Config) {
	if loc, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
		v.errorf("timezone", "found %s; expected an IANA time zone name such as Asia/Seoul, Europe/Berlin or UTC", v.found("timezone", c.Timezone))
	} else {
		c.Location = loc
	}
	v.oneOf("language", c.Language, Languages)
	v.source(&c.Source)
	v.serve(c)

	names := make([]string, 0, len(c.Targets))
	for name := range c.Targets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v.target("targets."+name, c.Targets[name])
	}

	if len(c.Jobs) == 0 {
		v.errorf("jobs", "no jobs are defined; add at least one, e.g.\n  jobs:\n    - name: morning\n      kind: daily-status\n      schedule: \"0 8 * * *\"")
	}
	seen := map[string]int{}
	for i, j := range c.Jobs {
		path := fmt.Sprintf("jobs[%d]", i)
		if j == nil {
			v.errorf(path, "empty job; a job needs at least name and kind")
			continue
		}
		if prev, dup := seen[j.Name]; dup && j.Name != "" {
			v.errorf(path+".name", "duplicate job name %q (also jobs[%d]); job names must be unique", j.Name, prev)
		} else {
			seen[j.Name] = i
		}
		v.job(c, path, j)
	}
}

func (v *validator) source(s *Source) {
	if !v.oneOf("source.type", s.Type, SourceTypes) {
		return
	}
	if s.Type == "snapshot" && s.Path == "" {
		v.errorf("source.path", "missing; a snapshot source reads a dataset JSON file: set source.path")
	}
	if s.MaxAttempts < 1 || s.MaxAttempts > 20 {
		v.errorf("source.max_attempts", "found %d; allowed 1 to 20", s.MaxAttempts)
	}
	if s.Concurrency < 1 || s.Concurrency > 64 {
		v.errorf("source.concurrency", "found %d; allowed 1 to 64", s.Concurrency)
	}
	if s.ExternalID != "" && s.AssumeRoleARN == "" {
		v.errorf("source.external_id", "is set but source.assume_role_arn is not; an external id only applies when assuming a role")
	}
	s.validateAWS(v)
}

var jobNameOK = func(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (v *validator) job(c *Config, path string, j *Job) {
	if j.Name == "" {
		v.errorf(path+".name", "missing; every job needs a name (letters, digits, - and _), used on the command line and in file names")
	} else if !jobNameOK(j.Name) {
		v.errorf(path+".name", "found %s; use 1 to 64 letters, digits, - or _ (it becomes part of file names and keys)", v.found(path+".name", j.Name))
	}
	if j.Kind == "" {
		v.errorf(path+".kind", "missing; allowed: %s", strings.Join(Kinds, ", "))
	} else {
		v.oneOf(path+".kind", j.Kind, Kinds)
	}
	if strings.HasPrefix(j.Schedule, "TZ=") || strings.HasPrefix(j.Schedule, "CRON_TZ=") {
		v.errorf(path+".schedule", "found %s; set the job's timezone field instead of a TZ= prefix", v.found(path+".schedule", j.Schedule))
	} else if j.Schedule != "" {
		if _, err := CronParser.Parse(j.Schedule); err != nil {
			v.errorf(path+".schedule", "found %s: %v; use 5 fields \"minute hour day-of-month month day-of-week\" (e.g. \"0 8 * * *\" for 08:00 daily) or a descriptor such as @daily or @every 1h", v.found(path+".schedule", j.Schedule), err)
		}
	}
	// A job inherits the global time zone and language; only its own
	// values are checked here, so a bad global value is reported once.
	if j.Timezone == "" {
		j.Timezone, j.Location = c.Timezone, c.Location
	} else if loc, err := time.LoadLocation(j.Timezone); err != nil || j.Timezone == "Local" {
		v.errorf(path+".timezone", "found %s; expected an IANA time zone name such as Asia/Seoul, America/New_York or UTC", v.found(path+".timezone", j.Timezone))
	} else {
		j.Location = loc
	}
	if j.Language == "" {
		j.Language = c.Language
	} else {
		v.oneOf(path+".language", j.Language, Languages)
	}
	if j.Window.Raw != "" {
		if err := j.Window.Check(); err != nil {
			v.errorf(path+".window", "%v; allowed: a duration (90m, 24h, 7d, 30d) or %s", err, strings.Join(calendarWindows, ", "))
		}
	}
	if j.Period != "" {
		v.oneOf(path+".period", j.Period, Periods)
	}
	for i, f := range j.Formats {
		v.oneOf(fmt.Sprintf("%s.formats[%d]", path, i), f, Formats)
	}
	if j.Timeout.IsSet() && (j.Timeout.Duration <= 0) {
		v.errorf(path+".timeout", "found %q; expected a positive duration such as 10m", j.Timeout.Raw)
	}
	seen := map[string]bool{}
	for i, t := range j.Deliver {
		p := fmt.Sprintf("%s.deliver[%d]", path, i)
		if seen[t] {
			v.errorf(p, "target %q is listed twice; list it once", t)
			continue
		}
		seen[t] = true
		if _, ok := c.Targets[t]; !ok {
			defined := make([]string, 0, len(c.Targets))
			for name := range c.Targets {
				defined = append(defined, name)
			}
			slices.Sort(defined)
			msg := fmt.Sprintf("target %q is not defined under targets:", t)
			if len(defined) == 0 {
				msg += " no targets are defined"
			} else {
				msg += " defined are " + strings.Join(defined, ", ")
				if s := suggest(t, defined); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
			}
			v.errorf(p, "%s", msg)
		}
	}
	v.catchUp(path, j)
	v.kindOptions(path, j)
}

// kindOptions checks that only the options block of the job's own kind is
// set, then validates it.
func (v *validator) kindOptions(path string, j *Job) {
	blocks := []struct {
		key, kind string
		set       bool
	}{
		{"daily_status", "daily-status", j.DailyStatus != nil},
		{"capacity", "capacity", j.Capacity != nil},
		{"security", "security", j.Security != nil},
		{"incident", "incident", j.Incident != nil},
		{"benchmark", "benchmark", j.Benchmark != nil},
	}
	for _, b := range blocks {
		if b.set && b.kind != j.Kind {
			v.errorf(path+"."+b.key, "options for kind %s on a job of kind %s; remove the block or change kind", b.kind, j.Kind)
		}
	}
	if j.DailyStatus != nil {
		j.DailyStatus.validate(v, path+".daily_status")
	}
	if j.Capacity != nil {
		j.Capacity.validate(v, path+".capacity")
	}
	if j.Security != nil {
		j.Security.validate(v, path+".security")
	}
	if j.Incident != nil {
		j.Incident.validate(v, path+".incident")
	}
	if j.Benchmark != nil {
		j.Benchmark.validate(v, path+".benchmark")
	}
}

func (v *validator) target(path string, t *Target) {
	if t == nil {
		v.errorf(path, "empty target; set type (%s) and its fields", strings.Join(TargetTypes, ", "))
		return
	}
	if t.Type == "" {
		v.errorf(path+".type", "missing; allowed: %s", strings.Join(TargetTypes, ", "))
		return
	}
	if !v.oneOf(path+".type", t.Type, TargetTypes) {
		return
	}
	own := targetFields[t.Type]
	for key := range fieldMap(reflectTypeOfTarget) {
		if key == "type" || slices.Contains(own, key) {
			continue
		}
		if _, set := v.nodes[path+"."+key]; set {
			owner := ""
			for typ, fs := range targetFields {
				if slices.Contains(fs, key) {
					owner = typ
				}
			}
			v.errorf(path+"."+key, "is not used by a %s target (it belongs to type %s); %s targets use: %s", t.Type, owner, t.Type, strings.Join(own, ", "))
		}
	}
	for _, key := range targetRequired[t.Type] {
		if _, set := v.nodes[path+"."+key]; !set {
			v.errorf(path+"."+key, "missing; a %s target needs %s", t.Type, strings.Join(targetRequired[t.Type], ", "))
		}
	}
	v.targetOptions(path, t)
}
