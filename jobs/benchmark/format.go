package benchmark

import (
	"math"
	"strconv"
	"strings"
)

// fmtNum prints a number compactly: k/M/G above ten thousand.
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case a >= 1e9:
		return trim(v/1e9, 1) + "G"
	case a >= 1e6:
		return trim(v/1e6, 1) + "M"
	case a >= 1e4:
		return trim(v/1e3, 0) + "k"
	case a >= 100:
		return trim(v, 0)
	case a >= 10:
		return trim(v, 1)
	}
	return trim(v, 2)
}

func trim(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// fmtValue prints a value in its unit: 32.6%, 12.5 MiB, 1.2k.
func fmtValue(v float64, unit string) string {
	if math.IsNaN(v) {
		return "-"
	}
	switch unit {
	case "%":
		return trim(v, 1) + "%"
	case "Bytes":
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
	return fmtNum(v)
}
