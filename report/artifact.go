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
	// RoleEmail marks a rendering made for an email body, not for the
	// archive: the report as an HTML fragment with inline styles and its
	// charts as cid: images, and the same words as plain text
	// (report/render/html.Email). It travels in deliver.Request.Bodies.
	RoleEmail = "email"
)

// ChartContentID is the MIME Content-ID (without angle brackets) under which
// a message carries the picture of the chart with the given id; an email
// body refers to it as "cid:" + ChartContentID(id). Characters other than
// ASCII letters, digits, '-', '.' and '_' become '-'.
func ChartContentID(chartID string) string {
	b := []byte("chart-")
	for i := 0; i < len(chartID) && i < 64; i++ {
		c := chartID[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			b = append(b, c)
		} else {
			b = append(b, '-')
		}
	}
	return string(b) + "@cwreport"
}

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
