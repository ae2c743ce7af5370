package email

import (
	"testing"

	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/delivertest"
)

// BenchmarkCompose measures building the whole message (headers, both
// bodies, two inline charts, the PDF in base64) for the hostile sample.
func BenchmarkCompose(b *testing.B) {
	tgt, err := New(&SMTP{}, options())
	if err != nil {
		b.Fatal(err)
	}
	d := deliver.NewDelivery(delivertest.Sample(), "mail", nil)
	b.ReportAllocs()
	for b.Loop() {
		m, err := tgt.compose(d)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(m.Raw)))
	}
}
