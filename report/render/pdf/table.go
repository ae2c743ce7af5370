package pdf

import (
	"math"
	"strings"
	"unicode/utf8"

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
	slack    = 0.05
)

// tableType is a table's type size and cell padding.
type tableType struct {
	head, cell style
	padX       float64
}

// tableTypes are tried in order until a table's short words fit: the body
// size, then two smaller ones for tables of many columns (7 pt is still
// comfortably read on A4). Tables of more than maxShrinkRows rows are not
// measured again: a huge hostile table costs one measurement.
var tableTypes = []tableType{
	{head: headStyle, cell: cellStyle, padX: cellPadX},
	{head: withSize(headStyle, 7.5), cell: withSize(cellStyle, 7.5), padX: 1.2},
	{head: withSize(headStyle, 7), cell: withSize(cellStyle, 7), padX: 0.9},
}

const maxShrinkRows = 2000

func withSize(s style, size float64) style { s.size = size; return s }

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
	var widths []float64
	var ts tableType
	// A table too wide for its short words at the body size is set
	// smaller, with tighter cells, rather than break words ("t3.mediu m").
	built := -1
	build := func(k int) (int, float64) {
		built = k
		ts, head, rows = tableTypes[k], nil, rows[:0]
		for r := t.FirstChild(); r != nil; r = r.NextSibling() {
			if _, ok := r.(*east.TableHeader); ok {
				head = w.row(r, ts.head, ncols)
				continue
			}
			rows = append(rows, w.row(r, ts.cell, ncols))
		}
		if meta {
			head = nil
		}
		var tier int
		var height float64
		widths, tier, height = w.columns(head, rows, t.Alignments[:ncols], ts)
		return tier, height
	}
	// The larger type wins unless a smaller one keeps short words whole
	// that it breaks, or needs at least a third fewer lines (a 10-column
	// table whose text columns would wrap a word per line at 8.5 pt).
	// Heights are compared in lines of each size, not millimetres: smaller
	// type is always shorter on paper.
	best := 0
	bestTier, bestH := build(0)
	bestH /= tableTypes[0].cell.em()
	for k := 1; k < len(tableTypes) && len(rows) <= maxShrinkRows && bestTier < tierNatural; k++ {
		tier, h := build(k)
		h /= tableTypes[k].cell.em()
		if tier >= tierShort && bestTier < tierShort || tier >= tierShort && h < bestH*2/3 {
			best, bestTier, bestH = k, tier, h
		}
	}
	if built != best {
		build(best)
	}
	cellPadX := ts.padX
	headStyle, cellStyle := ts.head, ts.cell
	if breakHook != nil {
		reportBreaks(head, rows, widths, cellPadX)
	}
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

// shortWord is the longest word (in runes) a table never breaks between
// characters while any other width could give: ids like t3.medium,
// order-api-02, numbers like 10,318,137, and Korean words.
const shortWord = 12

// columns sizes the columns from four widths per column, each at least
// the one before:
//
//   - short: its longest word of up to shortWord runes (never broken);
//   - hard: also its longer words, each capped at a fair share of the width
//     (so an id or a path column does not starve sentence columns);
//   - soft: also its header and, right-aligned, its numbers on one line;
//   - natural: its widest cell on one line.
//
// All natural widths fitting, they are stretched to the full width.
// Otherwise the highest of short, hard and soft that fits is the start, and the
// rest of the width goes where it shortens the table most (fill): a column
// of sentences wrapping a word per line gains before a header that would
// wrap once. When even the short words cannot fit (a table of many
// columns), the short widths are scaled down and the caller tries a smaller
// type. It returns the widths, the tier reached and the table's estimated
// height in millimetres.
func (w *writer) columns(head cells, rows []cells, aligns []east.Alignment, ts tableType) ([]float64, int, float64) {
	n := len(aligns)
	pad := 2*ts.padX + slack // slack: a word exactly as wide as its column must not wrap on a rounding error
	avail := w.width()
	short := make([]float64, n)
	hard := make([]float64, n)
	soft := make([]float64, n)
	natural := make([]float64, n)
	capWord := math.Max(14, math.Min(wordCap, avail/float64(n)*0.9))
	var grid [][][]token // rows (header first) × columns × tokens
	if head != nil {
		grid = append(grid, tokenizeRow(head))
	}
	for _, r := range rows {
		grid = append(grid, tokenizeRow(r))
	}
	for r, row := range grid {
		header := head != nil && r == 0
		for i, toks := range row {
			nat, line, sh, hd := 0.0, 0.0, 0.0, 0.0
			for _, t := range toks {
				if t.br {
					nat = max(nat, line)
					line = 0
					continue
				}
				line += t.w + t.space
				hd = max(hd, math.Min(t.w, capWord))
				if t.badge != nil || t.spark != "" || utf8.RuneCountInString(strings.TrimSpace(t.text)) <= shortWord {
					sh = max(sh, t.w)
				}
			}
			nat = max(nat, line)
			sf := hd
			if header || aligns[i] == east.AlignRight {
				// Short headers and numbers ("1,038 events") on one line.
				sf = max(sf, math.Min(nat, math.Min(headCap, capWord+6)))
			}
			short[i] = max(short[i], sh+pad, minCol)
			hard[i] = max(hard[i], hd+pad, minCol)
			soft[i] = max(soft[i], sf+pad, minCol)
			natural[i] = max(natural[i], nat+pad)
		}
	}
	for i := range n {
		hard[i] = max(hard[i], short[i])
		soft[i] = max(soft[i], hard[i])
		natural[i] = max(natural[i], soft[i])
	}
	lineH := func(r int) float64 {
		if head != nil && r == 0 {
			return ts.head.em() * 1.45
		}
		return ts.cell.em() * 1.45
	}
	height := func(ws []float64) float64 {
		h := 0.0
		for r, row := range grid {
			most := 1
			for i, toks := range row {
				most = max(most, countLines(toks, ws[i]-2*ts.padX))
			}
			h += float64(most)*lineH(r) + 2*cellPadY
		}
		return h
	}
	out := make([]float64, n)
	if total := sum(natural); total <= avail {
		for i := range out {
			out[i] = natural[i] + (avail-total)*natural[i]/total
		}
		return out, tierNatural, height(out)
	}
	for tier, base := range [][]float64{soft, hard, short} {
		if sum(base) > avail {
			continue
		}
		copy(out, base)
		if len(grid) <= maxFillRows {
			fill(out, natural, avail-sum(base), grid, ts.padX, lineH)
		}
		left, want := avail-sum(out), 0.0
		for i := range out {
			want += natural[i] - out[i]
		}
		for i := range out {
			if want > 0 {
				out[i] += left * (natural[i] - out[i]) / want
			}
		}
		return out, tierSoft - tier, height(out)
	}
	total := sum(short)
	for i := range out {
		out[i] = short[i] * avail / total
	}
	return out, tierNone, height(out)
}

// maxFillRows bounds the rows fill measures; longer tables share the width
// in proportion to what each column still wants.
const maxFillRows = 300

// fill gives the width left to the columns, step by step, where it saves
// the most height per millimetre, looking ahead over all the width left (a
// column may need many steps before one row loses a line); no column grows past its
// natural width. It stops when no step saves height, or when its work
// budget (tokens measured) is spent, so a hostile table costs little more
// than a plain one; the caller shares what is left in proportion.
func fill(ws, natural []float64, left float64, grid [][][]token, padX float64, lineH func(int) float64) {
	const maxIter, budget = 200, 4_000_000
	// Steps looked ahead: every one near, coarser far (up to 80 steps, the
	// whole width left).
	lookahead := [...]int{1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80}
	n := len(ws)
	work := 0
	lines := make([][]int, len(grid))
	// cost is the work of measuring a cell: a token, or the runes of a
	// long word that may have to be split.
	cost := make([][]int, len(grid))
	for r, row := range grid {
		lines[r], cost[r] = make([]int, n), make([]int, n)
		for i, toks := range row {
			lines[r][i] = countLines(toks, ws[i]-2*padX)
			for _, t := range toks {
				cost[r][i]++
				if len(t.text) > 32 {
					cost[r][i] += len(t.text) / 4
				}
			}
			work += cost[r][i]
		}
	}
	// The tallest and second tallest cell of each row, so the height of a
	// row with one column changed is known at once.
	top1, top2, arg := make([]int, len(grid)), make([]int, len(grid)), make([]int, len(grid))
	tops := func(r int) {
		top1[r], top2[r], arg[r] = 1, 1, -1
		for i, l := range lines[r] {
			switch {
			case l > top1[r]:
				top1[r], top2[r], arg[r] = l, top1[r], i
			case l > top2[r]:
				top2[r] = l
			}
		}
	}
	for r := range grid {
		tops(r)
	}
	step := max(0.5, left/40)
	for iter := 0; iter < maxIter && left > 1e-6 && work < budget; iter++ {
		bestGain, bestCol, bestW := 0.0, -1, 0.0
		for c := range n {
			room := math.Min(left, natural[c]-ws[c])
			if room <= 1e-6 {
				continue
			}
			for _, j := range lookahead {
				d := math.Min(float64(j)*step, room)
				saved := 0.0
				for r, row := range grid {
					l := countLines(row[c], ws[c]+d-2*padX)
					work += cost[r][c]
					others := top1[r]
					if arg[r] == c {
						others = top2[r]
					}
					// The row's height first; each cell's own lines a
					// little, so that of two columns that wrap in the
					// same rows ("3.4 / GiB", "2.8 / GiB") the first to
					// widen counts although the row only shortens when
					// the second does.
					saved += (float64(top1[r]-max(others, l)) + 0.25*float64(lines[r][c]-l)) * lineH(r)
				}
				if saved > 0 && saved/d > bestGain {
					bestGain, bestCol, bestW = saved/d, c, d
				}
				if d >= room {
					break
				}
			}
		}
		if bestCol < 0 {
			break
		}
		ws[bestCol] += bestW
		left -= bestW
		for r, row := range grid {
			lines[r][bestCol] = countLines(row[bestCol], ws[bestCol]-2*padX)
			tops(r)
		}
	}
	if fillHook != nil {
		fillHook(work, work >= budget)
	}
}

// fillHook, when set (by tests), hears the work each fill did and whether
// its budget stopped it.
var fillHook func(work int, stopped bool)

// countLines is how many lines lay gives tokens at width (the same greedy
// breaking, without building the lines).
func countLines(toks []token, width float64) int {
	n, x := 1, 0.0
	for _, t := range toks {
		if t.br {
			n, x = n+1, 0
			continue
		}
		if x > 0 && x+t.w > width {
			n, x = n+1, 0
		}
		if t.w > width && t.badge == nil && t.spark == "" {
			pieces, last := 0, 0.0
			splitPlan(strings.TrimSuffix(t.text, " "), t.st, width, func(_ int, w float64) { pieces, last = pieces+1, w })
			n += pieces - 1
			x = last + t.space
			continue
		}
		x += t.w + t.space
	}
	return n
}

func tokenizeRow(cs cells) [][]token {
	out := make([][]token, len(cs))
	for i, c := range cs {
		out[i] = tokenize(c)
	}
	return out
}

// The width tiers of columns, as it reports the one that fit.
const (
	tierNone = iota - 1
	tierShort
	tierHard
	tierSoft
	tierNatural
)

// breakHook, when set (by tests), hears every word of a table cell that is
// wider than its column and so is broken between characters.
var breakHook func(word, header string)

func reportBreaks(head cells, rows []cells, widths []float64, cellPadX float64) {
	headerOf := func(i int) string {
		if head == nil || i >= len(head) {
			return ""
		}
		var b strings.Builder
		for _, t := range tokenize(head[i]) {
			b.WriteString(t.text)
		}
		return strings.TrimSpace(b.String())
	}
	check := func(cs cells) {
		for i, c := range cs {
			for _, t := range tokenize(c) {
				if !t.br && t.badge == nil && t.spark == "" && t.w > widths[i]-2*cellPadX {
					breakHook(strings.TrimSpace(t.text), headerOf(i))
				}
			}
		}
	}
	if head != nil {
		check(head)
	}
	for _, r := range rows {
		check(r)
	}
}
