package capacity

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
)

// seoul is a crafted dataset in ap-northeast-2, whose price table has no
// m6a: the only AMD family left for m6i would be the older m5a.
func seoul(insts ...source.Instance) *source.Dataset {
	return &source.Dataset{Account: source.Account{ID: "111122223333", Region: "ap-northeast-2"}, Instances: insts}
}

// spikeAtEnd is f, except over the last h hours of the window, where it is v.
func spikeAtEnd(f func(float64) float64, h, v float64) func(float64) float64 {
	from := window.Duration().Hours()/24 - h/24
	return func(d float64) float64 {
		if d >= from {
			return v
		}
		return f(d)
	}
}

func TestRightsizingProposesOnlySmallerSizes(t *testing.T) {
	// A healthy m6i.large (the demo's kafka): nothing smaller carries 60%
	// CPU, so it is right-sized. Seoul has no m6a and m5a is an older
	// generation: no AMD alternative; the newer m7g.large is a cheaper
	// equivalent, shown but not a finding.
	ds := seoul(inst("i-kafka", "kafka", "m6i.large"), inst("i-big", "big", "m6i.2xlarge"))
	ds.Series = append(cpu("i-kafka", wave(30, 60)), mem("i-kafka", flat(62)))
	ds.Series = append(ds.Series, network("i-kafka", 1e9)...)
	// An m6i.2xlarge at 15% CPU and 20% of 32 GiB: m6i.large runs it at
	// 60% CPU and 80% memory, exactly within the ceilings.
	ds.Series = append(ds.Series, cpu("i-big", wave(5, 15))...)
	ds.Series = append(ds.Series, mem("i-big", flat(20)))
	ds.Series = append(ds.Series, network("i-big", 1e9)...)
	res, rep := analyzeOne(t, ds, nil)

	k := res.Recs["i-kafka"]
	if k.Verdict != VerdictOK || k.Target != nil || k.AMD != nil {
		t.Fatalf("kafka: %s target %+v AMD %+v, want right-sized without an AMD alternative", k.Verdict, k.Target, k.AMD)
	}
	if k.Graviton == nil || k.Graviton.Type.Name != "m7g.large" || k.Equivalent() != k.Graviton {
		t.Fatalf("kafka: Graviton %+v, want the cheaper equivalent m7g.large", k.Graviton)
	}
	if fs := findingsOf(rep, FindingRightsize, "kafka"); len(fs) != 0 {
		t.Errorf("a right-sized instance got a rightsizing finding: %+v", fs)
	}
	row := rowOf(t, rep.Table("rightsizing"), "kafka")
	if row[1].Text != "right-sized" || row[3].Text != "-" || row[7].Text != "-" || !strings.HasPrefix(row[8].Text, "m7g.large") {
		t.Errorf("kafka row %v", texts(row))
	}
	for _, f := range rep.Findings {
		for _, v := range f.Evidence {
			if s, ok := v.(string); ok && strings.HasPrefix(s, "m5a.") {
				t.Errorf("an older generation proposed: %s %v", f.ID, f.Evidence)
			}
		}
	}

	b := res.Recs["i-big"]
	if b.Verdict != VerdictOver || b.Target == nil || b.Target.Type.Name != "m6i.large" || b.AMD != nil || b.Graviton == nil || b.Graviton.Type.Name != "m7g.large" {
		t.Fatalf("big: %s %+v AMD %+v Graviton %+v, want m6i.large with the m7g.large alternative", b.Verdict, b.Target, b.AMD, b.Graviton)
	}
	if math.Abs(b.Target.ProjCPU-60) > 0.5 || math.Abs(b.Target.ProjMem-80) > 1e-9 {
		t.Errorf("big: projected CPU %.2f memory %.2f, want 60 and 80", b.Target.ProjCPU, b.Target.ProjMem)
	}
	fs := findingsOf(rep, FindingRightsize, "big")
	if len(fs) != 1 || fs[0].Evidence["recommended_type"] != "m6i.large" || fs[0].Evidence["current_type"] != "m6i.2xlarge" || fs[0].Evidence["amd_type"] != nil {
		t.Fatalf("big: rightsize findings %+v", fs)
	}
	// The equivalent of the right-sized one is a separate summary line, not
	// part of the savings total.
	var total, eq float64
	for _, f := range rep.Section("summary").Facts {
		switch f.Key {
		case "savings_total_usd":
			total = f.Value.Value.(float64)
		case "savings_equivalent_usd":
			eq = f.Value.Value.(float64)
		}
	}
	if math.Abs(total-textfmt.Round(b.Target.Monthly, 2)) > 0.005 || math.Abs(eq-textfmt.Round(k.Graviton.Monthly, 2)) > 0.005 {
		t.Errorf("total %.2f (want %.2f), equivalents %.2f (want %.2f)", total, b.Target.Monthly, eq, k.Graviton.Monthly)
	}
}

func TestSaturatedInstanceIsNeverDownsized(t *testing.T) {
	// A t3.medium at 4-9% CPU with 30% of its 4 GiB in use would fit a
	// t3.small; pinned at 95% for the last 3 hours it is not touched.
	quiet, busy := wave(4, 9), spikeAtEnd(wave(4, 9), 3, 95)
	for _, tc := range []struct {
		name string
		f    func(float64) float64
	}{{"quiet", quiet}, {"busy", busy}} {
		t.Run(tc.name, func(t *testing.T) {
			ds := &source.Dataset{Instances: []source.Instance{inst("i-dmz", "dmz", "t3.medium")}}
			ds.Series = append(cpu("i-dmz", tc.f), mem("i-dmz", flat(30)))
			ds.Series = append(ds.Series, network("i-dmz", 1e8)...)
			res, rep := analyzeOne(t, ds, nil)
			rec := res.Recs["i-dmz"]
			if tc.name == "quiet" {
				if rec.Verdict != VerdictOver || rec.Target == nil || rec.Target.Type.Name != "t3.small" {
					t.Fatalf("quiet: %s %+v, want t3.small", rec.Verdict, rec.Target)
				}
				if fs := findingsOf(rep, FindingExhaustion, "dmz"); len(fs) != 0 {
					t.Errorf("quiet: exhaustion %+v", fs)
				}
				return
			}
			// The spike is too short to move the p99.5 much: only the
			// saturation rule keeps it from being downsized.
			if p := res.Profiles[0]; p.CPU.Sizing > 20 {
				t.Fatalf("p99.5 %.1f: the test no longer isolates the saturation rule", p.CPU.Sizing)
			}
			if rec.Verdict != VerdictBusy || rec.Target != nil || rec.AMD != nil || rec.Graviton != nil {
				t.Fatalf("busy: %s %+v AMD %+v Graviton %+v, want not resized", rec.Verdict, rec.Target, rec.AMD, rec.Graviton)
			}
			if fs := findingsOf(rep, FindingRightsize, "dmz"); len(fs) != 0 {
				t.Errorf("busy: rightsize finding %+v", fs)
			}
			fs := findingsOf(rep, FindingExhaustion, "dmz")
			if len(fs) != 1 || fs[0].Severity != report.SeverityHigh || fs[0].Evidence["status"] != "above" ||
				fs[0].Evidence["forecast_date"] != at.Add(-3*time.Hour).Format("2006-01-02") || !strings.Contains(fs[0].Title, "already above the 80% limit (since 2026-11-23 20:00)") {
				t.Fatalf("busy: exhaustion %+v", fs)
			}
			if row := rowOf(t, rep.Table("rightsizing"), "dmz"); row[1].Text != "saturated in the last 24 h: not resized" {
				t.Errorf("busy row %v", texts(row))
			}
		})
	}
}

func TestLowUtilisationAdviceAgreesWithRightsizing(t *testing.T) {
	// An m5.xlarge at 2-6% CPU with almost no traffic (the demo's jenkins).
	for _, withMem := range []bool{false, true} {
		ds := &source.Dataset{Instances: []source.Instance{inst("i-ci", "ci", "m5.xlarge")}}
		ds.Series = append(cpu("i-ci", wave(2, 6)), network("i-ci", 1000)...)
		if withMem {
			ds.Series = append(ds.Series, mem("i-ci", flat(30)))
		}
		res, rep := analyzeOne(t, ds, nil)
		rec := res.Recs["i-ci"]
		low := findingsOf(rep, FindingLowUtilization, "ci")
		if len(low) != 1 {
			t.Fatalf("memory %v: low-utilisation findings %+v", withMem, low)
		}
		advice := low[0].Recommendation
		rs := findingsOf(rep, FindingRightsize, "ci")
		if !withMem {
			// m5.large would halve unmeasured memory: nothing smaller is
			// proposed, so the advice must not say "downsize".
			if rec.Verdict != VerdictLow || len(rs) != 0 {
				t.Fatalf("no memory: %s, rightsize %+v", rec.Verdict, rs)
			}
			for _, bad := range []string{"Downsize", "Change the type", "rightsizing finding"} {
				if strings.Contains(advice, bad) {
					t.Errorf("no memory: advice %q says %q", advice, bad)
				}
			}
			// us-east-1: m7g.xlarge saves 21.02, m5a.xlarge 14.60.
			if !strings.Contains(advice, "memory is not collected") || !strings.Contains(advice, "m7g.xlarge") || !strings.Contains(advice, "$21.02") {
				t.Errorf("no memory: advice %q", advice)
			}
			continue
		}
		if rec.Verdict != VerdictOver || len(rs) != 1 || rs[0].Evidence["recommended_type"] != "m5.large" {
			t.Fatalf("with memory: %s, rightsize %+v", rec.Verdict, rs)
		}
		if !strings.Contains(advice, "m5.large") || strings.Contains(advice, "equivalent") {
			t.Errorf("with memory: advice %q does not name what the rightsizing finding proposes", advice)
		}
	}
}

func rowOf(t *testing.T, tb *report.Table, first string) []report.Cell {
	t.Helper()
	if tb == nil {
		t.Fatal("no table")
	}
	for _, r := range tb.Rows {
		if r[0].Text == first {
			return r
		}
	}
	t.Fatalf("table %s has no row %q", tb.ID, first)
	return nil
}

func texts(row []report.Cell) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = c.Text
	}
	return out
}
