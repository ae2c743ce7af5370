// Package report is the report model every analyzer produces and every renderer
// and deliverer consumes. Its JSON encoding is the public contract
// "cwreport.report/v1" that other tools parse, so field names and meanings here
// change only with a new schema version.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Schema is the identifier written into every JSON report.
const Schema = "cwreport.report/v1"

// Report is one rendered-ready report: what a run found, independent of format.
type Report struct {
	Schema      string    `json:"schema"`
	Job         string    `json:"job"`
	Kind        string    `json:"kind"`
	GeneratedAt time.Time `json:"generated_at"`
	Window      Window    `json:"window"`
	Timezone    string    `json:"timezone"`
	Language    string    `json:"language"`
	Status      Status    `json:"status"`
	Headline    string    `json:"headline"`
	// Account names the account the data came from (id, alias, region); the
	// demo account says so, so a demo report is never mistaken for a real one.
	Account  Account   `json:"account"`
	Score    *Score    `json:"score,omitempty"`
	Findings []Finding `json:"findings"`
	DataGaps []DataGap `json:"data_gaps"`
	// Sections carry the kind-specific tables, charts and facts.
	Sections []Section `json:"sections"`
}

// Account identifies where the data came from.
type Account struct {
	ID     string `json:"id"`
	Alias  string `json:"alias,omitempty"`
	Region string `json:"region"`
	Demo   bool   `json:"demo,omitempty"`
}

// Window is the half-open interval [Start, End) a report covers.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration is End - Start.
func (w Window) Duration() time.Duration { return w.End.Sub(w.Start) }

// Contains reports whether t lies in [Start, End).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Status is the overall verdict of a report.
type Status string

// The three statuses, ordered from best to worst.
const (
	StatusOK       Status = "ok"
	StatusWarning  Status = "warning"
	StatusCritical Status = "critical"
)

// Finding is one thing the reader should know about, with what to do about it.
// IDs are stable and documented in docs/findings.md; an id is never reused for
// another meaning.
type Finding struct {
	ID             string   `json:"id"`
	Severity       Severity `json:"severity"`
	Resource       string   `json:"resource"`
	Title          string   `json:"title"`
	Detail         string   `json:"detail"`
	Value          *float64 `json:"value"`
	Unit           string   `json:"unit"`
	Recommendation string   `json:"recommendation"`
	// Evidence holds machine-readable facts behind the finding; keys are
	// documented per finding id. encoding/json sorts map keys, so the
	// encoding is deterministic.
	Evidence map[string]any `json:"evidence"`
	// Order, when set (1, 2, ...), is the sequence an analyzer ranked
	// findings of one id in (root-cause candidates #1, #2, #3): SortFindings
	// keeps it among findings of equal severity and id, before the resource.
	// 0 means unranked; unranked findings follow ranked ones.
	Order int `json:"order,omitempty"`
}

// MarshalJSON writes evidence as {} rather than null when empty so consumers
// can index it without a nil check.
func (f Finding) MarshalJSON() ([]byte, error) {
	type plain Finding
	if f.Evidence == nil {
		f.Evidence = map[string]any{}
	}
	return marshalPlain(plain(f))
}

// marshalPlain is json.Marshal without HTML escaping: the JSON report is
// data, not HTML, and "<", ">" and "&" in log lines and alarm conditions
// must stay readable to its consumers. Renderers that put text into HTML
// escape it themselves.
func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Float returns a pointer to v, for Finding.Value.
func Float(v float64) *float64 { return &v }

// DataGap records a part of the report that could not be computed. A missing
// section is never silent: every gap is listed in the report.
type DataGap struct {
	Source string `json:"source"`           // aws | demo | snapshot | analyzer | render | deliver
	Part   string `json:"part"`             // what is missing, e.g. "alarm_history"
	API    string `json:"api,omitempty"`    // e.g. "cloudwatch:DescribeAlarmHistory"
	Error  string `json:"error"`            // what went wrong, secrets removed
	Action string `json:"action,omitempty"` // the IAM action to grant, when access was denied
}

// Section groups the kind-specific content of a report. Templates pick
// sections by ID; HTML and PDF renderers draw the charts.
type Section struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Facts  []Fact   `json:"facts,omitempty"`
	Tables []Table  `json:"tables,omitempty"`
	Charts []Chart  `json:"charts,omitempty"`
	Notes  []string `json:"notes,omitempty"`
}

// Fact is one labelled number or text in a section summary ("instances: 40").
type Fact struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value Cell   `json:"value"`
}

// SortFindings orders findings by severity (worst first), then id, then
// Order (ranked before unranked), then resource, so that every renderer and
// every run lists them identically.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Order != b.Order {
			return b.Order == 0 || (a.Order != 0 && a.Order < b.Order)
		}
		return a.Resource < b.Resource
	})
}

// StatusFor is the default verdict: critical when any finding is critical,
// warning when any is high or medium, ok otherwise.
func StatusFor(fs []Finding) Status {
	worst := SeverityInfo
	for _, f := range fs {
		if f.Severity.Rank() > worst.Rank() {
			worst = f.Severity
		}
	}
	switch {
	case worst == SeverityCritical:
		return StatusCritical
	case worst.Rank() >= SeverityMedium.Rank():
		return StatusWarning
	default:
		return StatusOK
	}
}

// Section returns the section with the given id, or nil.
func (r *Report) Section(id string) *Section {
	for i := range r.Sections {
		if r.Sections[i].ID == id {
			return &r.Sections[i]
		}
	}
	return nil
}

// Table returns the table with the given id from any section, or nil.
func (r *Report) Table(id string) *Table {
	for i := range r.Sections {
		for j := range r.Sections[i].Tables {
			if r.Sections[i].Tables[j].ID == id {
				return &r.Sections[i].Tables[j]
			}
		}
	}
	return nil
}

// Chart returns the chart with the given id from any section, or nil.
func (r *Report) Chart(id string) *Chart {
	for i := range r.Sections {
		for j := range r.Sections[i].Charts {
			if r.Sections[i].Charts[j].ID == id {
				return &r.Sections[i].Charts[j]
			}
		}
	}
	return nil
}

// FindingsWith returns the findings whose id equals id or, when id ends in
// ".*", starts with its prefix.
func (r *Report) FindingsWith(id string) []Finding {
	var out []Finding
	prefix := ""
	if len(id) > 2 && id[len(id)-2:] == ".*" {
		prefix = id[:len(id)-1]
	}
	for _, f := range r.Findings {
		if f.ID == id || (prefix != "" && len(f.ID) >= len(prefix) && f.ID[:len(prefix)] == prefix) {
			out = append(out, f)
		}
	}
	return out
}

// Validate checks the invariants every consumer relies on. Renderers call it
// so a malformed report fails loudly instead of rendering half.
func (r *Report) Validate() error {
	if r.Schema != Schema {
		return fmt.Errorf("report schema is %q, want %q", r.Schema, Schema)
	}
	switch r.Status {
	case StatusOK, StatusWarning, StatusCritical:
	default:
		return fmt.Errorf("report status %q is not ok, warning or critical", r.Status)
	}
	for i, f := range r.Findings {
		if f.ID == "" {
			return fmt.Errorf("finding %d has no id", i)
		}
		if _, err := ParseSeverity(string(f.Severity)); err != nil {
			return fmt.Errorf("finding %s: %w", f.ID, err)
		}
	}
	for _, s := range r.Sections {
		for _, t := range s.Tables {
			for i, row := range t.Rows {
				if len(row) != len(t.Columns) {
					return fmt.Errorf("table %s row %d has %d cells for %d columns", t.ID, i, len(row), len(t.Columns))
				}
			}
		}
	}
	return nil
}
