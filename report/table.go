package report

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/cwreport/cwreport/internal/numfmt"
)

// Table is a titled grid of cells. Columns carry a stable key for JSON
// consumers and a localized title for readers.
type Table struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Columns []Column `json:"columns"`
	Rows    [][]Cell `json:"rows"`
	// Omitted counts rows left out to keep the table readable ("and 12 more").
	Omitted int `json:"omitted,omitempty"`
}

// Align says how a column's cells line up.
type Align string

// Column alignments.
const (
	AlignLeft  Align = "left"
	AlignRight Align = "right"
)

// Column describes one column of a table.
type Column struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Unit  string `json:"unit,omitempty"`
	Align Align  `json:"align,omitempty"`
	// Code asks text renderers to show the column's cells as inline code
	// (log patterns, example lines, alarm conditions): still escaped, but
	// kept verbatim. Presentation only, so it is not part of the JSON.
	Code bool `json:"-"`
}

// Cell is one value of a table: Text is what a reader sees (already
// formatted, possibly untrusted: renderers escape it), Value what a machine
// reads. In JSON a cell is just its value: a number, a string, a time or null.
type Cell struct {
	Text     string
	Value    any // nil, float64, int64, string, bool or time.Time
	Severity Severity
}

// Text makes a text cell.
func Text(s string) Cell { return Cell{Text: s, Value: s} }

// Num makes a number cell shown with the given decimals. NaN and infinities
// become empty cells (JSON null): a missing value is never shown as 0.
func Num(v float64, decimals int) Cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Cell{Text: "-"}
	}
	return Cell{Text: strconv.FormatFloat(v, 'f', decimals, 64), Value: v}
}

// Int makes an integer cell shown as written: a port, a year, an id, a
// code, a rank. Counts use Count.
func Int(v int64) Cell { return Cell{Text: strconv.FormatInt(v, 10), Value: v} }

// Count makes a count cell (instances, events, checks): its text groups the
// digits ("3,756", "908,914,902") as every count in a report does; its JSON
// value is the plain number.
func Count(n int64) Cell {
	return Cell{Text: numfmt.Group(strconv.FormatInt(n, 10)), Value: n}
}

// Time makes a time cell shown in loc with layout.
func Time(t time.Time, loc *time.Location, layout string) Cell {
	if t.IsZero() {
		return Cell{Text: "-"}
	}
	return Cell{Text: t.In(loc).Format(layout), Value: t.UTC()}
}

// Sev makes a severity badge cell.
func Sev(s Severity, label string) Cell { return Cell{Text: label, Value: string(s), Severity: s} }

// MarshalJSON writes the cell's machine value.
func (c Cell) MarshalJSON() ([]byte, error) {
	v := c.Value
	if t, ok := v.(time.Time); ok {
		v = t.UTC().Format(time.RFC3339)
	}
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		v = nil
	}
	return marshalPlain(v)
}

// UnmarshalJSON reads a cell back (score history reads earlier reports).
func (c *Cell) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	c.Value = v
	switch x := v.(type) {
	case nil:
		c.Text = "-"
	case string:
		c.Text = x
	case float64:
		c.Text = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		c.Text = strconv.FormatBool(x)
	default:
		c.Text = string(b)
	}
	return nil
}
