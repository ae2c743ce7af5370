package capacity

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Table row caps keep the Markdown readable; the JSON report counts the rest.
const (
	maxRows       = 30
	maxTrendChart = 6
	maxSavingBars = 10
)

func col(key string, title string, unit string, right bool) report.Column {
	c := report.Column{Key: key, Title: title, Unit: unit}
	if right {
		c.Align = report.AlignRight
	}
	return c
}

func money(v float64) report.Cell {
	c := report.Num(v, 2)
	if c.Value != nil {
		c.Text = usd(v)
	}
	return c
}

func pctCell(v float64) report.Cell { return report.Num(v, 1) }

// grouped is a number cell whose text groups thousands: "14,074.4".
func grouped(v float64, dec int) report.Cell {
	c := report.Num(v, dec)
	if c.Value != nil {
		c.Text = textfmt.Grouped(v, dec)
	}
	return c
}

// mbPerDay is a cell of megabytes a day (the value, as the column key says)
// read in the unit that fits: "1.2 MB", "94 GB".
func mbPerDay(v float64) report.Cell {
	c := report.Num(v, 1)
	if c.Value != nil {
		c.Text = textfmt.BytesSI(v * 1e6)
	}
	return c
}

func (w *writer) summary(lines []savingsLine) {
	r, o := w.r, w.r.Opts
	var stop, rightsize, nodes, upsize, current, equivalent float64
	for _, l := range lines {
		switch l.kind {
		case "stop":
			stop += l.monthly
		case "rightsize":
			rightsize += l.monthly
		case "nodes":
			nodes += l.monthly
		}
	}
	// Sum in a fixed order: float addition is not associative, and map
	// order would change the last digits of the JSON from run to run.
	for _, id := range slices.Sorted(maps.Keys(r.Recs)) {
		rec := r.Recs[id]
		if rec.Verdict == VerdictUnder && rec.Target != nil {
			upsize += -rec.Target.Monthly
		}
		if eq := rec.Equivalent(); eq != nil {
			equivalent += eq.Monthly
		}
	}
	for _, g := range r.Groups {
		if g.Monthly < 0 {
			upsize += -g.Monthly
		}
	}
	for _, p := range r.Profiles {
		if pr, ok := r.Prices.Get(p.Inst.Type); ok {
			current += pr.Monthly()
		}
	}
	total := stop + rightsize + nodes
	urgent := 0
	for _, f := range r.Forecasts {
		if f.Reported {
			urgent++
		}
	}
	judged := len(r.Profiles) - len(r.Skipped)
	w.rep.Headline = w.s(tx{
		En: "Capacity review: %d instances, %s/month savings possible (on-demand, before discounts), %d limits reached or forecast",
		Ko: "용량 검토: 인스턴스 %d대, 월 %s 절감 가능 (온디맨드, 할인 전), 한도 도달·예측 %d건"}, len(r.Profiles), usd(total), urgent)
	if !r.Priced {
		w.rep.Headline = w.s(tx{En: "Capacity review: %d instances, savings unknown (no prices for %s), %d limits reached or forecast",
			Ko: "용량 검토: 인스턴스 %d대, 절감액 알 수 없음 (%s 가격 없음), 한도 도달·예측 %d건"}, len(r.Profiles), r.Region, urgent)
	}
	fact := func(key string, label tx, c report.Cell) report.Fact {
		return report.Fact{Key: key, Label: w.s(label), Value: c}
	}
	sec := report.Section{ID: "summary", Title: w.s(tx{En: "Summary", Ko: "요약"})}
	sec.Facts = []report.Fact{
		fact("instances", tx{En: "Instances", Ko: "인스턴스"}, report.Count(int64(len(r.Profiles)))),
		fact("judged", withArg(tx{En: "With enough data (≥ %g h)", Ko: "데이터 충분 (%g시간 이상)"}, o.MinHours), report.Count(int64(judged))),
		fact("skipped", tx{En: "Skipped (too little data)", Ko: "제외 (데이터 부족)"}, report.Count(int64(len(r.Skipped)))),
		fact("groups", tx{En: "Groups (ASG / EKS node groups)", Ko: "그룹 (ASG / EKS 노드 그룹)"}, report.Count(int64(len(r.Groups)))),
		fact("monthly_cost_usd", tx{En: "Fleet on-demand cost per month", Ko: "온디맨드 월 비용 (전체)"}, money(current)),
		fact("savings_total_usd", tx{En: "Savings possible per month (on-demand, before discounts)", Ko: "월 절감 가능액 (온디맨드, 할인 전)"}, money(total)),
		fact("savings_stop_usd", tx{En: "… by stopping idle instances", Ko: "… 유휴 인스턴스 중지"}, money(stop)),
		fact("savings_rightsize_usd", tx{En: "… by smaller types", Ko: "… 유형 축소"}, money(rightsize)),
		fact("savings_nodes_usd", tx{En: "… by fewer group nodes", Ko: "… 그룹 노드 축소"}, money(nodes)),
		fact("savings_equivalent_usd", tx{En: "Cheaper equivalents, up to (AMD or Graviton; not in the total)", Ko: "더 저렴한 동급 유형 전환 시 최대 (AMD, Graviton; 합계 미포함)"}, money(equivalent)),
		fact("upsize_cost_usd", tx{En: "Extra cost of fixing under-provisioning", Ko: "용량 부족 해소 추가 비용"}, money(upsize)),
		fact("exhaustion_forecasts", withArg(tx{En: "Limits already reached or forecast within %d days", Ko: "이미 도달했거나 %d일 내 도달할 한도"}, o.HorizonDays), report.Count(int64(urgent))),
		fact("preset", tx{En: "Preset", Ko: "프리셋"}, report.Text(w.s(tx{En: "%s (p%g, CPU ≤ %g%%, memory ≤ %g%%, group target %g)", Ko: "%s (p%g, CPU ≤ %g%%, 메모리 ≤ %g%%, 그룹 목표 %g)"}, o.Preset, o.SizingPercentile, o.CPUCeiling, o.MemoryCeiling, o.GroupTarget))),
	}
	if !r.Priced {
		for i := range sec.Facts {
			if strings.HasSuffix(sec.Facts[i].Key, "_usd") {
				sec.Facts[i].Value = report.Num(math.NaN(), 2)
			}
		}
	}
	sec.Charts = append(sec.Charts, w.fleetChart())
	if len(lines) > 0 {
		ch := report.Chart{ID: "savings", Kind: report.ChartBars, Title: w.s(tx{En: "Savings by recommendation (USD/month, on-demand)", Ko: "권고별 절감액 (USD/월, 온디맨드)"}), Unit: "USD"}
		for i, l := range lines {
			if i == maxSavingBars {
				break
			}
			ch.Bars = append(ch.Bars, report.Bar{Label: l.label, Value: textfmt.Round(l.monthly, 2)})
		}
		sec.Charts = append(sec.Charts, ch)
	}
	sec.Notes = append(sec.Notes, w.s(tx{
		En: "Savings are on-demand list prices × 730 hours × instance count, before Savings Plans, Reserved Instances or other discounts. Prices: %s, %s.",
		Ko: "절감액은 온디맨드 정가 × 730시간 × 대수이며 Savings Plans, 예약 인스턴스 등 할인 전 금액입니다. 가격 출처: %s, %s."}, w.s(txPriceSource), PriceTableDate))
	if r.Live > 0 {
		sec.Notes = append(sec.Notes, w.s(tx{En: "%d prices came live from the AWS Price List API this run.", Ko: "이번 실행에서 가격 %d건은 AWS Price List API에서 직접 조회했습니다."}, r.Live))
	}
	w.rep.Sections = append(w.rep.Sections, sec)
}

func withArg(t tx, a any) tx {
	return tx{En: fmt.Sprintf(t.En, a), Ko: fmt.Sprintf(t.Ko, a)}
}

// fleetChart shows how many instances run in each 10% band of p95 CPU.
func (w *writer) fleetChart() report.Chart {
	ch := report.Chart{ID: "fleet-cpu", Kind: report.ChartBars, Title: w.s(tx{En: "Fleet CPU distribution (instances by p95 CPU)", Ko: "전체 CPU 분포 (p95 CPU 구간별 인스턴스 수)"}), Unit: w.s(tx{En: "instances", Ko: "대"})}
	var counts [10]int
	for _, p := range w.r.Profiles {
		if p.CPU.N == 0 || math.IsNaN(p.CPU.P95) {
			continue
		}
		b := min(int(p.CPU.P95/10), 9)
		counts[max(b, 0)]++
	}
	for i, c := range counts {
		ch.Bars = append(ch.Bars, report.Bar{Label: fmt.Sprintf("%d–%d%%", i*10, i*10+10), Value: float64(c)})
	}
	return ch
}

func (w *writer) rightsizingSection() {
	r, o := w.r, w.r.Opts
	sec := report.Section{ID: "rightsizing", Title: w.s(tx{En: "Rightsizing (stand-alone instances)", Ko: "적정 크기 (단독 인스턴스)"})}
	t := report.Table{ID: "rightsizing", Title: sec.Title, Columns: []report.Column{
		col("instance", w.s(tx{En: "Instance", Ko: "인스턴스"}), "", false),
		col("verdict", w.s(tx{En: "Verdict", Ko: "판정"}), "", false),
		col("current_type", w.s(tx{En: "Current", Ko: "현재"}), "", false),
		col("recommended_type", w.s(tx{En: "Recommended", Ko: "권장"}), "", false),
		col("projected_cpu_pct", w.s(withArg(tx{En: "Projected p%g CPU", Ko: "예상 p%g CPU"}, o.SizingPercentile)), "%", true),
		col("projected_memory_pct", w.s(tx{En: "Projected memory", Ko: "예상 메모리"}), "%", true),
		col("monthly_savings_usd", w.s(tx{En: "Saving / month", Ko: "월 절감"}), "USD", true),
		col("amd", w.s(tx{En: "AMD alternative", Ko: "AMD 대안"}), "", false),
		col("graviton", w.s(tx{En: "Graviton alternative", Ko: "Graviton 대안"}), "", false),
		col("confidence", w.s(tx{En: "Confidence", Ko: "신뢰도"}), "", false),
	}}
	alt := func(c *Candidate) report.Cell {
		if c == nil {
			return report.Text("-")
		}
		return report.Cell{Text: fmt.Sprintf("%s (%s)", c.Type.Name, usd(c.Monthly)), Value: c.Type.Name}
	}
	type row struct {
		monthly float64
		cells   []report.Cell
	}
	var rows []row
	for _, p := range r.Profiles {
		rec, ok := r.Recs[p.Inst.ID]
		if !ok || rec.Verdict == VerdictSkipped || (rec.Verdict == VerdictOK && rec.Equivalent() == nil) {
			continue
		}
		target, projCPU, projMem := report.Text("-"), math.NaN(), math.NaN()
		switch {
		case rec.Verdict == VerdictIdle:
			target = report.Text(w.s(tx{En: "stop", Ko: "중지"}))
		case rec.Target != nil:
			target = report.Text(rec.Target.Type.Name)
			projCPU, projMem = rec.Target.ProjCPU, rec.Target.ProjMem
		}
		conf := w.s(tx{En: "normal", Ko: "보통"})
		if rec.LowConfidence {
			conf = w.s(tx{En: "low (CPU only: memory not collected)", Ko: "낮음 (CPU만: 메모리 미수집)"})
		}
		monthly := rec.Monthly
		if rec.Verdict == VerdictLow || rec.Verdict == VerdictUnknown || rec.Verdict == VerdictOK || rec.Verdict == VerdictBusy {
			monthly = math.NaN()
		}
		rows = append(rows, row{monthly, []report.Cell{
			report.Text(resource(p)), report.Text(w.verdictText(rec.Verdict)), report.Text(p.Inst.Type), target,
			pctCell(projCPU), pctCell(projMem), money(monthly), alt(rec.AMD), alt(rec.Graviton), report.Text(conf),
		}})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].monthly, rows[j].monthly
		if math.IsNaN(a) {
			a = math.Inf(-1)
		}
		if math.IsNaN(b) {
			b = math.Inf(-1)
		}
		return a > b
	})
	for i, rw := range rows {
		if i == maxRows {
			t.Omitted = len(rows) - maxRows
			break
		}
		t.Rows = append(t.Rows, rw.cells)
	}
	sec.Tables = append(sec.Tables, t)
	sec.Notes = append(sec.Notes, w.s(tx{
		En: "Over-provisioned means a smaller size carries the load: p%g CPU × the vCPU ratio ≤ %.0f%% and projected memory ≤ %.0f%%. An instance whose CPU or memory was above its limit over the last 24 hours, or is forecast to reach it, is never resized.",
		Ko: "과다 할당은 더 작은 크기로 부하를 감당할 수 있다는 뜻입니다: p%g CPU × vCPU 비율 ≤ %.0f%%, 예상 메모리 ≤ %.0f%%. 최근 24시간 CPU나 메모리가 한도를 넘었거나 한도 도달이 예측된 인스턴스는 크기를 바꾸지 않습니다."},
		o.SizingPercentile, o.CPUCeiling, o.MemoryCeiling),
		w.s(tx{En: "The AMD and Graviton alternatives are the cheapest types of those families, of the same generation or a newer one, that carry the same load. For an instance that keeps its size they are cheaper equivalents, not counted in the savings total. Graviton needs arm64 builds.",
			Ko: "AMD, Graviton 대안은 같은 부하를 감당하는 해당 계열(현재와 같거나 더 새로운 세대)의 가장 저렴한 유형입니다. 크기를 유지하는 인스턴스에는 더 저렴한 동급 유형이며 절감 합계에 포함하지 않습니다. Graviton은 arm64 빌드가 필요합니다."}))
	w.rep.Sections = append(w.rep.Sections, sec)
}

func (w *writer) groupsSection() {
	r, o := w.r, w.r.Opts
	sec := report.Section{ID: "groups", Title: w.s(tx{En: "Groups: node counts", Ko: "그룹: 노드 수"})}
	t := report.Table{ID: "groups", Title: sec.Title, Columns: []report.Column{
		col("group", w.s(tx{En: "Group", Ko: "그룹"}), "", false),
		col("kind", w.s(tx{En: "Kind", Ko: "종류"}), "", false),
		col("instance_type", w.s(tx{En: "Type", Ko: "유형"}), "", false),
		col("current_nodes", w.s(tx{En: "Nodes", Ko: "노드"}), "", true),
		col("cpu_util_pct", w.s(withArg(tx{En: "p%g CPU", Ko: "p%g CPU"}, o.SizingPercentile)), "%", true),
		col("memory_util_pct", w.s(withArg(tx{En: "p%g memory", Ko: "p%g 메모리"}, o.SizingPercentile)), "%", true),
		col("recommended_nodes", w.s(tx{En: "Recommended", Ko: "권장"}), "", true),
		col("monthly_savings_usd", w.s(tx{En: "Saving / month", Ko: "월 절감"}), "USD", true),
		col("label", w.s(tx{En: "Verdict", Ko: "판정"}), "", false),
		col("confidence", w.s(tx{En: "Confidence", Ko: "신뢰도"}), "", false),
	}}
	for _, g := range r.Groups {
		conf := w.s(tx{En: "normal", Ko: "보통"})
		if g.MemMissing > 0 {
			conf = w.s(tx{En: "low: memory missing on %d of %d nodes", Ko: "낮음: 노드 %[2]d대 중 %[1]d대 메모리 미수집"}, g.MemMissing, len(g.Members))
		}
		typ := g.Type
		if g.Mixed {
			typ += w.s(tx{En: " (mixed)", Ko: " (혼합)"})
		}
		if len(g.Members) == 0 {
			conf = w.s(tx{En: "no node has enough data", Ko: "데이터가 충분한 노드 없음"})
		}
		label := w.groupLabel(g.Label)
		if len(g.Held) > 0 {
			label = w.s(tx{En: "scale-in to %d held: %s saturated in the last 24 h", Ko: "%d대로 축소 보류: %s 최근 24시간 포화"}, g.Unheld, strings.Join(g.Held, ", "))
		}
		t.Rows = append(t.Rows, []report.Cell{
			report.Text(g.Name), report.Text(g.Kind), report.Text(typ), report.Count(int64(g.Current)),
			pctCell(g.CPUUtil * 100), pctCell(g.MemUtil * 100), report.Count(int64(g.Recommended)), money(g.Monthly),
			report.Text(label), report.Text(conf),
		})
	}
	sec.Tables = append(sec.Tables, t)
	sec.Notes = append(sec.Notes, w.s(tx{
		En: "A group's utilisation at each instant is the load of all its nodes over their combined capacity; the recommended count carries the p%[1]g of that at a %.0[2]f%% target (never fewer than %[3]d nodes). A group is not scaled in while one of its nodes was above its CPU or memory limit over the last 24 hours.",
		Ko: "그룹 사용률은 매 시점 전체 노드 부하를 전체 용량으로 나눈 값이며, 권장 노드 수는 그 %[4]s 목표 %.0[2]f%%로 감당하는 수입니다 (최소 %[3]d대). 최근 24시간 CPU나 메모리 한도를 넘은 노드가 있으면 노드를 줄이지 않습니다."}, o.SizingPercentile, o.GroupTarget*100, o.GroupMinNodes,
		i18n.KoEulReul.Attach(fmt.Sprintf("p%g", o.SizingPercentile))))
	w.rep.Sections = append(w.rep.Sections, sec)
}

func (w *writer) forecastSection() {
	r, o := w.r, w.r.Opts
	sec := report.Section{ID: "forecasts", Title: w.s(tx{En: "Trends and exhaustion forecasts", Ko: "추세와 소진 예측"})}
	t := report.Table{ID: "forecasts", Title: sec.Title, Columns: []report.Column{
		col("instance", w.s(tx{En: "Instance", Ko: "인스턴스"}), "", false),
		col("metric", w.s(tx{En: "Resource", Ko: "자원"}), "", false),
		col("current", w.s(tx{En: "Now", Ko: "현재"}), "%", true),
		col("slope_per_day", w.s(tx{En: "Slope / day", Ko: "일 기울기"}), "pt", true),
		col("p_value", w.s(tx{En: "p (Mann-Kendall)", Ko: "p (Mann-Kendall)"}), "", true),
		col("limit", w.s(tx{En: "Limit", Ko: "한도"}), "%", true),
		col("forecast_date", w.s(tx{En: "Forecast", Ko: "예측"}), "", false),
	}}
	// r.Forecasts are in order of urgency: already above the limit first,
	// then by the date the limit (or a disk's warning level) is reached.
	var listed []*Forecast
	above, rising, flat, insufficient := 0, 0, 0, 0
	for _, f := range r.Forecasts {
		switch f.Status {
		case ForecastFlat:
			flat++
		case ForecastInsufficient:
			insufficient++
		case ForecastAbove:
			above++
			listed = append(listed, f)
		default:
			rising++
			listed = append(listed, f)
		}
	}
	for i, f := range listed {
		if i == maxRows {
			t.Omitted = len(listed) - maxRows
			break
		}
		var when report.Cell
		switch f.Status {
		case ForecastAbove:
			when = report.Cell{Text: w.s(tx{En: "already above the limit (since %s)", Ko: "이미 한도 초과 (%s부터)"}, w.datetime(f.Date)), Value: f.Date.UTC()}
		case ForecastReached:
			when = report.Cell{Text: w.s(tx{En: "reached (%s)", Ko: "도달 (%s)"}, w.date(f.Date)), Value: f.Date.UTC()}
		case ForecastBeyond:
			txt := w.s(tx{En: "no exhaustion within %d days", Ko: "%d일 내 소진 없음"}, o.HorizonDays)
			if !f.WarnAt.IsZero() {
				txt += w.s(tx{En: "; %.0f%% on %s", Ko: "; %[2]s에 %.0[1]f%%"}, f.Warn, w.date(f.WarnAt))
			}
			when = report.Text(txt)
		default:
			txt := w.s(tx{En: "%s (in %.0f days)", Ko: "%s (%.0f일 후)"}, w.date(f.Date), f.DaysLeft(r.At))
			if !f.WarnAt.IsZero() && f.WarnAt.After(r.At) {
				txt += w.s(tx{En: "; %.0f%% on %s", Ko: "; %[2]s에 %.0[1]f%%"}, f.Warn, w.date(f.WarnAt))
			}
			when = report.Cell{Text: txt, Value: f.Date.UTC()}
		}
		// +0 turns a slope that rounds to -0.00 into 0.00.
		slope, p := report.Num(math.Round(f.Fit.Slope*100)/100+0, 2), report.Num(f.Fit.P, 4)
		if f.Fit.N < 3 {
			slope, p = report.Num(math.NaN(), 2), report.Num(math.NaN(), 4)
		}
		t.Rows = append(t.Rows, []report.Cell{
			report.Text(resource(f.Inst)), report.Text(w.metricName(f)), pctCell(f.Current), slope, p, report.Num(f.Limit, 0), when,
		})
	}
	sec.Tables = append(sec.Tables, t)
	sec.Notes = append(sec.Notes, w.s(tx{
		En: "%d series analysed: %d already above their limit over the last 24 hours, %d rise significantly, %d show no significant rise (no exhaustion within %d days), %d have fewer than %d daily points.",
		Ko: "%d개 시계열 분석: %d개는 최근 24시간 이미 한도 초과, %d개 유의한 증가, %d개 유의한 증가 없음 (%d일 내 소진 없음), %d개는 일별 데이터 %d개 미만."},
		len(r.Forecasts), above, rising, flat, o.HorizonDays, insufficient, o.TrendMinDays))
	// Charts: every forecast with a finding, most urgent first, as the
	// table lists them.
	n, more := 0, 0
	for _, f := range r.Forecasts {
		if !f.Reported {
			continue
		}
		if n == maxTrendChart {
			more++
			continue
		}
		n++
		sec.Charts = append(sec.Charts, w.trendChart(f, n))
	}
	if more > 0 {
		sec.Notes = append(sec.Notes, w.s(tx{En: "Charted: the %d most urgent; %d more are in the table.", Ko: "가장 급한 %d개만 차트로 그렸습니다. 나머지 %d개는 표에 있습니다."}, n, more))
	}
	w.rep.Sections = append(w.rep.Sections, sec)
}

func (w *writer) trendChart(f *Forecast, n int) report.Chart {
	d := newDays(f.Inst.window)
	ch := report.Chart{ID: fmt.Sprintf("trend-%d", n), Kind: report.ChartTimeSeries,
		Title: w.s(tx{En: "%s %s: daily trend and forecast", Ko: "%s %s: 일별 추세와 예측"}, resource(f.Inst), w.metricName(f)),
		Unit:  "%", YMax: 100, Start: f.Inst.window.Start}
	measured := report.ChartSeries{Name: w.s(tx{En: "measured", Ko: "측정값"}), Style: report.LineSolid}
	for k, v := range f.Daily {
		if !math.IsNaN(v) {
			measured.Points = append(measured.Points, report.ChartPoint{T: d.timeOf(d.x(k)), V: textfmt.Round(v, 2)})
		}
	}
	end := f.Date
	if f.Status == ForecastAbove {
		// Nothing to forecast: the measured days and the limit they crossed.
		ch.Title = w.s(tx{En: "%s %s: daily values, already above the limit", Ko: "%s %s: 일별 값 (이미 한도 초과)"}, resource(f.Inst), w.metricName(f))
		ch.End = w.r.At.Add(24 * time.Hour)
		ch.Series = []report.ChartSeries{measured}
		ch.Thresholds = []report.Threshold{{Label: w.s(tx{En: "limit %.0f%%", Ko: "한도 %.0f%%"}, f.Limit), Value: f.Limit}}
		return ch
	}
	if f.Status == ForecastBeyond || end.IsZero() {
		end = w.r.At.Add(time.Duration(w.r.Opts.HorizonDays) * 24 * time.Hour)
	}
	if end.Before(w.r.At) {
		end = w.r.At
	}
	x0 := d.x(f.From)
	x1 := (end.Sub(d.timeOf(0)).Hours()) / 24
	forecast := report.ChartSeries{Name: w.s(tx{En: "forecast", Ko: "예측"}), Style: report.LineDashed, Points: []report.ChartPoint{
		{T: d.timeOf(x0), V: textfmt.Round(f.Fit.At(x0), 2)}, {T: d.timeOf(x1), V: textfmt.Round(math.Min(f.Fit.At(x1), 100), 2)},
	}}
	ch.End = end.Add(24 * time.Hour)
	ch.Series = []report.ChartSeries{measured, forecast}
	ch.Thresholds = []report.Threshold{{Label: w.s(tx{En: "limit %.0f%%", Ko: "한도 %.0f%%"}, f.Limit), Value: f.Limit}}
	if f.Warn > 0 {
		ch.Thresholds = append(ch.Thresholds, report.Threshold{Label: w.s(tx{En: "warning %.0f%%", Ko: "경고 %.0f%%"}, f.Warn), Value: f.Warn})
	}
	return ch
}

func (w *writer) wowSection() {
	r, o := w.r, w.r.Opts
	sec := report.Section{ID: "week_over_week", Title: w.s(tx{En: "Week over week", Ko: "전주 대비"})}
	t := report.Table{ID: "fleet_totals", Title: w.s(tx{En: "Fleet totals", Ko: "전체 합계"}), Columns: []report.Column{
		col("measure", w.s(tx{En: "Measure", Ko: "항목"}), "", false),
		col("previous_week", w.s(tx{En: "Previous week", Ko: "지난주"}), "", true),
		col("this_week", w.s(tx{En: "This week", Ko: "이번 주"}), "", true),
		col("change_pct", w.s(tx{En: "Change", Ko: "변화"}), "%", true),
	}}
	change := func(a, b float64) report.Cell {
		if a == 0 {
			return report.Num(math.NaN(), 1)
		}
		return report.Num((b-a)/a*100, 1)
	}
	p, c := r.Fleet[0], r.Fleet[1]
	t.Rows = [][]report.Cell{
		{report.Text(w.s(tx{En: "Instances reporting", Ko: "데이터가 있는 인스턴스"})), report.Count(int64(p.Instances)), report.Count(int64(c.Instances)), change(float64(p.Instances), float64(c.Instances))},
		{report.Text(w.s(tx{En: "vCPUs", Ko: "vCPU"})), report.Count(int64(p.VCPU)), report.Count(int64(c.VCPU)), change(float64(p.VCPU), float64(c.VCPU))},
		{report.Text(w.s(tx{En: "Mean CPU (vCPU-weighted) %%", Ko: "평균 CPU (vCPU 가중) %%"})), pctCell(p.CPU), pctCell(c.CPU), change(p.CPU, c.CPU)},
		{report.Text(w.s(tx{En: "Network in+out GB", Ko: "네트워크 입출력 GB"})), grouped(p.NetGB, 1), grouped(c.NetGB, 1), change(p.NetGB, c.NetGB)},
		{report.Text(w.s(tx{En: "EBS operations", Ko: "EBS 작업 수"})), grouped(p.EBSOps, 0), grouped(c.EBSOps, 0), change(p.EBSOps, c.EBSOps)},
		{report.Text(w.s(tx{En: "On-demand cost per hour USD", Ko: "시간당 온디맨드 비용 USD"})), report.Num(p.HourlyUSD, 4), report.Num(c.HourlyUSD, 4), change(p.HourlyUSD, c.HourlyUSD)},
	}
	sec.Tables = append(sec.Tables, t)
	m := report.Table{ID: "movers", Title: w.s(tx{En: "Biggest movers (mean CPU)", Ko: "변화가 큰 인스턴스 (평균 CPU)"}), Columns: []report.Column{
		col("instance", w.s(tx{En: "Instance", Ko: "인스턴스"}), "", false),
		col("instance_type", w.s(tx{En: "Type", Ko: "유형"}), "", false),
		col("previous_week", w.s(tx{En: "Previous week", Ko: "지난주"}), "%", true),
		col("this_week", w.s(tx{En: "This week", Ko: "이번 주"}), "%", true),
		col("delta_points", w.s(tx{En: "Change (points)", Ko: "변화 (포인트)"}), "", true),
		col("change_pct", w.s(tx{En: "Change", Ko: "변화"}), "%", true),
	}}
	for _, mv := range r.Movers {
		m.Rows = append(m.Rows, []report.Cell{report.Text(resource(mv.P)), report.Text(mv.P.Inst.Type), pctCell(mv.Before), pctCell(mv.After), report.Num(mv.Delta, 1), report.Num(mv.Percent, 0)})
	}
	sec.Tables = append(sec.Tables, m)
	sec.Notes = append(sec.Notes, w.s(tx{En: "This week is the last 7 days of the window, the previous week the 7 days before; the top %d movers by change of mean CPU (at least 1 point) are listed.",
		Ko: "이번 주는 기간의 마지막 7일, 지난주는 그 앞 7일입니다. 평균 CPU 변화(1포인트 이상)가 큰 상위 %d대를 보여 줍니다."}, o.TopMovers))
	w.rep.Sections = append(w.rep.Sections, sec)
}

func (w *writer) instancesSection() {
	r, o := w.r, w.r.Opts
	sec := report.Section{ID: "instances", Title: w.s(tx{En: "Instances", Ko: "인스턴스"})}
	t := report.Table{ID: "instances", Title: sec.Title, Columns: []report.Column{
		col("instance", w.s(tx{En: "Instance", Ko: "인스턴스"}), "", false),
		col("instance_type", w.s(tx{En: "Type", Ko: "유형"}), "", false),
		col("group", w.s(tx{En: "Group", Ko: "그룹"}), "", false),
		col("hours", w.s(tx{En: "Data", Ko: "데이터"}), "h", true),
		col("cpu_p50", "CPU p50", "%", true),
		col("cpu_p95", "CPU p95", "%", true),
		col("cpu_p995", "CPU p99.5", "%", true),
		col("cpu_max", "CPU max", "%", true),
		col("memory_p95", w.s(tx{En: "Memory p95", Ko: "메모리 p95"}), "%", true),
		col("disk_max", w.s(tx{En: "Fullest disk", Ko: "최대 디스크"}), "", false),
		// Values in MB (as the keys say), text in the unit that fits.
		col("net_in_mb_day", w.s(tx{En: "Net in / day", Ko: "수신 / 일"}), "", true),
		col("net_out_mb_day", w.s(tx{En: "Net out / day", Ko: "송신 / 일"}), "", true),
		col("ebs_ops_day", w.s(tx{En: "EBS ops / day", Ko: "EBS 작업 / 일"}), "", true),
		col("verdict", w.s(tx{En: "Verdict", Ko: "판정"}), "", false),
	}}
	notCollected := w.s(tx{En: "not collected", Ko: "미수집"})
	for i, p := range r.Profiles {
		if i == maxRows*3 {
			t.Omitted = len(r.Profiles) - i
			break
		}
		_, gname, _ := groupKey(p.Inst)
		mem := report.Cell{Text: notCollected}
		if p.Mem != nil {
			mem = pctCell(p.Mem.P95)
		}
		dk := report.Text("-")
		if len(p.Disks) > 0 {
			best := p.Disks[0]
			for _, d := range p.Disks[1:] {
				if d.Last > best.Last {
					best = d
				}
			}
			dk = report.Cell{Text: fmt.Sprintf("%s %.0f%%", best.Path, best.Last), Value: textfmt.Round(best.Last, 2)}
		}
		verdict := VerdictGroup
		if gname == "" {
			verdict = r.Recs[p.Inst.ID].Verdict
		}
		if p.CPU.Hours < o.MinHours {
			verdict = VerdictSkipped
		}
		net := func(v float64) report.Cell {
			if !p.HasNet {
				return report.Num(math.NaN(), 1)
			}
			return mbPerDay(v)
		}
		ebs := report.Num(math.NaN(), 0)
		if p.HasEBS {
			ebs = grouped(p.EBSOpsPerDay, 0)
		}
		t.Rows = append(t.Rows, []report.Cell{
			report.Text(resource(p)), report.Text(p.Inst.Type), report.Text(gname), report.Num(p.CPU.Hours, 0),
			pctCell(p.CPU.P50), pctCell(p.CPU.P95), pctCell(p.CPU.P995), pctCell(p.CPU.Max), mem, dk,
			net(p.NetInMBPerDay), net(p.NetOutMBPerDay), ebs, report.Text(w.verdictText(verdict)),
		})
	}
	sec.Tables = append(sec.Tables, t)
	if len(r.Skipped) > 0 {
		s := report.Table{ID: "skipped", Title: w.s(withArg(tx{En: "Skipped: under %g hours of CPU data", Ko: "제외: CPU 데이터 %g시간 미만"}, o.MinHours)), Columns: []report.Column{
			col("instance", w.s(tx{En: "Instance", Ko: "인스턴스"}), "", false),
			col("instance_id", "ID", "", false),
			col("instance_type", w.s(tx{En: "Type", Ko: "유형"}), "", false),
			col("hours", w.s(tx{En: "Data", Ko: "데이터"}), "h", true),
		}}
		for _, p := range r.Skipped {
			s.Rows = append(s.Rows, []report.Cell{report.Text(resource(p)), report.Text(p.Inst.ID), report.Text(p.Inst.Type), report.Num(p.CPU.Hours, 1)})
		}
		sec.Tables = append(sec.Tables, s)
	}
	w.rep.Sections = append(w.rep.Sections, sec)
}

func (w *writer) methodSection() {
	o := w.r.Opts
	res := "5"
	if source5 := w.r.Profiles; len(source5) > 0 && source5[0].CPU.Period >= 3600 {
		res = "60"
	}
	sec := report.Section{ID: "method", Title: w.s(tx{En: "Method", Ko: "방법"})}
	sec.Notes = []string{
		w.s(tx{En: "CPU percentiles are of the %s-minute maxima (CloudWatch Maximum) over the window; memory is CWAgent mem_used_percent, disk CWAgent disk_used_percent per mount. Missing memory is unknown, never 0%%.",
			Ko: "CPU 백분위수는 기간 중 %s분 최댓값(CloudWatch Maximum)으로 계산합니다. 메모리는 CWAgent mem_used_percent, 디스크는 마운트별 CWAgent disk_used_percent입니다. 메모리가 없으면 0%%가 아니라 알 수 없음입니다."}, res),
		w.s(tx{En: "Trends: daily p95 (CPU, memory) and daily maximum (disk) over 24-hour blocks ending at the report time; Theil-Sen slope, Mann-Kendall test at p < %g, at least %d days; disks are fitted after the last drop of %g points or more. Limits: CPU %g%%, memory %g%%, disk 100%% (warning %g%%).",
			Ko: "추세: 보고 시각에서 끝나는 24시간 단위의 일별 p95(CPU, 메모리)와 일별 최대(디스크)에 Theil-Sen 기울기와 Mann-Kendall 검정(p < %g, 최소 %d일)을 적용합니다. 디스크는 %g포인트 이상 떨어진 마지막 정리 이후만 적합합니다. 한도: CPU %g%%, 메모리 %g%%, 디스크 100%% (경고 %g%%)."},
			o.TrendSignificance, o.TrendMinDays, o.CleanupDrop, o.CPUCeiling, o.MemoryLimit, o.DiskWarning),
		w.s(tx{En: "Rightsizing (after AWS Compute Optimizer and Trusted Advisor): idle when max CPU ≤ %g%% over %d days; low utilisation when daily average CPU ≤ %g%% and network ≤ %g MB on %d of %d days; a smaller type fits when p%g CPU × vCPU ratio ≤ %g%%, projected memory ≤ %g%% (without memory data, never less memory) and, for burstable types, the projected average ≤ the baseline. Instances with under %g hours of data are skipped.",
			Ko: "적정 크기 (AWS Compute Optimizer, Trusted Advisor 방식): 최근 %[2]d일 최대 CPU가 %[1]g%% 이하면 유휴, 일 평균 CPU %[3]g%% 이하이면서 네트워크 %[4]g MB 이하인 날이 %[6]d일 중 %[5]d일 이상이면 저사용입니다. p%[7]g CPU × vCPU 비율 ≤ %[8]g%%, 예상 메모리 ≤ %[9]g%% (메모리 미수집이면 메모리를 줄이지 않음), 버스트 유형은 예상 평균이 기준선 이하일 때 더 작은 유형이 맞습니다. 데이터가 %[10]g시간 미만인 인스턴스는 제외합니다."},
			o.IdleMaxCPU, o.LookbackDays, o.LowCPU, o.LowNetworkMB, o.LowDays, o.LookbackDays, o.SizingPercentile, o.CPUCeiling, o.MemoryCeiling, o.MinHours),
		w.s(tx{En: "A same-size AMD or Graviton type (never of an older generation) is a cheaper equivalent, not a sign of over-provisioning. An instance whose CPU or memory was above its limit over the last 24 hours, or is forecast to reach it within %d days, is never resized, and a group is not scaled in while one of its nodes is above its limit.",
			Ko: "같은 크기의 AMD·Graviton 유형(더 이전 세대는 제외)은 더 저렴한 동급 유형일 뿐 과다 할당의 근거가 아닙니다. 최근 24시간 CPU나 메모리가 한도를 넘었거나 %d일 내 한도 도달이 예측된 인스턴스는 크기를 바꾸지 않으며, 한도를 넘은 노드가 있는 그룹은 노드를 줄이지 않습니다."}, o.HorizonDays),
	}
	w.rep.Sections = append(w.rep.Sections, sec)
}
