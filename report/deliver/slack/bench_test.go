package slack

import (
	"testing"

	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/delivertest"
)

// BenchmarkBlocks measures the Block Kit summary of the hostile sample
// (a one-megabyte finding included: escaping reads a bounded prefix).
func BenchmarkBlocks(b *testing.B) {
	d := deliver.NewDelivery(delivertest.Sample(), "ops", nil)
	b.ReportAllocs()
	for b.Loop() {
		Blocks(d)
	}
}
