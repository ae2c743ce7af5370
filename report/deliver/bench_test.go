package deliver

import (
	"context"
	"testing"
)

// BenchmarkPipeline measures the pipeline's own cost per run for three
// targets that succeed at once (fan-out, ledger lookups and records).
func BenchmarkPipeline(b *testing.B) {
	ok := targetFunc(func(ctx context.Context, d *Delivery) error { d.SetReceipt("id", "1"); return nil })
	entries := []Entry{{Name: "archive", Target: ok, First: true}, {Name: "mail", Target: ok}, {Name: "ops", Target: ok}}
	p := &Pipeline{Ledger: &MemoryLedger{}}
	req := Request{RunKey: "morning/2026-11-24"}
	b.ReportAllocs()
	for b.Loop() {
		p.Ledger = &MemoryLedger{}
		p.Deliver(context.Background(), req, entries)
	}
}
