// Package numfmt holds the number formats that must read the same wherever
// a report writes them: grouped digits, shared by the report model (count
// cells), the analyzers' sentences (jobs/internal/textfmt) and the chart
// labels (report/render/chart); byte counts, shared by the daily-status
// analyzer's sentences and the Markdown findings table, which shows the
// value a finding's title states. These packages cannot import one
// another's internals.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Group puts a comma between every three digits of the whole part of a
// decimal number written in s: "908914902" → "908,914,902", "-1234.5" →
// "-1,234.5", "12" → "12". Anything after the whole part (decimals, a
// unit, "k") is kept as written; s without a leading run of digits (after
// an optional sign) is returned unchanged. Commas read the same in Korean
// and English reports.
func Group(s string) string {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n := j - i
	if n <= 3 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + (n-1)/3)
	b.WriteString(s[:i])
	for k := i; k < j; k++ {
		if k > i && (j-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[k])
	}
	b.WriteString(s[j:])
	return b.String()
}

// Bytes writes a byte count in binary units, whole bytes below a KiB and
// one decimal above: "980 B", "1.5 KiB", "3.0 GiB", "2.0 TiB".
func Bytes(v float64) string {
	units := [...]string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for math.Abs(v) >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatFloat(v, 'f', 0, 64) + " B"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i]
}
