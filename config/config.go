// Package config loads, defaults and validates cwreport's YAML configuration.
// Loading is strict: unknown fields are errors, and every mistake is reported
// at once with file:line:column, the field, what was found and what is allowed.
package config

import (
	"time"
	_ "time/tzdata" // time zones must resolve on machines without tzdata
)

// Config is the whole configuration file.
type Config struct {
	// Timezone is the IANA name reports and schedules use unless a job sets
	// its own; default UTC.
	Timezone string `yaml:"timezone"`
	// Language is ko or en; default ko.
	Language string             `yaml:"language"`
	Source   Source             `yaml:"source"`
	Targets  map[string]*Target `yaml:"targets"`
	Jobs     []*Job             `yaml:"jobs"`
	History  History            `yaml:"history"`
	Server   Server             `yaml:"server"`
	Lease    *Lease             `yaml:"lease"`

	// File is the path the config was read from, for messages.
	File string `yaml:"-"`
	// Location is Timezone resolved.
	Location *time.Location `yaml:"-"`
}

// Job is one report job.
type Job struct {
	Name string `yaml:"name"`
	// Kind is one of Kinds.
	Kind string `yaml:"kind"`
	// Schedule is a cron expression (5 fields, or 6 with seconds first) or a
	// descriptor (@daily, @weekly, @monthly, @every 1h), evaluated in the
	// job's time zone. Empty: the job runs only on demand.
	Schedule string `yaml:"schedule"`
	// Timezone overrides the global time zone for this job.
	Timezone string `yaml:"timezone"`
	// Language overrides the global language for this job.
	Language string `yaml:"language"`
	Window   Window `yaml:"window"`
	// Period keys a run for de-duplication and file names: day, week, month
	// or run (the instant). Default by kind.
	Period  string   `yaml:"period"`
	Formats []string `yaml:"formats"`
	Deliver []string `yaml:"deliver"`
	// Timeout bounds one run; default 15m.
	Timeout Duration `yaml:"timeout"`
	// CatchUp says what serve does with fire times missed while it was down.
	CatchUp CatchUp `yaml:"catch_up"`
	// Deadline, when set, is how long after its scheduled time a run must
	// have succeeded; past it, serve sends a "report missing" notice to the
	// job's targets.
	Deadline Duration  `yaml:"deadline"`
	Scope    Scope     `yaml:"scope"`
	Logs     LogsScope `yaml:"logs"`

	DailyStatus *DailyStatusOptions `yaml:"daily_status"`
	Capacity    *CapacityOptions    `yaml:"capacity"`
	Security    *SecurityOptions    `yaml:"security"`
	Incident    *IncidentOptions    `yaml:"incident"`
	Benchmark   *BenchmarkOptions   `yaml:"benchmark"`

	// Location is the job's time zone resolved.
	Location *time.Location `yaml:"-"`
	// Index is the job's position in the file.
	Index int `yaml:"-"`
}

// Scope narrows the instances a job reports on. Empty means every instance.
type Scope struct {
	InstanceIDs []string          `yaml:"instance_ids"`
	Tags        map[string]string `yaml:"tags"`
	// Names are globs on the Name tag ("web-*").
	Names []string `yaml:"names"`
}

// LogsScope says which log groups a job scans and what an error line is.
type LogsScope struct {
	// Groups are log group names or globs; default all groups.
	Groups []string `yaml:"groups"`
	// ErrorTerms make a line an error line; default ERROR, Error, error,
	// Exception, FATAL.
	ErrorTerms []string `yaml:"error_terms"`
}

// Kinds are the report kinds, in the order the demo produces them.
var Kinds = []string{"daily-status", "capacity", "security", "incident", "benchmark"}

// Formats are the output formats.
var Formats = []string{"md", "html", "pdf", "json"}

// Languages are the report languages.
var Languages = []string{"ko", "en"}

// Periods are the run keys a job may use.
var Periods = []string{"day", "week", "month", "run"}

// DefaultErrorTerms is what counts as an error line unless a job says otherwise.
var DefaultErrorTerms = []string{"ERROR", "Error", "error", "Exception", "FATAL"}

// Terms are the job's error terms, DefaultErrorTerms when it names none.
// Loading a config fills them in; a job built in code may leave them out.
func (l LogsScope) Terms() []string {
	if len(l.ErrorTerms) > 0 {
		return l.ErrorTerms
	}
	return DefaultErrorTerms
}

// defaultWindow, defaultPeriod: what each kind covers unless told.
var (
	defaultWindow = map[string]string{
		"daily-status": "24h", "capacity": "30d", "security": "30d", "incident": "1h", "benchmark": "24h",
	}
	defaultPeriod = map[string]string{
		"daily-status": "day", "capacity": "week", "security": "month", "incident": "run", "benchmark": "run",
	}
)

// Job returns the job with the given name, or nil.
func (c *Config) Job(name string) *Job {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j
		}
	}
	return nil
}

// JobNames lists the jobs in file order.
func (c *Config) JobNames() []string {
	names := make([]string, len(c.Jobs))
	for i, j := range c.Jobs {
		names[i] = j.Name
	}
	return names
}
