package html

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/internal/markup"
)

// Email renders the report for an email body, from the same Markdown and
// the same AST walk as the page, so the words are the page's words. Mail
// clients are not browsers: Gmail and Outlook drop <style> blocks and
// external CSS and do not show inline SVG. So the email variant is
//
//   - an HTML fragment (one <div>, to be placed in a message's <body>) with
//     every style inline on its element, charts as <img src="cid:…">
//     pictures (report.ChartContentID of the chart id), no <style>, <svg>,
//     <script>, forms or external URLs;
//   - the same document as plain text, readable as text (tables as aligned
//     columns or key: value lines, charts named, links spelled out).
//
// Both artifacts have Role report.RoleEmail; they are not part of the
// archive. The chart pictures are the PNG artifacts Renderer emits (same
// names and bytes); Email emits them too unless NoImages is set, for a run
// whose formats had no html.
type Email struct {
	// NoImages leaves out the PNG chart artifacts (the run has them
	// already from Renderer).
	NoImages bool
}

// EmailWidth is the widest a message body is laid out, in CSS pixels: it
// reads on a desktop client and narrows on a phone (max-width).
const EmailWidth = 680

// emailImageWidth is the widest a chart picture is shown (the body width
// less the padding a deliverer puts around the fragment).
const emailImageWidth = EmailWidth - 24

// Inline styles of the email variant. Mail clients keep style attributes
// (Gmail, Outlook, Apple Mail, Naver, Daum); the values mirror
// templates/html/style.css at one size, since media queries are gone with
// the <style> block. Font families are repeated on tables because Outlook
// does not let tables inherit them.
const (
	// EmailFont is the font stack of the email body: the system UI font, then
	// the Korean system fonts of macOS/iOS, Windows and Android.
	EmailFont    = `-apple-system,BlinkMacSystemFont,'Apple SD Gothic Neo','Malgun Gothic','Noto Sans KR','Segoe UI',Roboto,Arial,sans-serif`
	emailMono    = `Consolas,Menlo,monospace`
	emailInk     = "#212529"
	emailHead    = "#111418"
	styleH1      = "margin:20px 0 10px;font-size:22px;line-height:1.35;color:" + emailHead
	styleH2      = "margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #e9ecef;font-size:19px;line-height:1.35;color:" + emailHead
	styleH3      = "margin:22px 0 8px;font-size:16px;line-height:1.35;color:" + emailHead
	styleH4      = "margin:18px 0 6px;font-size:15px;line-height:1.35;color:" + emailHead
	styleP       = "margin:0 0 12px"
	styleList    = "margin:0 0 12px;padding-left:24px"
	styleLI      = "margin:0 0 4px"
	styleQuote   = "margin:0 0 12px;padding:6px 12px;border-left:4px solid #ced4da;background:#f8f9fa;color:#495057"
	stylePre     = "margin:0 0 12px;padding:10px 12px;background:#f6f8fa;border:1px solid #e9ecef;border-radius:4px;white-space:pre-wrap;word-break:break-all;font-family:" + emailMono + ";font-size:13px;line-height:1.45"
	styleCode    = "font-family:" + emailMono + ";font-size:13px;background:#f1f3f5;padding:0 3px"
	styleHR      = "border:0;border-top:1px solid #dee2e6;margin:24px 0 12px"
	styleLink    = "color:#0b5cad"
	styleEm      = "color:#495057"
	styleScroll  = "overflow-x:auto;margin:0 0 16px"
	styleTable   = "border-collapse:collapse;width:100%;font-size:13px;line-height:1.45;font-family:" + EmailFont
	styleMeta    = "border-collapse:collapse;margin:0 0 16px;font-size:14px;line-height:1.5;font-family:" + EmailFont
	styleHeadRow = "border-bottom:2px solid #ced4da;background:#f1f3f5"
	styleRow     = "border-bottom:1px solid #e9ecef"
	styleMetaKey = "padding:3px 16px 3px 0;border-bottom:1px solid #e9ecef;vertical-align:top;color:#5f6770;white-space:nowrap"
	styleMetaVal = "padding:3px 0;border-bottom:1px solid #e9ecef;vertical-align:top"
	styleZebra   = "#fafbfc"
	stylePill    = "display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:bold;line-height:18px;white-space:nowrap;"
	styleMissing = "color:#868e96;font-style:italic"
	styleFigure  = "margin:12px 0 18px"
)

// shortCell is the widest table cell, in display columns, kept on one line
// ("3.4 GiB", "2시간 50분", "t3.medium", "ALARM"); a cell
// wider than longCell is prose or a log line and is never narrower than
// longCellMin pixels. Code in a long cell may break anywhere: a log line's
// 24-character tokens would otherwise set the table's width.
const (
	shortCell = 10
	longCell  = 40
	keepWord  = 16
)

// Render implements render.Renderer: the HTML fragment, the text and, unless
// NoImages, one PNG per chart the fragment shows.
func (e Email) Render(doc *render.Document) ([]report.Artifact, error) {
	r := doc.Report
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("render email body: %w", err)
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return nil, fmt.Errorf("render email body: report time zone %q: %w", r.Timezone, err)
	}
	node, src := markup.Parse(doc.Markdown)
	nr := &mailNodes{nodes: newNodes(doc, loc)}
	nr.words = nr.keepWords
	nr.linkAttrs = ` style="` + styleLink + `"`
	var buf bytes.Buffer
	buf.WriteString(`<div lang="` + escapeAttr(r.Language) + `" style="color:` + emailInk + `;font-family:` + EmailFont + `;font-size:15px;line-height:1.6">` + "\n")
	if err := renderAST(&buf, src, node, nr); err != nil {
		return nil, fmt.Errorf("render email body: %w", err)
	}
	if nr.err != nil {
		return nil, nr.err
	}
	buf.WriteString("</div>\n")
	text := Text(node, src, r.Language)
	arts := []report.Artifact{
		{Name: doc.Base + ".email.html", Format: "html", ContentType: "text/html; charset=utf-8", Data: buf.Bytes(), Role: report.RoleEmail},
		{Name: doc.Base + ".email.txt", Format: "txt", ContentType: "text/plain; charset=utf-8", Data: []byte(text), Role: report.RoleEmail},
	}
	if e.NoImages {
		return arts, nil
	}
	imgs, err := pngs(doc.Base, nr.order)
	if err != nil {
		return nil, fmt.Errorf("render email body: %w", err)
	}
	return append(arts, imgs...), nil
}

func escapeAttr(s string) string { return string(util.EscapeHTML([]byte(s))) }

// mailNodes overrides the page's node renderers where a mail client needs
// inline styles instead of the page's stylesheet, and pictures instead of
// SVG. Text (written by keepWords), raw HTML (shown as text) and links
// (styled by linkAttrs) are the page's own.
type mailNodes struct {
	*nodes
	meta map[ast.Node]bool
	// nowrap is set inside a table cell kept on one line.
	nowrap bool
}

// isMeta caches markup.IsMetaTable per table: rows and cells ask too.
func (n *mailNodes) isMeta(table ast.Node, src []byte) bool {
	if v, ok := n.meta[table]; ok {
		return v
	}
	if n.meta == nil {
		n.meta = map[ast.Node]bool{}
	}
	v := markup.IsMetaTable(table, src)
	n.meta[table] = v
	return v
}

func (n *mailNodes) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	n.nodes.RegisterFuncs(reg)
	reg.Register(ast.KindHeading, n.heading)
	reg.Register(ast.KindParagraph, n.paragraph)
	reg.Register(ast.KindList, n.list)
	reg.Register(ast.KindListItem, n.listItem)
	reg.Register(ast.KindBlockquote, n.blockquote)
	reg.Register(ast.KindCodeBlock, n.codeBlock)
	reg.Register(ast.KindFencedCodeBlock, n.codeBlock)
	reg.Register(ast.KindThematicBreak, n.thematicBreak)
	reg.Register(ast.KindEmphasis, n.emphasis)
	reg.Register(ast.KindCodeSpan, n.codeSpan)
	reg.Register(ast.KindImage, n.image)
	reg.Register(markup.KindBadge, n.badge)
	reg.Register(east.KindTable, n.table)
	reg.Register(east.KindTableHeader, n.tableHeader)
	reg.Register(east.KindTableRow, n.tableRow)
	reg.Register(east.KindTableCell, n.tableCell)
}

func openTag(w util.BufWriter, tag, style string) {
	_, _ = w.WriteString("<" + tag + ` style="` + style + `">`)
}

// keepWords writes s escaped, each word of 2 to keepWord characters that
// holds a hyphen or slash in a no-wrap span, other words as breakable does.
// In a cell that is kept on one line as a whole, words need no span.
func (n *mailNodes) keepWords(w util.BufWriter, s string) {
	if n.nowrap {
		breakable(w, s)
		return
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' {
			continue
		}
		word := s[start:i]
		if n := utf8.RuneCountInString(word); n > 1 && n <= keepWord && strings.ContainsAny(word, "-/") {
			_, _ = w.WriteString(`<span style="white-space:nowrap">`)
			text(w, word)
			_, _ = w.WriteString("</span>")
		} else {
			breakable(w, word)
		}
		if i < len(s) {
			text(w, s[i:i+1])
		}
		start = i + 1
	}
}

func (n *mailNodes) heading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	h := node.(*ast.Heading)
	tag := "h" + strconv.Itoa(h.Level)
	if !entering {
		_, _ = w.WriteString("</" + tag + ">\n")
		return ast.WalkContinue, nil
	}
	style := styleH4
	switch h.Level {
	case 1:
		style = styleH1
	case 2:
		style = styleH2
	case 3:
		style = styleH3
	}
	openTag(w, tag, style)
	return ast.WalkContinue, nil
}

// paragraph leaves a paragraph that is only a chart to the image (a block of
// its own); others get the paragraph spacing inline.
func (n *mailNodes) paragraph(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if node.ChildCount() == 1 {
		if _, _, ok := n.chartOf(node.FirstChild()); ok {
			return ast.WalkContinue, nil
		}
	}
	if entering {
		openTag(w, "p", styleP)
	} else {
		_, _ = w.WriteString("</p>\n")
	}
	return ast.WalkContinue, nil
}

func (n *mailNodes) list(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	l := node.(*ast.List)
	tag := "ul"
	if l.IsOrdered() {
		tag = "ol"
	}
	if !entering {
		_, _ = w.WriteString("</" + tag + ">\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<" + tag)
	if l.IsOrdered() && l.Start != 1 {
		_, _ = w.WriteString(` start="` + strconv.Itoa(l.Start) + `"`)
	}
	_, _ = w.WriteString(` style="` + styleList + `">` + "\n")
	return ast.WalkContinue, nil
}

func (n *mailNodes) listItem(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "li", styleLI)
	} else {
		_, _ = w.WriteString("</li>\n")
	}
	return ast.WalkContinue, nil
}

func (n *mailNodes) blockquote(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "blockquote", styleQuote)
		_ = w.WriteByte('\n')
	} else {
		_, _ = w.WriteString("</blockquote>\n")
	}
	return ast.WalkContinue, nil
}

func (n *mailNodes) codeBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	openTag(w, "pre", stylePre)
	lines := node.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		text(w, string(s.Value(src)))
	}
	_, _ = w.WriteString("</pre>\n")
	return ast.WalkSkipChildren, nil
}

func (n *mailNodes) thematicBreak(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<hr style="` + styleHR + `">` + "\n")
	}
	return ast.WalkContinue, nil
}

func (n *mailNodes) emphasis(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	e := node.(*ast.Emphasis)
	tag := "em"
	if e.Level == 2 {
		tag = "strong"
	}
	switch {
	case !entering:
		_, _ = w.WriteString("</" + tag + ">")
	case tag == "em":
		openTag(w, "em", styleEm)
	default:
		_, _ = w.WriteString("<strong>")
	}
	return ast.WalkContinue, nil
}

func (n *mailNodes) codeSpan(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	style := styleCode
	if cell := enclosingCell(node); cell != nil && displayWidth(markup.PlainText(cell, src, 4*longCell)) > longCell {
		style += ";overflow-wrap:anywhere"
	}
	openTag(w, "code", style)
	breakable(w, codeText(node, src))
	_, _ = w.WriteString("</code>")
	return ast.WalkSkipChildren, nil
}

// image shows a chart as its PNG, referenced by Content-ID, at most
// emailImageWidth wide and narrower on a phone. The width and height
// attributes are for Outlook, which ignores CSS sizes on images.
func (n *mailNodes) image(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	c, id, isChart := n.chartOf(node)
	alt := markup.PlainText(node, src, 400)
	switch {
	case isChart && c != nil:
		d, err := n.draw(id, c)
		if err != nil {
			n.err = fmt.Errorf("render email body: %w", err)
			return ast.WalkStop, nil
		}
		width := min(d.W, emailImageWidth)
		height := d.H * width / d.W
		if alt == "" {
			alt = d.Title
		}
		_, _ = w.WriteString(`<div style="` + styleFigure + `"><img src="cid:` + escapeAttr(report.ChartContentID(id)) + `" alt="`)
		text(w, alt)
		_, _ = w.WriteString(fmt.Sprintf(`" width="%d" height="%d" style="display:block;width:100%%;max-width:%dpx;height:auto;border:0"></div>`+"\n", int(width), int(height), int(width)))
	case isChart:
		openTag(w, "span", styleMissing)
		text(w, alt)
		_, _ = w.WriteString("</span>")
	default:
		// Images from elsewhere are never fetched: the alt text stands in.
		text(w, alt)
	}
	return ast.WalkSkipChildren, nil
}

// badge draws pills with inline styles and dots as a coloured "●": an empty
// inline-block span (the page's dot) has no size in Outlook.
func (n *mailNodes) badge(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	b := node.(*markup.Badge)
	c := b.Marker.Tone.Color().Hex()
	switch {
	case b.Pill:
		_, _ = w.WriteString(`<span style="` + stylePill + `background:` + c + `;color:` + toneInk(b.Marker.Tone) + `">`)
		text(w, b.Label)
		_, _ = w.WriteString("</span>")
	case b.Marker.Shape == markup.ShapeDot:
		_, _ = w.WriteString(`<span style="color:` + c + `">●</span>`)
	default:
		text(w, b.Marker.Emoji)
	}
	return ast.WalkSkipChildren, nil
}

// table wraps each table in a block that scrolls sideways where the client
// allows it, so a wide table does not widen the whole message on a phone.
func (n *mailNodes) table(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	meta := n.isMeta(node, src)
	if entering {
		if meta {
			_, _ = w.WriteString(`<table role="presentation" cellpadding="0" cellspacing="0" style="` + styleMeta + `">` + "\n")
		} else {
			_, _ = w.WriteString(`<div style="` + styleScroll + `"><table cellpadding="5" cellspacing="0" style="` + styleTable + `">` + "\n")
		}
		return ast.WalkContinue, nil
	}
	if node.ChildCount() > 1 {
		_, _ = w.WriteString("</tbody>\n")
	}
	_, _ = w.WriteString("</table>\n")
	if !meta {
		_, _ = w.WriteString("</div>\n")
	}
	return ast.WalkContinue, nil
}

// tableRow aligns cells to the top and stripes even body rows, with
// attributes every client honours on a row: a style on every cell would
// make a long table's body too large (Gmail clips a message's HTML beyond
// about 100 KB).
func (n *mailNodes) tableRow(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</tr>\n")
		return ast.WalkContinue, nil
	}
	if n.isMeta(node.Parent(), src) {
		_, _ = w.WriteString("<tr>\n")
		return ast.WalkContinue, nil
	}
	row := 0
	for s := node.PreviousSibling(); s != nil; s = s.PreviousSibling() {
		if s.Kind() == east.KindTableRow {
			row++
		}
	}
	if row%2 == 1 {
		_, _ = w.WriteString(`<tr valign="top" bgcolor="` + styleZebra + `" style="` + styleRow + `">` + "\n")
	} else {
		_, _ = w.WriteString(`<tr valign="top" style="` + styleRow + `">` + "\n")
	}
	return ast.WalkContinue, nil
}

// tableHeader writes the header row with its ground and rule.
func (n *mailNodes) tableHeader(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if n.isMeta(node.Parent(), src) {
		return n.nodes.tableHeader(w, src, node, entering)
	}
	if entering {
		_, _ = w.WriteString(`<thead>` + "\n" + `<tr bgcolor="#f1f3f5" style="` + styleHeadRow + `">` + "\n")
	} else {
		_, _ = w.WriteString("</tr>\n</thead>\n")
		if node.NextSibling() != nil {
			_, _ = w.WriteString("<tbody>\n")
		}
	}
	return ast.WalkContinue, nil
}

// tableCell draws rows apart with the row's bottom border (tableRow) rather
// than a border on every cell: a style on every cell of a 14-column table
// would push the message's HTML past Gmail's clipping size.
func (n *mailNodes) tableCell(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	cell := node.(*east.TableCell)
	head := cell.Parent().Kind() == east.KindTableHeader
	tag := "td"
	if head {
		tag = "th"
	}
	if !entering {
		n.nowrap = false
		_, _ = w.WriteString("</" + tag + ">\n")
		return ast.WalkContinue, nil
	}
	align := "left"
	switch cell.Alignment {
	case east.AlignRight:
		align = "right"
	case east.AlignCenter:
		align = "center"
	}
	if n.isMeta(cell.Parent().Parent(), src) {
		style := styleMetaVal
		if cell.PreviousSibling() == nil {
			style = styleMetaKey
		}
		_, _ = w.WriteString("<" + tag + ` style="` + style + `">`)
		return ast.WalkContinue, nil
	}
	// A short cell (a number with its unit) or a single short word (a time,
	// an id, a name) stays on one line.
	if !head {
		text := markup.PlainText(cell, src, 4*keepWord)
		if displayWidth(text) <= shortCell || utf8.RuneCountInString(text) <= keepWord && !strings.ContainsAny(strings.TrimSpace(text), " \t") {
			tag += " nowrap"
			n.nowrap = true
		}
	}
	if head || align != "left" {
		_, _ = w.WriteString("<" + tag + ` style="text-align:` + align + `">`)
	} else {
		_, _ = w.WriteString("<" + tag + ">")
	}
	return ast.WalkContinue, nil
}

// enclosingCell returns the table cell n is in, or nil.
func enclosingCell(n ast.Node) ast.Node {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == east.KindTableCell {
			return p
		}
	}
	return nil
}
