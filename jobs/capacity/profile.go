package capacity

import (
	"math"
	"sort"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/stats"
	"github.com/cwreport/cwreport/jobs/source"
)

// The metrics the review reads. CPU is fetched twice: the 5-minute maxima
// size instances (Compute Optimizer's statistic), the averages drive the
// daily averages of the low-utilisation rule and the burstable baseline.
var metrics = []source.MetricSpec{
	{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Maximum"},
	{Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average"},
	{Namespace: "AWS/EC2", Name: "NetworkIn", Stat: "Sum"},
	{Namespace: "AWS/EC2", Name: "NetworkOut", Stat: "Sum"},
	{Namespace: "AWS/EC2", Name: "EBSReadOps", Stat: "Sum"},
	{Namespace: "AWS/EC2", Name: "EBSWriteOps", Stat: "Sum"},
	{Namespace: "CWAgent", Name: "mem_used_percent", Stat: "Maximum"},
	{Namespace: "CWAgent", Name: "disk_used_percent", Stat: "Maximum"},
}

// seriesSet is one instance's series, one per metric (the longest when a
// source returned several dimension combinations), disks by mount path.
type seriesSet struct {
	cpuMax, cpuAvg, netIn, netOut, ebsR, ebsW, mem *source.Series
	disks                                          map[string]*source.Series
}

func indexSeries(ds *source.Dataset) map[string]*seriesSet {
	out := map[string]*seriesSet{}
	if ds == nil {
		return out
	}
	pick := func(slot **source.Series, s *source.Series) {
		if *slot == nil || s.Len() > (*slot).Len() {
			*slot = s
		}
	}
	for i := range ds.Series {
		s := &ds.Series[i]
		id := s.InstanceID
		if id == "" {
			id = s.Dim("InstanceId")
		}
		if id == "" || len(s.Times) != len(s.Values) {
			continue
		}
		set := out[id]
		if set == nil {
			set = &seriesSet{disks: map[string]*source.Series{}}
			out[id] = set
		}
		switch s.Namespace + "/" + s.Metric + "/" + s.Stat {
		case "AWS/EC2/CPUUtilization/Maximum":
			pick(&set.cpuMax, s)
		case "AWS/EC2/CPUUtilization/Average":
			pick(&set.cpuAvg, s)
		case "AWS/EC2/NetworkIn/Sum":
			pick(&set.netIn, s)
		case "AWS/EC2/NetworkOut/Sum":
			pick(&set.netOut, s)
		case "AWS/EC2/EBSReadOps/Sum":
			pick(&set.ebsR, s)
		case "AWS/EC2/EBSWriteOps/Sum":
			pick(&set.ebsW, s)
		case "CWAgent/mem_used_percent/Maximum", "CWAgent/mem_used_percent/Average":
			pick(&set.mem, s)
		case "CWAgent/disk_used_percent/Maximum", "CWAgent/disk_used_percent/Average":
			path := s.Dim("path")
			if path == "" {
				path = "/"
			}
			d := set.disks[path]
			pick(&d, s)
			set.disks[path] = d
		}
	}
	return out
}

// days splits a window into whole 24-hour blocks ending at the window's end,
// so every block holds one full daily cycle (a partial first day would bias
// a daily p95 by the hours it lacks).
type days struct {
	start int64 // Unix seconds of the first block's start
	n     int
}

const daySec = 86400

func newDays(w source.Window) days {
	n := int(w.Duration() / (24 * time.Hour))
	return days{start: w.End.Unix() - int64(n)*daySec, n: n}
}

func (d days) of(t int64) int {
	if t < d.start {
		return -1
	}
	k := int((t - d.start) / daySec)
	if k >= d.n {
		return -1
	}
	return k
}

// x is the day coordinate of block k's middle, for trend fitting.
func (d days) x(k int) float64 { return float64(k) + 0.5 }

// timeOf turns a day coordinate back into an instant.
func (d days) timeOf(x float64) time.Time {
	return time.Unix(d.start, 0).UTC().Add(time.Duration(x * float64(24*time.Hour)))
}

// metricStats are percentiles of one metric over the window.
type metricStats struct {
	N                   int
	P50, P95, P995, Max float64
	Sizing, Mean        float64
	sizingPct           float64
	Period              int32
	Hours               float64
}

// day holds one 24-hour block's aggregates; NaN where there was no data.
type day struct {
	CPUP95, CPUMax, CPUAvg, NetMB, MemP95 float64
	cpuN                                  int
}

// week is one week's totals for the week-over-week comparison.
type week struct {
	Has    bool
	CPUAvg float64 // mean CPU %
	CPUP95 float64
	NetGB  float64 // in + out
	EBSOps float64 // read + write
}

// disk is one mount path's daily maxima.
type disk struct {
	Path   string
	Daily  []float64
	Last   float64
	series *source.Series
}

// profile is everything the review knows about one instance.
type profile struct {
	Inst  source.Instance
	Spec  InstanceType
	Known bool // the type is in the table

	CPU    metricStats
	HasAvg bool
	AvgCPU float64
	Mem    *metricStats
	Disks  []disk
	Days   []day

	HasNet         bool
	NetInMBPerDay  float64
	NetOutMBPerDay float64
	HasEBS         bool
	EBSOpsPerDay   float64
	Weeks          [2]week // previous, this
	// Busy: CPU or memory was at or above its limit over the last 24 hours
	// (the last daily p95, see fitOne); such an instance is never downsized.
	Busy      bool
	cpuSeries *source.Series
	memSeries *source.Series
	window    source.Window
}

// valuesIn copies the values with times in [from, to) into buf.
func valuesIn(s *source.Series, from, to int64, buf []float64) []float64 {
	buf = buf[:0]
	if s == nil {
		return buf
	}
	i := sort.Search(len(s.Times), func(i int) bool { return s.Times[i] >= from })
	for ; i < len(s.Times) && s.Times[i] < to; i++ {
		v := s.Values[i]
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			buf = append(buf, v)
		}
	}
	return buf
}

func statsOf(vals []float64, sizingPct float64, period int32) metricStats {
	st := metricStats{N: len(vals), Period: period, sizingPct: sizingPct}
	if len(vals) == 0 {
		nan := math.NaN()
		st.P50, st.P95, st.P995, st.Max, st.Sizing, st.Mean = nan, nan, nan, nan, nan, nan
		return st
	}
	var sum float64
	st.Max = math.Inf(-1)
	for _, v := range vals {
		sum += v
		st.Max = max(st.Max, v)
	}
	st.Mean = sum / float64(len(vals))
	q := stats.Percentiles(vals, 50, 95, 99.5, sizingPct)
	st.P50, st.P95, st.P995, st.Sizing = q[0], q[1], q[2], q[3]
	st.Hours = float64(len(vals)) * float64(period) / 3600
	return st
}

// build computes an instance's profile over window; prev, when not nil,
// supplies the previous week (else it comes from set itself).
func build(inst source.Instance, set, prev *seriesSet, w source.Window, o Options, buf *[]float64) *profile {
	p := &profile{Inst: inst, window: w}
	p.Spec, p.Known = Spec(inst.Type)
	if set == nil {
		set = &seriesSet{}
	}
	from, to := w.Start.Unix(), w.End.Unix()
	d := newDays(w)
	p.Days = make([]day, d.n)
	for k := range p.Days {
		p.Days[k] = day{CPUP95: math.NaN(), CPUMax: math.NaN(), CPUAvg: math.NaN(), NetMB: math.NaN(), MemP95: math.NaN()}
	}

	// CPU maxima: window percentiles, then per-day p95 and max.
	p.cpuSeries = set.cpuMax
	var period int32 = 300
	if set.cpuMax != nil && set.cpuMax.Period > 0 {
		period = set.cpuMax.Period
	}
	*buf = valuesIn(set.cpuMax, from, to, *buf)
	p.CPU = statsOf(*buf, o.SizingPercentile, period)
	dailyPercentile(set.cpuMax, d, *buf, func(k int, vals []float64) {
		p.Days[k].CPUP95, p.Days[k].CPUMax = stats.Percentile(vals, 95), stats.Percentile(vals, 100)
		p.Days[k].cpuN = len(vals)
	})

	// CPU averages: window mean and daily means. Without the Average series
	// the maxima stand in: an overestimate, so never a false "low".
	avg := set.cpuAvg
	if avg == nil || avg.Len() == 0 {
		avg = set.cpuMax
	} else {
		p.HasAvg = true
	}
	p.AvgCPU = dailySum(avg, d, from, to, func(k int, sum float64, n int) { p.Days[k].CPUAvg = sum / float64(n) }, true)

	// Network: bytes per period summed per day.
	if set.netIn != nil || set.netOut != nil {
		p.HasNet = true
		netDay := make([]float64, d.n)
		seen := make([]bool, d.n)
		inTotal := dailySum(set.netIn, d, from, to, func(k int, sum float64, n int) { netDay[k] += sum; seen[k] = true }, false)
		outTotal := dailySum(set.netOut, d, from, to, func(k int, sum float64, n int) { netDay[k] += sum; seen[k] = true }, false)
		for k := range netDay {
			if seen[k] {
				p.Days[k].NetMB = netDay[k] / 1e6
			}
		}
		wd := w.Duration().Hours() / 24
		p.NetInMBPerDay, p.NetOutMBPerDay = inTotal/1e6/wd, outTotal/1e6/wd
	}
	if set.ebsR != nil || set.ebsW != nil {
		p.HasEBS = true
		r := dailySum(set.ebsR, d, from, to, nil, false)
		wr := dailySum(set.ebsW, d, from, to, nil, false)
		p.EBSOpsPerDay = (r + wr) / (w.Duration().Hours() / 24)
	}

	// Memory: absent means not collected, never 0%.
	p.memSeries = set.mem
	if set.mem != nil {
		*buf = valuesIn(set.mem, from, to, *buf)
		if len(*buf) > 0 {
			mp := set.mem.Period
			if mp <= 0 {
				mp = period
			}
			st := statsOf(*buf, o.SizingPercentile, mp)
			p.Mem = &st
			dailyPercentile(set.mem, d, *buf, func(k int, vals []float64) { p.Days[k].MemP95 = stats.Percentile(vals, 95) })
		}
	}

	paths := make([]string, 0, len(set.disks))
	for path := range set.disks {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		s := set.disks[path]
		dk := disk{Path: path, Daily: make([]float64, d.n), Last: math.NaN(), series: s}
		for k := range dk.Daily {
			dk.Daily[k] = math.NaN()
		}
		any := false
		for i, t := range s.Times {
			k := d.of(t)
			v := s.Values[i]
			if k < 0 || math.IsNaN(v) {
				continue
			}
			if math.IsNaN(dk.Daily[k]) || v > dk.Daily[k] {
				dk.Daily[k] = v
			}
			dk.Last = v
			any = true
		}
		if any {
			p.Disks = append(p.Disks, dk)
		}
	}

	// Weeks: [end-14d, end-7d) and [end-7d, end).
	week7 := int64(7 * daySec)
	prevSet := set
	if prev != nil {
		prevSet = prev
	}
	p.Weeks[0] = weekOf(prevSet, to-2*week7, to-week7, buf)
	p.Weeks[1] = weekOf(set, to-week7, to, buf)
	return p
}

// dailyPercentile hands each day's values to f (days without data are
// skipped); f may reorder them. buf is scratch space.
func dailyPercentile(s *source.Series, d days, buf []float64, f func(k int, vals []float64)) {
	if s == nil {
		return
	}
	for k := 0; k < d.n; k++ {
		lo := d.start + int64(k)*daySec
		vals := valuesIn(s, lo, lo+daySec, buf[:0])
		if len(vals) == 0 {
			continue
		}
		f(k, vals)
	}
}

// dailySum calls f with each day's sum and count and returns the window
// total (or the window mean when mean is set).
func dailySum(s *source.Series, d days, from, to int64, f func(k int, sum float64, n int), mean bool) float64 {
	if s == nil {
		if mean {
			return math.NaN()
		}
		return 0
	}
	sums := make([]float64, d.n)
	counts := make([]int, d.n)
	var total float64
	var n int
	i := sort.Search(len(s.Times), func(i int) bool { return s.Times[i] >= from })
	for ; i < len(s.Times) && s.Times[i] < to; i++ {
		v := s.Values[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		total += v
		n++
		if k := d.of(s.Times[i]); k >= 0 {
			sums[k] += v
			counts[k]++
		}
	}
	if f != nil {
		for k := range sums {
			if counts[k] > 0 {
				f(k, sums[k], counts[k])
			}
		}
	}
	if mean {
		if n == 0 {
			return math.NaN()
		}
		return total / float64(n)
	}
	return total
}

func weekOf(set *seriesSet, from, to int64, buf *[]float64) week {
	var w week
	if set == nil {
		return w
	}
	cpu := set.cpuAvg
	if cpu == nil || cpu.Len() == 0 {
		cpu = set.cpuMax
	}
	*buf = valuesIn(cpu, from, to, *buf)
	if len(*buf) == 0 {
		return w
	}
	w.Has = true
	var sum float64
	for _, v := range *buf {
		sum += v
	}
	w.CPUAvg = sum / float64(len(*buf))
	*buf = valuesIn(set.cpuMax, from, to, *buf)
	w.CPUP95 = stats.Percentile(*buf, 95)
	for _, s := range []*source.Series{set.netIn, set.netOut} {
		for _, v := range valuesIn(s, from, to, *buf) {
			w.NetGB += v / 1e9
		}
	}
	for _, s := range []*source.Series{set.ebsR, set.ebsW} {
		for _, v := range valuesIn(s, from, to, *buf) {
			w.EBSOps += v
		}
	}
	return w
}
