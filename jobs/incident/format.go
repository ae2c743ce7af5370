package incident

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/report/i18n"
)

// fmtNum prints a number compactly, k from a thousand: "1.2k".
func fmtNum(v float64) string { return textfmt.Num(v, 1e3) }

// fmtValue prints a value in its unit, naming units other than percent
// and bytes: "12 Count/Second".
func fmtValue(v float64, unit string) string {
	s := textfmt.Value(v, unit, 1e3)
	if unit == "" || unit == "%" || unit == "Bytes" || math.IsNaN(v) {
		return s
	}
	return s + " " + unit
}

// fmtZ prints a z-score; the cap prints as "≥999".
func fmtZ(z float64) string {
	if math.Abs(z) >= maxZ {
		if z < 0 {
			return "≤-999"
		}
		return "≥999"
	}
	return textfmt.Trim(z, 1)
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
