// Package html renders a report as one self-contained HTML page: the
// template Markdown through goldmark (GFM tables), wrapped in the embedded
// layout with its CSS inlined, charts drawn as inline SVG. Nothing is
// fetched when the page is opened, so it reads the same offline, from an
// archive and in an email client. Beside the page it emits each chart as a
// PNG artifact (Role image) for targets that cannot show SVG.
package html

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/template"
	"time"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/internal/escape"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/chart"
	"github.com/cwreport/cwreport/report/render/internal/markup"
	"github.com/cwreport/cwreport/templates"
)

// Renderer writes the .html artifact and one .png per chart the page shows.
type Renderer struct {
	// NoImages leaves out the PNG chart artifacts.
	NoImages bool
}

// page is what layout.html.tmpl sees; every string is already escaped.
type page struct {
	Lang, Title, Kind, Job, Status, StatusText, StatusColor, StatusInk string
	CSS, Body                                                          string
}

var layout = func() *template.Template {
	src, err := fs.ReadFile(templates.HTML(), "layout.html.tmpl")
	if err != nil {
		panic(fmt.Sprintf("embedded HTML layout: %v", err))
	}
	return template.Must(template.New("layout").Parse(string(src)))
}()

var css = func() string {
	b, err := fs.ReadFile(templates.HTML(), "style.css")
	if err != nil {
		panic(fmt.Sprintf("embedded CSS: %v", err))
	}
	return string(b)
}()

// Render implements render.Renderer.
func (rd Renderer) Render(doc *render.Document) ([]report.Artifact, error) {
	r := doc.Report
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("render HTML: %w", err)
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return nil, fmt.Errorf("render HTML: report time zone %q: %w", r.Timezone, err)
	}
	body, charts, err := Body(doc, loc)
	if err != nil {
		return nil, err
	}
	tone := markup.StatusTone(r.Status)
	p := page{
		Lang:        escape.HTML(r.Language, 8),
		Title:       escape.HTML(report.KindName(r.Kind, r.Language)+": "+r.Headline, 300),
		Kind:        escape.HTML(report.KindName(r.Kind, r.Language), 80),
		Job:         escape.HTML(r.Job, 80),
		Status:      escape.HTML(string(r.Status), 20),
		StatusText:  escape.HTML(report.StatusName(r.Status, r.Language), 40),
		StatusColor: tone.Color().Hex(),
		StatusInk:   toneInk(tone),
		CSS:         css,
		Body:        body,
	}
	var out bytes.Buffer
	if err := layout.Execute(&out, p); err != nil {
		return nil, fmt.Errorf("render HTML layout: %w", err)
	}
	arts := []report.Artifact{{Name: doc.Base + ".html", Format: "html", ContentType: "text/html; charset=utf-8", Data: out.Bytes(), Role: report.RoleReport}}
	if rd.NoImages {
		return arts, nil
	}
	imgs, err := pngs(doc.Base, charts)
	if err != nil {
		return nil, fmt.Errorf("render HTML: %w", err)
	}
	return append(arts, imgs...), nil
}

// pngs draws the charts as PNG artifacts named <base>-<chart id>.png.
func pngs(base string, charts []*chart.Drawing) ([]report.Artifact, error) {
	var arts []report.Artifact
	for _, d := range charts {
		img, err := chart.PNG(d, chart.PNGScale)
		if err != nil {
			return nil, err
		}
		arts = append(arts, report.Artifact{Name: base + "-" + FileSafe(d.ID) + ".png", Format: "png", ContentType: "image/png",
			Data: img, Role: report.RoleImage, ChartID: d.ID})
	}
	return arts, nil
}

// FileSafe maps a chart id to a file-name part: letters, digits, - and _.
func FileSafe(id string) string {
	var b strings.Builder
	for _, r := range escape.Clean(id, 64) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "chart"
	}
	return b.String()
}

// Body renders the document's Markdown to the HTML that goes inside the
// layout, and returns the charts it drew, in order, once each.
func Body(doc *render.Document, loc *time.Location) (string, []*chart.Drawing, error) {
	node, src := markup.Parse(doc.Markdown)
	nr := newNodes(doc, loc)
	var buf bytes.Buffer
	if err := renderAST(&buf, src, node, nr); err != nil {
		return "", nil, fmt.Errorf("render HTML body: %w", err)
	}
	if nr.err != nil {
		return "", nil, nr.err
	}
	return buf.String(), nr.order, nil
}

// renderAST writes the parsed document with goldmark's HTML renderer, nr's
// functions taking precedence over its own.
func renderAST(w io.Writer, src []byte, node ast.Node, nr renderer.NodeRenderer) error {
	rn := renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(ghtml.NewRenderer(), 1000),
		util.Prioritized(nr, 1),
	))
	return rn.Render(w, src, node)
}

// nodes renders what the default goldmark HTML renderer must not: raw HTML
// (shown as text), links (only http, https and mailto are live), images
// (charts inline; nothing is ever fetched), tables (the meta table without
// its empty header) and badges.
type nodes struct {
	doc   *render.Document
	opts  chart.Options
	drawn map[string]*chart.Drawing
	order []*chart.Drawing
	err   error
	// words writes a run of text escaped: breakable on the page; the
	// email variant keeps short hyphenated words whole.
	words func(w util.BufWriter, s string)
	// linkAttrs is written into every <a> after its href and rel.
	linkAttrs string
}

func newNodes(doc *render.Document, loc *time.Location) *nodes {
	r := doc.Report
	return &nodes{doc: doc, opts: chart.Options{Loc: loc, Lang: r.Language, Window: r.Window},
		drawn: map[string]*chart.Drawing{}, words: breakable}
}

// draw lays out chart c (id) once, remembering the order of first use.
func (n *nodes) draw(id string, c *report.Chart) (*chart.Drawing, error) {
	if d, ok := n.drawn[id]; ok {
		return d, nil
	}
	d, err := chart.Layout(c, n.opts)
	if err != nil {
		return nil, err
	}
	n.drawn[id] = d
	n.order = append(n.order, d)
	return d, nil
}

func (n *nodes) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindText, n.textNode)
	reg.Register(ast.KindString, n.stringNode)
	reg.Register(ast.KindCodeSpan, n.codeSpan)
	reg.Register(ast.KindRawHTML, n.rawHTML)
	reg.Register(ast.KindHTMLBlock, n.htmlBlock)
	reg.Register(ast.KindLink, n.link)
	reg.Register(ast.KindAutoLink, n.autoLink)
	reg.Register(ast.KindImage, n.image)
	reg.Register(ast.KindParagraph, n.paragraph)
	reg.Register(markup.KindBadge, n.badge)
	reg.Register(east.KindTable, n.table)
	reg.Register(east.KindTableHeader, n.tableHeader)
	reg.Register(east.KindTableRow, n.tableRow)
	reg.Register(east.KindTableCell, n.tableCell)
}

func text(w util.BufWriter, s string) { _, _ = w.Write(util.EscapeHTML([]byte(s))) }

// wordRun is the longest run of characters without a break opportunity the
// page keeps whole; longer runs (a hash, a path, a megabyte of "A") get a
// <wbr> every wordRun characters, so a table column never has to be wider
// than that and hostile text wraps instead of pushing the page sideways.
const wordRun = 24

// breakable writes s escaped, with <wbr> inside over-long words.
func breakable(w util.BufWriter, s string) {
	run := 0
	start := 0
	for i, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '-' || r == '/' {
			run = 0
			continue
		}
		run++
		if run > wordRun {
			text(w, s[start:i])
			_, _ = w.WriteString("<wbr>")
			start = i
			run = 1
		}
	}
	text(w, s[start:])
}

func (n *nodes) textNode(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	t := node.(*ast.Text)
	v := t.Segment.Value(src)
	if t.IsRaw() {
		n.words(w, string(v))
	} else {
		n.words(w, markup.Unescape(v))
	}
	switch {
	case t.HardLineBreak():
		_, _ = w.WriteString("<br>\n")
	case t.SoftLineBreak():
		_ = w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

func (n *nodes) stringNode(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		s := node.(*ast.String)
		if s.IsCode() || s.IsRaw() {
			n.words(w, string(s.Value))
		} else {
			n.words(w, markup.Unescape(s.Value))
		}
	}
	return ast.WalkContinue, nil
}

// codeSpan writes a code span's text literally (CommonMark resolves no
// escapes inside code), with line ends as spaces.
func (n *nodes) codeSpan(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<code>")
	breakable(w, codeText(node, src))
	_, _ = w.WriteString("</code>")
	return ast.WalkSkipChildren, nil
}

// codeText is a code span's text as written, line ends as spaces.
func codeText(node ast.Node, src []byte) string {
	var b strings.Builder
	for c := node.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
		case *ast.String:
			b.Write(t.Value)
		}
	}
	return strings.ReplaceAll(b.String(), "\n", " ")
}

func (n *nodes) rawHTML(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := node.(*ast.RawHTML).Segments
		for i := 0; i < segs.Len(); i++ {
			s := segs.At(i)
			text(w, string(s.Value(src)))
		}
	}
	return ast.WalkSkipChildren, nil
}

func (n *nodes) htmlBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	b := node.(*ast.HTMLBlock)
	_, _ = w.WriteString("<p>")
	lines := b.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		text(w, string(s.Value(src)))
	}
	if b.HasClosure() {
		text(w, string(b.ClosureLine.Value(src)))
	}
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

func (n *nodes) link(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	l := node.(*ast.Link)
	if !markup.SafeURL(l.Destination) {
		return ast.WalkContinue, nil // children render as plain text
	}
	if entering {
		_, _ = w.WriteString(`<a href="`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape(l.Destination, true)))
		_, _ = w.WriteString(`" rel="noopener noreferrer"` + n.linkAttrs + `>`)
	} else {
		_, _ = w.WriteString("</a>")
	}
	return ast.WalkContinue, nil
}

func (n *nodes) autoLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	l := node.(*ast.AutoLink)
	url := l.URL(src)
	label := l.Label(src)
	if l.AutoLinkType == ast.AutoLinkEmail {
		url = append([]byte("mailto:"), url...)
	}
	if !markup.SafeURL(url) {
		text(w, string(label))
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape(url, false)))
	_, _ = w.WriteString(`" rel="noopener noreferrer"` + n.linkAttrs + `>`)
	text(w, string(label))
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// chartOf returns the chart an image node references, if any.
func (n *nodes) chartOf(node ast.Node) (*report.Chart, string, bool) {
	img, ok := node.(*ast.Image)
	if !ok {
		return nil, "", false
	}
	id, ok := markup.ChartID(img.Destination)
	if !ok {
		return nil, "", false
	}
	return n.doc.Report.Chart(id), id, true
}

func (n *nodes) image(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	c, id, isChart := n.chartOf(node)
	alt := markup.PlainText(node, src, 400)
	switch {
	case isChart && c != nil:
		d, err := n.draw(id, c)
		if err != nil {
			n.err = fmt.Errorf("render HTML: %w", err)
			return ast.WalkStop, nil
		}
		_, _ = w.WriteString(`<figure class="chart" id="chart-` + FileSafe(id) + `">`)
		_, _ = w.Write(chart.SVG(d))
		_, _ = w.WriteString("</figure>\n")
	case isChart:
		_, _ = w.WriteString(`<span class="missing">`)
		text(w, alt)
		_, _ = w.WriteString("</span>")
	default:
		// Images from elsewhere are never fetched: the page must open
		// offline and must not call home. The alt text stands in.
		text(w, alt)
	}
	return ast.WalkSkipChildren, nil
}

// paragraph leaves out <p> around a paragraph that is only a chart, so the
// figure is not nested in a paragraph.
func (n *nodes) paragraph(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if node.ChildCount() == 1 {
		if _, _, ok := n.chartOf(node.FirstChild()); ok {
			return ast.WalkContinue, nil
		}
	}
	if entering {
		_, _ = w.WriteString("<p>")
	} else {
		_, _ = w.WriteString("</p>\n")
	}
	return ast.WalkContinue, nil
}

// toneInk is the text colour on a badge of tone t: dark on yellow, white
// on the rest.
func toneInk(t markup.Tone) string {
	if t == markup.ToneYellow {
		return "#212529"
	}
	return "#ffffff"
}

func (n *nodes) badge(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	b := node.(*markup.Badge)
	c := b.Marker.Tone.Color().Hex()
	switch {
	case b.Pill:
		_, _ = w.WriteString(`<span class="badge badge-` + string(b.Marker.Tone) + `" style="background:` + c + `;color:` + toneInk(b.Marker.Tone) + `">`)
		text(w, b.Label)
		_, _ = w.WriteString("</span>")
	case b.Marker.Shape == markup.ShapeDot:
		_, _ = w.WriteString(`<span class="dot dot-` + string(b.Marker.Tone) + `" style="background:` + c + `"></span>`)
	default:
		text(w, b.Marker.Emoji) // ✅ ❌ ⚠ 📈 read well as themselves in a browser
	}
	return ast.WalkSkipChildren, nil
}

func (n *nodes) table(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		if markup.IsMetaTable(node, src) {
			_, _ = w.WriteString("<table class=\"meta\">\n")
		} else {
			_, _ = w.WriteString("<table>\n")
		}
		return ast.WalkContinue, nil
	}
	if node.ChildCount() > 1 {
		_, _ = w.WriteString("</tbody>\n")
	}
	_, _ = w.WriteString("</table>\n")
	return ast.WalkContinue, nil
}

func (n *nodes) tableHeader(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if markup.IsMetaTable(node.Parent(), src) {
		if !entering && node.NextSibling() != nil {
			_, _ = w.WriteString("<tbody>\n")
		}
		return ast.WalkSkipChildren, nil
	}
	if entering {
		_, _ = w.WriteString("<thead>\n<tr>\n")
	} else {
		_, _ = w.WriteString("</tr>\n</thead>\n")
		if node.NextSibling() != nil {
			_, _ = w.WriteString("<tbody>\n")
		}
	}
	return ast.WalkContinue, nil
}

func (n *nodes) tableRow(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<tr>\n")
	} else {
		_, _ = w.WriteString("</tr>\n")
	}
	return ast.WalkContinue, nil
}

func (n *nodes) tableCell(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	cell := node.(*east.TableCell)
	tag := "td"
	if cell.Parent().Kind() == east.KindTableHeader {
		tag = "th"
	}
	if !entering {
		_, _ = w.WriteString("</" + tag + ">\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<" + tag)
	switch cell.Alignment {
	case east.AlignRight:
		_, _ = w.WriteString(` style="text-align:right"`)
	case east.AlignCenter:
		_, _ = w.WriteString(` style="text-align:center"`)
	}
	_, _ = w.WriteString(">")
	return ast.WalkContinue, nil
}
