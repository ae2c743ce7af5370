// Package pdf renders a report as an A4 PDF with fpdf: the same goldmark
// AST the HTML page comes from (headings, paragraphs, emphasis, lists,
// links, GFM tables, code), a cover block, page numbers, PDF bookmarks, a
// table of contents for long reports, and the charts drawn as vectors from
// the shared chart layout.
//
// Text is set in the embedded Nanum Gothic (subset to the glyphs used, with
// a ToUnicode map, so Korean copies and searches exactly). Runes the font
// lacks never show as boxes: status and severity emoji become drawn badges,
// other pictographs are dropped and anything else becomes '?'.
//
// The same report always gives the same bytes: creation and modification
// dates are the report's generated_at, fonts and objects are written in
// sorted order, and nothing random or clock-dependent goes in.
package pdf

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/yuin/goldmark/ast"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/chart"
	"github.com/cwreport/cwreport/report/render/internal/fonts"
	"github.com/cwreport/cwreport/report/render/internal/markup"
)

// Renderer writes the .pdf artifact.
type Renderer struct{}

// Render implements render.Renderer.
func (Renderer) Render(doc *render.Document) ([]report.Artifact, error) {
	data, err := Render(doc)
	if err != nil {
		return nil, err
	}
	return []report.Artifact{{Name: doc.Base + ".pdf", Format: "pdf", ContentType: "application/pdf", Data: data, Role: report.RoleReport}}, nil
}

// Page geometry in millimetres (A4 portrait).
const (
	pageW    = 210.0
	pageH    = 297.0
	marginL  = 18.0
	marginR  = 18.0
	marginT  = 18.0
	marginB  = 20.0 // the footer sits in the bottom margin
	contentW = pageW - marginL - marginR
	ptmm     = 25.4 / 72 // millimetres per point
)

// A table of contents is added when the report runs to at least tocPages
// pages and has at least tocHeadings second-level headings.
const (
	tocPages    = 6
	tocHeadings = 3
)

// Render returns the PDF bytes of doc.
func Render(doc *render.Document) ([]byte, error) {
	r := doc.Report
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("render PDF: %w", err)
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return nil, fmt.Errorf("render PDF: report time zone %q: %w", r.Timezone, err)
	}
	for _, s := range []fonts.Style{fonts.Regular, fonts.Bold, fonts.Mono} {
		if _, err := fonts.Get(s); err != nil {
			return nil, fmt.Errorf("render PDF: %w", err)
		}
	}
	node, src := markup.Parse(doc.Markdown)
	// A dry first pass tells how long the report is and how many sections
	// it has; the real pass then adds a table of contents if it is long.
	probe, err := write(doc, loc, node, src, false, true)
	if err != nil {
		return nil, err
	}
	h2 := 0
	for _, h := range probe.headings {
		if h.level == 2 {
			h2++
		}
	}
	toc := probe.pdf.PageNo() >= tocPages && h2 >= tocHeadings
	w, err := write(doc, loc, node, src, toc, false)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := w.real.Output(&buf); err != nil {
		return nil, fmt.Errorf("render PDF: %w", err)
	}
	return buf.Bytes(), nil
}

type heading struct {
	level int
	text  string
	page  int
}

// writer holds the state of one pass over the document.
type writer struct {
	pdf  canvas
	real *fpdf.Fpdf // nil on the dry pass
	doc  *render.Document
	rep  *report.Report
	loc  *time.Location
	src  []byte
	lang string
	// y is the top of the next thing to draw on the current page.
	y float64
	// indent is the left offset of the current block (lists, quotes).
	indent float64
	// quotes is the nesting depth of block quotes, for their left bars.
	quotes int
	// headings collects the section headings for bookmarks and the TOC.
	headings []heading
	// tocLinks are the TOC's link ids by heading index (second pass).
	tocLinks []int
	tocSpots []spot
	toc      bool
	charts   map[string]*chart.Drawing
	err      error
	// cur is the font and colour last set, to avoid redundant operators.
	cur struct {
		family, style string
		size          float64
		color         chart.Color
		set           bool
	}
}

func write(doc *render.Document, loc *time.Location, node ast.Node, src []byte, toc, dryRun bool) (*writer, error) {
	r := doc.Report
	w := &writer{doc: doc, rep: r, loc: loc, src: src, lang: r.Language, toc: toc, charts: map[string]*chart.Drawing{}}
	if dryRun {
		w.pdf = &dry{}
	} else {
		p := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: pageW, Ht: pageH}})
		p.SetCatalogSort(true)
		p.SetCreationDate(r.GeneratedAt.UTC())
		p.SetModificationDate(r.GeneratedAt.UTC())
		p.SetProducer("cwreport", false)
		p.SetCreator("cwreport", false)
		title := report.KindName(r.Kind, r.Language)
		p.SetTitle(fonts.Must(fonts.Regular).Sanitize(title+": "+plainHeadline(r.Headline)), true)
		p.SetSubject(title, true)
		p.SetLang(map[bool]string{true: "en", false: "ko"}[r.Language == "en"])
		p.SetMargins(marginL, marginT, marginR)
		p.SetAutoPageBreak(false, marginB)
		p.AddUTF8FontFromBytes("nanum", "", fonts.Must(fonts.Regular).Data)
		p.AddUTF8FontFromBytes("nanum", "B", fonts.Must(fonts.Bold).Data)
		p.AddUTF8FontFromBytes("mono", "", fonts.Must(fonts.Mono).Data)
		p.AliasNbPages("{nb}")
		if err := p.Error(); err != nil {
			return nil, fmt.Errorf("render PDF: load fonts: %w", err)
		}
		p.SetHeaderFunc(w.header)
		p.SetFooterFunc(w.footer)
		w.pdf, w.real = p, p
	}
	w.newPage()
	first := w.cover(node)
	if toc {
		w.contents(node)
	}
	for n := first; n != nil && w.err == nil; n = n.NextSibling() {
		w.block(n)
	}
	if w.err != nil {
		return nil, w.err
	}
	if toc {
		w.fillContents()
	}
	if w.real != nil {
		if err := w.real.Error(); err != nil {
			return nil, fmt.Errorf("render PDF: %w", err)
		}
	}
	return w, nil
}

func plainHeadline(s string) string { return fontsSafe(s, 200) }

// newPage starts a page and puts y at the top of its content area.
func (w *writer) newPage() {
	w.pdf.AddPage()
	w.cur.set = false
	w.y = marginT
	if w.pdf.PageNo() > 1 {
		w.y = marginT + 6
	}
}

// room makes sure h millimetres fit below y, starting a page if not.
func (w *writer) room(h float64) {
	if w.y+h > pageH-marginB && w.y > marginT+8 {
		w.newPage()
	}
}

// font selects a face, size (pt) and colour, skipping what is already set.
func (w *writer) font(family, style string, size float64, c chart.Color) {
	if !w.cur.set || w.cur.family != family || w.cur.style != style || w.cur.size != size {
		w.pdf.SetFont(family, style, size)
		w.cur.family, w.cur.style, w.cur.size = family, style, size
	}
	if !w.cur.set || w.cur.color != c {
		w.pdf.SetTextColor(int(c.R), int(c.G), int(c.B))
		w.cur.color = c
	}
	w.cur.set = true
}

func (w *writer) fill(c chart.Color) { w.pdf.SetFillColor(int(c.R), int(c.G), int(c.B)) }
func (w *writer) draw(c chart.Color) { w.pdf.SetDrawColor(int(c.R), int(c.G), int(c.B)) }

// header runs on every page: from page 2 on, a running head with the
// report kind, job and window.
func (w *writer) header() {
	w.cur.set = false
	if w.pdf.PageNo() == 1 {
		return
	}
	r := w.rep
	left := report.KindName(r.Kind, r.Language) + " · " + fontsSafe(r.Job, 60)
	right := r.Window.Start.In(w.loc).Format(i18n.DateTime) + " ~ " + r.Window.End.In(w.loc).Format(i18n.DateTime)
	w.font("nanum", "", 7.5, chart.Muted)
	w.pdf.Text(marginL, marginT-4, left)
	w.pdf.Text(pageW-marginR-fonts.Must(fonts.Regular).Width(right, 7.5*ptmm), marginT-4, right)
	w.draw(chart.Grid)
	w.pdf.SetLineWidth(0.2)
	w.pdf.Line(marginL, marginT-2.5, pageW-marginR, marginT-2.5)
}

// footer runs on every page: the page number of the total, and the demo
// notice when the data is synthetic.
func (w *writer) footer() {
	w.cur.set = false
	y := pageH - marginB + 10
	w.draw(chart.Grid)
	w.pdf.SetLineWidth(0.2)
	w.pdf.Line(marginL, y-4.5, pageW-marginR, y-4.5)
	w.font("nanum", "", 7.5, chart.Muted)
	left := "cwreport"
	if w.rep.Account.Demo {
		left += i18n.Pick(w.lang, " · demo account (synthetic data)", " · 데모 계정 (합성 데이터)")
	}
	w.pdf.Text(marginL, y, left)
	num := fmt.Sprintf("%d / {nb}", w.pdf.PageNo())
	// {nb} is replaced by the page count at the end; measure as if it had
	// as many digits as this page number, which is close enough to align.
	width := fonts.Must(fonts.Regular).Width(fmt.Sprintf("%d / %d", w.pdf.PageNo(), w.pdf.PageNo()), 7.5*ptmm)
	w.pdf.Text(pageW-marginR-width, y, num)
}
