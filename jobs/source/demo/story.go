package demo

import "time"

// The stories of the demo account, as offsets before the run instant At.
// Metrics, alarms, logs and CloudTrail all read them from here, so the CPU
// spike, the alarm that fired on it and the log lines around it always line
// up, whatever instant the demo is run for.
const (
	day  = 24 * time.Hour
	week = 7 * day

	// DMZ instance: CPU pinned from At-3h; High-CPU-Usage fires two
	// 5-minute periods later.
	dmzSpikeStart = 3 * time.Hour
	dmzAlarmAt    = 2*time.Hour + 50*time.Minute

	// order-api-02 incident: deploy, CPU jump, error lines, alarm.
	incidentDeploy = 90 * time.Minute
	incidentCPU    = 88 * time.Minute
	incidentErrors = 85 * time.Minute
	incidentAlarm  = 80 * time.Minute

	// EKS control plane: gRPC connection errors from At-5h to At-4h.
	grpcBurstStart = 5 * time.Hour
	grpcBurstEnd   = 4 * time.Hour

	// batch-worker-03: one short status-check failure.
	statusCheckStart = 14*time.Hour + 10*time.Minute
	statusCheckLen   = 4 * time.Minute

	// Week-over-week change (benchmark): batch workers use ~40% less CPU
	// and order-api ~30% more since At-7d.
	weekChange = week

	// db-primary-01: /var/log cleaned up ~20 days ago.
	varLogCleanup = 20 * day

	// Alarms left alone: Low-CPU-Usage in ALARM since At-9d, the disk
	// alarm stuck in INSUFFICIENT_DATA since At-3d.
	lowCPUSince      = 9 * day
	diskAlarmStuckAt = 3 * day

	// CloudTrail stories.
	aliceFailedLogins = 20 * time.Hour
	bruteForceAt      = 6*day + 3*time.Hour + 10*time.Minute
	rootLoginAt       = 3*day + 5*time.Hour + 46*time.Minute
	jupyterOpenedAt   = 2*day + 6*time.Hour + 12*time.Minute
	putRolePolicyAt   = 4*day + 1*time.Hour + 33*time.Minute
	newIPAssumeRoleAt = 7*time.Hour + 4*time.Minute
	bobDeniedAt       = 10*time.Hour + 21*time.Minute
)

// flapBursts are eks-node-03's NetworkIn bursts (start before At, length):
// each crosses High-Network-In's threshold, which fires 10 minutes in and
// clears 5 minutes after the burst. Six in the last 24 h, fewer before.
var flapBursts = []struct{ ago, length time.Duration }{
	{60*time.Hour + 10*time.Minute, 25 * time.Minute},
	{51*time.Hour + 40*time.Minute, 20 * time.Minute},
	{44*time.Hour + 20*time.Minute, 30 * time.Minute},
	{37*time.Hour + 55*time.Minute, 20 * time.Minute},
	{30*time.Hour + 50*time.Minute, 25 * time.Minute},
	{23 * time.Hour, 20 * time.Minute},
	{19*time.Hour + 25*time.Minute, 25 * time.Minute},
	{15*time.Hour + 5*time.Minute, 15 * time.Minute},
	{11*time.Hour + 35*time.Minute, 30 * time.Minute},
	{7*time.Hour + 10*time.Minute, 20 * time.Minute},
	{2*time.Hour + 35*time.Minute, 25 * time.Minute},
}

// seoul is Korea Standard Time. Korea has no daylight saving time, so a
// fixed zone is exact and the demo needs no tzdata.
var seoul = time.FixedZone("KST", 9*3600)

const seoulOffset = 9 * 3600
