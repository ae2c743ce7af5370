#!/bin/sh
# Benchmark of the aws source's metric collection against kumo, in one run:
# kumo in its own process seeded with a fleet (default 1,000 instances x 8
# metrics x 30 days at one hour), then the same series fetched three ways,
# each in a fresh process so wall time and peak RSS are its own:
#   cwreport  the aws source (ListMetrics discovery + packed GetMetricData)
#   script    one GetMetricStatistics per metric per instance, split at 1,440 points
#   mcp       one GetMetricData per metric, as the CloudWatch MCP server's tool
# Usage: bench/aws/run.sh [instances] [days] [period]
set -eu
cd "$(dirname "$0")/../.."
n=${1:-1000}
days=${2:-30}
period=${3:-1h}
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; [ -n "${pid:-}" ] && wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/awsbench" ./bench/aws/awsbench
mkfifo "$tmp/stdin"
"$tmp/awsbench" serve -instances "$n" -days "$days" -period "$period" -fleet "$tmp/fleet.json" <"$tmp/stdin" &
pid=$!
exec 3>"$tmp/stdin" # closing fd 3 stops the server
while [ ! -f "$tmp/fleet.json" ]; do
	kill -0 "$pid" 2>/dev/null || { echo "kumo server died" >&2; exit 1; }
	sleep 1
done
echo "fleet: $n instances x 8 metrics x $days days at $period"
printf '%-9s %8s %10s %12s %9s %12s\n' way calls "min calls" "vs cwreport" "wall s" "peak RSS MB"
base=0
for mode in cwreport script mcp; do
	line=$("$tmp/awsbench" collect -fleet "$tmp/fleet.json" -mode "$mode")
	echo "$line" >>"$tmp/results.jsonl"
	calls=$(echo "$line" | sed 's/.*"metric_calls":\([0-9]*\).*/\1/')
	min=$(echo "$line" | sed -n 's/.*"formula_min":\([0-9]*\).*/\1/p')
	wall=$(echo "$line" | sed 's/.*"wall_s":\([0-9.e+-]*\).*/\1/')
	rss=$(echo "$line" | sed 's/.*"peak_rss_mb":\([0-9.e+-]*\).*/\1/')
	[ "$mode" = cwreport ] && base=$calls
	printf '%-9s %8s %10s %11sx %9.2f %12.1f\n' "$mode" "$calls" "${min:--}" "$(awk "BEGIN{printf \"%.1f\", $calls/$base}")" "$wall" "$rss"
done
echo "raw: $(tr '\n' ' ' <"$tmp/results.jsonl")"
