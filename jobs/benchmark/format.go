package benchmark

import "github.com/cwreport/cwreport/jobs/internal/textfmt"

// fmtValue prints a value in its unit: 32.6%, 12.5 MiB, 1151, 12k. Other
// units print as bare numbers, four-digit ones whole (k from ten thousand).
func fmtValue(v float64, unit string) string { return textfmt.Value(v, unit, 1e4) }
