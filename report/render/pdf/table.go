package pdf

import (
	"math"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/cwreport/cwreport/report/render/chart"
	"github.com/cwreport/cwreport/report/render/internal/markup"
)

// Table geometry in millimetres and the column cap that keeps a table of
// thousands of columns (hostile Markdown) from costing thousands of cells
// per row.
const (
	cellPadX = 1.6
	cellPadY = 1.1
	maxCols  = 24
	minCol   = 8.0
	wordCap  = 38.0 // a long word may ask for at most this much width
	headCap  = 30.0 // a header up to this wide is not wrapped
)

var (
	headStyle = style{size: 8.5, bold: true, color: chart.Color{R: 0x34, G: 0x3a, B: 0x40}}
	cellStyle = style{size: 8.5, color: chart.Ink}
	headFill  = chart.Color{R: 0xf1, G: 0xf3, B: 0xf5}
	zebraFill = chart.Color{R: 0xfa, G: 0xfb, B: 0xfc}
	rule      = chart.Color{R: 0xde, G: 0xe2, B: 0xe6}
)

type cells [][]run

func (w *writer) row(r ast.Node, st style, n int) cells {
	out := make(cells, n)
	i := 0
	for c := r.FirstChild(); c != nil && i < n; c = c.NextSibling() {
		out[i] = w.inlines(c, st)
		i++
	}
	return out
}

// table draws a GFM table: columns sized to their content within the page
// width, long cells wrapped, the header repeated at the top of every page
// the table continues on. The key/value table under the headline is drawn
// without a header, like the cover.
func (w *writer) table(t *east.Table) {
	ncols := min(len(t.Alignments), maxCols)
	if ncols == 0 {
		return
	}
	meta := markup.IsMetaTable(t, w.src)
	var head cells
	var rows []cells
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		if _, ok := r.(*east.TableHeader); ok {
			head = w.row(r, headStyle, ncols)
			continue
		}
		rows = append(rows, w.row(r, cellStyle, ncols))
	}
	if meta {
		head = nil
	}
	widths := w.columns(head, rows, t.Alignments[:ncols])
	layRow := func(cs cells, st style) ([][]line, float64) {
		ls := make([][]line, ncols)
		h := 0.0
		for i := range cs {
			ls[i] = lay(cs[i], widths[i]-2*cellPadX, st)
			ch := 0.0
			for _, l := range ls[i] {
				ch += l.h
			}
			h = max(h, ch)
		}
		return ls, h + 2*cellPadY
	}
	var headLines [][]line
	headH := 0.0
	if head != nil {
		headLines, headH = layRow(head, headStyle)
	}
	drawRow := func(ls [][]line, h float64, fill *chart.Color) {
		x := w.left()
		if fill != nil {
			w.fill(*fill)
			w.pdf.Rect(x, w.y, sum(widths), h, "F")
		}
		for i := range ls {
			yy := w.y + cellPadY
			for _, l := range ls[i] {
				dx := cellPadX
				switch t.Alignments[i] {
				case east.AlignRight:
					dx = widths[i] - cellPadX - l.w
				case east.AlignCenter:
					dx = (widths[i] - l.w) / 2
				}
				w.drawLine(l, x+dx, yy)
				yy += l.h
			}
			x += widths[i]
		}
		w.draw(rule)
		w.pdf.SetLineWidth(0.2)
		w.pdf.Line(w.left(), w.y+h, w.left()+sum(widths), w.y+h)
		w.y += h
	}
	header := func() {
		if head == nil {
			return
		}
		drawRow(headLines, headH, &headFill)
	}
	w.y += 1
	// The header never stands alone at the foot of a page.
	var firstLines [][]line
	firstH := 0.0
	if len(rows) > 0 {
		firstLines, firstH = layRow(rows[0], cellStyle)
	}
	w.room(headH + min(firstH, 40))
	header()
	for i, r := range rows {
		ls, h := firstLines, firstH
		if i > 0 {
			ls, h = layRow(r, cellStyle)
		}
		if w.y+h > pageH-marginB {
			w.newPage()
			header()
		}
		var fill *chart.Color
		if i%2 == 1 && !meta {
			fill = &zebraFill
		}
		drawRow(ls, h, fill)
	}
	w.y += body.em() * 0.9
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// columns sizes the columns: each wants its widest cell (natural) and needs
// its longest word (minimum, capped). If the naturals fit they are used,
// stretched to the full width; otherwise every column gets its minimum and
// the rest of the width is shared in proportion to what each still wants.
func (w *writer) columns(head cells, rows []cells, aligns []east.Alignment) []float64 {
	n := len(aligns)
	avail := w.width()
	natural := make([]float64, n)
	minimum := make([]float64, n)
	// A long word may claim at most a fair share of the width, so that a
	// column of sentences is not starved by columns of long identifiers.
	capWord := math.Max(14, math.Min(wordCap, avail/float64(n)*0.9))
	measure := func(cs cells, header bool) {
		for i, c := range cs {
			nat, mn := 0.0, 0.0
			for _, t := range tokenize(c) {
				if t.br {
					natural[i] = max(natural[i], nat)
					nat = 0
					continue
				}
				nat += t.w + t.space
				mn = max(mn, math.Min(t.w, capWord))
			}
			natural[i] = max(natural[i], nat+2*cellPadX)
			if header || aligns[i] == east.AlignRight {
				// Short headers and numbers ("1,038 events") stay on one line.
				mn = max(mn, math.Min(nat, math.Min(headCap, capWord+6)))
			}
			minimum[i] = max(minimum[i], mn+2*cellPadX, minCol)
		}
	}
	if head != nil {
		measure(head, true)
	}
	for _, r := range rows {
		measure(r, false)
	}
	out := make([]float64, n)
	totalNat := sum(natural)
	if totalNat <= avail {
		for i := range out {
			out[i] = natural[i] + (avail-totalNat)*natural[i]/totalNat
		}
		return out
	}
	totalMin := sum(minimum)
	if totalMin >= avail {
		for i := range out {
			out[i] = minimum[i] * avail / totalMin
		}
		return out
	}
	want := 0.0
	for i := range natural {
		want += natural[i] - minimum[i]
	}
	for i := range out {
		out[i] = minimum[i]
		if want > 0 {
			out[i] += (avail - totalMin) * (natural[i] - minimum[i]) / want
		}
	}
	return out
}
