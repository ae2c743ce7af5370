package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/internal/atomicfile"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/email"
	"github.com/cwreport/cwreport/report/deliver/file"
	"github.com/cwreport/cwreport/report/deliver/s3"
	"github.com/cwreport/cwreport/report/deliver/slack"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/html"
	"github.com/cwreport/cwreport/report/render/markdown"
)

// Deliverer sends a run's artifacts to the job's targets through one
// deliver.Pipeline. Targets are built from config on first use and kept,
// so a daemon reuses their clients (and Slack's resolved channel ids).
type Deliverer struct {
	Config   *config.Config
	Pipeline deliver.Pipeline
	// Open builds a target from its config; nil means OpenTarget.
	Open func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error)
	// Top is how many findings a message shows; default 5.
	Top int

	mu      sync.Mutex
	entries map[string]deliver.Entry
}

// NewDeliverer delivers to cfg's targets with the default policy. Set
// Pipeline.Ledger (HistoryLedger) to skip what was already delivered.
func NewDeliverer(cfg *config.Config) *Deliverer { return &Deliverer{Config: cfg} }

// deliver is the runner's hook: after rendering, deliver to the job's
// targets unless the runner has no Deliverer (--no-deliver, demo).
func (r *Runner) deliver(ctx context.Context, run Run, res *Result) {
	if r.Deliverer == nil || len(run.Job.Deliver) == 0 || res.Report == nil {
		return
	}
	res.Deliveries = r.Deliverer.Deliver(ctx, run, res.Report, res.Artifacts, run.Job.Deliver)
}

// Deliver sends the run to the named targets and returns one result per
// target, in that order. A target that cannot even be built (bad settings,
// no AWS configuration) fails alone; the others are delivered.
func (d *Deliverer) Deliver(ctx context.Context, run Run, rep *report.Report, arts []report.Artifact, targets []string) []deliver.Result {
	top := d.Top
	if top <= 0 {
		top = 5
	}
	req := deliver.Request{RunKey: run.Key(), Summary: rep.Summarize(run.Period, top), Artifacts: arts}
	var bodyErr error
	if d.wantsReportBody(targets) {
		req.Bodies, bodyErr = EmailBodies(rep, run.Base(), arts)
	}
	results := make([]deliver.Result, len(targets))
	var entries []deliver.Entry
	var idx []int
	for i, name := range targets {
		e, err := d.entry(ctx, name)
		if err != nil {
			now := time.Now()
			typ := ""
			if t := d.Config.Targets[name]; t != nil {
				typ = t.Type
			}
			results[i] = deliver.Result{RunKey: req.RunKey, Target: name, Type: typ, Status: deliver.StatusFailed, Error: err.Error(), Started: now, Finished: now}
			continue
		}
		entries = append(entries, e)
		idx = append(idx, i)
	}
	for j, r := range d.Pipeline.Deliver(ctx, req, entries) {
		results[idx[j]] = r
	}
	if bodyErr != nil {
		// The emails went out with the summary body; say why.
		for i, name := range targets {
			if t := d.Config.Targets[name]; t != nil && t.Type == "email" && t.Body != email.BodySummary && results[i].Warning == "" {
				results[i].Warning = bodyErr.Error() + "; the email carries the summary instead"
			}
		}
	}
	return results
}

// wantsReportBody reports whether any of the targets is an email target
// that sends the report as its body.
func (d *Deliverer) wantsReportBody(targets []string) bool {
	for _, name := range targets {
		if t := d.Config.Targets[name]; t != nil && t.Type == "email" && t.Body != email.BodySummary {
			return true
		}
	}
	return false
}

// EmailBodies renders the report for an email body (html.Email: an HTML
// fragment with inline styles and cid: pictures, and its plain text), from
// the same Markdown the run's formats were rendered from. The chart
// pictures are the run's own PNG artifacts when its formats include html;
// otherwise they are drawn here, so a job with formats [pdf] still mails
// the report with its charts. Nothing rendered here is archived.
func EmailBodies(rep *report.Report, base string, arts []report.Artifact) ([]report.Artifact, error) {
	md, err := markdown.Source(rep)
	if err != nil {
		return nil, fmt.Errorf("render the email body: %w", err)
	}
	have := slices.ContainsFunc(arts, func(a report.Artifact) bool { return a.Role == report.RoleImage && a.ChartID != "" })
	bodies, err := html.Email{NoImages: have}.Render(&render.Document{Report: rep, Markdown: md, Base: base})
	if err != nil {
		return nil, fmt.Errorf("render the email body: %w", err)
	}
	return bodies, nil
}

func (d *Deliverer) entry(ctx context.Context, name string) (deliver.Entry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.entries[name]; ok {
		return e, nil
	}
	open := d.Open
	if open == nil {
		open = OpenTarget
	}
	e, err := open(ctx, d.Config, name)
	if err != nil {
		return e, err
	}
	if d.entries == nil {
		d.entries = map[string]deliver.Entry{}
	}
	d.entries[name] = e
	return e, nil
}

// Target returns the named target, built on first use and kept like
// those Deliver uses (the runner reads earlier reports back through an s3
// target's client: jobs has no AWS client of its own).
func (d *Deliverer) Target(ctx context.Context, name string) (deliver.Target, error) {
	e, err := d.entry(ctx, name)
	if err != nil {
		return nil, err
	}
	return e.Target, nil
}

// OpenTarget builds the named target of cfg. S3 targets run first so the
// others can link to what they stored.
func OpenTarget(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
	t, ok := cfg.Targets[name]
	if !ok || t == nil {
		return deliver.Entry{}, fmt.Errorf("target %q is not defined under targets:", name)
	}
	e := deliver.Entry{Name: name, Type: t.Type, Secrets: config.TargetSecrets(t)}
	region := func(r string) string {
		if r != "" {
			return r
		}
		return cfg.Source.Region
	}
	switch t.Type {
	case "file":
		e.Target = file.New(t.Dir)
	case "s3":
		tgt, err := s3.Open(ctx, region(t.Region), t.EndpointURL, s3.Options{
			Bucket: t.Bucket, Prefix: t.Prefix, SSE: t.SSE, KMSKeyID: t.KMSKeyID, PresignExpiry: t.PresignExpiry.Duration,
		})
		if err != nil {
			return e, fmt.Errorf("open target %s: %w", name, err)
		}
		e.Target, e.First = tgt, true
	case "email":
		var sender email.Sender
		switch {
		case t.SMTP != nil:
			sender = &email.SMTP{Host: t.SMTP.Host, Port: t.SMTP.Port, TLS: t.SMTP.TLS, Username: t.SMTP.Username, Password: t.SMTP.Password.Reveal()}
		case t.SES != nil:
			client, err := email.OpenSES(ctx, region(t.SES.Region), t.SES.EndpointURL)
			if err != nil {
				return e, fmt.Errorf("open target %s: %w", name, err)
			}
			sender = &email.SES{Client: client, ConfigurationSet: t.SES.ConfigurationSet, To: t.To, Cc: t.Cc, Bcc: t.Bcc}
		default:
			return e, fmt.Errorf("open target %s: set smtp or ses", name)
		}
		tgt, err := email.New(sender, email.Options{From: t.From, To: t.To, Cc: t.Cc, Bcc: t.Bcc, Subject: t.Subject, MaxSize: t.MaxSizeMB << 20, Body: t.Body})
		if err != nil {
			return e, fmt.Errorf("open target %s: %w", name, err)
		}
		e.Target = tgt
	case "slack":
		e.Target = slack.New(slack.Options{Token: t.Token.Reveal(), Channel: t.Channel, WebhookURL: t.WebhookURL.Reveal()})
	default:
		return e, fmt.Errorf("target %s: type %q is not available in this build", name, t.Type)
	}
	return e, nil
}

// DeliveryFailed reports whether any delivery of the run failed.
func (r *Result) DeliveryFailed() bool { return deliver.Failed(r.Deliveries) }

// DeliveryLine describes one delivery on one line for a terminal:
// "delivered to archive (s3) in 2 attempt(s): version_id:...=...".
func DeliveryLine(r deliver.Result) string {
	var b strings.Builder
	switch r.Status {
	case deliver.StatusOK:
		fmt.Fprintf(&b, "delivered to %s (%s)", r.Target, r.Type)
		if r.Attempts > 1 {
			fmt.Fprintf(&b, " after %d attempts", r.Attempts)
		}
	case deliver.StatusSkipped:
		fmt.Fprintf(&b, "already delivered to %s (%s); skipped", r.Target, r.Type)
	default:
		fmt.Fprintf(&b, "delivery to %s (%s) FAILED: %s", r.Target, r.Type, r.Error)
	}
	keys := slices.Sorted(maps.Keys(r.Receipt))
	var parts []string
	for _, k := range keys {
		if strings.HasPrefix(k, "object:") || strings.HasPrefix(k, "path:") {
			continue // one line per artifact would drown the rest; the JSON has them
		}
		parts = append(parts, k+"="+r.Receipt[k])
	}
	if len(parts) > 0 {
		b.WriteString(": " + strings.Join(parts, " "))
	}
	if r.Warning != "" {
		b.WriteString(" (warning: " + r.Warning + ")")
	}
	return b.String()
}

// DeliveriesFile is the name of the delivery record written beside a run's
// artifacts.
func DeliveriesFile(base string) string { return base + ".deliveries.json" }

// deliveriesDoc is the JSON written beside the artifacts.
type deliveriesDoc struct {
	Schema     string           `json:"schema"`
	RunKey     string           `json:"run_key"`
	Deliveries []deliver.Result `json:"deliveries"`
}

// WriteDeliveries writes the results as <dir>/<base>.deliveries.json
// (atomically) and returns the path.
func WriteDeliveries(dir, runKey, base string, rs []deliver.Result) (string, error) {
	if rs == nil {
		rs = []deliver.Result{}
	}
	data, err := json.MarshalIndent(deliveriesDoc{Schema: "cwreport.deliveries/v1", RunKey: runKey, Deliveries: rs}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("write deliveries: %w", err)
	}
	path := filepath.Join(dir, DeliveriesFile(base))
	if err := atomicfile.Write(path, append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// HistoryLedger lets the delivery pipeline skip targets that history says
// already have a run, and records every outcome there. Links are kept in the
// detail as "link:<artifact>" so a skipped S3 delivery still lends its links
// to the other targets.
type HistoryLedger struct {
	Store *history.Store
}

// Delivered implements deliver.Ledger.
func (l HistoryLedger) Delivered(ctx context.Context, runKey, target string) (*deliver.Result, bool, error) {
	ds, err := l.Store.Deliveries(ctx, runKey)
	if err != nil {
		return nil, false, err
	}
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		if d.Target != target || d.Status != history.DeliveryOK {
			continue
		}
		r := &deliver.Result{RunKey: runKey, Target: target, Status: deliver.StatusOK, Attempts: d.Attempts, Finished: d.At}
		for k, v := range d.Detail {
			if name, ok := strings.CutPrefix(k, "link:"); ok {
				if r.Links == nil {
					r.Links = map[string]string{}
				}
				r.Links[name] = v
			} else {
				if r.Receipt == nil {
					r.Receipt = map[string]string{}
				}
				r.Receipt[k] = v
			}
		}
		return r, true, nil
	}
	return nil, false, nil
}

// Record implements deliver.Ledger.
func (l HistoryLedger) Record(ctx context.Context, r deliver.Result) error {
	detail := maps.Clone(r.Receipt)
	if detail == nil {
		detail = map[string]string{}
	}
	names := slices.Collect(maps.Keys(r.Links))
	sort.Strings(names)
	for _, n := range names {
		detail["link:"+n] = r.Links[n]
	}
	status := history.DeliveryOK
	if r.Status != deliver.StatusOK {
		status = history.DeliveryFailed
	}
	return l.Store.RecordDelivery(ctx, history.Delivery{RunKey: r.RunKey, Target: r.Target, Status: status, Attempts: r.Attempts, Detail: detail, Error: r.Error, At: r.Finished})
}
