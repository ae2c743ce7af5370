package demo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// The alarms of the demo account and their state histories. What the
// daily-status report finds here: three alarms in ALARM now (the DMZ CPU
// spike, the order-api-02 incident, the idle legacy server), a status-check
// failure that fired and cleared overnight, High-Network-In flapping on
// eks-node-03, and a disk alarm stuck in INSUFFICIENT_DATA because its
// dimensions name a device the agent no longer reports.

const (
	opsTopic = "arn:aws:sns:" + region + ":" + accountID + ":ops-alerts"
	cisTopic = "arn:aws:sns:" + region + ":" + accountID + ":cis-alerts"
)

// alarmDef is an alarm's configuration and the story of its state.
type alarmDef struct {
	alarm source.Alarm
	// host is the instance whose metric the alarm watches ("" for none).
	host string
	// initial is the state before the first transition, since initialAt
	// before At.
	initial   source.AlarmState
	initialAt time.Duration
	// changes are the transitions, oldest first.
	changes []change
}

type change struct {
	ago time.Duration
	to  source.AlarmState
}

func metricAlarm(name, desc, host, ns, metric, stat string, period, evals int32, threshold float64, cmp string) source.Alarm {
	a := source.Alarm{Name: name, ARN: alarmARN(name), Description: desc, Namespace: ns, Metric: metric,
		Statistic: stat, Period: period, EvaluationPeriods: evals, Threshold: threshold, Comparison: cmp,
		ActionsEnabled: true, AlarmActions: []string{opsTopic}}
	if h := hostByName[host]; h != nil {
		a.Dimensions = []source.Dimension{{Name: "InstanceId", Value: h.id}}
	}
	return a
}

func alarmARN(name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + accountID + ":alarm:" + name
}

// alarmDefs is the account's alarms for a run at at, in DescribeAlarms
// order (by name).
func alarmDefs(at time.Time) []alarmDef {
	const gt, lt, ge = "GreaterThanThreshold", "LessThanThreshold", "GreaterThanOrEqualToThreshold"
	var defs []alarmDef

	dmz := metricAlarm("High-CPU-Usage", "DMZ 프록시 CPU 80% 초과 (10분 지속)", dmzName, nsEC2, mCPU, "Average", 300, 2, 80, gt)
	defs = append(defs, alarmDef{alarm: dmz, host: dmzName, initial: source.StateOK, initialAt: 95 * day,
		changes: []change{{dmzAlarmAt, source.StateAlarm}}})

	order := metricAlarm("High-CPU-Usage-order-api-02", "order-api-02 CPU above 80% for 5 minutes", "order-api-02", nsEC2, mCPU, "Average", 300, 1, 80, gt)
	defs = append(defs, alarmDef{alarm: order, host: "order-api-02", initial: source.StateOK, initialAt: 58 * day,
		changes: []change{{incidentAlarm, source.StateAlarm}}})

	low := metricAlarm("Low-CPU-Usage", "legacy-reporting-01 유휴 상태 감지 (CPU 2% 미만 24시간)", "legacy-reporting-01", nsEC2, mCPU, "Average", 3600, 24, 2, lt)
	defs = append(defs, alarmDef{alarm: low, host: "legacy-reporting-01", initial: source.StateOK, initialAt: 200 * day,
		changes: []change{{lowCPUSince, source.StateAlarm}}})

	sc := metricAlarm("Status-Check-Failed", "batch-worker-03 status check failed", "batch-worker-03", nsEC2, mStatus, "Maximum", 60, 2, 1, ge)
	defs = append(defs, alarmDef{alarm: sc, host: "batch-worker-03", initial: source.StateOK, initialAt: 110 * day,
		changes: []change{{statusCheckStart - 2*time.Minute, source.StateAlarm}, {statusCheckStart - statusCheckLen - time.Minute, source.StateOK}}})

	net := metricAlarm("High-Network-In", "eks-node-03 inbound traffic above 150 MiB/min", eksFlapper, nsEC2, mNetIn, "Average", 300, 2, 150*mb, gt)
	flap := alarmDef{alarm: net, host: eksFlapper, initial: source.StateOK, initialAt: 40 * day}
	for _, b := range flapBursts {
		flap.changes = append(flap.changes, change{b.ago - 10*time.Minute, source.StateAlarm},
			change{b.ago - b.length - 5*time.Minute, source.StateOK})
	}
	defs = append(defs, flap)

	// The agent reports /data as nvme1n1/xfs since the Nitro migration; the
	// alarm still names xvdf/ext4, so it has seen no data for three days.
	disk := metricAlarm("Disk-Space-Low-db-primary-01", "db-primary-01 /data 사용률 85% 초과", "db-primary-01", nsAgent, mDisk, "Average", 300, 1, 85, gt)
	disk.Dimensions = append(disk.Dimensions, source.Dimension{Name: "path", Value: "/data"},
		source.Dimension{Name: "device", Value: "xvdf"}, source.Dimension{Name: "fstype", Value: "ext4"})
	defs = append(defs, alarmDef{alarm: disk, initial: source.StateOK, initialAt: 300 * day,
		changes: []change{{diskAlarmStuckAt, source.StateInsufficientData}}})

	webCPU := metricAlarm("Web-ASG-High-CPU", "web fleet average CPU above 70%", "", nsEC2, mCPU, "Average", 300, 3, 70, gt)
	webCPU.Dimensions = []source.Dimension{{Name: "AutoScalingGroupName", Value: webASG}}
	defs = append(defs, alarmDef{alarm: webCPU, initial: source.StateOK, initialAt: 200 * day})

	alb := metricAlarm("Web-ALB-5XX-Errors", "ALB 5XX responses above 50 per minute", "", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", 60, 5, 50, gt)
	alb.Dimensions = []source.Dimension{{Name: "LoadBalancer", Value: "app/web-prod-alb/50dc6c495c0c9188"}}
	defs = append(defs, alarmDef{alarm: alb, initial: source.StateOK, initialAt: 200 * day})

	defs = append(defs, alarmDef{alarm: source.Alarm{Name: "Web-Service-Health", ARN: alarmARN("Web-Service-Health"),
		Description: "web 서비스 종합 상태", Composite: true,
		Rule:           `ALARM("Web-ASG-High-CPU") OR ALARM("Web-ALB-5XX-Errors")`,
		ActionsEnabled: true, AlarmActions: []string{opsTopic}}, initial: source.StateOK, initialAt: 200 * day})

	// CIS 4.1 and 4.3: metric filters on the trail's log group (monitoring.go).
	cis41 := metricAlarm("CIS-4.1-Unauthorized-API-Calls", "CIS 4.1 unauthorized API calls", "", cisNamespace, "UnauthorizedAPICalls", "Sum", 300, 1, 1, ge)
	cis41.AlarmActions = []string{cisTopic}
	d41 := alarmDef{alarm: cis41, initial: source.StateOK, initialAt: 400 * day}
	for _, ago := range deniedBursts() {
		d41.changes = append(d41.changes, change{ago - 4*time.Minute, source.StateAlarm}, change{ago - 9*time.Minute, source.StateOK})
	}
	defs = append(defs, d41)
	cis43 := metricAlarm("CIS-4.3-Root-Account-Usage", "CIS 4.3 root account usage", "", cisNamespace, "RootAccountUsage", "Sum", 300, 1, 1, ge)
	cis43.AlarmActions = []string{cisTopic}
	defs = append(defs, alarmDef{alarm: cis43, initial: source.StateOK, initialAt: 400 * day,
		changes: []change{{rootLoginAt - 4*time.Minute, source.StateAlarm}, {rootLoginAt - 9*time.Minute, source.StateOK}}})

	sort.Slice(defs, func(i, j int) bool { return defs[i].alarm.Name < defs[j].alarm.Name })
	return defs
}

// inScope reports whether the alarm watches an instance in scope; alarms
// on no instance (composites, ASG, ALB, CIS) are always in scope.
func (d *alarmDef) inScope(ids map[string]bool) bool {
	for _, dim := range d.alarm.Dimensions {
		if dim.Name == "InstanceId" {
			return ids[dim.Value]
		}
	}
	return true
}

// alarms fills the current alarms and the transitions inside the window.
// Alarms on instances outside the scope are left out, with their history.
func alarms(ds *source.Dataset, req source.Request, at time.Time, ids map[string]bool) {
	for _, d := range alarmDefs(at) {
		if !d.inScope(ids) {
			continue
		}
		state, since, reason := d.initial, at.Add(-d.initialAt), initialReason(d)
		for _, c := range d.changes {
			t := at.Add(-c.ago).Truncate(time.Second)
			r := d.reason(c.to, t, at)
			if req.Needs.Has(source.NeedAlarmHistory) && req.Window.Contains(t) && t.Before(at) {
				ds.AlarmHistory = append(ds.AlarmHistory, source.AlarmTransition{Alarm: d.alarm.Name, Time: t.UTC(), From: state, To: c.to, Reason: r})
			}
			state, since, reason = c.to, t, r
		}
		if req.Needs.Has(source.NeedAlarms) {
			a := d.alarm
			a.State, a.StateUpdated, a.StateReason = state, since.UTC().Truncate(time.Second), reason
			ds.Alarms = append(ds.Alarms, a)
		}
	}
	sort.SliceStable(ds.AlarmHistory, func(i, j int) bool { return ds.AlarmHistory[i].Time.Before(ds.AlarmHistory[j].Time) })
}

func initialReason(d alarmDef) string {
	if d.alarm.Composite {
		return "arn:aws:cloudwatch:" + region + ":" + accountID + ":alarm:Web-ASG-High-CPU transitioned to OK"
	}
	return "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
}

// reason is the StateReason CloudWatch writes for a transition to state at
// t, quoting the datapoints of the model the alarm watches.
func (d *alarmDef) reason(to source.AlarmState, t, at time.Time) string {
	a := d.alarm
	if to == source.StateInsufficientData {
		return "Insufficient Data: 1 datapoint was unknown."
	}
	n := int(a.EvaluationPeriods)
	var points []string
	// The datapoints come from the series the alarm watches; alarms on no
	// generated series (CIS counters) quote 1 when breaching, 0 when not.
	var m *model
	if h := hostByName[d.host]; h != nil {
		m = modelFor(h, a.Namespace, a.Metric, nil, at.Unix())
	}
	st, _ := parseStat(a.Statistic)
	p := int64(a.Period)
	end := t.Unix() / p * p
	for i := 0; i < n && i < 5; i++ {
		s := end - int64(i+1)*p
		v := 1.0
		if m != nil {
			v = m.value(st, m.point(s, s+p))
		} else if to == source.StateOK {
			v = 0
		}
		points = append(points, fmt.Sprintf("%s (%s)", strconv.FormatFloat(float64(int64(v*1e4+0.5))/1e4, 'f', -1, 64),
			time.Unix(s, 0).UTC().Format("02/01/06 15:04:05")))
	}
	verb, word, trans := "were", "greater than", "OK -> ALARM"
	switch a.Comparison {
	case "LessThanThreshold":
		word = "less than"
	case "GreaterThanOrEqualToThreshold":
		word = "greater than or equal to"
	}
	count := n
	if to == source.StateOK {
		word, trans, count = "not "+word, "ALARM -> OK", 1
	}
	if count == 1 {
		verb = "was"
	}
	return fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s the threshold (%s) (minimum %d datapoint%s for %s transition).",
		count, n, strings.Join(points, ", "), verb, word, strconv.FormatFloat(a.Threshold, 'f', 1, 64), count, plural(count), trans)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
