package capacity

import (
	"math"
	"sort"

	"github.com/cwreport/cwreport/jobs/internal/stats"
	"github.com/cwreport/cwreport/jobs/source"
)

// Group is an Auto Scaling group or an EKS node group: its nodes are sized
// together, by node count at a target utilisation, never one by one.
type Group struct {
	// Key is "eks:<cluster>/<nodegroup>" or "asg:<name>"; Name is what a
	// reader recognises.
	Key, Name, Kind string
	Members         []*profile
	// Skipped counts members with too little data.
	Skipped int
	// Type is the most common instance type; Mixed is set when there are others.
	Type  string
	Mixed bool
	// CPUUtil and MemUtil are the group's utilisation (0..1) at the sizing
	// percentile: the load of all nodes over their combined capacity at each
	// instant. MemUtil is NaN when no member reports memory.
	CPUUtil, MemUtil float64
	// MemMissing counts members without memory data.
	MemMissing int
	// Current and Recommended node counts; ByMemory is set when memory, not
	// CPU, decided the count.
	Current, Recommended int
	ByMemory             bool
	// Monthly is the saving of the recommendation (negative: costs more),
	// on-demand, before discounts; NaN when the type is not priced.
	Monthly, NodeMonthly float64
	// Label: idle, low, over, under, ok, or busy when a scale-in was held.
	Label Verdict
	// Held lists the members that were at or above their CPU or memory
	// limit over the last 24 hours: the group is not scaled in while they
	// are (Unheld is the count it would have been).
	Held   []string
	Unheld int
}

// groupKey names the group an instance belongs to, "" for none. An EKS
// managed node group is also an Auto Scaling group; the node group name is
// the one people use.
func groupKey(in source.Instance) (key, name, kind string) {
	switch {
	case in.NodeGroup != "":
		cl := in.Cluster
		return "eks:" + cl + "/" + in.NodeGroup, cl + "/" + in.NodeGroup, "eks"
	case in.AutoScalingGroup != "":
		return "asg:" + in.AutoScalingGroup, in.AutoScalingGroup, "asg"
	}
	return "", "", ""
}

// sizeGroup computes a group's recommendation from its members' series.
func sizeGroup(g *Group, pt *PriceTable, o Options) {
	g.Current = len(g.Members) + g.Skipped
	count := map[string]int{}
	for _, m := range g.Members {
		count[m.Inst.Type]++
	}
	types := make([]string, 0, len(count))
	for t := range count {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if count[types[i]] != count[types[j]] {
			return count[types[i]] > count[types[j]]
		}
		return types[i] < types[j]
	})
	if len(types) > 0 {
		g.Type = types[0]
		g.Mixed = len(types) > 1
	}

	g.CPUUtil = groupUtil(g.Members, o.SizingPercentile, func(p *profile) (*source.Series, float64) {
		return p.cpuSeries, float64(p.Spec.VCPU)
	})
	g.MemUtil = groupUtil(g.Members, o.SizingPercentile, func(p *profile) (*source.Series, float64) {
		return p.memSeries, p.Spec.MemoryGiB
	})
	for _, m := range g.Members {
		if m.Mem == nil {
			g.MemMissing++
		}
	}

	n := len(g.Members)
	need := math.Ceil(float64(n) * g.CPUUtil / o.GroupTarget)
	if !math.IsNaN(g.MemUtil) {
		if mem := math.Ceil(float64(n) * g.MemUtil / o.GroupTarget); mem > need {
			need, g.ByMemory = mem, true
		}
	}
	if math.IsNaN(need) {
		need = float64(n)
	}
	g.Recommended = max(int(need), o.GroupMinNodes)
	// Skipped members keep running: the recommendation covers the judged ones.
	g.Recommended += g.Skipped

	// A node saturated right now is not the moment to remove nodes: the
	// scale-in waits until it is explained (its exhaustion finding says so).
	if g.Recommended < g.Current {
		for _, m := range g.Members {
			if m.Busy {
				g.Held = append(g.Held, m.Inst.Label())
			}
		}
		if len(g.Held) > 0 {
			g.Unheld, g.Recommended = g.Recommended, g.Current
		}
	}

	g.Monthly, g.NodeMonthly = math.NaN(), math.NaN()
	if pr, ok := pt.Get(g.Type); ok && !g.Mixed {
		g.NodeMonthly = pr.Monthly()
		g.Monthly = float64(g.Current-g.Recommended) * g.NodeMonthly
	}

	allIdle, low := len(g.Members) > 0, 0
	for _, m := range g.Members {
		if !idle(m, o) {
			allIdle = false
		}
		if lowDays(m, o) >= o.LowDays {
			low++
		}
	}
	switch {
	case len(g.Held) > 0:
		g.Label = VerdictBusy
	case g.Recommended > g.Current:
		g.Label = VerdictUnder
	case allIdle || g.CPUUtil*100 <= o.GroupIdleCPU:
		g.Label = VerdictIdle
	case low*2 >= len(g.Members) && len(g.Members) > 0:
		g.Label = VerdictLow
	case g.Recommended < g.Current:
		g.Label = VerdictOver
	default:
		g.Label = VerdictOK
	}
}

// groupUtil is the sizing percentile over time of sum(load) / sum(capacity)
// of the members that reported at each instant (so a node missing one point
// does not read as an idle node). NaN without data.
func groupUtil(members []*profile, pct float64, get func(*profile) (*source.Series, float64)) float64 {
	if len(members) == 0 {
		return math.NaN()
	}
	w := members[0].window
	from, to := w.Start.Unix(), w.End.Unix()
	var step int64 = 300
	for _, m := range members {
		if s, _ := get(m); s != nil && int64(s.Period) > step {
			step = int64(s.Period)
		}
	}
	slots := int((to-from)/step) + 1
	load := make([]float64, slots)
	capa := make([]float64, slots)
	any := false
	for _, m := range members {
		s, c := get(m)
		if s == nil || c <= 0 {
			continue
		}
		i := sort.Search(len(s.Times), func(i int) bool { return s.Times[i] >= from })
		for ; i < len(s.Times) && s.Times[i] < to; i++ {
			v := s.Values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			k := (s.Times[i] - from) / step
			load[k] += v / 100 * c
			capa[k] += c
			any = true
		}
	}
	if !any {
		return math.NaN()
	}
	util := make([]float64, 0, slots)
	for k := range load {
		if capa[k] > 0 {
			util = append(util, load[k]/capa[k])
		}
	}
	return stats.Percentile(util, pct)
}
