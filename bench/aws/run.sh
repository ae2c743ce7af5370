#!/bin/sh
# Benchmark of the aws source's metric collection against kumo, in one run:
# kumo in its own process, behind fleet.Aggregator (CloudWatch's aggregation
# by period and statistic, which kumo lacks), seeded with a fleet (default
# 1,000 instances x the capacity review's 8 metrics x 30 days at 5 minutes),
# then the fleet read in each shape (default: the capacity plan as it was,
# every metric at 5 minutes, and as it is, CPU maxima at 5 minutes and the
# rest hourly), each way in a fresh process so wall time and peak RSS are
# its own:
#   cwreport  the aws source (ListMetrics discovery + packed GetMetricData)
#   script    one GetMetricStatistics per metric per instance, split at 1,440 points
#   mcp       one GetMetricData per metric, as the CloudWatch MCP server's tool
# Usage: bench/aws/run.sh [instances] [days] [seeded period] [shapes] [modes]
#   e.g. bench/aws/run.sh 1000 30 1h uniform "cwreport script mcp"   (issue 3's fleet)
# The script and mcp ways make one call after another (48,000 calls at 5
# minutes); their call counts are printed for every shape either way.
set -eu
cd "$(dirname "$0")/../.."
n=${1:-1000}
days=${2:-30}
period=${3:-5m}
shapes=${4:-"capacity-5m capacity"}
modes=${5:-cwreport}
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; [ -n "${pid:-}" ] && wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/awsbench" ./bench/aws/awsbench
mkfifo "$tmp/stdin"
"$tmp/awsbench" serve -instances "$n" -days "$days" -period "$period" -shapes "$(echo "$shapes" | tr ' ' ',')" -fleet "$tmp/fleet.json" <"$tmp/stdin" &
pid=$!
exec 3>"$tmp/stdin" # closing fd 3 stops the server
while [ ! -f "$tmp/fleet.json" ]; do
	kill -0 "$pid" 2>/dev/null || { echo "kumo server died" >&2; exit 1; }
	sleep 1
done
field() { echo "$1" | sed -n "s/.*\"$2\":\([0-9.e+-]*\).*/\1/p"; }
printf '%-12s %-9s %8s %9s %8s %9s %9s %7s %11s %12s\n' shape way calls "min calls" script "x script" "wall s" "cpu s" "peak RSS MB" "points MB"
for shape in $shapes; do
	for mode in $modes; do
		line=$("$tmp/awsbench" collect -fleet "$tmp/fleet.json" -shape "$shape" -mode "$mode")
		echo "$line" >>"$tmp/results.jsonl"
		calls=$(field "$line" metric_calls)
		script=$(field "$line" script_calls)
		printf '%-12s %-9s %8s %9s %8s %8sx %9.2f %7.2f %11.1f %12.1f\n' "$shape" "$mode" "$calls" "$(field "$line" formula_min)" "$script" \
			"$(awk "BEGIN{printf \"%.1f\", $script/$calls}")" "$(field "$line" wall_s)" "$(field "$line" cpu_s)" "$(field "$line" peak_rss_mb)" "$(field "$line" dataset_points_mb)"
	done
done
echo "kumo + aggregator process: $(grep VmHWM /proc/$pid/status | tr -s ' \t' ' ')"
echo "raw: $(tr '\n' ' ' <"$tmp/results.jsonl")"
