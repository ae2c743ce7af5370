package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/internal/atomicfile"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/markdown"
)

// Runner executes runs. It holds no per-run state and is safe for
// concurrent use when its Source is.
type Runner struct {
	Config    *config.Config
	Source    source.Source
	Analyzers *analyze.Registry
	Renderers map[string]render.Renderer
	// Now stamps generated_at; nil means time.Now. The demo passes the --at
	// instant so the same instant gives the same bytes.
	Now func() time.Time
	// Progress, when set, hears what the source is collecting.
	Progress source.ProgressFunc
	// Deliverer, when set, delivers every rendered run to its job's
	// targets (jobs/deliver.go); nil renders only (--no-deliver, demo).
	Deliverer *Deliverer
	// ArchiveDirs are directories holding earlier JSON reports (a --out
	// directory), searched besides the job's file targets when an analyzer
	// asks for earlier reports (jobs/earlier.go).
	ArchiveDirs []string
	// History, when set, is asked for earlier reports before the archive
	// (jobs/earlier.go): serve's history store, or history.path opened
	// read-only by `cwreport run`.
	History ReportHistory
	// Archives, when set, gives the job's targets, so earlier reports are
	// read back from its s3 targets with delivery's clients (serve passes
	// its Deliverer); nil uses Deliverer, and without either S3 is not read.
	Archives TargetOpener
}

// Result is what one run produced.
type Result struct {
	Run       Run
	Started   time.Time
	Finished  time.Time
	Report    *report.Report
	Artifacts []report.Artifact
	// Err is set when the run failed and produced no report.
	Err error
	// Deliveries holds every target's outcome, in the job's target order.
	Deliveries []deliver.Result
	// Stats counts the source's API calls by API name
	// ("cloudwatch:GetMetricData"), comparison windows included, also when
	// collecting failed: serve exports them as metrics.
	Stats map[string]int
	// Notes are remarks about the run that are not data gaps, for the log
	// or the terminal: an earlier report skipped because its history row
	// or file could not be read.
	Notes []string
}

func (r *Result) addStats(d *source.Dataset) {
	if d == nil || len(d.Stats) == 0 {
		return
	}
	if r.Stats == nil {
		r.Stats = map[string]int{}
	}
	for api, n := range d.Stats {
		r.Stats[api] += n
	}
}

// Degraded reports whether the report was produced with parts missing.
func (r *Result) Degraded() bool {
	return r.Err == nil && r.Report != nil && (len(r.Report.DataGaps) > 0 || r.DeliveryFailed())
}

// Exit codes of a run, shared by every command.
const (
	ExitOK       = 0
	ExitFailed   = 1
	ExitUsage    = 2
	ExitDegraded = 3
)

// ExitCode maps the result to the CLI contract.
func (r *Result) ExitCode() int {
	switch {
	case r.Err != nil:
		return ExitFailed
	case r.Degraded():
		return ExitDegraded
	}
	return ExitOK
}

// Run executes one run: plan, collect, analyze, render, deliver.
func (r *Runner) Run(ctx context.Context, run Run) *Result {
	now := r.Now
	if now == nil {
		now = time.Now
	}
	run = run.utc()
	res := &Result{Run: run, Started: now()}
	defer func() { res.Finished = now() }()

	rep, err := r.analyze(ctx, run, now, res)
	if err != nil {
		res.Err = err
		return res
	}
	res.Report = rep
	arts, err := r.Render(rep, run.Base(), run.Job.Formats)
	if err != nil {
		res.Err = fmt.Errorf("render %s: %w", run.Key(), err)
		return res
	}
	if arts, err = r.afterRender(ctx, run, rep, arts); err != nil {
		res.Err = fmt.Errorf("make artifacts for %s: %w", run.Key(), err)
		return res
	}
	res.Artifacts = arts
	r.deliver(ctx, run, res)
	return res
}

func (r *Runner) analyze(ctx context.Context, run Run, now func() time.Time, res *Result) (*report.Report, error) {
	an, ok := r.Analyzers.Get(run.Job.Kind)
	if !ok {
		return nil, fmt.Errorf("job %s: no analyzer for kind %q (this build has: %v)", run.Job.Name, run.Job.Kind, r.Analyzers.Kinds())
	}
	plan := an.Plan(run.Job, run.Window, run.At)
	if plan.Request.Window.Start.IsZero() {
		plan.Request.Window = run.Window
	}
	plan.Request.At = run.At
	plan.Request.Progress = r.Progress
	data, err := r.Source.Collect(ctx, plan.Request)
	res.addStats(data)
	if err != nil {
		return nil, fmt.Errorf("collect data for %s: %w", run.Key(), err)
	}
	in := analyze.Input{Job: run.Job, At: run.At, Window: run.Window, Location: run.Job.Location, Lang: run.Job.Language, Data: data}
	if plan.Earlier > 0 {
		var notes []string
		in.Earlier, notes = r.earlier(ctx, run, plan.Earlier)
		res.Notes = append(res.Notes, notes...)
	}
	if plan.Compare != nil {
		prev := plan.Request
		prev.Window = *plan.Compare
		if plan.CompareNeeds != 0 {
			prev.Needs = plan.CompareNeeds
		}
		in.Previous, err = r.Source.Collect(ctx, prev)
		res.addStats(in.Previous)
		if err != nil {
			return nil, fmt.Errorf("collect comparison data for %s: %w", run.Key(), err)
		}
	}
	rep, err := an.Analyze(in)
	if err != nil {
		return nil, fmt.Errorf("analyze %s: %w", run.Key(), err)
	}
	if in.Previous != nil {
		for _, g := range analyze.Gaps(in.Previous.Gaps) {
			g.Part = "previous:" + g.Part
			rep.DataGaps = append(rep.DataGaps, g)
		}
	}
	rep.GeneratedAt = now().UTC().Truncate(time.Second)
	// Times an analyzer laid out in local time (days, evidence) are UTC
	// from here on, as every time NewRun gave it (report/utc.go).
	return rep.InUTC(), nil
}

// Render produces the artifacts of rep in the given formats, in that order.
func (r *Runner) Render(rep *report.Report, base string, formats []string) ([]report.Artifact, error) {
	md, err := markdown.Source(rep)
	if err != nil {
		return nil, err
	}
	doc := &render.Document{Report: rep, Markdown: md, Base: base}
	var out []report.Artifact
	for _, f := range formats {
		rd, ok := r.Renderers[f]
		if !ok {
			return nil, fmt.Errorf("format %s is not available in this build (have %v)", f, sortedKeys(r.Renderers))
		}
		arts, err := rd.Render(doc)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", f, err)
		}
		out = append(out, arts...)
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// WriteFiles writes artifacts into dir atomically (temp file, then rename),
// so a reader never sees half a report. It returns the paths written.
func WriteFiles(dir string, arts []report.Artifact) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	var paths []string
	for _, a := range arts {
		if a.Name == "" || a.Name != filepath.Base(a.Name) {
			return paths, fmt.Errorf("write artifact: unsafe file name %q", a.Name)
		}
		path := filepath.Join(dir, a.Name)
		if err := atomicfile.Write(path, a.Data, 0o644); err != nil {
			return paths, fmt.Errorf("write %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
