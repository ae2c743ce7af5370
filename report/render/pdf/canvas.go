package pdf

import "github.com/go-pdf/fpdf"

// canvas is the part of fpdf the writer draws with. The first pass, which
// only finds out how many pages the report takes and where its sections
// fall, runs on a dry canvas that counts pages and draws nothing, so a long
// report costs one real rendering, not two.
type canvas interface {
	AddPage()
	PageNo() int
	SetPage(int)
	SetFont(family, style string, size float64)
	SetTextColor(r, g, b int)
	SetFillColor(r, g, b int)
	SetDrawColor(r, g, b int)
	SetLineWidth(float64)
	SetLineJoinStyle(string)
	SetDashPattern([]float64, float64)
	Text(x, y float64, s string)
	Line(x1, y1, x2, y2 float64)
	Rect(x, y, w, h float64, style string)
	RoundedRect(x, y, w, h, r float64, corners, style string)
	Circle(x, y, r float64, style string)
	Polygon(points []fpdf.PointType, style string)
	MoveTo(x, y float64)
	LineTo(x, y float64)
	DrawPath(style string)
	AddLink() int
	SetLink(link int, y float64, page int)
	Link(x, y, w, h float64, link int)
	LinkString(x, y, w, h float64, url string)
	Bookmark(text string, level int, y float64)
}

// dry is a canvas that only counts pages.
type dry struct{ page, links int }

func (d *dry) AddPage()                                        { d.page++ }
func (d *dry) PageNo() int                                     { return d.page }
func (d *dry) SetPage(p int)                                   { d.page = p }
func (d *dry) SetFont(string, string, float64)                 {}
func (d *dry) SetTextColor(int, int, int)                      {}
func (d *dry) SetFillColor(int, int, int)                      {}
func (d *dry) SetDrawColor(int, int, int)                      {}
func (d *dry) SetLineWidth(float64)                            {}
func (d *dry) SetLineJoinStyle(string)                         {}
func (d *dry) SetDashPattern([]float64, float64)               {}
func (d *dry) Text(float64, float64, string)                   {}
func (d *dry) Line(float64, float64, float64, float64)         {}
func (d *dry) Rect(float64, float64, float64, float64, string) {}
func (d *dry) RoundedRect(float64, float64, float64, float64, float64, string, string) {
}
func (d *dry) Circle(float64, float64, float64, string)              {}
func (d *dry) Polygon([]fpdf.PointType, string)                      {}
func (d *dry) MoveTo(float64, float64)                               {}
func (d *dry) LineTo(float64, float64)                               {}
func (d *dry) DrawPath(string)                                       {}
func (d *dry) AddLink() int                                          { d.links++; return d.links }
func (d *dry) SetLink(int, float64, int)                             {}
func (d *dry) Link(float64, float64, float64, float64, int)          {}
func (d *dry) LinkString(float64, float64, float64, float64, string) {}
func (d *dry) Bookmark(string, int, float64)                         {}
