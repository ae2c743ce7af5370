package benchmark

import (
	"math"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
)

// fmtValue prints a value in its unit: 32.6%, 12.5 MiB, 1151, 12k. Other
// units print as bare numbers, four-digit ones whole (k from ten thousand).
func fmtValue(v float64, unit string) string {
	if math.IsNaN(v) {
		return "-"
	}
	switch unit {
	case "%":
		return textfmt.Trim(v, 1) + "%"
	case "Bytes":
		return textfmt.Bytes(v)
	}
	return textfmt.Num(v, 1e4)
}
