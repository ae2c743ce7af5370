// Package markdown executes the embedded Markdown templates and writes the
// .md artifact. Every piece of report text goes through report/internal/escape
// on the way in, so log lines and tag values cannot break tables or inject
// markup into the Markdown, nor into the HTML and PDF rendered from it.
package markdown

import (
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"

	"github.com/cwreport/cwreport/internal/numfmt"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
	"github.com/cwreport/cwreport/report/internal/escape"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/templates"
)

// Cell limits keep tables readable and bound the cost of hostile text.
const (
	cellMax = 160
	textMax = 600
	codeMax = 200
)

// View is the data a template sees.
type View struct {
	Report *report.Report
	Loc    *time.Location
	Lang   string
	// Title is the kind's human name in the report language.
	Title string
	// AccountLabel is "alias (id), region".
	AccountLabel string
	// Actions are findings with a recommendation, one per distinct advice,
	// worst first: the "recommended actions" list.
	Actions []report.Finding
}

// Table returns the table with the given id, or nil.
func (v *View) Table(id string) *report.Table { return v.Report.Table(id) }

// Section returns the section with the given id, or nil.
func (v *View) Section(id string) *report.Section { return v.Report.Section(id) }

// Findings returns the findings with the id (or "prefix.*").
func (v *View) Findings(id string) []report.Finding { return v.Report.FindingsWith(id) }

// Source executes the template for the report's kind and language and
// returns the Markdown source, with charts as "chart:<id>" images.
func Source(r *report.Report) ([]byte, error) {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return nil, fmt.Errorf("report time zone %q: %w", r.Timezone, err)
	}
	tmpl, err := load(r.Kind, r.Language, loc)
	if err != nil {
		return nil, err
	}
	v := &View{Report: r, Loc: loc, Lang: r.Language, Title: report.KindName(r.Kind, r.Language)}
	v.AccountLabel = accountLabel(r.Account, r.Language)
	v.Actions = actions(r.Findings, 10)
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "report", v); err != nil {
		return nil, fmt.Errorf("execute %s template (%s): %w", r.Kind, r.Language, err)
	}
	return tidy(buf.Bytes()), nil
}

func load(kind, lang string, loc *time.Location) (*template.Template, error) {
	fsys := templates.FS()
	name := fmt.Sprintf("md/%s.%s.md.tmpl", kind, lang)
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("no Markdown template for kind %s in language %s (%s): %w", kind, lang, name, err)
	}
	common, err := fs.ReadFile(fsys, fmt.Sprintf("md/_common.%s.md.tmpl", lang))
	if err != nil {
		return nil, fmt.Errorf("no common Markdown template for language %s: %w", lang, err)
	}
	t := template.New("report").Funcs(Funcs(lang, loc)).Option("missingkey=error")
	if _, err := t.New("common").Parse(string(common)); err != nil {
		return nil, fmt.Errorf("parse common template (%s): %w", lang, err)
	}
	if _, err := t.New(name).Parse(string(body)); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if t.Lookup("report") == nil || t.Lookup("report").Tree == nil {
		return nil, fmt.Errorf("%s must define a \"report\" template", name)
	}
	return t, nil
}

func accountLabel(a report.Account, lang string) string {
	var parts []string
	if a.Alias != "" {
		parts = append(parts, a.Alias)
	}
	if a.ID != "" {
		parts = append(parts, a.ID)
	}
	label := strings.Join(parts, " / ")
	if a.Region != "" {
		label += ", " + a.Region
	}
	if a.Demo {
		label += i18n.Pick(lang, " (demo)", " (데모)")
	}
	return label
}

func actions(fs []report.Finding, max int) []report.Finding {
	seen := map[string]bool{}
	var out []report.Finding
	for _, f := range fs {
		if f.Recommendation == "" || f.Severity == report.SeverityInfo {
			continue
		}
		key := f.ID + "\x00" + f.Recommendation
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, f)
		if len(out) == max {
			break
		}
	}
	return out
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// tidy collapses runs of blank lines left by template conditionals and ends
// the document with one newline.
func tidy(b []byte) []byte {
	b = blankRuns.ReplaceAll(b, []byte("\n\n"))
	return append(bytes.TrimSpace(b), '\n')
}

// Funcs are the template functions. Every function that takes report text
// escapes it; templates never write untrusted text raw.
func Funcs(lang string, loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"md":   func(s string) string { return escape.DefuseAutolinks(escape.Markdown(s, textMax)) },
		"cell": cellText,
		"code": func(s string) string { return escape.MarkdownCode(s, codeMax) },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "-"
			}
			return t.In(loc).Format(i18n.DateTime)
		},
		"date":  func(t time.Time) string { return t.In(loc).Format(i18n.Date) },
		"clock": func(t time.Time) string { return t.In(loc).Format(i18n.Clock) },
		"dur":   func(d time.Duration) string { return i18n.Duration(d, lang) },
		"since": func(from, to time.Time) string { return i18n.Duration(to.Sub(from), lang) },
		"num": func(v float64, decimals int) string {
			return strconv.FormatFloat(v, 'f', decimals, 64)
		},
		"inc":        func(i int) int { return i + 1 },
		"sev":        func(s report.Severity) string { return SeverityBadge(s, lang) },
		"status":     StatusEmoji,
		"statusText": func(s report.Status) string { return report.StatusName(s, lang) },
		"value":      func(f report.Finding) string { return findingValue(f, lang) },
		"table":      func(t *report.Table) string { return Table(t, lang) },
		"chart": func(c *report.Chart) string {
			if c == nil {
				return ""
			}
			return fmt.Sprintf("![%s](%s%s)", escape.Markdown(c.Title, cellMax), render.ChartScheme, c.ID)
		},
		"text": func(en, ko string) string { return i18n.Pick(lang, en, ko) },
	}
}

// StatusEmoji is the status marker used in Markdown and Slack.
func StatusEmoji(s report.Status) string {
	switch s {
	case report.StatusCritical:
		return "🔴"
	case report.StatusWarning:
		return "🟡"
	}
	return "🟢"
}

// SeverityBadge is an emoji and the severity's name.
func SeverityBadge(s report.Severity, lang string) string {
	marks := map[report.Severity]string{
		report.SeverityCritical: "🔴", report.SeverityHigh: "🟠", report.SeverityMedium: "🟡",
		report.SeverityLow: "🔵", report.SeverityInfo: "⚪",
	}
	return marks[s] + " " + report.SeverityName(s, lang)
}

// unitNames shows the language-neutral unit codes of findings the way a
// reader says them: Korean counters, English plurals. Codes not listed are
// shown as they are (%, USD, ops/s).
var unitNames = map[string]struct{ one, many, ko string }{
	"min":       {"min", "min", "분"},
	"h":         {"h", "h", "시간"},
	"days":      {"day", "days", "일"},
	"events":    {"event", "events", "건"},
	"errors":    {"error", "errors", "건"},
	"count":     {"", "", "건"},
	"Count":     {"", "", "건"},
	"changes":   {"change", "changes", "회"},
	"logins":    {"login", "logins", "회"},
	"users":     {"user", "users", "명"},
	"ports":     {"port", "ports", "개"},
	"keys":      {"key", "keys", "개"},
	"nodes":     {"node", "nodes", "대"},
	"instances": {"instance", "instances", "대"},
	"score":     {"", "", "점"},
	"USD/month": {"USD/month", "USD/month", "USD/월"},
}

// UnitName is how a finding's unit reads after the value x in lang.
func UnitName(unit string, x float64, lang string) string {
	n, ok := unitNames[unit]
	switch {
	case !ok:
		return unit
	case lang != "en":
		return n.ko
	case x == 1:
		return n.one
	}
	return n.many
}

// findingValue is the value column of the findings table: the JSON's
// value and unit as a reader says them, agreeing with the finding's title.
//   - Durations ("min", "h") read as durations: 170 min → "2시간 50분" /
//     "2h 50m", 12,960 min → "9일" (the title says "9일째").
//   - Percentages take the precision the title wrote the same number with
//     ("96.0%" in the title → "96.0%", "1107%" → "1107%"), else one decimal.
//   - A value the analyzer marked as an upper bound (evidence "at_most":
//     true) reads "≤ 5분".
//
// The JSON keeps the machine value; this is display only.
func findingValue(f report.Finding, lang string) string {
	if f.Value == nil {
		return "-"
	}
	v := findingValueText(f, lang)
	if b, _ := f.Evidence["at_most"].(bool); b {
		v = "≤ " + v
	}
	return v
}

func findingValueText(f report.Finding, lang string) string {
	x := *f.Value
	switch f.Unit {
	case "B/s":
		return numfmt.Bytes(x) + "/s"
	case "B", "bytes":
		return numfmt.Bytes(x)
	case "min", "h":
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e7 {
			break
		}
		d := time.Duration(math.Round(x * float64(time.Minute)))
		if f.Unit == "h" {
			d = time.Duration(math.Round(x * float64(time.Hour)))
		}
		if d.Abs() < time.Minute && d != 0 {
			break // seconds would claim a precision the value does not have
		}
		sign := ""
		if d < 0 {
			sign = "-"
		}
		return sign + i18n.Duration(d, lang)
	case "%":
		return titleNumber(f.Title, x, "%") + "%"
	}
	v := strconv.FormatFloat(x, 'f', -1, 64)
	if i := strings.IndexByte(v, '.'); i >= 0 && len(v)-i > 3 {
		v = strconv.FormatFloat(x, 'f', 2, 64)
	}
	v = numfmt.Group(v)
	unit := UnitName(f.Unit, x, lang)
	switch {
	case unit == "":
	case lang != "en" && unicode.Is(unicode.Hangul, []rune(unit)[0]):
		v += unit // Korean counters follow the number: 1,039건, 170분
	default:
		v += " " + escape.MarkdownCell(unit, 20)
	}
	return v
}

// titleNumber is x written as title writes it before suffix: with 0-2
// decimals, digits grouped or not, as a whole number (not the tail of a
// longer one); for a negative x the title may give the magnitude ("39%
// less" for -39.4), and the sign is kept. Without a match: one decimal.
func titleNumber(title string, x float64, suffix string) string {
	for p := 0; p <= 2; p++ {
		plain := strconv.FormatFloat(math.Abs(x), 'f', p, 64)
		for _, form := range []string{plain, numfmt.Group(plain)} {
			for from := 0; from < len(title); {
				i := strings.Index(title[from:], form+suffix)
				if i < 0 {
					break
				}
				i += from
				if i == 0 || !strings.ContainsRune("0123456789.,", rune(title[i-1])) {
					switch {
					case x < 0:
						return "-" + form
					case i > 0 && title[i-1] == '+':
						return "+" + form // "+27%" in the title
					}
					return form
				}
				from = i + 1
			}
		}
	}
	return numfmt.Group(strconv.FormatFloat(x, 'f', 1, 64))
}

// inlineSpecial are the characters that can start inline markup (code,
// emphasis, links, raw HTML, entities, strikethrough) or split a table cell.
const inlineSpecial = "\\`*_[]<>|!~&{}"

// cellText makes s safe inside a GFM table cell. Cells hold inline content
// only, so block markers ("-", "#", "1.") need no escaping there: text free
// of inline markup and of link-like text is written cleaned but without
// backslashes, which keeps plain words readable in the .md file; anything
// else goes through escape.MarkdownCell and escape.DefuseAutolinks.
func cellText(s string) string {
	c := escape.Clean(s, cellMax)
	if c == "" {
		return "-"
	}
	if !strings.ContainsAny(c, inlineSpecial+":@") && !strings.Contains(strings.ToLower(c), "www.") {
		return c
	}
	return escape.DefuseAutolinks(escape.MarkdownCell(s, cellMax))
}

// Table renders a report table as a GFM table. Cells are escaped; a
// severity cell gets its badge; omitted rows are counted below the table.
func Table(t *report.Table, lang string) string {
	if t == nil || len(t.Columns) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("|")
	for _, c := range t.Columns {
		title := c.Title
		if c.Unit != "" {
			title += " (" + c.Unit + ")"
		}
		b.WriteString(" " + escape.MarkdownCell(title, cellMax) + " |")
	}
	b.WriteString("\n|")
	for _, c := range t.Columns {
		if c.Align == report.AlignRight {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	for _, row := range t.Rows {
		b.WriteString("\n|")
		for i, cell := range row {
			text := cellText(cell.Text)
			if i < len(t.Columns) && t.Columns[i].Code && cell.Text != "" && cell.Text != "-" {
				text = escape.MarkdownCode(cell.Text, codeMax)
			}
			if cell.Severity != "" {
				text = SeverityBadge(cell.Severity, lang)
			}
			b.WriteString(" " + text + " |")
		}
	}
	if len(t.Rows) == 0 {
		b.WriteString("\n|")
		for i := range t.Columns {
			if i == 0 {
				b.WriteString(" " + i18n.Pick(lang, "(none)", "(없음)") + " |")
			} else {
				b.WriteString(" |")
			}
		}
	}
	if t.Omitted > 0 {
		b.WriteString("\n\n" + i18n.Text{En: "_%d more rows not shown_", Ko: "_외 %d행 생략_"}.F(lang, t.Omitted))
	}
	return b.String()
}

// Renderer writes the .md artifact. Chart images become a short text line
// naming the chart until the HTML/PDF renderers draw them.
type Renderer struct{}

var chartRef = regexp.MustCompile(`!\[([^\]]*)\]\(` + regexp.QuoteMeta(render.ChartScheme) + `([^)]*)\)`)

// Render implements render.Renderer.
func (Renderer) Render(doc *render.Document) ([]report.Artifact, error) {
	md := chartRef.ReplaceAll(doc.Markdown, []byte("_📈 ${1}_"))
	return []report.Artifact{{
		Name: doc.Base + ".md", Format: "md", ContentType: "text/markdown; charset=utf-8",
		Data: md, Role: report.RoleReport,
	}}, nil
}
