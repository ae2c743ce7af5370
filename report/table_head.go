package report

// Head returns the table with at most n rows, the rest counted in Omitted,
// so a template can show the first rows of a table whose every row stays in
// the JSON report and the evidence files. A nil table stays nil.
func (t *Table) Head(n int) *Table {
	if t == nil || len(t.Rows) <= n || n < 0 {
		return t
	}
	c := *t
	c.Rows = t.Rows[:n:n]
	c.Omitted = t.Omitted + len(t.Rows) - n
	return &c
}
