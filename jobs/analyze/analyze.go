// Package analyze defines what every report kind implements: a plan of what
// to collect, and a pure function from the collected dataset to a report.
// Analyzers never call AWS and never read the clock; the scheduled instant is
// passed in, which makes them deterministic and easy to test.
package analyze

import (
	"fmt"
	"sort"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// Input is everything an analyzer may look at.
type Input struct {
	Job *config.Job
	// At is the scheduled instant of the run.
	At       time.Time
	Window   source.Window
	Location *time.Location
	Lang     string
	Data     *source.Dataset
	// Previous is the dataset of Plan.Compare, when the plan asked for one.
	Previous *source.Dataset
	// Earlier holds reports of earlier periods of this job, newest first,
	// one per period, when the runner could find them (run history or the
	// archive); used for trends such as the security score history. May be
	// empty. Reports from run history have no sections (jobs.TrendReport).
	Earlier []*report.Report
}

// Plan says what a run needs collected.
type Plan struct {
	Request source.Request
	// Compare, when set, is collected into Input.Previous with CompareNeeds
	// (Request.Needs when zero).
	Compare      *source.Window
	CompareNeeds source.Need
	// Earlier, when above 0, asks the runner for up to that many earlier
	// reports of the same job in Input.Earlier (the security score history);
	// kinds that set nothing cost no file reads.
	Earlier int
}

// Analyzer is one report kind.
type Analyzer interface {
	// Plan says what to collect for a run of job over window at instant at.
	Plan(job *config.Job, window source.Window, at time.Time) Plan
	// Analyze turns the collected data into a report.
	Analyze(in Input) (*report.Report, error)
	// Findings documents every finding id the analyzer can raise; the
	// findings reference (docs/findings.md) is generated from it.
	Findings() []report.FindingDef
}

// Scope is the job's instance scope as a source request states it; a nil
// job scopes nothing out.
func Scope(job *config.Job) source.Scope {
	if job == nil {
		return source.Scope{}
	}
	return source.Scope{InstanceIDs: job.Scope.InstanceIDs, Tags: job.Scope.Tags, NameGlobs: job.Scope.Names}
}

// Registry maps job kinds to analyzers. Registration is explicit (see
// jobs.Analyzers) and fails on duplicates.
type Registry struct {
	byKind map[string]Analyzer
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byKind: map[string]Analyzer{}} }

// Register adds an analyzer for kind.
func (r *Registry) Register(kind string, a Analyzer) error {
	if _, dup := r.byKind[kind]; dup {
		return fmt.Errorf("analyzer for kind %q registered twice", kind)
	}
	r.byKind[kind] = a
	return nil
}

// Get returns the analyzer for kind.
func (r *Registry) Get(kind string) (Analyzer, bool) {
	a, ok := r.byKind[kind]
	return a, ok
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	out := make([]string, 0, len(r.byKind))
	for k := range r.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// NewReport starts a report for in with the common fields filled in and the
// dataset's gaps copied to data_gaps. The runner sets GeneratedAt.
func NewReport(in Input) *report.Report {
	r := &report.Report{
		Schema:   report.Schema,
		Job:      in.Job.Name,
		Kind:     in.Job.Kind,
		Window:   report.Window{Start: in.Window.Start, End: in.Window.End},
		Timezone: in.Location.String(),
		Language: in.Lang,
		Status:   report.StatusOK,
		Findings: []report.Finding{},
		DataGaps: []report.DataGap{},
		Sections: []report.Section{},
	}
	if in.Data != nil {
		r.Account = report.Account{ID: in.Data.Account.ID, Alias: in.Data.Account.Alias, Region: in.Data.Account.Region, Demo: in.Data.Account.Demo}
		r.DataGaps = append(r.DataGaps, Gaps(in.Data.Gaps)...)
	}
	return r
}

// Gaps converts dataset gaps to report data gaps.
func Gaps(gs []source.Gap) []report.DataGap {
	out := make([]report.DataGap, 0, len(gs))
	for _, g := range gs {
		out = append(out, report.DataGap{Source: g.Source, Part: g.Part, API: g.API, Error: g.Error, Action: g.Action})
	}
	return out
}

// Finish orders the findings, sets the status from them unless the analyzer
// already chose a worse one, and validates the report.
func Finish(r *report.Report) error {
	report.SortFindings(r.Findings)
	if s := report.StatusFor(r.Findings); rank(s) > rank(r.Status) {
		r.Status = s
	}
	return r.Validate()
}

func rank(s report.Status) int {
	switch s {
	case report.StatusCritical:
		return 2
	case report.StatusWarning:
		return 1
	}
	return 0
}
