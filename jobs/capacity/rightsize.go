package capacity

import (
	"math"
)

// Verdict is what the review concludes about one instance.
type Verdict string

// Verdicts, one per instance.
const (
	VerdictSkipped Verdict = "skipped"  // under MinHours of data
	VerdictIdle    Verdict = "idle"     // stop it
	VerdictUnder   Verdict = "under"    // under-provisioned: a larger type
	VerdictOver    Verdict = "over"     // over-provisioned: a smaller type fits
	VerdictBusy    Verdict = "busy"     // CPU or memory above its limit in the last 24 h: not resized
	VerdictLow     Verdict = "low"      // low utilisation, nothing smaller fits
	VerdictOK      Verdict = "ok"       // right-sized
	VerdictGroup   Verdict = "group"    // member of a group: sized by node count
	VerdictUnknown Verdict = "unpriced" // type not in the table: cannot size
)

// Candidate is one type an instance could move to.
type Candidate struct {
	Type InstanceType
	// ProjCPU is the projected sizing-percentile CPU %; ProjMem the projected
	// memory % (NaN when memory is not collected); ProjAvg the projected
	// average CPU % (burstable baseline check).
	ProjCPU, ProjMem, ProjAvg float64
	// Monthly is the monthly saving against the current type (negative: it
	// costs more), on-demand, before discounts.
	Monthly float64
}

// Rec is a rightsizing result for one instance.
type Rec struct {
	Verdict Verdict
	// Target is the recommended type: a smaller one when over-provisioned, a
	// larger one when under-provisioned (nil for stop, ok or no fit).
	Target *Candidate
	// AMD and Graviton are the cheapest fitting types of those vendors, of
	// the current generation or a newer one, cheaper than the target (or,
	// without a target, than the current type: a cheaper equivalent).
	AMD, Graviton *Candidate
	// Monthly is the saving of the recommendation: the whole price for an
	// idle instance, the difference for a type change.
	Monthly float64
	// CurrentMonthly is what the instance costs now (NaN when unpriced).
	CurrentMonthly float64
	// LowUtilDays counts low days in the lookback.
	LowUtilDays int
	// LowUtil is set when the low-utilisation rule holds.
	LowUtil bool
	// Reasons say why (under-provisioned: cpu, memory, baseline).
	Reasons []string
	// LowConfidence: memory is not collected, so CPU alone decided.
	LowConfidence bool
}

// project computes how cand would run p's load; ok when it stays within the
// ceilings. Without memory data a candidate may not have less memory than
// now: absence is not 0%.
func project(p *profile, cand InstanceType, o Options) (Candidate, bool) {
	c := Candidate{Type: cand, ProjMem: math.NaN(), ProjAvg: math.NaN()}
	ratio := float64(p.Spec.VCPU) / float64(cand.VCPU)
	c.ProjCPU = p.CPU.Sizing * ratio
	ok := c.ProjCPU <= o.CPUCeiling
	if p.Mem != nil {
		c.ProjMem = p.Mem.Sizing * p.Spec.MemoryGiB / cand.MemoryGiB
		ok = ok && c.ProjMem <= o.MemoryCeiling
	} else if cand.MemoryGiB < p.Spec.MemoryGiB {
		ok = false
	}
	if cand.Burstable() {
		c.ProjAvg = p.AvgCPU * ratio
		ok = ok && c.ProjAvg <= cand.BaselinePct
	}
	return c, ok
}

// smaller reports whether t is a smaller size than cur: fewer vCPUs, or as
// many with less memory (t3.small against t3.medium).
func smaller(t, cur InstanceType) bool {
	return t.VCPU < cur.VCPU || (t.VCPU == cur.VCPU && t.MemoryGiB < cur.MemoryGiB)
}

// cheapest returns the cheapest fitting type of fam that is cheaper than
// limit (and smaller than the current type when onlySmaller), ties broken by
// more vCPUs.
func cheapest(p *profile, pt *PriceTable, fam string, limit float64, o Options, cur Price, onlySmaller bool) *Candidate {
	var best *Candidate
	var bestPrice float64
	for _, t := range pt.FamilyTypes(fam) {
		pr, _ := pt.Get(t.Name)
		if pr.USDPerHour >= limit || t.Name == p.Spec.Name || (onlySmaller && !smaller(t, p.Spec)) {
			continue
		}
		c, ok := project(p, t, o)
		if !ok {
			continue
		}
		c.Monthly = (cur.USDPerHour - pr.USDPerHour) * HoursPerMonth
		if best == nil || pr.USDPerHour < bestPrice || (pr.USDPerHour == bestPrice && t.VCPU > best.Type.VCPU) {
			cc := c
			best, bestPrice = &cc, pr.USDPerHour
		}
	}
	return best
}

// rightsize decides one stand-alone instance (group members are sized by
// node count instead). busy is set when its CPU or memory was above the limit
// over the last 24 hours, hot when it is or will be within the horizon (see
// Forecast.hot): neither is ever downsized nor moved for a saving.
func rightsize(p *profile, pt *PriceTable, o Options, busy, hot bool) Rec {
	r := Rec{CurrentMonthly: math.NaN(), LowConfidence: p.Mem == nil}
	if p.CPU.Hours < o.MinHours {
		r.Verdict = VerdictSkipped
		return r
	}
	cur, priced := pt.Get(p.Inst.Type)
	if priced {
		r.CurrentMonthly = cur.Monthly()
	}
	r.LowUtilDays = lowDays(p, o)
	r.LowUtil = r.LowUtilDays >= o.LowDays

	if idle(p, o) {
		r.Verdict = VerdictIdle
		if priced {
			r.Monthly = cur.Monthly()
		}
		return r
	}
	if !p.Known || !priced {
		r.Verdict = VerdictUnknown
		return r
	}
	if p.CPU.Sizing > o.CPUCeiling {
		r.Reasons = append(r.Reasons, "cpu")
	}
	if p.Mem != nil && p.Mem.Sizing > o.MemoryLimit {
		r.Reasons = append(r.Reasons, "memory")
	}
	if p.Spec.Burstable() && p.AvgCPU > p.Spec.BaselinePct {
		r.Reasons = append(r.Reasons, "baseline")
	}
	if len(r.Reasons) > 0 {
		r.Verdict = VerdictUnder
		// The smallest larger type of the family that carries the load.
		for _, t := range pt.FamilyTypes(p.Spec.Family) {
			if t.VCPU < p.Spec.VCPU || (t.VCPU == p.Spec.VCPU && t.MemoryGiB <= p.Spec.MemoryGiB) {
				continue
			}
			if c, ok := project(p, t, o); ok {
				pr, _ := pt.Get(t.Name)
				c.Monthly = (cur.USDPerHour - pr.USDPerHour) * HoursPerMonth
				r.Target = &c
				r.Monthly = c.Monthly
				break
			}
		}
		return r
	}

	if busy || hot {
		// Saturated now or running out soon: not the moment to take
		// capacity away or to migrate for a saving.
		r.Verdict = VerdictOK
		if busy {
			r.Verdict = VerdictBusy
		}
		return r
	}

	// Over-provisioned means a smaller size carries the load: of the same
	// family (no migration), else of the AMD family (same x86 architecture,
	// no rebuild). A same-size type that is merely cheaper is an
	// equivalent, not a sign of over-provisioning.
	r.Target = cheapest(p, pt, p.Spec.Family, cur.USDPerHour, o, cur, true)
	if r.Target == nil {
		if fam := pt.altFamily(p.Spec.Family, "amd"); fam != "" {
			r.Target = cheapest(p, pt, fam, cur.USDPerHour, o, cur, true)
		}
	}
	// The alternatives must be cheaper than what is recommended: the smaller
	// type, or the current one (then they are cheaper equivalents).
	limit := cur.USDPerHour
	if r.Target != nil {
		pr, _ := pt.Get(r.Target.Type.Name)
		limit = pr.USDPerHour
	}
	if fam := pt.altFamily(p.Spec.Family, "amd"); fam != "" && fam != r.Target.family() {
		r.AMD = cheapest(p, pt, fam, limit, o, cur, false)
	}
	if fam := pt.altFamily(p.Spec.Family, "graviton"); fam != "" {
		r.Graviton = cheapest(p, pt, fam, limit, o, cur, false)
	}
	switch {
	case r.Target != nil:
		r.Verdict = VerdictOver
		r.Monthly = r.Target.Monthly
	case r.LowUtil:
		r.Verdict = VerdictLow
	default:
		r.Verdict = VerdictOK
	}
	return r
}

// family is the candidate's family, "" for none.
func (c *Candidate) family() string {
	if c == nil {
		return ""
	}
	return c.Type.Family
}

// Equivalent is the cheaper equivalent of a type that stays the same size:
// the alternative (AMD or Graviton) that saves the most, nil when there is
// none or the instance gets a smaller type anyway.
func (r Rec) Equivalent() *Candidate {
	if r.Target != nil || (r.Verdict != VerdictOK && r.Verdict != VerdictLow) {
		return nil
	}
	best := r.AMD
	if r.Graviton != nil && (best == nil || r.Graviton.Monthly > best.Monthly) {
		best = r.Graviton
	}
	return best
}

// idle: the maximum CPU over the lookback stayed at or below IdleMaxCPU, with
// data on most of those days (an instance that reported nothing is not idle,
// it is unknown).
func idle(p *profile, o Options) bool {
	n := len(p.Days)
	from := max(0, n-o.LookbackDays)
	var covered int
	for _, d := range p.Days[from:] {
		if d.cpuN == 0 {
			continue
		}
		covered++
		if d.CPUMax > o.IdleMaxCPU {
			return false
		}
	}
	return covered > 0 && covered*2 >= n-from
}

// lowDays counts the days in the lookback with average CPU and network at or
// below the low-utilisation thresholds (Trusted Advisor's rule). A day
// without network data does not count as low.
func lowDays(p *profile, o Options) int {
	n := len(p.Days)
	var c int
	for _, d := range p.Days[max(0, n-o.LookbackDays):] {
		if !math.IsNaN(d.CPUAvg) && d.CPUAvg <= o.LowCPU && !math.IsNaN(d.NetMB) && d.NetMB <= o.LowNetworkMB {
			c++
		}
	}
	return c
}
