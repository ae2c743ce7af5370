// Package security is the monthly security audit (kind security): CIS AWS
// Foundations Benchmark v5.0.0 checks declared as data beside the function
// that evaluates each, CloudTrail activity over the window (failed console
// logins and brute-force bursts, AccessDenied, root use, new AssumeRole
// callers, security group and IAM policy changes), and a weighted 0-100
// score with its history. The signed audit pack is built from the report by
// report/pack. Like every analyzer it is a pure function of the dataset, the
// options and the run instant.
package security

import (
	"fmt"
	"slices"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// Needs is what the audit collects. Instances name the instances behind
// open security groups (public IPs).
const Needs = source.NeedInstances | source.NeedAlarms | source.NeedTrailEvents | source.NeedNetwork |
	source.NeedTrailConfig | source.NeedMonitoring | source.NeedIAM

// Analyzer is the security audit.
type Analyzer struct{}

// New returns the analyzer. It fails only when the checks table is
// inconsistent, which the package tests rule out.
func New() Analyzer {
	if err := validateChecks(Checks()); err != nil {
		panic(fmt.Sprintf("security checks table: %v", err))
	}
	return Analyzer{}
}

// Plan asks for the account-wide configuration and the window's CloudTrail
// events, plus the previous window's events to tell new AssumeRole callers
// and source IPs from known ones.
func (Analyzer) Plan(job *config.Job, window source.Window, at time.Time) analyze.Plan {
	prev := window.Shift(-window.Duration())
	return analyze.Plan{
		Request:      source.Request{Window: window, Needs: Needs},
		Compare:      &prev,
		CompareNeeds: source.NeedTrailEvents,
		Earlier:      maxHistory,
	}
}

// Findings documents every finding id.
func (Analyzer) Findings() []report.FindingDef { return findingDefs() }

// Analyze evaluates the checks and the activity, scores them and builds
// the report.
func (Analyzer) Analyze(in analyze.Input) (*report.Report, error) {
	if in.Job == nil {
		return nil, fmt.Errorf("security: no job")
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	in.Location = loc
	lang := in.Lang
	opts := in.Job.Security.WithDefaults()
	e := &Env{Data: in.Data, Opts: opts, At: in.At}

	cs := Checks()
	rs := run(cs, e)
	act := analyzeActivity(in.Data, in.Previous, in.Window, e)

	s := Score(cs, rs, *opts.Weights)
	byStart := slices.Contains([]string{"yesterday", "last-week", "last-month"}, in.Job.Window.Raw)
	s.History = History(in.Earlier, in.Job.Name, in.Job.Period, byStart, report.Window{Start: in.Window.Start, End: in.Window.End}, loc)

	rep := analyze.NewReport(in)
	rep.Score = s
	rep.Headline = headline(s, cs, rs, act, lang)
	// Each failing check is one finding: its own cis.<number>, or the more
	// specific finding that stands for it (coveredBy).
	rep.Findings = append(rep.Findings, checkFindings(lang, cs, rs)...)
	rep.Findings = append(rep.Findings, trailFindings(lang, cs, rs, e)...)
	rep.Findings = append(rep.Findings, networkFindings(lang, cs, rs, e)...)
	rep.Findings = append(rep.Findings, rootFindings(lang, cs, rs, act, loc)...)
	rep.Findings = append(rep.Findings, activityFindings(lang, act, e, loc)...)
	rep.Findings = append(rep.Findings, scoreFindings(lang, s)...)
	rep.Sections = append(rep.Sections,
		scoreSection(s, lang, loc, rep.Window),
		checksSection(cs, rs, lang),
		networkSection(e, lang),
		credentialsSection(e, lang, loc),
		activitySection(act, lang, loc, in.Window),
	)
	if in.Data == nil {
		rep.DataGaps = append(rep.DataGaps, report.DataGap{Source: "analyzer", Part: "dataset", Error: "no dataset was collected"})
	}
	if err := analyze.Finish(rep); err != nil {
		return nil, fmt.Errorf("security report: %w", err)
	}
	return rep, nil
}
