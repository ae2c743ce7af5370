package capacity

import (
	"math"
	"testing"
)

func TestPriceTable(t *testing.T) {
	us, ok := Prices("us-east-1")
	if !ok {
		t.Fatal("us-east-1 missing")
	}
	// Every type the table knows is priced in us-east-1 from a quote, and
	// every quote is linear in the family (what derivation relies on).
	for name, spec := range specs {
		p, ok := us.Get(name)
		if !ok || p.Derived {
			t.Errorf("us-east-1 %s: %+v %v, want a quoted price", name, p, ok)
			continue
		}
		ref := spec.Family + ".xlarge"
		rp, _ := us.Get(ref)
		want := rp.USDPerHour * float64(spec.VCPU) / 4
		if spec.Burstable() {
			want = rp.USDPerHour * tUnits(spec.Size) / tUnits("xlarge")
		}
		if math.Abs(p.USDPerHour-want) > 0.00051 {
			t.Errorf("%s: %.5f is not linear with %s (%.5f)", name, p.USDPerHour, ref, want)
		}
	}
	seoul, ok := Prices("ap-northeast-2")
	if !ok {
		t.Fatal("ap-northeast-2 missing")
	}
	for _, tc := range []struct {
		name    string
		usd     float64
		derived bool
	}{
		{"t3.small", 0.026, false},
		{"t3.nano", 0.0065, true},
		{"t3a.small", 0.0234, true},
		{"t4g.micro", 0.0104, true},
		{"m6i.xlarge", 0.236, false},
		{"m6i.large", 0.118, true},
		{"r6i.2xlarge", 0.608, true},
		{"c6i.large", 0.096, true},
		{"m7g.medium", 0.05025, true},
	} {
		p, ok := seoul.Get(tc.name)
		if !ok || math.Abs(p.USDPerHour-tc.usd) > 1e-9 || p.Derived != tc.derived {
			t.Errorf("Seoul %s: %+v (ok %v), want %.5f derived=%v", tc.name, p, ok, tc.usd, tc.derived)
		}
	}
	if _, ok := seoul.Get("m6a.large"); ok {
		t.Error("m6a has no Seoul quote and must not be invented")
	}
	// m6a is not priced in Seoul and m5a is an older generation (slower
	// vCPUs): no AMD alternative rather than a step back.
	if f := seoul.altFamily("m6i", "amd"); f != "" {
		t.Errorf("Seoul AMD alternative for m6i: %q, want none (m6a unpriced, m5a older)", f)
	}
	if f := seoul.altFamily("m5", "amd"); f != "m5a" {
		t.Errorf("Seoul AMD alternative for m5: %q, want m5a", f)
	}
	if f := seoul.altFamily("m6i", "graviton"); f != "m7g" {
		t.Errorf("Seoul Graviton alternative for m6i: %q, want m7g", f)
	}
	for fam, want := range map[string]int{"m6i": 6, "t3a": 3, "t4g": 4, "m7g": 7, "c6a": 6, "m5": 5, "x": 0} {
		if g := generation(fam); g != want {
			t.Errorf("generation(%q) = %d, want %d", fam, g, want)
		}
	}
	if f := us.altFamily("m6i", "amd"); f != "m6a" {
		t.Errorf("us-east-1 AMD alternative for m6i: %q", f)
	}
	if _, ok := Prices("eu-west-3"); ok {
		t.Error("an unknown region claims prices")
	}
	if s, _ := Spec("t3.small"); s.VCPU != 2 || s.MemoryGiB != 2 || s.BaselinePct != 20 {
		t.Errorf("t3.small spec %+v", s)
	}
	if s, _ := Spec("r6i.2xlarge"); s.VCPU != 8 || s.MemoryGiB != 64 || s.Burstable() {
		t.Errorf("r6i.2xlarge spec %+v", s)
	}
}
