// Package textfmt prints numbers and bounds text for the sentences and
// cells the analyzers write. It holds no words: those are i18n.Text pairs
// in each analyzer; what is here reads the same in Korean and English.
package textfmt

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cwreport/cwreport/internal/numfmt"
)

// Trim prints v with at most dec decimals, trailing zeros dropped: 12.50 →
// "12.5", 3.00 → "3". It never prints "-0".
func Trim(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Round rounds v to dec decimals, halves away from zero: the precision a
// report keeps in its JSON values, evidence and chart points, so that a
// machine reads the number the text shows. NaN and ±Inf stay as they are.
func Round(v float64, dec int) float64 {
	p := math.Pow(10, float64(dec))
	return math.Round(v*p) / p
}

// Num prints v compactly: two decimals below 10, one below 100, none below
// kilo, then k (one decimal below 10k, none above), M and G (one decimal);
// "-" for NaN and ±Inf. kilo is where the k starts: 1e3 reads 1234 as
// "1.2k", 1e4 keeps four-digit numbers whole, grouped as every count is
// ("1,234").
func Num(v, kilo float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	switch a := math.Abs(v); {
	case a >= 1e9:
		return Trim(v/1e9, 1) + "G"
	case a >= 1e6:
		return Trim(v/1e6, 1) + "M"
	case a >= 1e4:
		return Trim(v/1e3, 0) + "k"
	case a >= kilo:
		return Trim(v/1e3, 1) + "k"
	case a >= 100:
		return numfmt.Group(Trim(v, 0))
	case a >= 10:
		return Trim(v, 1)
	}
	return Trim(v, 2)
}

// Bytes prints a byte count in binary units with at most one decimal:
// "980 B", "1.5 KiB", "12 MiB", "2.1 GiB".
func Bytes(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1<<30:
		return Trim(v/(1<<30), 1) + " GiB"
	case a >= 1<<20:
		return Trim(v/(1<<20), 1) + " MiB"
	case a >= 1<<10:
		return Trim(v/(1<<10), 1) + " KiB"
	}
	return Trim(v, 0) + " B"
}

// BytesSI prints a byte count in decimal units with at most one decimal and
// thousands separators, the way traffic volumes and thresholds such as
// "5 MB a day" are counted: "980 B", "1.2 MB", "94 GB", "1,234.5 TB";
// "-" for NaN and ±Inf.
func BytesSI(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	units := []string{"B", "kB", "MB", "GB", "TB"}
	i := 0
	for i < len(units)-1 && math.Abs(v) >= 999.95 {
		v /= 1000
		i++
	}
	return Grouped(v, 1) + " " + units[i]
}

// Grouped prints v with at most dec decimals (trailing zeros dropped, as
// Trim) and thousands separators in the whole part: 14074.44 → "14,074.4",
// 908914902 → "908,914,902"; "-" for NaN and ±Inf.
func Grouped(v float64, dec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return numfmt.Group(Trim(v, dec))
}

// Value prints a metric value in its CloudWatch unit: "32.6%" for "%",
// binary units for "Bytes", Num(v, kilo) for any other unit (without the
// unit's name: callers that want it add it); "-" for NaN.
func Value(v float64, unit string, kilo float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	switch unit {
	case "%":
		return Trim(v, 1) + "%"
	case "Bytes":
		return Bytes(v)
	}
	return Num(v, kilo)
}

// Int prints n with thousands separators: "12,345", "-1,000". The
// grouping rule is numfmt's, shared with the report's count cells and the
// chart labels.
func Int(n int64) string { return numfmt.Group(strconv.FormatInt(n, 10)) }

// Count is n, with thousands separators, and the English noun in the
// number n needs: Count(1, "event", "events") is "1 event", Count(3, ...)
// "3 events", Count(0, ...) "0 events". Korean counts need no plural.
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Int(int64(n)) + " " + many
}

// Clip bounds untrusted text kept in the report model (a log example can
// be a megabyte): at most n bytes, cut on a rune boundary, invalid UTF-8
// replaced by U+FFFD, "…" where something was cut. Escaping for each
// output stays the renderers' job.
func Clip(s string, n int) string {
	cut := false
	if len(s) > n {
		s = s[:n]
		// Drop a rune the byte cut split in half (at most 3 bytes).
		for i := 0; i < 3 && len(s) > 0; i++ {
			if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
				break
			}
			s = s[:len(s)-1]
		}
		cut = true
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if cut {
		s += "…"
	}
	return s
}
