package aws

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cwreport/cwreport/jobs/source"
)

// alarmsAndMonitoring reads alarms, their history in the window and, for
// the CIS monitoring checks, metric filters and the subscribers of the
// topics the filters' alarms notify (which needs the alarms first).
func (r *run) alarmsAndMonitoring(ctx context.Context) {
	needs := r.req.Needs
	var alarms []source.Alarm
	alarmsOK := false
	if needs&(source.NeedAlarms|source.NeedMonitoring) != 0 {
		alarms, alarmsOK = r.alarms(ctx)
	}
	if needs.Has(source.NeedAlarmHistory) {
		r.alarmHistory(ctx)
	}
	if needs.Has(source.NeedMonitoring) {
		r.monitoring(ctx, alarms, alarmsOK)
	}
}

// alarms reads every metric and composite alarm (paginated).
func (r *run) alarms(ctx context.Context) ([]source.Alarm, bool) {
	in := &cloudwatch.DescribeAlarmsInput{
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
		MaxRecords: sdkaws.Int32(100),
	}
	out := []source.Alarm{}
	for {
		resp, err := r.s.clients.cloudwatch.DescribeAlarms(ctx, in)
		if err != nil {
			r.fail("alarms", err)
			return nil, false
		}
		for _, a := range resp.MetricAlarms {
			out = append(out, metricAlarm(a))
		}
		for _, a := range resp.CompositeAlarms {
			out = append(out, source.Alarm{
				Name:               sdkaws.ToString(a.AlarmName),
				ARN:                sdkaws.ToString(a.AlarmArn),
				Description:        sdkaws.ToString(a.AlarmDescription),
				Composite:          true,
				Rule:               sdkaws.ToString(a.AlarmRule),
				State:              source.AlarmState(a.StateValue),
				StateReason:        sdkaws.ToString(a.StateReason),
				StateUpdated:       firstTime(a.StateTransitionedTimestamp, a.StateUpdatedTimestamp),
				ActionsEnabled:     sdkaws.ToBool(a.ActionsEnabled),
				AlarmActions:       a.AlarmActions,
				OKActions:          a.OKActions,
				InsufficientAction: a.InsufficientDataActions,
			})
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	r.mu.Lock()
	r.ds.Alarms = out
	r.mu.Unlock()
	return out, true
}

func metricAlarm(a cwtypes.MetricAlarm) source.Alarm {
	al := source.Alarm{
		Name:               sdkaws.ToString(a.AlarmName),
		ARN:                sdkaws.ToString(a.AlarmArn),
		Description:        sdkaws.ToString(a.AlarmDescription),
		State:              source.AlarmState(a.StateValue),
		StateReason:        sdkaws.ToString(a.StateReason),
		StateUpdated:       firstTime(a.StateTransitionedTimestamp, a.StateUpdatedTimestamp),
		Namespace:          sdkaws.ToString(a.Namespace),
		Metric:             sdkaws.ToString(a.MetricName),
		Statistic:          string(a.Statistic),
		Period:             sdkaws.ToInt32(a.Period),
		EvaluationPeriods:  sdkaws.ToInt32(a.EvaluationPeriods),
		Threshold:          sdkaws.ToFloat64(a.Threshold),
		Comparison:         string(a.ComparisonOperator),
		ActionsEnabled:     sdkaws.ToBool(a.ActionsEnabled),
		AlarmActions:       a.AlarmActions,
		OKActions:          a.OKActions,
		InsufficientAction: a.InsufficientDataActions,
	}
	if al.Statistic == "" {
		al.Statistic = sdkaws.ToString(a.ExtendedStatistic)
	}
	dims := a.Dimensions
	// A metric-math alarm names its metrics in queries: describe it by the
	// first metric it reads.
	if al.Metric == "" {
		for _, q := range a.Metrics {
			if q.MetricStat != nil && q.MetricStat.Metric != nil {
				al.Namespace = sdkaws.ToString(q.MetricStat.Metric.Namespace)
				al.Metric = sdkaws.ToString(q.MetricStat.Metric.MetricName)
				al.Statistic = sdkaws.ToString(q.MetricStat.Stat)
				al.Period = sdkaws.ToInt32(q.MetricStat.Period)
				dims = q.MetricStat.Metric.Dimensions
				break
			}
		}
	}
	for _, d := range dims {
		al.Dimensions = append(al.Dimensions, source.Dimension{Name: sdkaws.ToString(d.Name), Value: sdkaws.ToString(d.Value)})
	}
	return al
}

// alarmHistory reads the state updates of every alarm within the window.
func (r *run) alarmHistory(ctx context.Context) {
	in := &cloudwatch.DescribeAlarmHistoryInput{
		AlarmTypes:      []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
		HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
		StartDate:       sdkaws.Time(r.req.Window.Start),
		EndDate:         sdkaws.Time(r.req.Window.End),
		ScanBy:          cwtypes.ScanByTimestampAscending,
		MaxRecords:      sdkaws.Int32(100),
	}
	out := []source.AlarmTransition{}
	for {
		resp, err := r.s.clients.cloudwatch.DescribeAlarmHistory(ctx, in)
		if err != nil {
			r.fail("alarm_history", err)
			return
		}
		for _, h := range resp.AlarmHistoryItems {
			if h.HistoryItemType != "" && h.HistoryItemType != cwtypes.HistoryItemTypeStateUpdate {
				continue
			}
			t := sdkaws.ToTime(h.Timestamp).UTC()
			if !r.req.Window.Contains(t) {
				continue
			}
			tr := source.AlarmTransition{Alarm: sdkaws.ToString(h.AlarmName), Time: t}
			tr.From, tr.To, tr.Reason = parseHistoryData(sdkaws.ToString(h.HistoryData))
			if tr.Reason == "" {
				tr.Reason = sdkaws.ToString(h.HistorySummary)
			}
			out = append(out, tr)
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].Alarm < out[j].Alarm
	})
	r.mu.Lock()
	r.ds.AlarmHistory = out
	r.mu.Unlock()
}

// parseHistoryData reads the JSON a StateUpdate item carries:
// {"version":"1.0","oldState":{"stateValue":"OK",...},"newState":{"stateValue":"ALARM","stateReason":"..."}}.
func parseHistoryData(s string) (from, to source.AlarmState, reason string) {
	var d struct {
		OldState struct {
			StateValue string `json:"stateValue"`
		} `json:"oldState"`
		NewState struct {
			StateValue  string `json:"stateValue"`
			StateReason string `json:"stateReason"`
		} `json:"newState"`
	}
	if json.Unmarshal([]byte(s), &d) != nil {
		return "", "", ""
	}
	return source.AlarmState(d.OldState.StateValue), source.AlarmState(d.NewState.StateValue), d.NewState.StateReason
}

// monitoring reads the metric filters and, for alarms on their metrics,
// the subscriptions of the SNS topics those alarms notify (CIS 4.x: a
// filter, an alarm on it, and someone subscribed).
func (r *run) monitoring(ctx context.Context, alarms []source.Alarm, alarmsOK bool) {
	in := &cloudwatchlogs.DescribeMetricFiltersInput{Limit: sdkaws.Int32(50)}
	filters := []source.MetricFilter{}
	for {
		resp, err := r.s.clients.logs.DescribeMetricFilters(ctx, in)
		if err != nil {
			r.fail("metric_filters", err)
			return
		}
		for _, f := range resp.MetricFilters {
			mf := source.MetricFilter{Name: sdkaws.ToString(f.FilterName), LogGroup: sdkaws.ToString(f.LogGroupName), Pattern: sdkaws.ToString(f.FilterPattern)}
			if len(f.MetricTransformations) > 0 {
				mf.MetricNamespace = sdkaws.ToString(f.MetricTransformations[0].MetricNamespace)
				mf.MetricName = sdkaws.ToString(f.MetricTransformations[0].MetricName)
			}
			filters = append(filters, mf)
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(filters, func(i, j int) bool {
		if filters[i].LogGroup != filters[j].LogGroup {
			return filters[i].LogGroup < filters[j].LogGroup
		}
		return filters[i].Name < filters[j].Name
	})
	r.mu.Lock()
	r.ds.MetricFilters = filters
	r.mu.Unlock()
	if !alarmsOK {
		r.addGap(source.Gap{Source: SourceName, Part: "subscriptions", Error: "alarms could not be read, so the topics they notify are unknown"})
		return
	}
	metrics := map[string]bool{}
	for _, f := range filters {
		metrics[f.MetricNamespace+"/"+f.MetricName] = true
	}
	topics := map[string]bool{}
	for _, a := range alarms {
		if !metrics[a.Namespace+"/"+a.Metric] {
			continue
		}
		for _, act := range a.AlarmActions {
			if strings.HasPrefix(act, "arn:aws:sns:") || strings.HasPrefix(act, "arn:aws-cn:sns:") || strings.HasPrefix(act, "arn:aws-us-gov:sns:") {
				topics[act] = true
			}
		}
	}
	arns := make([]string, 0, len(topics))
	for t := range topics {
		arns = append(arns, t)
	}
	sort.Strings(arns)
	subs := []source.Subscription{}
	for _, topic := range arns {
		in := &sns.ListSubscriptionsByTopicInput{TopicArn: sdkaws.String(topic)}
		for {
			resp, err := r.s.clients.sns.ListSubscriptionsByTopic(ctx, in)
			if err != nil {
				r.fail("subscriptions:"+topic, err)
				break
			}
			for _, s := range resp.Subscriptions {
				arn := sdkaws.ToString(s.SubscriptionArn)
				subs = append(subs, source.Subscription{
					TopicARN:  topic,
					Protocol:  sdkaws.ToString(s.Protocol),
					Endpoint:  sdkaws.ToString(s.Endpoint),
					Confirmed: arn != "" && arn != "PendingConfirmation" && arn != "Deleted",
				})
			}
			if resp.NextToken == nil || *resp.NextToken == "" {
				break
			}
			in.NextToken = resp.NextToken
		}
	}
	r.mu.Lock()
	r.ds.Subscriptions = subs
	r.mu.Unlock()
}
