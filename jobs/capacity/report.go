package capacity

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

type tx = i18n.Text

// writer builds the report in one language.
type writer struct {
	r    *Result
	rep  *report.Report
	lang string
	loc  *time.Location
}

func (w *writer) s(t tx, args ...any) string { return t.F(w.lang, args...) }

func usd(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	neg := v < 0
	v = math.Abs(v)
	whole := int64(v)
	cents := int64(math.Round((v - float64(whole)) * 100))
	if cents == 100 {
		whole, cents = whole+1, 0
	}
	out := "$" + textfmt.Int(whole) + fmt.Sprintf(".%02d", cents)
	if neg {
		out = "-" + out
	}
	return out
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", v)
}

// nanNil makes NaN a JSON null in evidence.
func nanNil(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return math.Round(v*100) / 100
}

func resource(p *profile) string { return p.Inst.Label() }

func (w *writer) date(t time.Time) string { return t.In(w.loc).Format(i18n.Date) }

func (w *writer) datetime(t time.Time) string { return t.In(w.loc).Format(i18n.DateTime) }

// Finding units are language-neutral codes, the same in every report
// language, so JSON consumers can rely on them; renderers localize them.
const (
	unitMonth = "USD/month"
	unitDays  = "days"
)

func (w *writer) metricName(f *Forecast) string {
	switch f.Metric {
	case "cpu":
		return w.s(tx{En: "CPU", Ko: "CPU"})
	case "memory":
		return w.s(tx{En: "memory", Ko: "메모리"})
	}
	return w.s(tx{En: "disk %s", Ko: "디스크 %s"}, f.Path)
}

func (w *writer) verdictText(v Verdict) string {
	switch v {
	case VerdictSkipped:
		return w.s(tx{En: "skipped (too little data)", Ko: "제외 (데이터 부족)"})
	case VerdictIdle:
		return w.s(tx{En: "idle", Ko: "유휴"})
	case VerdictUnder:
		return w.s(tx{En: "under-provisioned", Ko: "용량 부족"})
	case VerdictOver:
		return w.s(tx{En: "over-provisioned", Ko: "과다 할당"})
	case VerdictBusy:
		return w.s(tx{En: "saturated in the last 24 h: not resized", Ko: "최근 24시간 포화: 크기 변경 안 함"})
	case VerdictLow:
		return w.s(tx{En: "low utilisation", Ko: "저사용"})
	case VerdictGroup:
		return w.s(tx{En: "group member", Ko: "그룹 구성원"})
	case VerdictUnknown:
		return w.s(tx{En: "type not in price table", Ko: "가격표에 없는 유형"})
	}
	return w.s(tx{En: "right-sized", Ko: "적정"})
}

func (w *writer) groupLabel(v Verdict) string {
	switch v {
	case VerdictIdle:
		return w.s(tx{En: "idle fleet", Ko: "유휴 그룹"})
	case VerdictLow:
		return w.s(tx{En: "low utilisation", Ko: "저사용 그룹"})
	case VerdictOver:
		return w.s(tx{En: "over-provisioned", Ko: "과다 할당"})
	case VerdictUnder:
		return w.s(tx{En: "under-provisioned", Ko: "용량 부족"})
	}
	return w.s(tx{En: "right-sized", Ko: "적정"})
}

// buildReport turns the result into sections, tables, charts and findings.
func buildReport(rep *report.Report, r *Result, in analyze.Input) {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	w := &writer{r: r, rep: rep, lang: in.Lang, loc: loc}
	if !r.Priced {
		rep.DataGaps = append(rep.DataGaps, report.DataGap{
			Source: "analyzer", Part: "prices",
			Error: fmt.Sprintf("no on-demand prices for region %q in the embedded table (it has %s); savings are unknown", r.Region, strings.Join(Regions(), ", ")),
		})
	}
	if r.Opts.LivePrices && r.Live == 0 {
		rep.DataGaps = append(rep.DataGaps, report.DataGap{
			Source: "analyzer", Part: "prices:live",
			Error: "live_prices is set but the source returned no prices; the embedded table (" + PriceTableDate + ") was used",
		})
	}
	savings := w.findings()
	w.summary(savings)
	w.rightsizingSection()
	w.groupsSection()
	w.forecastSection()
	w.wowSection()
	w.instancesSection()
	w.methodSection()
}

// savingsLine is one recommendation on the savings chart.
type savingsLine struct {
	label   string
	monthly float64
	kind    string // stop | rightsize | nodes
}

func (w *writer) findings() []savingsLine {
	r, o := w.r, w.r.Opts
	var lines []savingsLine
	add := func(f report.Finding) { w.rep.Findings = append(w.rep.Findings, f) }
	for _, p := range r.Profiles {
		rec, ok := r.Recs[p.Inst.ID]
		if !ok {
			continue
		}
		memCollected := p.Mem != nil
		switch rec.Verdict {
		case VerdictIdle:
			add(report.Finding{
				ID: FindingIdle, Severity: report.SeverityMedium, Resource: resource(p),
				Title: w.s(tx{En: "%s is idle: max CPU %.1f%% over %d days", Ko: "%s 유휴 상태: 최근 %[3]d일 최대 CPU %.1[2]f%%"}, resource(p), idleMax(p, o), o.LookbackDays),
				Detail: w.s(tx{
					En: "Its highest 5-minute CPU over the last %d days was %.2f%% (idle threshold %.1f%%). It costs %s a month on demand, before discounts.",
					Ko: "최근 %d일 동안 5분 최대 CPU가 %.2f%%로 유휴 기준(%.1f%%) 이하입니다. 온디맨드 기준(할인 전) 월 %s가 발생합니다."},
					o.LookbackDays, idleMax(p, o), o.IdleMaxCPU, usd(rec.CurrentMonthly)),
				Value: floatOrNil(rec.CurrentMonthly), Unit: unitMonth,
				Recommendation: w.s(tx{En: "Confirm with the owner, snapshot the volumes, then stop or terminate it.", Ko: "담당자 확인 후 볼륨 스냅샷을 남기고 중지 또는 종료하십시오."}),
				Evidence: map[string]any{"instance_id": p.Inst.ID, "instance_type": p.Inst.Type, "max_cpu_pct": nanNil(idleMax(p, o)),
					"lookback_days": o.LookbackDays, "monthly_cost_usd": nanNil(rec.CurrentMonthly), "memory_collected": memCollected},
			})
			if !math.IsNaN(rec.Monthly) && rec.Monthly > 0 {
				lines = append(lines, savingsLine{w.s(tx{En: "%s: stop", Ko: "%s: 중지"}, resource(p)), rec.Monthly, "stop"})
			}
		case VerdictUnder:
			w.under(p, rec)
		case VerdictOver:
			t := rec.Target
			sev := report.SeverityLow
			if t.Monthly >= 100 {
				sev = report.SeverityMedium
			}
			conf := "normal"
			if rec.LowConfidence {
				conf = "low"
			}
			ev := map[string]any{"instance_id": p.Inst.ID, "current_type": p.Inst.Type, "recommended_type": t.Type.Name,
				"monthly_savings_usd": textfmt.Round(t.Monthly, 2), "projected_cpu_pct": nanNil(t.ProjCPU), "projected_memory_pct": nanNil(t.ProjMem), "confidence": conf}
			alt := ""
			if rec.AMD != nil {
				ev["amd_type"], ev["amd_monthly_savings_usd"] = rec.AMD.Type.Name, textfmt.Round(rec.AMD.Monthly, 2)
				alt += w.s(tx{En: " AMD alternative: %s (saves %s/month).", Ko: " AMD 대안: %s (월 %s 절감)."}, rec.AMD.Type.Name, usd(rec.AMD.Monthly))
			}
			if rec.Graviton != nil {
				ev["graviton_type"], ev["graviton_monthly_savings_usd"] = rec.Graviton.Type.Name, textfmt.Round(rec.Graviton.Monthly, 2)
				alt += w.s(tx{En: " Graviton alternative: %s (saves %s/month; needs arm64 builds).", Ko: " Graviton 대안: %s (월 %s 절감, arm64 빌드 필요)."}, rec.Graviton.Type.Name, usd(rec.Graviton.Monthly))
			}
			mem := w.s(tx{En: "projected memory %s", Ko: "예상 메모리 %s"}, pct(t.ProjMem))
			if rec.LowConfidence {
				mem = w.s(tx{En: "memory not collected (CPU only, low confidence; memory is kept at least as large)", Ko: "메모리 미수집 (CPU 기준만, 신뢰도 낮음; 메모리는 줄이지 않음)"})
			}
			add(report.Finding{
				ID: FindingRightsize, Severity: sev, Resource: resource(p),
				Title: w.s(tx{En: "%s: %s → %s saves %s/month", Ko: "%s: %s → %s 변경 시 월 %s 절감"}, resource(p), p.Inst.Type, t.Type.Name, usd(t.Monthly)),
				Detail: w.s(tx{
					En: "On %s the p%g CPU would be %.1f%% (ceiling %.0f%%); %s. Savings are on-demand, before discounts.",
					Ko: "%s에서 p%g CPU는 %.1f%% (상한 %.0f%%)로 예상되며, %s. 절감액은 온디맨드 기준(할인 전)입니다."},
					describe(t.Type), o.SizingPercentile, t.ProjCPU, o.CPUCeiling, mem),
				Value: report.Float(textfmt.Round(t.Monthly, 2)), Unit: unitMonth,
				Recommendation: w.s(tx{En: "Change the type to %s in a maintenance window (stop, modify, start).", Ko: "점검 시간에 %s 유형으로 변경하십시오 (중지, 변경, 시작)."}, t.Type.Name) + alt,
				Evidence:       ev,
			})
			lines = append(lines, savingsLine{fmt.Sprintf("%s: %s → %s", resource(p), p.Inst.Type, t.Type.Name), t.Monthly, "rightsize"})
		}
		if rec.LowUtil && rec.Verdict != VerdictIdle && rec.Verdict != VerdictBusy {
			add(report.Finding{
				ID: FindingLowUtilization, Severity: report.SeverityLow, Resource: resource(p),
				Title: w.s(tx{En: "%s has low utilisation: %d low days in the last %d", Ko: "%s 저사용: 최근 %[3]d일 중 %[2]d일 기준 이하"}, resource(p), rec.LowUtilDays, o.LookbackDays),
				Detail: w.s(tx{
					En: "Daily average CPU ≤ %.0f%% and network ≤ %g MB on %d days (the rule needs %d). Average CPU over the window %.1f%%.",
					Ko: "일 평균 CPU %.0f%% 이하이면서 네트워크 %g MB 이하인 날이 %d일입니다 (기준 %d일). 기간 평균 CPU %.1f%%."},
					o.LowCPU, o.LowNetworkMB, rec.LowUtilDays, o.LowDays, p.AvgCPU),
				Value: report.Float(float64(rec.LowUtilDays)), Unit: unitDays,
				Recommendation: w.lowUtilAdvice(p, rec),
				Evidence: map[string]any{"instance_id": p.Inst.ID, "instance_type": p.Inst.Type, "low_days": rec.LowUtilDays,
					"lookback_days": o.LookbackDays, "monthly_cost_usd": nanNil(rec.CurrentMonthly)},
			})
		}
		if p.Mem == nil && rec.Verdict != VerdictSkipped {
			add(report.Finding{
				ID: FindingMemoryMissing, Severity: report.SeverityInfo, Resource: resource(p),
				Title:          w.s(tx{En: "%s: memory not collected (CPU only, low confidence)", Ko: "%s: 메모리 미수집 (CPU 기준만, 신뢰도 낮음)"}, resource(p)),
				Detail:         w.s(tx{En: "No CWAgent mem_used_percent for this instance: memory is unknown, not 0%%.", Ko: "이 인스턴스의 CWAgent mem_used_percent가 없습니다. 메모리는 0%%가 아니라 알 수 없음입니다."}),
				Recommendation: w.s(txInstallAgent),
				Evidence:       map[string]any{"instance_id": p.Inst.ID, "nodes_without_memory": 1, "nodes": 1},
			})
		}
	}
	lines = append(lines, w.groupFindings()...)
	w.exhaustionFindings()
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].monthly != lines[j].monthly {
			return lines[i].monthly > lines[j].monthly
		}
		return lines[i].label < lines[j].label
	})
	return lines
}

// lowUtilAdvice is the low-utilisation finding's recommendation: it says what
// the rightsizing verdict actually proposes, never "downsize" when no smaller
// type fits.
func (w *writer) lowUtilAdvice(p *profile, rec Rec) string {
	o := w.r.Opts
	var out string
	switch {
	case rec.Verdict == VerdictOver && rec.Target != nil:
		out = w.s(tx{En: "Change the type to %s as the rightsizing finding proposes, or stop it when it is not needed.",
			Ko: "적정 크기 권고대로 %s 유형으로 변경하거나, 필요 없을 때 중지하십시오."}, rec.Target.Type.Name)
	case rec.Verdict == VerdictLow && p.Mem == nil:
		out = w.s(tx{En: "No smaller type can be recommended while memory is not collected (install the CloudWatch agent): stop it when it is not needed, or run it on a schedule.",
			Ko: "메모리를 수집하지 않아 더 작은 유형은 권고할 수 없습니다 (CloudWatch 에이전트 설치 필요). 필요 없을 때 중지하거나 일정에 따라 실행하십시오."})
	case rec.Verdict == VerdictLow:
		out = w.s(tx{En: "No smaller type keeps its p%g CPU under %.0f%% and its memory under %.0f%%: stop it when it is not needed, or run it on a schedule.",
			Ko: "p%g CPU %.0f%%, 메모리 %.0f%% 이하를 유지하는 더 작은 유형은 없습니다. 필요 없을 때 중지하거나 일정에 따라 실행하십시오."}, o.SizingPercentile, o.CPUCeiling, o.MemoryCeiling)
	default:
		out = w.s(tx{En: "Stop it when it is not needed, or run it on a schedule.", Ko: "필요 없을 때는 중지하거나 일정에 따라 실행하십시오."})
	}
	if eq := rec.Equivalent(); eq != nil {
		out += w.equivalentText(eq)
	}
	return out
}

// equivalentText says what a cheaper equivalent saves.
func (w *writer) equivalentText(c *Candidate) string {
	if c.Type.Vendor == "graviton" {
		return w.s(tx{En: " A cheaper equivalent, %s, saves %s a month on demand (needs arm64 builds).", Ko: " 더 저렴한 동급 유형 %s 사용 시 온디맨드 기준 월 %s 절감됩니다 (arm64 빌드 필요)."}, describe(c.Type), usd(c.Monthly))
	}
	return w.s(tx{En: " A cheaper equivalent, %s, saves %s a month on demand.", Ko: " 더 저렴한 동급 유형 %s 사용 시 온디맨드 기준 월 %s 절감됩니다."}, describe(c.Type), usd(c.Monthly))
}

var txInstallAgent = tx{
	En: "Install the CloudWatch agent and publish mem_used_percent; until then rightsizing never shrinks memory.",
	Ko: "CloudWatch 에이전트를 설치해 mem_used_percent를 수집하십시오. 그 전까지 적정 크기 권고는 메모리를 줄이지 않습니다.",
}

func floatOrNil(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return report.Float(textfmt.Round(v, 2))
}

func idleMax(p *profile, o Options) float64 {
	m := math.NaN()
	for _, d := range p.Days[max(0, len(p.Days)-o.LookbackDays):] {
		if d.cpuN > 0 && (math.IsNaN(m) || d.CPUMax > m) {
			m = d.CPUMax
		}
	}
	return m
}

func (w *writer) under(p *profile, rec Rec) {
	o := w.r.Opts
	memPct := math.NaN()
	if p.Mem != nil {
		memPct = p.Mem.Sizing
	}
	sev := report.SeverityMedium
	if p.CPU.Sizing >= 95 || memPct >= 95 {
		sev = report.SeverityHigh
	}
	var why []string
	for _, rs := range rec.Reasons {
		switch rs {
		case "cpu":
			why = append(why, w.s(tx{En: "p%g CPU %.1f%% is above the %.0f%% ceiling", Ko: "p%g CPU %.1f%%가 상한 %.0f%%를 넘습니다"}, o.SizingPercentile, p.CPU.Sizing, o.CPUCeiling))
		case "memory":
			why = append(why, w.s(tx{En: "p%g memory %.1f%% is above the %.0f%% limit", Ko: "p%g 메모리 %.1f%%가 한도 %.0f%%를 넘습니다"}, o.SizingPercentile, memPct, o.MemoryLimit))
		case "baseline":
			why = append(why, w.s(tx{En: "average CPU %.1f%% is above the burstable baseline %.0f%% (it spends CPU credits)", Ko: "평균 CPU %.1f%%가 버스트 기준선 %.0f%%를 넘습니다 (CPU 크레딧 소모)"}, p.AvgCPU, p.Spec.BaselinePct))
		}
	}
	target, change := "", math.NaN()
	recText := w.s(tx{En: "No larger size of the family is in the price table: consider a larger family or spreading the load.", Ko: "가격표에 같은 계열의 더 큰 유형이 없습니다. 더 큰 계열이나 부하 분산을 검토하십시오."})
	if rec.Target != nil {
		target, change = rec.Target.Type.Name, -rec.Target.Monthly
		recText = w.s(tx{En: "Move to %s (projected p%g CPU %.1f%%); it costs %s a month more on demand.", Ko: "%s 유형으로 변경하십시오 (예상 p%g CPU %.1f%%). 온디맨드 기준 월 %s 증가합니다."},
			describe(rec.Target.Type), o.SizingPercentile, rec.Target.ProjCPU, usd(change))
	}
	w.rep.Findings = append(w.rep.Findings, report.Finding{
		ID: FindingUnder, Severity: sev, Resource: resource(p),
		Title:  w.s(tx{En: "%s is under-provisioned: p%g CPU %.1f%%", Ko: "%s 용량 부족: p%g CPU %.1f%%"}, resource(p), o.SizingPercentile, p.CPU.Sizing),
		Detail: strings.Join(why, "; ") + ".",
		Value:  report.Float(textfmt.Round(p.CPU.Sizing, 2)), Unit: "%",
		Recommendation: recText,
		Evidence: map[string]any{"instance_id": p.Inst.ID, "current_type": p.Inst.Type, "recommended_type": target,
			"sizing_cpu_pct": nanNil(p.CPU.Sizing), "memory_pct": nanNil(memPct), "average_cpu_pct": nanNil(p.AvgCPU),
			"reasons": rec.Reasons, "monthly_cost_change_usd": nanNil(change)},
	})
}

func (w *writer) groupFindings() []savingsLine {
	o := w.r.Opts
	var lines []savingsLine
	for _, g := range w.r.Groups {
		if len(g.Members) == 0 {
			continue
		}
		memText := pct(g.MemUtil * 100)
		if math.IsNaN(g.MemUtil) {
			memText = w.s(tx{En: "not collected", Ko: "미수집"})
		}
		if g.MemMissing > 0 {
			w.rep.Findings = append(w.rep.Findings, report.Finding{
				ID: FindingMemoryMissing, Severity: report.SeverityInfo, Resource: g.Name,
				Title: w.s(tx{En: "%s: memory not collected on %d of %d nodes (CPU only, low confidence)", Ko: "%s: 노드 %[3]d대 중 %[2]d대 메모리 미수집 (CPU 기준만, 신뢰도 낮음)"}, g.Name, g.MemMissing, len(g.Members)),
				Detail: w.s(tx{En: "Nodes without CWAgent mem_used_percent count as unknown, not 0%%; the group's memory is estimated from the %d nodes that report it.",
					Ko: "CWAgent mem_used_percent가 없는 노드는 0%%가 아니라 알 수 없음으로 봅니다. 그룹 메모리는 수집 중인 노드 %d대로 추정합니다."}, len(g.Members)-g.MemMissing),
				Recommendation: w.s(txInstallAgent),
				Evidence:       map[string]any{"group": g.Name, "nodes_without_memory": g.MemMissing, "nodes": len(g.Members)},
			})
		}
		if g.Recommended == g.Current && g.Label != VerdictIdle && g.Label != VerdictLow {
			continue
		}
		sev := report.SeverityLow
		if g.Recommended > g.Current || g.Monthly >= 100 {
			sev = report.SeverityMedium
		}
		decided := "cpu"
		if g.ByMemory {
			decided = "memory"
		}
		recText := tx{En: "Set the Auto Scaling group's desired and minimum capacity to %d, keeping nodes spread across availability zones.", Ko: "Auto Scaling 그룹의 희망·최소 용량을 %d대로 맞추고 가용 영역에 고르게 분산하십시오."}
		if g.Kind == "eks" {
			recText = tx{En: "Scale the node group to %d nodes (desired and minimum size) after checking that pod requests still fit; keep nodes spread across availability zones.", Ko: "파드 요청량이 수용되는지 확인한 뒤 노드 그룹을 %d대로 조정하십시오 (희망·최소 크기). 노드는 가용 영역에 고르게 분산하십시오."}
		}
		conf := ""
		if g.MemMissing > 0 {
			conf = w.s(tx{En: " Memory is missing on %d nodes: CPU only, low confidence.", Ko: " 노드 %d대는 메모리 미수집: CPU 기준만, 신뢰도 낮음."}, g.MemMissing)
		}
		w.rep.Findings = append(w.rep.Findings, report.Finding{
			ID: FindingGroupNodes, Severity: sev, Resource: g.Name,
			Title: w.s(tx{En: "%s: %d → %d nodes (%s)", Ko: "%s: 노드 %d대 → %d대 (%s)"}, g.Name, g.Current, g.Recommended, w.groupLabel(g.Label)),
			Detail: w.s(tx{
				En: "%d × %s at p%g CPU %s and memory %s of the group; at the %.0f%% target %d nodes carry the load (decided by %s). %s a month on demand, before discounts.%s",
				Ko: "%d × %s, 그룹 p%g CPU %s, 메모리 %s. 목표 사용률 %.0f%%에서 %d대로 충분합니다 (결정 기준: %s). 온디맨드 기준(할인 전) 월 %s.%s"},
				g.Current, g.Type, o.SizingPercentile, pct(g.CPUUtil*100), memText, o.GroupTarget*100, g.Recommended, decided, usd(g.Monthly), conf),
			Value: floatOrNil(g.Monthly), Unit: unitMonth,
			Recommendation: w.s(recText, g.Recommended),
			Evidence: map[string]any{"group": g.Name, "kind": g.Kind, "instance_type": g.Type, "current_nodes": g.Current, "recommended_nodes": g.Recommended,
				"cpu_util_pct": nanNil(g.CPUUtil * 100), "memory_util_pct": nanNil(g.MemUtil * 100), "target_util": o.GroupTarget,
				"decided_by": decided, "monthly_savings_usd": nanNil(g.Monthly), "label": string(g.Label), "nodes_without_memory": g.MemMissing},
		})
		if g.Monthly > 0 {
			lines = append(lines, savingsLine{fmt.Sprintf("%s: %d → %d", g.Name, g.Current, g.Recommended), g.Monthly, "nodes"})
		}
	}
	return lines
}

func (w *writer) exhaustionFindings() {
	r := w.r
	for _, f := range r.Forecasts {
		if !f.Reported {
			continue
		}
		if f.Status == ForecastAbove {
			w.aboveFinding(f)
			continue
		}
		limit, date := f.Limit, f.Date
		if f.Status == ForecastBeyond { // disk: only the warning level is near
			limit, date = f.Warn, f.WarnAt
		}
		days := math.Max(0, date.Sub(r.At).Hours()/24)
		sev := report.SeverityLow
		switch {
		case days <= 14:
			sev = report.SeverityHigh
		case days <= 60:
			sev = report.SeverityMedium
		}
		var recText tx
		switch f.Metric {
		case "cpu":
			recText = tx{En: "Plan a larger type or more nodes before %s, or find what is growing.", Ko: "%s 전에 더 큰 유형이나 노드 추가를 계획하거나 증가 원인을 찾으십시오."}
		case "memory":
			recText = tx{En: "Add memory (a larger or memory-optimised type) or find the leak before %s.", Ko: "%s 전에 메모리를 늘리거나(더 큰 유형 또는 메모리 최적화 유형) 누수를 찾으십시오."}
		default:
			recText = tx{En: "Extend the volume or clean up before %s, and alarm on disk_used_percent.", Ko: "%s 전에 볼륨을 확장하거나 정리하고 disk_used_percent 알람을 설정하십시오."}
		}
		title := tx{En: "%s: %s reaches %.0f%% around %s", Ko: "%s: %s 사용률 %[4]s경 %.0[3]f%% 도달 예상"}
		if f.Status == ForecastReached {
			title = tx{En: "%s: %s trend is already at %.0f%% (crossed %s)", Ko: "%s: %s 추세가 이미 %.0f%% 도달 (%s 통과)"}
		}
		ev := w.exhaustionEvidence(f, limit, date, days)
		stat := w.s(tx{En: "daily p95", Ko: "일별 p95"})
		if f.Metric == "disk" {
			stat = w.s(tx{En: "daily maximum", Ko: "일별 최대"})
		}
		detail := w.s(tx{
			En: "The %s rose %.2f points a day over %d days (Theil-Sen slope; Mann-Kendall p = %.4f); last value %.1f%%.",
			Ko: "%s가 %[3]d일 동안 하루 %.2[2]f포인트씩 증가했습니다 (Theil-Sen 기울기, Mann-Kendall p = %.4[4]f). 최근 값 %.1[5]f%%."},
			stat, f.Fit.Slope, f.Points, f.Fit.P, f.Current)
		if !f.Cleanup.IsZero() {
			detail += w.s(tx{En: " Fitted from %s, after the last clean-up.", Ko: " 마지막 정리 이후인 %s부터 적합했습니다."}, w.date(f.Cleanup))
		}
		w.rep.Findings = append(w.rep.Findings, report.Finding{
			ID: FindingExhaustion, Severity: sev, Resource: resource(f.Inst) + suffix(f),
			Title:  w.s(title, resource(f.Inst), w.metricName(f), limit, w.date(date)),
			Detail: detail,
			Value:  report.Float(math.Round(days*10) / 10), Unit: unitDays,
			Recommendation: w.s(recText, w.date(date)),
			Evidence:       ev,
		})
	}
}

func (w *writer) exhaustionEvidence(f *Forecast, limit float64, date time.Time, days float64) map[string]any {
	status := string(f.Status)
	if f.Status == ForecastBeyond {
		status = "warning"
	}
	ev := map[string]any{"instance_id": f.Inst.Inst.ID, "metric": f.Metric, "limit": limit, "forecast_date": w.date(date), "status": status,
		"days_left": math.Round(days*10) / 10, "slope_per_day": nanNil(f.Fit.Slope), "p_value": math.Round(f.Fit.P*10000) / 10000,
		"points": f.Points, "current": nanNil(f.Current)}
	if f.Metric == "disk" {
		ev["path"] = f.Path
		ev["warning_limit"] = f.Warn
		if !f.WarnAt.IsZero() {
			ev["warning_date"] = w.date(f.WarnAt)
		}
		if !f.Cleanup.IsZero() {
			ev["fitted_from"] = w.date(f.Cleanup)
		}
	}
	return ev
}

// aboveFinding reports a resource already at or above its limit over the
// last 24 hours: not a forecast any more, so high severity and the date it
// crossed the limit, whatever the trend says.
func (w *writer) aboveFinding(f *Forecast) {
	// The advice names the time it started: each such resource is its own
	// problem, and the actions list keeps one entry per distinct advice.
	var recText tx
	switch f.Metric {
	case "cpu":
		recText = tx{En: "Find what has kept the CPU above the limit since %s (a deploy, a runaway or unknown process, more traffic) and fix it, or add capacity; do not downsize it meanwhile.",
			Ko: "%s부터 CPU를 한도 위로 올린 원인(배포, 폭주하거나 알 수 없는 프로세스, 트래픽 증가)을 찾아 해결하거나 용량을 늘리십시오. 그동안 유형을 줄이지 마십시오."}
		if key, _, _ := groupKey(f.Inst.Inst); key != "" {
			recText = tx{En: "Find what has kept the CPU above the limit since %s (a deploy, a runaway or unknown process, more traffic) and fix it, or add capacity; do not scale its group in meanwhile.",
				Ko: "%s부터 CPU를 한도 위로 올린 원인(배포, 폭주하거나 알 수 없는 프로세스, 트래픽 증가)을 찾아 해결하거나 용량을 늘리십시오. 그동안 그룹 노드를 줄이지 마십시오."}
		}
	case "memory":
		recText = tx{En: "Find what has held the memory above the limit since %s (a leak, a larger working set) or add memory; do not downsize it meanwhile.",
			Ko: "%s부터 메모리를 한도 위로 점유한 원인(누수, 작업 집합 증가)을 찾거나 메모리를 늘리십시오. 그동안 유형 축소는 하지 마십시오."}
	default:
		recText = tx{En: "The disk has been full since %s: free space or extend the volume now, and alarm on disk_used_percent.", Ko: "%s부터 디스크가 가득 찼습니다. 지금 공간을 확보하거나 볼륨을 확장하고 disk_used_percent 알람을 설정하십시오."}
	}
	stat := "p95"
	if f.Metric == "disk" {
		stat = w.s(tx{En: "maximum", Ko: "최대"})
	}
	detail := w.s(tx{
		En: "Over the last 24 hours the %s %s was %.1f%%, at or above the %.0f%% limit; it first reached it at %s.",
		Ko: "최근 24시간 %s %s 값이 %.1f%%로 한도 %.0f%% 이상입니다. %s에 처음 도달했습니다."},
		w.metricName(f), stat, f.Current, f.Limit, w.datetime(f.Date))
	if days := int(w.r.At.Sub(f.Date).Hours() / 24); days >= 1 {
		detail += w.s(tx{En: " It has stayed there for %d days.", Ko: " %d일째 그 상태입니다."}, days)
	}
	w.rep.Findings = append(w.rep.Findings, report.Finding{
		ID: FindingExhaustion, Severity: report.SeverityHigh, Resource: resource(f.Inst) + suffix(f),
		Title: w.s(tx{En: "%s: %s already above the %.0f%% limit (since %s)", Ko: "%s: %s 사용률이 이미 한도 %.0f%% 초과 (%s부터)"},
			resource(f.Inst), w.metricName(f), f.Limit, w.datetime(f.Date)),
		Detail: detail,
		Value:  report.Float(0), Unit: unitDays,
		Recommendation: w.s(recText, w.datetime(f.Date)),
		Evidence:       w.exhaustionEvidence(f, f.Limit, f.Date, 0),
	})
}

func suffix(f *Forecast) string {
	if f.Metric == "disk" {
		return ":" + f.Path
	}
	return ""
}
