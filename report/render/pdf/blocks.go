package pdf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
	"github.com/cwreport/cwreport/report/render/chart"
	"github.com/cwreport/cwreport/report/render/internal/fonts"
	"github.com/cwreport/cwreport/report/render/internal/markup"
)

// Body text, in points.
var body = style{size: 10, color: chart.Ink}

// maxIndent caps how far nested lists and quotes move text right, so that
// deeply nested input still leaves room to write.
const maxIndent = 30.0

func (w *writer) width() float64 { return contentW - w.indent }
func (w *writer) left() float64  { return marginL + w.indent }

// cover draws the cover block at the top of page 1: report kind and job,
// the status badge, the headline (the Markdown's first-level heading) and
// the key/value table the templates put under it. It returns the first node
// still to draw.
func (w *writer) cover(doc ast.Node) ast.Node {
	r := w.rep
	n := doc.FirstChild()
	var headline []run
	hs := style{size: 19, bold: true, color: chart.Ink}
	if h, ok := n.(*ast.Heading); ok && h.Level == 1 {
		headline = w.inlines(h, hs)
		n = n.NextSibling()
	} else {
		headline = []run{{text: fontsSafe(r.Headline, 300), st: hs}}
	}
	var meta [][2][]run
	ks := style{size: 9, color: chart.Muted}
	vs := style{size: 9, color: chart.Ink}
	if n != nil && markup.IsMetaTable(n, w.src) {
		for row := n.FirstChild().NextSibling(); row != nil; row = row.NextSibling() {
			k := row.FirstChild()
			if k == nil || k.NextSibling() == nil {
				continue
			}
			meta = append(meta, [2][]run{w.inlines(k, ks), w.inlines(k.NextSibling(), vs)})
		}
		n = n.NextSibling()
	} else {
		kv := func(k, v string) {
			meta = append(meta, [2][]run{{{text: k, st: ks}}, {{text: fontsSafe(v, 200), st: vs}}})
		}
		kv(i18n.Pick(w.lang, "Job", "작업"), r.Job)
		kv(i18n.Pick(w.lang, "Window", "기간"), r.Window.Start.In(w.loc).Format(i18n.DateTime)+" ~ "+r.Window.End.In(w.loc).Format(i18n.DateTime)+" ("+r.Timezone+")")
		kv(i18n.Pick(w.lang, "Generated", "생성 시각"), r.GeneratedAt.In(w.loc).Format(i18n.DateTime))
		meta = append(meta, [2][]run{{{text: i18n.Pick(w.lang, "Status", "상태"), st: ks}},
			{{badge: &markup.Badge{Marker: markup.Marker{Tone: markup.StatusTone(r.Status), Shape: markup.ShapeDot}, Pill: true, Label: report.StatusName(r.Status, w.lang)}, st: vs}}})
	}
	tone := markup.StatusTone(r.Status)
	// A status-coloured band across the top of the page.
	w.fill(tone.Color())
	w.pdf.Rect(0, 0, pageW, 5, "F")
	y := marginT - 4
	kind := report.KindName(r.Kind, r.Language) + "  ·  " + fontsSafe(r.Job, 60)
	w.font("nanum", "B", 10, chart.Muted)
	w.pdf.Text(marginL, y+4, kind)
	st := style{size: 10, color: chart.Ink}
	b := &markup.Badge{Marker: markup.Marker{Tone: tone, Shape: markup.ShapeDot}, Pill: true, Label: report.StatusName(r.Status, w.lang)}
	w.drawBadge(b, st, pageW-marginR-badgeWidth(b, st), y+2.6)
	w.y = y + 10
	for _, l := range lay(headline, contentW, hs) {
		w.drawLine(l, marginL, w.y)
		w.y += l.h
	}
	w.y += 3
	keyW := 0.0
	for _, m := range meta {
		for _, l := range lay(m[0], 60, ks) {
			keyW = max(keyW, l.w)
		}
	}
	keyW += 6
	for _, m := range meta {
		kl := lay(m[0], keyW, ks)
		vl := lay(m[1], contentW-keyW, vs)
		h := 0.0
		for _, l := range vl {
			h += l.h
		}
		w.room(h + 1.5)
		yy := w.y + 0.6
		for _, l := range kl[:1] {
			w.drawLine(l, marginL, yy)
		}
		for _, l := range vl {
			w.drawLine(l, marginL+keyW, yy)
			yy += l.h
		}
		w.y = yy + 0.9
		w.draw(chart.Grid)
		w.pdf.SetLineWidth(0.2)
		w.pdf.Line(marginL, w.y, marginL+contentW, w.y)
	}
	w.y += 5
	return n
}

// contents draws the table of contents after the cover (second pass); the
// page numbers are filled in by fillContents once the body is laid out.
func (w *writer) contents(doc ast.Node) {
	w.heading(2, []run{{text: i18n.Pick(w.lang, "Contents", "목차"), st: body}}, false)
	w.tocLinks = nil
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level != 2 {
			continue
		}
		w.room(6.5)
		link := w.pdf.AddLink()
		w.tocLinks = append(w.tocLinks, link)
		text := fontsSafe(markup.PlainText(h, w.src, 300), 120)
		w.font("nanum", "", 10, chart.Ink)
		title := text
		face := fonts.Must(fonts.Regular)
		if face.Width(title, 10*ptmm) > contentW-20 {
			for face.Width(title+"…", 10*ptmm) > contentW-20 && title != "" {
				r := []rune(title)
				title = string(r[:len(r)-1])
			}
			title += "…"
		}
		w.pdf.Text(marginL+2, w.y+4.6, title)
		w.pdf.Link(marginL, w.y, contentW, 6.5, link)
		w.tocSpots = append(w.tocSpots, spot{page: w.pdf.PageNo(), y: w.y, x: marginL + 2 + face.Width(title, 10*ptmm)})
		w.y += 6.5
	}
	w.y += 4
}

// spot is where a TOC entry's page number goes.
type spot struct {
	page int
	y, x float64
}

// fillContents writes the page numbers into the table of contents, now that
// every section's page is known.
func (w *writer) fillContents() {
	last := w.pdf.PageNo()
	h2 := 0
	var pages []int
	for _, h := range w.headings {
		if h.level == 2 {
			pages = append(pages, h.page)
			h2++
		}
	}
	face := fonts.Must(fonts.Regular)
	for i, s := range w.tocSpots {
		if i >= len(pages) {
			break
		}
		w.pdf.SetPage(s.page)
		w.cur.set = false
		num := strconv.Itoa(pages[i])
		nw := face.Width(num, 10*ptmm)
		w.font("nanum", "", 10, chart.Ink)
		w.pdf.Text(pageW-marginR-nw, s.y+4.6, num)
		w.draw(chart.Axis)
		w.pdf.SetLineWidth(0.25)
		w.pdf.SetDashPattern([]float64{0.3, 1.2}, 0)
		if x0, x1 := s.x+2, pageW-marginR-nw-2; x1 > x0 {
			w.pdf.Line(x0, s.y+4.4, x1, s.y+4.4)
		}
		w.pdf.SetDashPattern(nil, 0)
	}
	w.pdf.SetPage(last)
	w.cur.set = false
}

// heading draws a section heading. record adds it to the bookmarks and
// the table of contents.
func (w *writer) heading(level int, runs []run, record bool) {
	st := style{bold: true, color: chart.Ink}
	switch level {
	case 1:
		st.size = 17
	case 2:
		st.size = 13.5
	case 3:
		st.size = 11.5
	default:
		st.size = 10.5
	}
	for i := range runs {
		runs[i].st.size = st.size
		runs[i].st.bold = true
		if runs[i].st.link == "" && !runs[i].st.italic {
			runs[i].st.color = st.color
		}
	}
	lines := lay(runs, w.width(), st)
	h := 0.0
	for _, l := range lines {
		h += l.h
	}
	// Keep a heading with at least a few lines of what follows it.
	w.y += st.em() * 0.9
	w.room(h + 22)
	top := w.y
	for _, l := range lines {
		w.drawLine(l, w.left(), w.y)
		w.y += l.h
	}
	if level <= 2 {
		w.draw(chart.Grid)
		w.pdf.SetLineWidth(level2Rule)
		w.pdf.Line(w.left(), w.y+0.8, w.left()+w.width(), w.y+0.8)
		w.y += 1.5
	}
	w.y += st.em() * 0.35
	if !record {
		return
	}
	text := fontsSafe(plainRuns(runs), 120)
	if level <= 3 {
		w.font("nanum", "", body.size, chart.Ink) // bookmarks are encoded for the current font
		w.pdf.Bookmark(text, max(level-2, 0), top)
	}
	w.headings = append(w.headings, heading{level: level, text: text, page: w.pdf.PageNo()})
	if level == 2 && w.toc {
		k := 0
		for _, h := range w.headings {
			if h.level == 2 {
				k++
			}
		}
		if k-1 < len(w.tocLinks) {
			w.pdf.SetLink(w.tocLinks[k-1], top, w.pdf.PageNo())
		}
	}
}

const level2Rule = 0.35

func plainRuns(runs []run) string {
	var b strings.Builder
	for _, r := range runs {
		switch {
		case r.badge != nil && r.badge.Pill:
			b.WriteString(r.badge.Label)
		case r.badge == nil:
			b.WriteString(r.text)
		}
	}
	return strings.TrimSpace(b.String())
}

// block draws one block node and its children.
func (w *writer) block(n ast.Node) {
	if w.err != nil {
		return
	}
	switch v := n.(type) {
	case *ast.Heading:
		w.heading(v.Level, w.inlines(v, body), true)
	case *ast.Paragraph, *ast.TextBlock:
		w.paragraph(n)
	case *ast.List:
		w.list(v)
	case *ast.Blockquote:
		w.quote(v)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		w.code(n)
	case *ast.ThematicBreak:
		w.y += 2
		w.room(18) // a rule is not left alone at the foot of a page
		w.draw(chart.Grid)
		w.pdf.SetLineWidth(0.3)
		w.pdf.Line(w.left(), w.y+1, w.left()+w.width(), w.y+1)
		w.y += 4
	case *east.Table:
		w.table(v)
	case *ast.HTMLBlock:
		// Raw HTML is shown as the text it is, never interpreted.
		var b strings.Builder
		for i := 0; i < v.Lines().Len(); i++ {
			seg := v.Lines().At(i)
			b.Write(seg.Value(w.src))
		}
		if v.HasClosure() {
			b.Write(v.ClosureLine.Value(w.src))
		}
		w.text([]run{{text: b.String(), st: body}}, body)
	default:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			w.block(c)
		}
	}
}

// text lays out and draws runs as a block at the current indent.
func (w *writer) text(runs []run, st style) {
	for _, l := range lay(runs, w.width(), st) {
		w.room(l.h)
		w.bars(w.y, l.h)
		w.drawLine(l, w.left(), w.y)
		w.y += l.h
	}
	w.y += st.em() * 0.55
}

// bars draws the left bars of the enclosing block quotes beside a line.
func (w *writer) bars(y, h float64) {
	if w.quotes == 0 {
		return
	}
	w.fill(chart.Color{R: 0xce, G: 0xd4, B: 0xda})
	for i := 0; i < min(w.quotes, 6); i++ {
		w.pdf.Rect(marginL+float64(i)*4, y, 0.9, h, "F")
	}
}

// paragraph draws a paragraph; a chart reference in it is drawn as the
// chart itself, between the text before and after it.
func (w *writer) paragraph(n ast.Node) {
	var pending []run
	flush := func() {
		if len(pending) > 0 && strings.TrimSpace(plainRuns(pending)) != "" || hasBadge(pending) {
			w.text(pending, body)
		}
		pending = nil
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if img, ok := c.(*ast.Image); ok {
			if id, ok := markup.ChartID(img.Destination); ok {
				flush()
				w.chart(id, markup.PlainText(img, w.src, 200))
				continue
			}
		}
		pending = append(pending, w.inlinesOf(c)...)
	}
	flush()
}

func hasBadge(runs []run) bool {
	for _, r := range runs {
		if r.badge != nil {
			return true
		}
	}
	return false
}

// inlinesOf flattens one inline node (not its siblings).
func (w *writer) inlinesOf(c ast.Node) []run { return w.inlineNodes([]ast.Node{c}, body) }

func (w *writer) list(l *ast.List) {
	num := l.Start
	if num == 0 {
		num = 1
	}
	step := 6.0
	if w.indent+step > maxIndent {
		step = 0
	}
	for it := l.FirstChild(); it != nil; it = it.NextSibling() {
		marker := "•"
		if l.IsOrdered() {
			marker = strconv.Itoa(num) + "."
			num++
		}
		w.room(body.em() * 1.45)
		w.font("nanum", "", body.size, chart.Muted)
		mw := fonts.Must(fonts.Regular).Width(marker, body.em())
		w.pdf.Text(w.left()+step-1.5-mw, w.y+body.em()*1.45/2+body.em()*0.35, marker)
		w.indent += step
		for c := it.FirstChild(); c != nil; c = c.NextSibling() {
			w.block(c)
			if _, ok := c.(*ast.TextBlock); ok && c.NextSibling() == nil {
				w.y -= body.em() * 0.35 // tight list items sit closer together
			}
		}
		w.indent -= step
	}
	w.y += body.em() * 0.3
}

func (w *writer) quote(q *ast.Blockquote) {
	step := 4.0
	if w.indent+step > maxIndent {
		step = 0
	}
	w.quotes++
	w.indent += step
	for c := q.FirstChild(); c != nil; c = c.NextSibling() {
		w.block(c)
	}
	w.indent -= step
	w.quotes--
}

// maxCodeLines bounds a code block.
const maxCodeLines = 2000

func (w *writer) code(n ast.Node) {
	st := style{size: 8.5, mono: true, color: chart.Ink}
	lines := n.Lines()
	var runs []run
	for i := 0; i < lines.Len() && i < maxCodeLines; i++ {
		seg := lines.At(i)
		s := strings.TrimRight(string(seg.Value(w.src)), "\n")
		runs = append(runs, run{text: s, st: st}, run{br: true, st: st})
	}
	if len(runs) > 0 {
		runs = runs[:len(runs)-1]
	}
	pad := 2.0
	w.y += 1
	for _, l := range lay(runs, w.width()-2*pad, st) {
		w.room(l.h)
		w.fill(chart.Color{R: 0xf6, G: 0xf8, B: 0xfa})
		w.pdf.Rect(w.left(), w.y, w.width(), l.h, "F")
		w.bars(w.y, l.h)
		// Code keeps its spaces: draw the line's text as one piece.
		w.drawCodeLine(l, w.left()+pad, w.y)
		w.y += l.h
	}
	w.y += body.em() * 0.6
}

// drawCodeLine draws a code line without the code-span background.
func (w *writer) drawCodeLine(l line, x, y float64) {
	for _, f := range l.frags {
		if f.text == "" {
			continue
		}
		w.font("mono", "", f.st.size, f.st.color)
		w.pdf.Text(x+f.x, y+l.h/2+f.st.em()*0.35, f.text)
	}
}

// chart draws the chart id as vectors, full width (the gauge centred).
func (w *writer) chart(id, alt string) {
	c := w.rep.Chart(id)
	if c == nil {
		w.text([]run{{text: fmt.Sprintf("[%s]", alt), st: style{size: 9, italic: true, color: chart.Muted}}}, body)
		return
	}
	d, ok := w.charts[id]
	if !ok {
		var err error
		d, err = chart.Layout(c, chart.Options{Loc: w.loc, Lang: w.lang, Window: w.rep.Window})
		if err != nil {
			w.err = fmt.Errorf("render PDF: %w", err)
			return
		}
		w.charts[id] = d
	}
	s := w.width() / chart.Width
	h := d.H * s
	w.room(h + 4)
	x := w.left() + (w.width()-d.W*s)/2
	w.drawChart(d, x, w.y+1, s)
	w.y += h + 5
}
