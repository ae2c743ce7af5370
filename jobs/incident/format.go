package incident

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/report/i18n"
)

// fmtNum prints a number compactly: 3 significant digits, k/M/G above a
// thousand.
func fmtNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return trim(v/1e9, 1) + "G"
	case a >= 1e6:
		return trim(v/1e6, 1) + "M"
	case a >= 1e4:
		return trim(v/1e3, 0) + "k"
	case a >= 1e3:
		return trim(v/1e3, 1) + "k"
	case a >= 100:
		return trim(v, 0)
	case a >= 10:
		return trim(v, 1)
	case a == 0:
		return "0"
	default:
		return trim(v, 2)
	}
}

func trim(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// fmtBytes prints bytes in binary units.
func fmtBytes(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1<<30:
		return trim(v/(1<<30), 1) + " GiB"
	case a >= 1<<20:
		return trim(v/(1<<20), 1) + " MiB"
	case a >= 1<<10:
		return trim(v/(1<<10), 1) + " KiB"
	}
	return trim(v, 0) + " B"
}

// fmtValue prints a value in its unit.
func fmtValue(v float64, unit string) string {
	if math.IsNaN(v) {
		return "-"
	}
	switch unit {
	case "%":
		return trim(v, 1) + "%"
	case "Bytes":
		return fmtBytes(v)
	case "":
		return fmtNum(v)
	}
	return fmtNum(v) + " " + unit
}

// fmtZ prints a z-score; the cap prints as "≥999".
func fmtZ(z float64) string {
	if math.Abs(z) >= maxZ {
		if z < 0 {
			return "≤-999"
		}
		return "≥999"
	}
	return trim(z, 1)
}

// fmtP prints a p-value.
func fmtP(p float64) string {
	if p < 1e-4 {
		return "<0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

// offset prints t relative to the incident time: "-1h 28m", "+5m", "0m".
func offset(t, at time.Time, lang string) string {
	d := t.Sub(at).Truncate(time.Minute)
	if d == 0 {
		return i18n.Pick(lang, "0m", "0분")
	}
	sign := "+"
	if d < 0 {
		sign = "-"
	}
	return sign + i18n.Duration(d, lang)
}

// pct is the relative change from a to b in percent (NaN when a is 0).
func pct(a, b float64) float64 {
	if a == 0 {
		return math.NaN()
	}
	return (b - a) / math.Abs(a) * 100
}

// shorten keeps untrusted text short for a title; escaping happens in the
// renderer.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// span prints a length of time; zero is "0m", not "0s".
func span(d time.Duration, lang string) string {
	if d == 0 {
		return i18n.Pick(lang, "0m", "0분")
	}
	return i18n.Duration(d, lang)
}
