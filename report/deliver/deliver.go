// Package deliver sends a run's artifacts to its targets (a directory, S3,
// email, Slack). Each target lives in its own package under report/deliver
// and implements one method; this package owns everything around it, once:
// skip what the Ledger says was already delivered, fan out to the targets in
// parallel, retry what a target's error says is worth retrying (exponential
// backoff with jitter, Retry-After honoured), and record each outcome.
//
// A target never looks inside a report: it sees the Summary (what a message
// may show) and the rendered artifacts.
package deliver

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cwreport/cwreport/report"
)

// Target delivers one run's artifacts to one destination.
//
// Deliver returns nil on success. On failure the error says, through a
// *Failure somewhere in its chain (read with errors.As), whether trying again
// could help; Retryable is the one place that decides. A target must be
// resumable: the pipeline calls Deliver again with the same *Delivery after a
// retryable failure, and the target uses the receipts it already set (a Slack
// message ts, say) to continue rather than repeat what succeeded.
type Target interface {
	Deliver(ctx context.Context, d *Delivery) error
}

// Request is what every target of one run receives.
type Request struct {
	// RunKey identifies the run ("morning/2026-11-24"); the Ledger keys on it.
	RunKey string
	// Summary is what a message may show: status, headline, top findings.
	Summary report.Summary
	// Artifacts are the rendered files, in render order.
	Artifacts []report.Artifact
	// Bodies are renderings made only for message bodies, never archived
	// (file and s3 targets ignore them): the report as an email body
	// (report.RoleEmail: an HTML fragment and its plain text) and the chart
	// pictures it shows when Artifacts lack them (a job without html in its
	// formats). Empty unless a target asks for them.
	Bodies []report.Artifact
}

// Delivery is one run going to one target. It lives across the attempts of
// that target, so receipts set by a failed attempt are seen by the next.
type Delivery struct {
	Request
	// Target is the target's configured name.
	Target string
	// Links maps artifact names to URLs published by the targets that ran
	// first (S3 presigned links); read-only for the target.
	Links map[string]string

	receipt map[string]string
	links   map[string]string
}

// NewDelivery makes the delivery of req to the named target, with links
// published by earlier targets.
func NewDelivery(req Request, target string, links map[string]string) *Delivery {
	return &Delivery{Request: req, Target: target, Links: links, receipt: map[string]string{}, links: map[string]string{}}
}

// SetReceipt records a fact the target wants kept (a message id, an S3
// version id, a Slack ts); receipts end up in the run result and history.
func (d *Delivery) SetReceipt(key, value string) {
	if d.receipt == nil {
		d.receipt = map[string]string{}
	}
	d.receipt[key] = value
}

// Receipt returns a receipt set earlier, by this or a previous attempt.
func (d *Delivery) Receipt(key string) string { return d.receipt[key] }

// Publish makes url available to the targets that run after this one, as
// the link to the named artifact.
func (d *Delivery) Publish(artifact, url string) {
	if d.links == nil {
		d.links = map[string]string{}
	}
	d.links[artifact] = url
}

// Published returns a copy of the links this delivery published.
func (d *Delivery) Published() map[string]string { return maps.Clone(d.links) }

// Receipts returns a copy of every receipt set so far.
func (d *Delivery) Receipts() map[string]string { return maps.Clone(d.receipt) }

// Link returns the published URL of the named artifact, or "".
func (d *Delivery) Link(artifact string) string { return d.Links[artifact] }

// Artifact returns the first artifact with the given role and format, or
// nil.
func (d *Delivery) Artifact(role, format string) *report.Artifact {
	for i := range d.Artifacts {
		a := &d.Artifacts[i]
		if a.Role == role && a.Format == format {
			return a
		}
	}
	return nil
}

// Result statuses.
const (
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // already delivered for this run key
)

// Result is one target's outcome for a run. It is written into the run
// result, beside the artifacts and into history, so it never holds secrets.
type Result struct {
	RunKey string `json:"run_key"`
	Target string `json:"target"`
	Type   string `json:"type"`
	Status string `json:"status"`
	// Attempts counts calls to the target (0 when skipped).
	Attempts int `json:"attempts"`
	// Receipt holds what the destination answered: s3 object keys and
	// version ids, the email Message-ID and the SMTP or SES id, the Slack
	// channel, ts and file id, file paths.
	Receipt map[string]string `json:"receipt,omitempty"`
	// Links are the URLs this target published, by artifact name.
	Links map[string]string `json:"links,omitempty"`
	// Error says what failed and, when known, what to fix.
	Error string `json:"error,omitempty"`
	// Retryable tells whether the last error was worth retrying (the
	// attempts ran out) or final.
	Retryable bool `json:"retryable,omitempty"`
	// Warning notes a problem that did not fail the delivery (history
	// could not be read or written).
	Warning  string    `json:"warning,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// OK reports whether the target has the report (delivered now or before).
func (r Result) OK() bool { return r.Status == StatusOK || r.Status == StatusSkipped }

// Failed reports whether any result failed.
func Failed(rs []Result) bool {
	return slices.ContainsFunc(rs, func(r Result) bool { return !r.OK() })
}

// Ledger remembers deliveries across processes (jobs/history implements it
// for serve). The pipeline asks it before delivering and tells it after.
type Ledger interface {
	// Delivered returns the receipt and links of an earlier successful
	// delivery of runKey to target; ok is false when there was none.
	Delivered(ctx context.Context, runKey, target string) (prev *Result, ok bool, err error)
	// Record stores an outcome (ok or failed; skips are not recorded).
	Record(ctx context.Context, r Result) error
}

// MemoryLedger is a Ledger in memory, for one process (test-send, tests).
// Its zero value is ready to use.
type MemoryLedger struct {
	mu      sync.Mutex
	results []Result
}

// Delivered implements Ledger.
func (l *MemoryLedger) Delivered(_ context.Context, runKey, target string) (*Result, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.results) - 1; i >= 0; i-- {
		r := l.results[i]
		if r.RunKey == runKey && r.Target == target && r.Status == StatusOK {
			r.Receipt, r.Links = maps.Clone(r.Receipt), maps.Clone(r.Links)
			return &r, true, nil
		}
	}
	return nil, false, nil
}

// Record implements Ledger.
func (l *MemoryLedger) Record(_ context.Context, r Result) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.results = append(l.results, r)
	return nil
}

// Results returns every recorded result, oldest first.
func (l *MemoryLedger) Results() []Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.results)
}
