package capacity

import "github.com/cwreport/cwreport/report"

// Finding ids, declared once.
const (
	FindingIdle           = "capacity.idle"
	FindingLowUtilization = "capacity.low_utilization"
	FindingRightsize      = "capacity.rightsize"
	FindingUnder          = "capacity.underprovisioned"
	FindingExhaustion     = "capacity.exhaustion"
	FindingMemoryMissing  = "capacity.memory_not_collected"
	FindingGroupNodes     = "capacity.group_nodes"
)

// Findings implements analyze.Analyzer.
func (Analyzer) Findings() []report.FindingDef {
	return []report.FindingDef{
		{
			ID:             FindingIdle,
			Title:          "An instance is idle: its maximum CPU stayed at or below idle_max_cpu (1%) over the lookback (14 days).",
			Severity:       "medium",
			Recommendation: "Confirm with the owner, snapshot the volumes, then stop or terminate the instance.",
			Value:          "monthly on-demand cost of the instance, USD",
			Evidence:       []string{"instance_id", "instance_type", "max_cpu_pct", "lookback_days", "monthly_cost_usd", "memory_collected"},
			Reference:      "AWS Compute Optimizer idle resources; AWS Trusted Advisor Low Utilization Amazon EC2 Instances",
		},
		{
			ID:             FindingLowUtilization,
			Title:          "An instance has low utilisation: daily average CPU <= low_cpu (10%) and network <= low_network_mb (5 MB) on low_days (4) or more of the last lookback_days (14).",
			Severity:       "low",
			Recommendation: "What the rightsizing verdict proposes: the smaller type of capacity.rightsize when there is one; otherwise stop it when it is not needed or run it on a schedule (and, without memory data, install the CloudWatch agent first). A cheaper same-size equivalent is named when there is one.",
			Value:          "number of low days",
			Evidence:       []string{"instance_id", "instance_type", "low_days", "lookback_days", "monthly_cost_usd"},
			Reference:      "AWS Trusted Advisor, Low Utilization Amazon EC2 Instances",
		},
		{
			ID:             FindingRightsize,
			Title:          "An instance is over-provisioned: a smaller size (of its family, else of its AMD family) keeps the projected sizing-percentile CPU (p99.5, scaled by the vCPU ratio) under cpu_ceiling (80%), projected memory under memory_ceiling (80%) and, for burstable targets, the average under the target's baseline. A same-size cheaper type is a cheaper equivalent (rightsizing table and summary), never this finding; an instance above its CPU or memory limit over the last 24 hours, or forecast to reach it, never gets it.",
			Severity:       "low; medium when it saves 100 USD a month or more",
			Recommendation: "Change the instance type during a maintenance window (stop, modify, start); AMD and Graviton alternatives of the same or a newer generation are listed.",
			Value:          "monthly saving, USD, on-demand before discounts",
			Evidence:       []string{"instance_id", "current_type", "recommended_type", "monthly_savings_usd", "projected_cpu_pct", "projected_memory_pct (null: memory not collected)", "amd_type", "amd_monthly_savings_usd", "graviton_type", "graviton_monthly_savings_usd", "confidence (normal | low: memory not collected)"},
			Reference:      "AWS Compute Optimizer EC2 rightsizing (P99.5 CPU, headroom presets)",
		},
		{
			ID:             FindingUnder,
			Title:          "An instance is under-provisioned: its sizing-percentile CPU is above cpu_ceiling, its memory above memory_limit, or a burstable instance averages above its baseline.",
			Severity:       "high when CPU or memory is at 95% or more; medium otherwise",
			Recommendation: "Move to the recommended larger type, or spread the load; the extra on-demand cost is shown.",
			Value:          "sizing-percentile CPU %",
			Evidence:       []string{"instance_id", "current_type", "recommended_type (empty: none in the table)", "sizing_cpu_pct", "memory_pct", "average_cpu_pct", "reasons (cpu, memory, baseline)", "monthly_cost_change_usd"},
			Reference:      "AWS Compute Optimizer under-provisioned finding",
		},
		{
			ID:             FindingExhaustion,
			Title:          "A resource is already above its limit over the last 24 hours, or is forecast to reach it within horizon_days (180): CPU daily p95 at cpu_ceiling (80%), memory daily p95 at memory_limit (90%), disk daily max at 100% (or its 80% warning). Not raised for CPU or memory already above the limit when capacity.underprovisioned says the same.",
			Severity:       "high when already above the limit, or the limit is 14 days away or reached by the trend; medium within 60 days; low otherwise",
			Recommendation: "Above the limit: find what drives it and fix it or add capacity now, without downsizing or scaling in meanwhile. Forecast: add capacity (larger type, more nodes, bigger volume) or remove the growth before the forecast date.",
			Value:          "days until the forecast date (0 when reached or above)",
			Evidence:       []string{"instance_id", "metric (cpu | memory | disk)", "path (disk)", "limit", "status (above | reached | forecast | warning)", "forecast_date (YYYY-MM-DD, report time zone; above: the day it crossed the limit)", "days_left", "slope_per_day", "p_value (Mann-Kendall)", "points", "current", "warning_limit, warning_date (disk)", "fitted_from (disk cleaned up)"},
			Reference:      "Theil-Sen slope with the Mann-Kendall trend test",
		},
		{
			ID:             FindingMemoryMissing,
			Title:          "Memory is not collected (no CWAgent mem_used_percent) for an instance or for nodes of a group: its sizing is CPU only, low confidence.",
			Severity:       "info",
			Recommendation: "Install the CloudWatch agent and publish mem_used_percent; until then rightsizing never shrinks memory.",
			Evidence:       []string{"instance_id or group", "nodes_without_memory", "nodes"},
		},
		{
			ID:             FindingGroupNodes,
			Title:          "An Auto Scaling or EKS node group runs more (or fewer) nodes than its load needs at group_target utilisation (0.65): the node-count recommendation replaces per-instance type changes. No scale-in is proposed while a node is above its CPU or memory limit over the last 24 hours.",
			Severity:       "medium when nodes must be added or it saves 100 USD a month or more; low otherwise",
			Recommendation: "Set the group's desired and minimum capacity to the recommended count, keeping nodes spread across availability zones.",
			Value:          "monthly saving, USD, on-demand before discounts (negative: extra cost)",
			Evidence:       []string{"group", "kind (asg | eks)", "instance_type", "current_nodes", "recommended_nodes", "cpu_util_pct", "memory_util_pct", "target_util", "decided_by (cpu | memory)", "monthly_savings_usd", "label (idle | low | over | under | ok)", "nodes_without_memory"},
			Reference:      "AWS Compute Optimizer Auto Scaling group recommendations",
		},
	}
}
