package report

// Artifact is one rendered file of a report. Deliverers see only artifacts,
// never the report's insides.
type Artifact struct {
	// Name is the file name, e.g. "morning-2026-11-24.pdf".
	Name string
	// Format is md, html, pdf, json, png, zip, ...
	Format      string
	ContentType string
	Data        []byte
	// Role says what the artifact is for a deliverer: "report" (a format of
	// the report), "image" (a chart picture that travels, with ChartID set),
	// "pack" (an archive), "evidence".
	Role    string
	ChartID string
}

// Artifact roles.
const (
	RoleReport   = "report"
	RoleImage    = "image"
	RolePack     = "pack"
	RoleEvidence = "evidence"
)

// Summary is the part of a report that deliverers may show in a message
// (Slack blocks, an email subject) without looking inside the artifacts.
type Summary struct {
	Job      string
	Kind     string
	Period   string
	Window   Window
	Timezone string
	Language string
	Status   Status
	Headline string
	// Top is the most severe findings, already ordered.
	Top      []Finding
	Findings int
	DataGaps int
}

// Summarize extracts the delivery summary with at most top findings.
func (r *Report) Summarize(period string, top int) Summary {
	s := Summary{Job: r.Job, Kind: r.Kind, Period: period, Window: r.Window, Timezone: r.Timezone,
		Language: r.Language, Status: r.Status, Headline: r.Headline, Findings: len(r.Findings), DataGaps: len(r.DataGaps)}
	fs := append([]Finding(nil), r.Findings...)
	SortFindings(fs)
	if len(fs) > top {
		fs = fs[:top]
	}
	s.Top = fs
	return s
}
