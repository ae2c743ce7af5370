package report

import "testing"

func TestTableHead(t *testing.T) {
	tb := &Table{ID: "x", Columns: []Column{{Key: "a"}}, Rows: [][]Cell{{Int(1)}, {Int(2)}, {Int(3)}}, Omitted: 4}
	h := tb.Head(2)
	if len(h.Rows) != 2 || h.Omitted != 5 || len(tb.Rows) != 3 || tb.Omitted != 4 {
		t.Errorf("head: %d rows, %d omitted; original %d rows, %d omitted", len(h.Rows), h.Omitted, len(tb.Rows), tb.Omitted)
	}
	if tb.Head(3) != tb || tb.Head(10) != tb {
		t.Error("a table that fits is returned as is")
	}
	var nilTable *Table
	if nilTable.Head(2) != nil {
		t.Error("nil table")
	}
}
