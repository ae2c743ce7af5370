package status

import (
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cwreport/cwreport/internal/numfmt"
	"github.com/cwreport/cwreport/jobs/internal/stats"
	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// metricDef says how one metric is fetched, shown and judged. The floors
// keep a robust z-score from calling a tiny move on a flat series an
// anomaly: a deviation must be large in z AND in absolute terms.
type metricDef struct {
	Key, Namespace, Name, Stat string
	Label                      i18n.Text
	// Unit is the display unit after conversion.
	Unit string
	// PerSecond divides a per-period Sum by the period (bytes/s, ops/s), so
	// 1-minute and 5-minute data compare.
	PerSecond bool
	// Anomaly enables baseline comparison (not for 0/1 status checks).
	Anomaly bool
	// MinDelta is the smallest rise above the baseline median worth a
	// finding, in the display unit.
	MinDelta float64
	// MinRatio, when set, also requires value ≥ MinRatio × median.
	MinRatio float64
	// ScaleFloor and RelFloor bound the spread from below: absolute, and as
	// a fraction of the median.
	ScaleFloor, RelFloor float64
}

// Metric keys.
const (
	mCPU      = "cpu"
	mNetIn    = "network_in"
	mNetOut   = "network_out"
	mEBSRead  = "ebs_read_ops"
	mEBSWrite = "ebs_write_ops"
	mStatus   = "status_check_failed"
	mMem      = "memory"
	mDisk     = "disk"
)

var metricDefs = []metricDef{
	{Key: mCPU, Namespace: "AWS/EC2", Name: "CPUUtilization", Stat: "Average", Unit: "%", Anomaly: true,
		Label: i18n.Text{En: "CPU", Ko: "CPU"}, MinDelta: 15, ScaleFloor: 1},
	{Key: mNetIn, Namespace: "AWS/EC2", Name: "NetworkIn", Stat: "Sum", Unit: "B/s", PerSecond: true, Anomaly: true,
		Label: i18n.Text{En: "network in", Ko: "네트워크 수신"}, MinDelta: 1 << 20, MinRatio: 3, RelFloor: 0.1, ScaleFloor: 1024},
	{Key: mNetOut, Namespace: "AWS/EC2", Name: "NetworkOut", Stat: "Sum", Unit: "B/s", PerSecond: true, Anomaly: true,
		Label: i18n.Text{En: "network out", Ko: "네트워크 송신"}, MinDelta: 1 << 20, MinRatio: 3, RelFloor: 0.1, ScaleFloor: 1024},
	{Key: mEBSRead, Namespace: "AWS/EC2", Name: "EBSReadOps", Stat: "Sum", Unit: "ops/s", PerSecond: true, Anomaly: true,
		Label: i18n.Text{En: "EBS read ops", Ko: "EBS 읽기 IOPS"}, MinDelta: 100, MinRatio: 3, RelFloor: 0.1, ScaleFloor: 1},
	{Key: mEBSWrite, Namespace: "AWS/EC2", Name: "EBSWriteOps", Stat: "Sum", Unit: "ops/s", PerSecond: true, Anomaly: true,
		Label: i18n.Text{En: "EBS write ops", Ko: "EBS 쓰기 IOPS"}, MinDelta: 100, MinRatio: 3, RelFloor: 0.1, ScaleFloor: 1},
	{Key: mStatus, Namespace: "AWS/EC2", Name: "StatusCheckFailed", Stat: "Maximum", Unit: "",
		Label: i18n.Text{En: "status check", Ko: "상태 검사"}},
	{Key: mMem, Namespace: "CWAgent", Name: "mem_used_percent", Stat: "Average", Unit: "%", Anomaly: true,
		Label: i18n.Text{En: "memory", Ko: "메모리"}, MinDelta: 10, ScaleFloor: 1},
	{Key: mDisk, Namespace: "CWAgent", Name: "disk_used_percent", Stat: "Average", Unit: "%", Anomaly: true,
		Label: i18n.Text{En: "disk", Ko: "디스크"}, MinDelta: 10, ScaleFloor: 1},
}

func defFor(s *source.Series) *metricDef {
	for i := range metricDefs {
		if metricDefs[i].Name == s.Metric && metricDefs[i].Namespace == s.Namespace {
			return &metricDefs[i]
		}
	}
	return nil
}

// Baseline sample sizes below which a finer baseline gives way to a coarser
// one: same hour of day → whole history → the window itself.
const (
	minHourPoints   = 6
	minGlobalPoints = 12
)

// Disk thresholds of metric.disk_high.
const (
	diskWarn = 85.0
	diskCrit = 95.0
)

// Chart limits.
const (
	chartInstances = 5
	chartPoints    = 288
)

// anomaly is one sustained run of anomalous points.
type anomaly struct {
	Start, End   time.Time
	Peak         float64
	PeakAt       time.Time
	Baseline     float64
	Z            float64
	Points       int
	Ongoing      bool
	BaselineFrom string
}

// seriesResult is what the analysis of one series found.
type seriesResult struct {
	s    *source.Series
	def  *metricDef
	inst string
	// Window statistics in the display unit.
	n                    int
	mean, max, p95, last float64
	sum                  float64 // raw sum (bytes, ops) over the window
	anomaly              *anomaly
	// Status checks: failed datapoints and their extent.
	failed            int
	failFirst, failTo time.Time
	failOngoing       bool
}

// hourIndex maps Unix seconds to the local hour of day through a table of
// 15-minute slots (every zone offset is a multiple of 15 minutes), which is
// much cheaper than time.In per point and still right across DST changes.
type hourIndex struct {
	base  int64
	hours []uint8
	loc   *time.Location
}

func newHourIndex(from, to time.Time, loc *time.Location) hourIndex {
	base := from.Unix() - from.Unix()%900
	n := int((to.Unix()-base)/900) + 2
	h := hourIndex{base: base, hours: make([]uint8, n), loc: loc}
	for i := range h.hours {
		h.hours[i] = uint8(time.Unix(base+int64(i)*900, 0).In(loc).Hour())
	}
	return h
}

func (h *hourIndex) hour(t int64) int {
	i := (t - h.base) / 900
	if t >= h.base && int(i) < len(h.hours) {
		return int(h.hours[i])
	}
	return time.Unix(t, 0).In(h.loc).Hour()
}

// scratch buffers reused across series so the analysis of thousands of
// series allocates almost nothing per series.
type scratch struct {
	hour   [24][]float64
	hist   []float64
	win    []float64
	winT   []int64
	tmp    []float64
	stats  [24]stats.Robust
	hourOf []int8
}

// analyzeSeries computes window statistics and the strongest anomalous run
// of one series against its baseline.
func analyzeSeries(s *source.Series, def *metricDef, w source.Window, baseStart int64, hi *hourIndex, z float64, minRun time.Duration, sc *scratch) seriesResult {
	res := seriesResult{s: s, def: def, inst: s.InstanceID}
	ws, we := w.Start.Unix(), w.End.Unix()
	period := float64(s.Period)
	if period <= 0 {
		period = inferPeriod(s.Times)
	}
	for h := range sc.hour {
		sc.hour[h] = sc.hour[h][:0]
	}
	sc.hist, sc.win, sc.winT, sc.hourOf = sc.hist[:0], sc.win[:0], sc.winT[:0], sc.hourOf[:0]
	n := min(len(s.Times), len(s.Values))
	hmin := math.Inf(1)
	for i := 0; i < n; i++ {
		t, v := s.Times[i], s.Values[i]
		if math.IsNaN(v) || math.IsInf(v, 0) || t >= we {
			continue
		}
		if def.PerSecond && period > 0 {
			v /= period
		}
		if t < ws {
			if t >= baseStart && def.Anomaly {
				h := hi.hour(t)
				sc.hour[h] = append(sc.hour[h], v)
				sc.hist = append(sc.hist, v)
				hmin = math.Min(hmin, v)
			}
			continue
		}
		sc.win = append(sc.win, v)
		sc.winT = append(sc.winT, t)
		res.sum += s.Values[i]
	}
	res.n = len(sc.win)
	if res.n == 0 {
		return res
	}
	total, mx, wmin := 0.0, math.Inf(-1), math.Inf(1)
	for _, v := range sc.win {
		total += v
		if v > mx {
			mx = v
		}
		if v < wmin {
			wmin = v
		}
	}
	res.mean, res.max, res.last = total/float64(res.n), mx, sc.win[res.n-1]
	if def.Key == mCPU { // only the busiest table ranks by p95
		sc.tmp = append(sc.tmp[:0], sc.win...)
		res.p95 = stats.NearestRank(sc.tmp, 0.95)
	}

	if def.Key == mStatus {
		for i, v := range sc.win {
			if v >= 1 {
				res.failed++
				t := time.Unix(sc.winT[i], 0).UTC()
				if res.failFirst.IsZero() {
					res.failFirst = t
				}
				res.failTo = t.Add(time.Duration(period) * time.Second)
			}
		}
		res.failOngoing = sc.win[res.n-1] >= 1
		return res
	}
	if !def.Anomaly {
		return res
	}

	// Baselines: per hour of day, the whole history, or the window itself.
	// The whole-history one is computed only when an hour lacks points: with
	// a full baseline it is never used, and it is the costliest.
	global := stats.Robust{}
	from := "hour-of-day"
	thin := false
	// Every baseline median is at least the smallest baseline value, so a
	// window whose maximum cannot clear the minimum rise (or ratio) above
	// that value has no anomaly: skip the medians. Exact, and most series
	// of a healthy fleet end here.
	lo := hmin
	if len(sc.hist) < minGlobalPoints {
		lo = wmin
	}
	if mx-lo < def.MinDelta || (def.MinRatio > 0 && mx < def.MinRatio*lo) {
		return res
	}
	if len(sc.hist) >= minGlobalPoints {
		for h := range sc.hour {
			if len(sc.hour[h]) >= minHourPoints {
				sc.stats[h] = stats.RobustOf(sc.hour[h])
			} else {
				sc.stats[h] = stats.Robust{}
				thin = true
			}
		}
		if thin {
			global = stats.RobustOf(sc.hist)
		}
	} else {
		sc.tmp = append(sc.tmp[:0], sc.win...)
		if len(sc.tmp) < minGlobalPoints {
			return res // too little data to judge either way
		}
		global = stats.RobustOf(sc.tmp)
		from = "window"
	}

	// Mark anomalous points, then find sustained runs allowing one-point
	// gaps (noise dipping under the threshold mid-incident).
	best := (*anomaly)(nil)
	gapTol := int64(max(2*period, 300))
	var cur *anomaly
	var lastT int64
	flush := func() {
		if cur == nil {
			return
		}
		dur := cur.End.Sub(cur.Start)
		if dur >= minRun && (best == nil || cur.Z > best.Z || (cur.Z == best.Z && dur > best.End.Sub(best.Start))) {
			c := *cur
			best = &c
		}
		cur = nil
	}
	// Centre and spread per hour of day, floors applied once.
	var med, scale [24]float64
	var src [24]string
	for h := range sc.stats {
		b, from2 := global, from
		if from != "window" {
			if st := sc.stats[h]; st.N > 0 {
				b = st
			} else {
				from2 = "history"
			}
		}
		med[h], src[h] = b.Median, from2
		scale[h] = math.Max(b.Scale, math.Max(def.ScaleFloor, def.RelFloor*math.Abs(b.Median)))
	}
	for i, v := range sc.win {
		t := sc.winT[i]
		h := hi.hour(t)
		dev := v - med[h]
		zz := dev / scale[h]
		bad := zz >= z && dev >= def.MinDelta && (def.MinRatio == 0 || v >= def.MinRatio*med[h])
		if !bad {
			continue
		}
		if cur != nil && t-lastT > gapTol {
			flush()
		}
		end := time.Unix(t, 0).UTC().Add(time.Duration(period) * time.Second)
		if cur == nil {
			cur = &anomaly{Start: time.Unix(t, 0).UTC(), BaselineFrom: src[h]}
		}
		cur.End = end
		cur.Points++
		if zz > cur.Z {
			cur.Z, cur.Peak, cur.PeakAt, cur.Baseline, cur.BaselineFrom = zz, v, time.Unix(t, 0).UTC(), med[h], src[h]
		}
		lastT = t
	}
	if cur != nil {
		// Ongoing when the run reaches the last datapoint of the window.
		cur.Ongoing = lastT >= sc.winT[res.n-1]
	}
	flush()
	res.anomaly = best
	return res
}

func inferPeriod(ts []int64) float64 {
	if len(ts) < 2 {
		return 60
	}
	d := ts[1] - ts[0]
	if d <= 0 {
		return 60
	}
	return float64(d)
}

// instanceMetrics gathers the results of one instance.
type instanceMetrics struct {
	inst   *source.Instance
	id     string
	by     map[string]*seriesResult // first series per metric key
	disks  []*seriesResult
	found  []*seriesResult // anomalies
	status *seriesResult
}

type metricSummary struct {
	instances, running, withCPU, withMem, withDisk int
	anomalous, statusFailed, diskHigh, noData      int
	top                                            []*instanceMetrics
}

func (a *run) metrics() {
	d := a.in.Data
	sec := a.section(SecMetrics, i18n.Text{En: "Instances and metrics", Ko: "인스턴스 지표"})
	g, missing := exactGap(d, "metrics")
	if missing {
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "Instance health is unknown: %s could not be read (%s).",
			Ko: "인스턴스 상태를 알 수 없습니다: %s 항목을 읽지 못했습니다 (%s).",
		}, g.Part, g.Error))
		return
	}
	a.metricsKnown = true
	w := a.in.Window
	baseStart := w.Start.Add(-time.Duration(a.opts.BaselineDays) * 24 * time.Hour)
	hi := newHourIndex(baseStart, w.End, a.in.Location)

	byID := map[string]*instanceMetrics{}
	var order []*instanceMetrics
	for i := range d.Instances {
		in := &d.Instances[i]
		im := &instanceMetrics{inst: in, id: in.ID, by: map[string]*seriesResult{}}
		byID[in.ID] = im
		order = append(order, im)
	}
	results := a.analyzeAll(w, baseStart, &hi)
	for i := range results {
		r := &results[i]
		if r.def == nil {
			continue // not a metric this report reads
		}
		im := byID[r.inst]
		if im == nil {
			// A series for an instance the inventory does not list
			// (terminated since): still report it, by id.
			im = &instanceMetrics{id: r.inst, by: map[string]*seriesResult{}}
			byID[r.inst] = im
			order = append(order, im)
		}
		if r.n == 0 {
			continue
		}
		switch r.def.Key {
		case mDisk:
			im.disks = append(im.disks, r)
		case mStatus:
			im.status = r
		}
		if _, dup := im.by[r.def.Key]; !dup {
			im.by[r.def.Key] = r
		}
		if r.anomaly != nil {
			im.found = append(im.found, r)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return a.labelOf(order[i]) < a.labelOf(order[j]) })

	ms := &a.metricSum
	ms.instances = len(order)
	anomalies := report.Table{ID: TabAnomalies, Title: a.t(i18n.Text{En: "Metric anomalies against each instance's own baseline", Ko: "인스턴스별 평소 대비 지표 이상"}),
		Columns: []report.Column{
			{Key: "severity", Title: a.t(i18n.Text{En: "Severity", Ko: "심각도"})},
			{Key: "instance", Title: a.t(i18n.Text{En: "Instance", Ko: "인스턴스"})},
			{Key: "metric", Title: a.t(i18n.Text{En: "Metric", Ko: "지표"})},
			{Key: "start", Title: a.t(i18n.Text{En: "From", Ko: "시작"})},
			{Key: "end", Title: a.t(i18n.Text{En: "To", Ko: "종료"})},
			{Key: "baseline", Title: a.t(i18n.Text{En: "Usual", Ko: "평소"}), Align: report.AlignRight},
			{Key: "peak", Title: a.t(i18n.Text{En: "Peak", Ko: "최대"}), Align: report.AlignRight},
			{Key: "z", Title: "z", Align: report.AlignRight},
		}}
	checks := report.Table{ID: TabStatusChecks, Title: a.t(i18n.Text{En: "Failed status checks", Ko: "상태 검사 실패"}),
		Columns: []report.Column{
			{Key: "instance", Title: a.t(i18n.Text{En: "Instance", Ko: "인스턴스"})},
			{Key: "first", Title: a.t(i18n.Text{En: "First failure", Ko: "첫 실패"})},
			{Key: "until", Title: a.t(i18n.Text{En: "Until", Ko: "종료"})},
			{Key: "failed_datapoints", Title: a.t(i18n.Text{En: "Failed datapoints", Ko: "실패 데이터포인트"}), Align: report.AlignRight},
			{Key: "minutes", Title: a.t(i18n.Text{En: "Failed for", Ko: "실패 시간"}), Align: report.AlignRight},
			{Key: "ongoing", Title: a.t(i18n.Text{En: "Now", Ko: "현재"})},
		}}
	for _, im := range order {
		if im.inst == nil || im.inst.State == "" || im.inst.State == "running" {
			ms.running++
		}
		if im.by[mCPU] != nil {
			ms.withCPU++
		} else if im.inst != nil && (im.inst.State == "" || im.inst.State == "running") && !d.Missing("metrics:"+im.id) {
			ms.noData++
			a.add(a.noDataFinding(im))
		}
		if im.by[mMem] != nil {
			ms.withMem++
		}
		if len(im.disks) > 0 {
			ms.withDisk++
		}
		if len(im.found) > 0 {
			ms.anomalous++
		}
		sort.SliceStable(im.found, func(i, j int) bool { return im.found[i].anomaly.Z > im.found[j].anomaly.Z })
		for _, r := range im.found {
			f := a.anomalyFinding(im, r)
			a.add(f)
			an := r.anomaly
			anomalies.Rows = append(anomalies.Rows, []report.Cell{
				report.Sev(f.Severity, ""), report.Text(a.labelOf(im)), report.Text(a.seriesLabel(r)),
				report.Time(an.Start, a.in.Location, i18n.DateTime), a.endCell(an),
				valueCell(an.Baseline, r.def.Unit), valueCell(an.Peak, r.def.Unit), report.Num(an.Z, 1),
			})
		}
		if st := im.status; st != nil && st.failed > 0 {
			ms.statusFailed++
			a.add(a.statusFinding(im, st))
			now := a.t(i18n.Text{En: "recovered", Ko: "복구됨"})
			if st.failOngoing {
				now = a.t(i18n.Text{En: "FAILING", Ko: "실패 중"})
			}
			checks.Rows = append(checks.Rows, []report.Cell{
				report.Text(a.labelOf(im)), report.Time(st.failFirst, a.in.Location, i18n.DateTime),
				report.Time(st.failTo, a.in.Location, i18n.DateTime),
				report.Cell{Text: a.failedPeriods(st), Value: int64(st.failed)}, minutesCell(a.failedFor(st)), report.Text(now),
			})
		}
		for _, r := range im.disks {
			if r.last >= diskWarn {
				ms.diskHigh++
				a.add(a.diskFinding(im, r))
			}
		}
	}
	sortRowsBySeverity(anomalies.Rows)

	busiest, all := a.busiestTable(order)
	sec = a.sectionByID(SecMetrics)
	sec.Tables = append(sec.Tables, anomalies, checks, busiest, all)
	if ch := a.cpuChart(); ch != nil {
		sec.Charts = append(sec.Charts, *ch)
	}
	sec.Facts = append(sec.Facts,
		report.Fact{Key: "instances", Label: a.t(i18n.Text{En: "Instances", Ko: "인스턴스"}), Value: report.Count(int64(ms.instances))},
		report.Fact{Key: "with_cpu", Label: a.t(i18n.Text{En: "With CPU data", Ko: "CPU 지표 있음"}), Value: report.Count(int64(ms.withCPU))},
		report.Fact{Key: "with_memory", Label: a.t(i18n.Text{En: "With memory data (CloudWatch agent)", Ko: "메모리 지표 있음 (CloudWatch 에이전트)"}), Value: report.Count(int64(ms.withMem))},
		report.Fact{Key: "with_disk", Label: a.t(i18n.Text{En: "With disk data (CloudWatch agent)", Ko: "디스크 지표 있음 (CloudWatch 에이전트)"}), Value: report.Count(int64(ms.withDisk))},
		report.Fact{Key: "anomalous", Label: a.t(i18n.Text{En: "Instances with anomalies", Ko: "이상 징후 인스턴스"}), Value: report.Count(int64(ms.anomalous))},
		report.Fact{Key: "status_failed", Label: a.t(i18n.Text{En: "Failed status checks", Ko: "상태 검사 실패"}), Value: report.Count(int64(ms.statusFailed))},
	)
	if ms.instances > ms.withMem {
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "Memory and disk usage come from the CloudWatch agent: %d of %d instances publish memory. For the others it is unknown (shown as \"-\"), not 0%%.",
			Ko: "메모리·디스크 사용률은 CloudWatch 에이전트가 보냅니다: 인스턴스 %[2]d대 중 %[1]d대만 메모리 지표가 있습니다. 나머지는 0%%가 아니라 알 수 없음(\"-\")입니다.",
		}, ms.withMem, ms.instances))
	}
	if g, ok := exactGap(d, "instances"); ok {
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "The instance inventory could not be read (%s): instances are named by id, and a running instance without metrics cannot be noticed.",
			Ko: "인스턴스 목록을 읽지 못했습니다 (%s): 인스턴스는 ID로 표시되며, 지표가 없는 실행 중 인스턴스는 찾아낼 수 없습니다.",
		}, g.Error))
	}
	if g, ok := partialGap(d, "metrics"); ok {
		sec.Notes = append(sec.Notes, a.t(i18n.Text{
			En: "Some metrics could not be read (%s: %s); those instances show \"-\".",
			Ko: "일부 지표를 읽지 못했습니다 (%s: %s). 해당 인스턴스는 \"-\"로 표시됩니다.",
		}, g.Part, g.Error))
	}
}

// analyzeAll analyzes every series, in parallel on up to GOMAXPROCS
// workers (each series is independent; results keep the dataset's order, so
// the report is the same whatever the scheduling).
func (a *run) analyzeAll(w source.Window, baseStart time.Time, hi *hourIndex) []seriesResult {
	series := a.in.Data.Series
	results := make([]seriesResult, len(series))
	workers := min(runtime.GOMAXPROCS(0), 8, max(1, len(series)/64))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc scratch
			for {
				i := int(next.Add(64)) - 64
				if i >= len(series) {
					return
				}
				for j := i; j < min(i+64, len(series)); j++ {
					s := &series[j]
					def := defFor(s)
					if def == nil {
						continue
					}
					id := s.InstanceID
					if id == "" {
						id = s.Dim("InstanceId")
					}
					if id == "" {
						continue
					}
					results[j] = analyzeSeries(s, def, w, baseStart.Unix(), hi, a.opts.AnomalyZ, a.opts.MinAnomaly.Duration, &sc)
					results[j].inst = id
				}
			}
		}()
	}
	wg.Wait()
	return results
}

// partialGap returns the first gap recorded for a sub-part ("metrics:i-1").
func partialGap(d *source.Dataset, part string) (source.Gap, bool) {
	for _, g := range d.Gaps {
		if strings.HasPrefix(g.Part, part+":") {
			return g, true
		}
	}
	return source.Gap{}, false
}

func periodOf(s *source.Series) int32 {
	if s.Period > 0 {
		return s.Period
	}
	return int32(inferPeriod(s.Times))
}

func (a *run) endCell(an *anomaly) report.Cell {
	if an.Ongoing {
		return report.Cell{Text: a.t(i18n.Text{En: "ongoing", Ko: "진행 중"}), Value: nil}
	}
	return report.Time(an.End, a.in.Location, i18n.DateTime)
}

// busiestTable lists the instances with the highest CPU p95 in the window;
// instancesTable has every instance, for JSON consumers.
func (a *run) busiestTable(order []*instanceMetrics) (report.Table, report.Table) {
	cols := []report.Column{
		{Key: "instance", Title: a.t(i18n.Text{En: "Instance", Ko: "인스턴스"})},
		{Key: "type", Title: a.t(i18n.Text{En: "Type", Ko: "유형"})},
		{Key: "cpu_avg", Title: a.t(i18n.Text{En: "CPU avg", Ko: "CPU 평균"}), Unit: "%", Align: report.AlignRight},
		{Key: "cpu_p95", Title: "CPU p95", Unit: "%", Align: report.AlignRight},
		{Key: "cpu_max", Title: a.t(i18n.Text{En: "CPU max", Ko: "CPU 최대"}), Unit: "%", Align: report.AlignRight},
		{Key: "network_in_bytes", Title: a.t(i18n.Text{En: "Net in", Ko: "수신"}), Align: report.AlignRight},
		{Key: "network_out_bytes", Title: a.t(i18n.Text{En: "Net out", Ko: "송신"}), Align: report.AlignRight},
		{Key: "memory_avg", Title: a.t(i18n.Text{En: "Memory", Ko: "메모리"}), Unit: "%", Align: report.AlignRight},
		{Key: "disk_max", Title: a.t(i18n.Text{En: "Disk", Ko: "디스크"}), Unit: "%", Align: report.AlignRight},
		{Key: "notes", Title: a.t(i18n.Text{En: "Notes", Ko: "비고"})},
	}
	busy := report.Table{ID: TabBusiest, Title: a.t(i18n.Text{En: "Busiest instances (by CPU p95)", Ko: "가장 바쁜 인스턴스 (CPU p95 기준)"}), Columns: cols}
	all := report.Table{ID: TabInstances, Title: a.t(i18n.Text{En: "Every instance", Ko: "전체 인스턴스"}),
		Columns: append([]report.Column{{Key: "instance_id", Title: a.t(i18n.Text{En: "Instance id", Ko: "인스턴스 ID"})}}, cols...)}
	var ranked, rest []*instanceMetrics
	for _, im := range order {
		if im.by[mCPU] != nil {
			ranked = append(ranked, im)
		} else {
			rest = append(rest, im)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].by[mCPU].p95 > ranked[j].by[mCPU].p95 })
	for _, im := range append(append([]*instanceMetrics(nil), ranked...), rest...) {
		all.Rows = append(all.Rows, append([]report.Cell{report.Text(im.id)}, a.instanceRow(im)...))
	}
	top := a.opts.TopInstances
	if len(ranked) > top {
		busy.Omitted = len(ranked) - top
		ranked = ranked[:top]
	}
	a.metricSum.top = ranked
	for _, im := range ranked {
		busy.Rows = append(busy.Rows, a.instanceRow(im))
	}
	return busy, all
}

func (a *run) instanceRow(im *instanceMetrics) []report.Cell {
	cpuCells := []report.Cell{{Text: "-"}, {Text: "-"}, {Text: "-"}}
	if cpu := im.by[mCPU]; cpu != nil {
		cpuCells = []report.Cell{report.Num(cpu.mean, 1), report.Num(cpu.p95, 1), report.Num(cpu.max, 1)}
	}
	typ := "-"
	if im.inst != nil && im.inst.Type != "" {
		typ = im.inst.Type
	}
	mem := report.Cell{Text: "-"}
	if r := im.by[mMem]; r != nil {
		mem = report.Num(r.mean, 1)
	}
	disk := report.Cell{Text: "-"}
	if len(im.disks) > 0 {
		worst := im.disks[0]
		for _, r := range im.disks[1:] {
			if r.last > worst.last {
				worst = r
			}
		}
		disk = report.Num(worst.last, 1)
		disk.Text += " " + path(worst.s)
	}
	var notes []string
	for _, r := range im.found {
		notes = append(notes, a.t(i18n.Text{En: "%s anomaly", Ko: "%s 이상"}, r.def.Label.In(a.lang)))
	}
	if st := im.status; st != nil && st.failed > 0 {
		notes = append(notes, a.t(i18n.Text{En: "status check failed", Ko: "상태 검사 실패"}))
	}
	if n := len(a.alarmSum.firingOn[im.id]); n > 0 {
		notes = append(notes, a.t(i18n.Text{En: "%s firing", Ko: "알람 %s 발생 중"}, a.count(n, "alarm", "alarms", "개")))
	}
	row := []report.Cell{report.Text(a.labelOf(im)), report.Text(typ)}
	row = append(row, cpuCells...)
	return append(row, bytesCell(im.by[mNetIn]), bytesCell(im.by[mNetOut]), mem, disk, report.Text(strings.Join(notes, ", ")))
}

func path(s *source.Series) string {
	if p := s.Dim("path"); p != "" {
		return "(" + p + ")"
	}
	return ""
}

// bytesCell shows the bytes moved in the window; absent data is "-".
func bytesCell(r *seriesResult) report.Cell {
	if r == nil {
		return report.Cell{Text: "-"}
	}
	return report.Cell{Text: numfmt.Bytes(r.sum), Value: r.sum}
}

// cpuChart draws the CPU of the busiest instances over the window with the
// thresholds of their CPU alarms.
func (a *run) cpuChart() *report.Chart {
	top := a.metricSum.top
	if len(top) == 0 {
		return nil
	}
	if len(top) > chartInstances {
		top = top[:chartInstances]
	}
	w := a.in.Window
	ch := &report.Chart{ID: ChartCPUBusiest, Kind: report.ChartTimeSeries,
		Title:  a.t(i18n.Text{En: "CPU of the busiest instances", Ko: "가장 바쁜 인스턴스의 CPU 사용률"}),
		YLabel: "CPU", Unit: "%", YMax: 100, Start: w.Start, End: w.End}
	ids := map[string]bool{}
	for _, im := range top {
		ids[im.id] = true
		ch.Series = append(ch.Series, report.ChartSeries{Name: a.labelOf(im), Style: report.LineSolid,
			Points: downsample(im.by[mCPU].s, w, chartPoints)})
	}
	// One threshold line per distinct value, named after its alarms.
	names := map[float64][]string{}
	var values []float64
	for _, al := range a.in.Data.Alarms {
		if al.Metric != "CPUUtilization" || al.Namespace != "AWS/EC2" || !ids[alarmInstance(&al)] {
			continue
		}
		if _, seen := names[al.Threshold]; !seen {
			values = append(values, al.Threshold)
		}
		names[al.Threshold] = append(names[al.Threshold], al.Name)
	}
	sort.Float64s(values)
	for _, v := range values {
		ns := names[v]
		sort.Strings(ns)
		val := strconv.FormatFloat(v, 'f', -1, 64) + "%"
		label := a.t(i18n.Text{En: "alarm threshold %s (%s)", Ko: "알람 임계값 %s (%s)"}, val, ns[0])
		if len(ns) > 1 {
			label = a.t(i18n.Text{En: "alarm threshold %s (%s, +%d more)", Ko: "알람 임계값 %s (%s 외 %d개)"}, val, ns[0], len(ns)-1)
		}
		ch.Thresholds = append(ch.Thresholds, report.Threshold{Label: label, Value: v})
	}
	return ch
}

// downsample returns the window's points averaged into at most max buckets.
func downsample(s *source.Series, w source.Window, maxPts int) []report.ChartPoint {
	ws, we := w.Start.Unix(), w.End.Unix()
	step := max(int64(periodOf(s)), (we-ws)/int64(maxPts))
	step = (step + 59) / 60 * 60
	var out []report.ChartPoint
	bucket, sum, cnt := int64(-1), 0.0, 0
	emit := func() {
		if cnt > 0 {
			out = append(out, report.ChartPoint{T: time.Unix(ws+bucket*step, 0).UTC(), V: textfmt.Round(sum/float64(cnt), 2)})
		}
	}
	for i, t := range s.Times {
		if t < ws || t >= we || i >= len(s.Values) || math.IsNaN(s.Values[i]) {
			continue
		}
		b := (t - ws) / step
		if b != bucket {
			emit()
			bucket, sum, cnt = b, 0, 0
		}
		sum += s.Values[i]
		cnt++
	}
	emit()
	return out
}

func (a *run) labelOf(im *instanceMetrics) string {
	if im.inst != nil {
		return im.inst.Label()
	}
	return im.id
}

// instanceLabel names an instance id for a reader ("" for "").
func (a *run) instanceLabel(id string) string {
	if id == "" {
		return ""
	}
	for i := range a.in.Data.Instances {
		if a.in.Data.Instances[i].ID == id {
			return a.in.Data.Instances[i].Label()
		}
	}
	return id
}

func (a *run) seriesLabel(r *seriesResult) string {
	l := r.def.Label.In(a.lang)
	if p := r.s.Dim("path"); p != "" {
		l += " " + p
	}
	return l
}

func (a *run) anomalyFinding(im *instanceMetrics, r *seriesResult) report.Finding {
	an := r.anomaly
	sev := report.SeverityMedium
	if an.Ongoing {
		sev = report.SeverityHigh
	}
	label := a.labelOf(im)
	metric := a.seriesLabel(r)
	title := a.t(i18n.Text{En: "%s anomaly on %s: %s vs usual %s", Ko: "%[2]s %[1]s 급증: 평소 %[4]s → 최대 %[3]s"},
		metric, label, fmtValue(an.Peak, r.def.Unit), fmtValue(an.Baseline, r.def.Unit))
	if a.lang == "en" {
		title = upperFirst(title)
	}
	var when string
	if an.Ongoing {
		when = a.t(i18n.Text{En: "since %s and still going at the end of the window", Ko: "%s부터 시작되어 기간 끝까지 계속되고 있습니다"}, fmtTime(an.Start, a.in.Location))
	} else {
		when = a.t(i18n.Text{En: "from %s to %s (%s)", Ko: "%s부터 %s까지 %s 동안 이어졌습니다"}, fmtTime(an.Start, a.in.Location), fmtClock(an.End, a.in.Location), i18n.Duration(an.End.Sub(an.Start), a.lang))
	}
	detail := a.t(i18n.Text{
		En: "%s on %s peaked at %s at %s, %.1f robust standard deviations above its usual %s for that hour of day; the anomaly ran %s.",
		Ko: "%[2]s의 %[1]s 값이 %[4]s에 %[3]s까지 올랐습니다. 같은 시간대 평소 값 %[6]s보다 강건 표준편차의 %.1[5]f배 높으며, 이상 구간은 %[7]s.",
	}, metric, label, fmtValue(an.Peak, r.def.Unit), fmtClock(an.PeakAt, a.in.Location), an.Z, fmtValue(an.Baseline, r.def.Unit), when)
	alarms := a.alarmSum.firingOn[im.id]
	if len(alarms) > 0 {
		detail += a.t(i18n.Text{En: " In ALARM on this instance: %s.", Ko: " 이 인스턴스에서 ALARM 상태인 알람: %s."}, strings.Join(alarms, ", "))
	}
	mentions := a.logMentions(im.inst, im.id)
	detail += a.mentionText(mentions)
	ev := map[string]any{"instance_id": im.id, "metric": r.s.Metric, "namespace": r.s.Namespace,
		"start": an.Start.Format(time.RFC3339), "baseline": textfmt.Round(an.Baseline, 3), "z": textfmt.Round(an.Z, 2),
		"baseline_from": an.BaselineFrom, "ongoing": an.Ongoing, "peak_at": an.PeakAt.Format(time.RFC3339)}
	if !an.Ongoing {
		ev["end"] = an.End.Format(time.RFC3339)
	}
	if p := r.s.Dim("path"); p != "" {
		ev["path"] = p
	}
	if len(alarms) > 0 {
		ev["alarms"] = alarms
	}
	if len(mentions) > 0 {
		var logs []map[string]any
		for _, m := range mentions[:min(len(mentions), 5)] {
			logs = append(logs, map[string]any{"group": m.group, "pattern": textfmt.Clip(m.pattern, 200), "count": m.count,
				"first": m.first.UTC().Format(time.RFC3339), "last": m.last.UTC().Format(time.RFC3339), "matched": m.by, "in_pattern": m.inPattern})
		}
		ev["logs"] = logs
	}
	return report.Finding{ID: FindMetricAnomaly, Severity: sev, Resource: label, Title: title, Detail: detail,
		Value: report.Float(textfmt.Round(an.Peak, 2)), Unit: r.def.Unit, Recommendation: a.anomalyAdvice(im, r, an), Evidence: ev}
}

func (a *run) anomalyAdvice(im *instanceMetrics, r *seriesResult, an *anomaly) string {
	at := fmtClock(an.Start, a.in.Location)
	switch r.def.Key {
	case mCPU:
		find := a.t(i18n.Text{
			En: "Find what started at %s: a deploy, a cron or batch job, more traffic (compare network in), or a runaway process (top -b -n1 via SSM Run Command).",
			Ko: "%s에 무엇이 시작됐는지 찾으십시오: 배포, cron·배치 작업, 트래픽 증가(네트워크 수신과 비교), 폭주 프로세스(SSM Run Command로 top -b -n1).",
		}, at)
		var load string
		switch {
		case im.inst != nil && im.inst.AutoScalingGroup != "":
			load = a.t(i18n.Text{
				En: " If it is load, scale out the Auto Scaling group %[1]s (raise its desired capacity) and review its scaling policies (e.g. CPU target tracking);",
				Ko: " 부하 때문이면 Auto Scaling 그룹 %[1]s의 희망 용량을 늘려 스케일 아웃하고, 조정 정책(CPU 대상 추적 등)도 점검하십시오.",
			}, im.inst.AutoScalingGroup)
		case im.inst != nil && im.inst.NodeGroup != "":
			load = a.t(i18n.Text{
				En: " If it is load, find the pods behind it (kubectl top pods on this node) and add nodes to node group %[1]s or spread the pods;",
				Ko: " 부하 때문이면 이 노드의 파드를 확인하고(kubectl top pods) 노드 그룹 %[1]s에 노드를 추가하거나 파드를 분산하십시오.",
			}, im.inst.NodeGroup)
		default:
			load = a.t(i18n.Text{
				En: " The instance is in no Auto Scaling group: if it is load, move it to a larger instance type (a stop and start) or share the load with more instances;",
				Ko: " 이 인스턴스는 Auto Scaling 그룹에 속하지 않습니다: 부하 때문이면 더 큰 인스턴스 유형으로 바꾸거나(중지 후 시작) 인스턴스를 늘려 부하를 나누십시오.",
			})
		}
		proc := a.t(i18n.Text{
			En: " if it is a process, capture a profile or thread dump, then restart it and file a bug.",
			Ko: " 프로세스 문제면 프로파일이나 스레드 덤프를 남긴 뒤 재시작하고 버그로 등록하십시오.",
		})
		return find + load + proc
	case mNetIn:
		return a.t(i18n.Text{
			En: "Check whether the inbound traffic since %s is expected (a deploy pulling images, a restore, a traffic shift to this node) or abuse (a scan, a flood): the load balancer and VPC flow logs show the sources. If the alarm on it flaps, fix its evaluation too.",
			Ko: "%s 이후 수신 트래픽이 예상된 것(이미지 pull 배포, 복원, 이 노드로의 트래픽 전환)인지 악성(스캔, 플러딩)인지 확인하십시오. 로드 밸런서와 VPC 흐름 로그에서 출발지를 볼 수 있습니다. 관련 알람이 반복 전환된다면 평가 조건도 고치십시오.",
		}, at)
	case mNetOut:
		return a.t(i18n.Text{
			En: "Check whether the outbound traffic since %s is expected (backup, batch transfer, replication). Unexpected outbound traffic from a private or DMZ instance deserves a security look: VPC flow logs show the destinations.",
			Ko: "%s 이후 송신 트래픽이 예상된 것(백업, 배치 전송, 복제)인지 확인하십시오. 사설·DMZ 인스턴스에서 예상치 못한 송신 트래픽은 보안 관점에서 살펴봐야 합니다: VPC 흐름 로그로 목적지를 확인하십시오.",
		}, at)
	case mEBSRead, mEBSWrite:
		return a.t(i18n.Text{
			En: "Look for what hit the disk from %s: a backup, a compaction, a query doing full scans, or swapping. Compare with the volume's IOPS limit (gp3: 3,000 baseline) and its BurstBalance.",
			Ko: "%s부터 디스크를 많이 쓴 작업을 찾으십시오: 백업, 컴팩션, 전체 스캔 쿼리, 스와핑. 볼륨의 IOPS 한도(gp3 기본 3,000)와 BurstBalance도 비교하십시오.",
		}, at)
	case mMem:
		return a.t(i18n.Text{
			En: "Memory rose from %s: look for a leak (memory that never falls back) or a bigger working set. Capture a heap dump before restarting; a restart alone only resets the clock.",
			Ko: "%s부터 메모리가 늘었습니다: 누수(줄지 않는 메모리)인지 작업량 증가인지 확인하십시오. 재시작 전에 힙 덤프를 남기십시오. 재시작만으로는 시간을 벌 뿐입니다.",
		}, at)
	default:
		return a.t(i18n.Text{
			En: "The file system filled quickly from %s: find what grew (du -xh --max-depth=2), rotate and compress logs, and extend the volume before it is full.",
			Ko: "%s부터 파일 시스템이 빠르게 찼습니다: 늘어난 곳을 찾고(du -xh --max-depth=2), 로그를 순환·압축하며, 가득 차기 전에 볼륨을 확장하십시오.",
		}, at)
	}
}

// failedFor says how long a status check failed, as honestly as the
// metric's resolution allows: with 1-minute datapoints the count of failed
// minutes; with coarser ones only an upper bound (failed periods × period),
// since a 5-minute Maximum of 1 says the check failed at some time within
// those 5 minutes, not for how long.
func (a *run) failedFor(st *seriesResult) (text string, upper time.Duration, exact bool) {
	period := time.Duration(periodOf(st.s)) * time.Second
	upper = time.Duration(st.failed) * period
	if period <= time.Minute {
		return i18n.Duration(upper, a.lang), upper, true
	}
	return a.t(i18n.Text{En: "up to %s", Ko: "최대 %s"}, i18n.Duration(upper, a.lang)), upper, false
}

// minutesCell shows failedFor's text with the minutes (an upper bound when
// not exact) as the machine value.
func minutesCell(text string, upper time.Duration, _ bool) report.Cell {
	return report.Cell{Text: text, Value: int64(upper / time.Minute)}
}

// failedPeriods is "1 × 5m": failed datapoints times their period.
func (a *run) failedPeriods(st *seriesResult) string {
	return strconv.Itoa(st.failed) + " × " + i18n.Duration(time.Duration(periodOf(st.s))*time.Second, a.lang)
}

// statusAlarmSpans lists, in time order, when the instance's
// StatusCheckFailed alarms were in ALARM during the window, from the alarm
// history ("Status-Check-Failed 17:52–17:55 (3m)"), so the finding can set
// its datapoint-resolution duration beside what the alarm saw.
func (a *run) statusAlarmSpans(id string) []string {
	if !a.alarmsKnown || !a.alarmSum.historyKnown {
		return nil
	}
	loc := a.in.Location
	var out []string
	for _, al := range a.scopedAlarms() {
		if al.Composite || !strings.HasPrefix(al.Metric, "StatusCheckFailed") || alarmInstance(&al) != id {
			continue
		}
		var trs []source.AlarmTransition
		for _, tr := range a.in.Data.AlarmHistory {
			if tr.Alarm == al.Name && a.in.Window.Contains(tr.Time) {
				trs = append(trs, tr)
			}
		}
		sort.SliceStable(trs, func(i, j int) bool { return trs[i].Time.Before(trs[j].Time) })
		var from time.Time
		for _, tr := range trs {
			switch {
			case tr.To == source.StateAlarm && from.IsZero():
				from = tr.Time
			case tr.To != source.StateAlarm && !from.IsZero():
				out = append(out, a.t(i18n.Text{En: "%s %s–%s (%s)", Ko: "%s %s~%s (%s)"}, al.Name, fmtClock(from, loc), fmtClock(tr.Time, loc), i18n.Duration(tr.Time.Sub(from), a.lang)))
				from = time.Time{}
			}
		}
		if !from.IsZero() {
			out = append(out, a.t(i18n.Text{En: "%s since %s", Ko: "%s %s부터 계속"}, al.Name, fmtClock(from, loc)))
		}
	}
	return out
}

func (a *run) statusFinding(im *instanceMetrics, st *seriesResult) report.Finding {
	forText, upper, exact := a.failedFor(st)
	mins := int64(upper / time.Minute)
	sev := report.SeverityMedium
	state := a.t(i18n.Text{En: "recovered", Ko: "복구됨"})
	if st.failOngoing {
		sev = report.SeverityHigh
		state = a.t(i18n.Text{En: "still failing", Ko: "아직 실패 중"})
	}
	label := a.labelOf(im)
	loc := a.in.Location
	title := a.t(i18n.Text{En: "Status check failed: %s (%s, %s)", Ko: "상태 검사 실패: %s (%s, %s)"}, label, forText, state)
	var detail string
	if exact {
		detail = a.t(i18n.Text{
			En: "StatusCheckFailed was 1 in %[1]d one-minute datapoints between %[2]s and %[3]s: the check failed for %[4]s.",
			Ko: "%[2]s부터 %[3]s 사이 1분 데이터포인트 %[1]d개에서 StatusCheckFailed가 1이었습니다: 검사 실패 시간은 %[4]s입니다.",
		}, st.failed, fmtTime(st.failFirst, loc), fmtTime(st.failTo, loc), forText)
	} else {
		p := i18n.Duration(time.Duration(periodOf(st.s))*time.Second, a.lang)
		detail = a.t(i18n.Text{
			En: "StatusCheckFailed (the maximum of each %[1]s period) was 1 in %[2]s between %[3]s and %[4]s, so the check failed for at most %[5]s: a %[1]s datapoint does not say for how long within it.",
			Ko: "%[3]s부터 %[4]s 사이 %[1]s 구간 %[2]s에서 StatusCheckFailed(구간별 최댓값)가 1이었습니다. 검사 실패 시간은 최대 %[5]s입니다: %[1]s 데이터포인트로는 구간 안에서 얼마나 지속됐는지 알 수 없습니다.",
		}, p, a.count(st.failed, "period", "periods", "개"), fmtTime(st.failFirst, loc), fmtTime(st.failTo, loc), i18n.Duration(upper, a.lang))
	}
	spans := a.statusAlarmSpans(im.id)
	if len(spans) > 0 {
		detail += a.t(i18n.Text{En: " The alarm saw: %s in ALARM.", Ko: " 알람 기준 ALARM 구간: %s."}, strings.Join(spans, ", "))
	}
	rec := a.t(i18n.Text{
		En: "Read the instance's system log and the status-check details: a system check failure is the AWS host (stop and start moves the instance), an instance check failure is the OS (kernel, full disk, network config). Add a StatusCheckFailed_System alarm with the EC2 recover action if there is none.",
		Ko: "인스턴스 시스템 로그와 상태 검사 상세를 확인하십시오. 시스템 검사 실패는 AWS 호스트 문제(중지 후 시작하면 다른 호스트로 옮겨짐), 인스턴스 검사 실패는 OS 문제(커널, 디스크 가득 참, 네트워크 설정)입니다. StatusCheckFailed_System 알람과 EC2 복구 작업이 없다면 추가하십시오.",
	})
	return report.Finding{ID: FindStatusCheck, Severity: sev, Resource: label, Title: title, Detail: detail,
		Value: report.Float(float64(mins)), Unit: "min", Recommendation: rec,
		Evidence: map[string]any{"instance_id": im.id, "first": st.failFirst.Format(time.RFC3339), "last": st.failTo.Format(time.RFC3339), "ongoing": st.failOngoing,
			"failed_datapoints": st.failed, "period_seconds": periodOf(st.s), "at_most": !exact}}
}

func (a *run) diskFinding(im *instanceMetrics, r *seriesResult) report.Finding {
	sev := report.SeverityMedium
	if r.last >= diskCrit {
		sev = report.SeverityHigh
	}
	label := a.labelOf(im)
	p := orDash(r.s.Dim("path"))
	title := a.t(i18n.Text{En: "Disk %s on %s is %.0f%% full", Ko: "%[2]s의 디스크 %[1]s 사용률 %.0[3]f%%"}, p, label, r.last)
	detail := a.t(i18n.Text{
		En: "The CloudWatch agent reports %s on %s at %.1f%% used at the end of the window (peak %.1f%%).",
		Ko: "CloudWatch 에이전트 기준 %[2]s의 %[1]s 사용률이 기간 끝에 %.1[3]f%%입니다 (최대 %.1[4]f%%).",
	}, p, label, r.last, r.max)
	rec := a.t(i18n.Text{
		En: "Find what grew (du -xh --max-depth=2 %s), rotate and compress logs, remove old artifacts, and extend the EBS volume and file system before 95%%; the capacity report forecasts the date it fills.",
		Ko: "늘어난 곳을 찾고(du -xh --max-depth=2 %s), 로그를 순환·압축하고, 오래된 산출물을 지우고, 95%%가 되기 전에 EBS 볼륨과 파일 시스템을 확장하십시오. 가득 차는 날짜는 용량 보고서가 예측합니다.",
	}, p)
	return report.Finding{ID: FindDiskHigh, Severity: sev, Resource: label, Title: title, Detail: detail,
		Value: report.Float(textfmt.Round(r.last, 1)), Unit: "%", Recommendation: rec,
		Evidence: map[string]any{"instance_id": im.id, "path": r.s.Dim("path"), "device": r.s.Dim("device"), "fstype": r.s.Dim("fstype")}}
}

func (a *run) noDataFinding(im *instanceMetrics) report.Finding {
	label := a.labelOf(im)
	state := "running"
	if im.inst != nil && im.inst.State != "" {
		state = im.inst.State
	}
	return report.Finding{ID: FindNoData, Severity: report.SeverityLow, Resource: label,
		Title: a.t(i18n.Text{En: "No CPU data from running instance %s", Ko: "실행 중인 %s에서 CPU 지표가 없음"}, label),
		Detail: a.t(i18n.Text{
			En: "%s is %s but published no CPUUtilization datapoint in the window; its health is unknown.",
			Ko: "%s 인스턴스는 %s 상태지만 기간 중 CPUUtilization 데이터가 하나도 없어 상태를 알 수 없습니다.",
		}, label, state),
		Recommendation: a.t(i18n.Text{
			En: "An instance without metrics is invisible to every alarm: check that it is really running, that the job's scope and the IAM policy cover it, and that the collection was not throttled.",
			Ko: "지표가 없는 인스턴스는 어떤 알람에도 잡히지 않습니다: 실제로 실행 중인지, 작업 범위와 IAM 정책이 포함하는지, 수집이 제한(throttling)되지 않았는지 확인하십시오.",
		}),
		Evidence: map[string]any{"instance_id": im.id, "state": state}}
}
