package pack

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/report"
)

// TableCSV writes a report table as CSV evidence: a header of the column
// keys, then every row's machine values (times in RFC 3339 UTC, numbers in
// full precision, empty for missing values), and a last comment-like row
// when rows were omitted. Text that a spreadsheet would run as a formula
// (starting with = + - @, tab or CR) is prefixed with a single quote, the
// OWASP advice for CSV injection: evidence comes from untrusted sources
// (user names, error messages, tag values).
func TableCSV(t *report.Table) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = defuse(c.Key)
	}
	_ = w.Write(head)
	row := make([]string, len(t.Columns))
	for _, r := range t.Rows {
		for i := range row {
			row[i] = ""
			if i < len(r) {
				row[i] = cellValue(r[i])
			}
		}
		_ = w.Write(row)
	}
	if t.Omitted > 0 {
		note := make([]string, len(t.Columns))
		note[0] = "# " + strconv.Itoa(t.Omitted) + " more rows were left out of the report"
		_ = w.Write(note)
	}
	w.Flush()
	return buf.Bytes()
}

func cellValue(c report.Cell) string {
	switch v := c.Value.(type) {
	case nil:
		return ""
	case string:
		return defuse(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format(time.RFC3339)
	}
	return defuse(c.Text)
}

func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
