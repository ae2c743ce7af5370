package security

import (
	"slices"
	"strings"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Dataset parts the monitoring checks read.
const (
	partFilters       = "metric_filters"
	partAlarms        = "alarms"
	partSubscriptions = "subscriptions"
)

// cisMonitor is one CIS 4.x recommendation: the event class, and the
// filter patterns the benchmark (and AWS's documentation of it) accepts.
// An account's filter passes when it covers any of them.
type cisMonitor struct {
	id, cis  string
	title    i18n.Text
	severity report.Severity
	patterns []string
}

// The patterns are those printed in CIS AWS Foundations Benchmark v5.0.0,
// section 4 (audit step 3, and the remediation text where it differs).
var cisMonitors = []cisMonitor{
	{"monitoring.unauthorized_api_calls", "4.1", i18n.Text{En: "Unauthorized API calls are monitored", Ko: "권한 없는 API 호출 모니터링"}, report.SeverityMedium,
		[]string{`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }`}},
	{"monitoring.console_signin_without_mfa", "4.2", i18n.Text{En: "Console sign-in without MFA is monitored", Ko: "MFA 없는 콘솔 로그인 모니터링"}, report.SeverityMedium,
		[]string{
			`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`,
			// The variant CIS gives for accounts that sign in through SSO.
			`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
		}},
	{"monitoring.root_usage", "4.3", i18n.Text{En: "Root account usage is monitored", Ko: "루트 계정 사용 모니터링"}, report.SeverityMedium,
		[]string{`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`}},
	{"monitoring.iam_policy_changes", "4.4", i18n.Text{En: "IAM policy changes are monitored", Ko: "IAM 정책 변경 모니터링"}, report.SeverityLow,
		[]string{`{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}`}},
	{"monitoring.cloudtrail_changes", "4.5", i18n.Text{En: "CloudTrail configuration changes are monitored", Ko: "CloudTrail 설정 변경 모니터링"}, report.SeverityMedium,
		[]string{`{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`}},
	{"monitoring.console_auth_failures", "4.6", i18n.Text{En: "Console authentication failures are monitored", Ko: "콘솔 인증 실패 모니터링"}, report.SeverityLow,
		[]string{`{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`}},
	{"monitoring.kms_key_disable_or_deletion", "4.7", i18n.Text{En: "Disabling or scheduled deletion of customer KMS keys is monitored", Ko: "고객 KMS 키 비활성화·삭제 예약 모니터링"}, report.SeverityLow,
		[]string{`{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`}},
	{"monitoring.s3_bucket_policy_changes", "4.8", i18n.Text{En: "S3 bucket policy changes are monitored", Ko: "S3 버킷 정책 변경 모니터링"}, report.SeverityLow,
		[]string{`{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }`}},
	{"monitoring.config_changes", "4.9", i18n.Text{En: "AWS Config configuration changes are monitored", Ko: "AWS Config 설정 변경 모니터링"}, report.SeverityLow,
		[]string{`{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }`}},
	{"monitoring.security_group_changes", "4.10", i18n.Text{En: "Security group changes are monitored", Ko: "보안 그룹 변경 모니터링"}, report.SeverityMedium,
		[]string{`{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }`}},
	{"monitoring.nacl_changes", "4.11", i18n.Text{En: "Network ACL changes are monitored", Ko: "네트워크 ACL 변경 모니터링"}, report.SeverityLow,
		[]string{`{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }`}},
	{"monitoring.network_gateway_changes", "4.12", i18n.Text{En: "Network gateway changes are monitored", Ko: "네트워크 게이트웨이 변경 모니터링"}, report.SeverityLow,
		[]string{`{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }`}},
	{"monitoring.route_table_changes", "4.13", i18n.Text{En: "Route table changes are monitored", Ko: "라우팅 테이블 변경 모니터링"}, report.SeverityLow,
		[]string{
			`{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }`,
			// The audit step of v5.0.0 prints this variant with an event source.
			`{ ($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }`,
		}},
	{"monitoring.vpc_changes", "4.14", i18n.Text{En: "VPC changes are monitored", Ko: "VPC 변경 모니터링"}, report.SeverityLow,
		[]string{`{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }`}},
	{"monitoring.organizations_changes", "4.15", i18n.Text{En: "AWS Organizations changes are monitored", Ko: "AWS Organizations 변경 모니터링"}, report.SeverityLow,
		[]string{`{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }`}},
}

var monitorRemediation = i18n.Text{
	En: "On the multi-region trail's CloudWatch Logs group, create the metric filter with the CIS pattern (aws logs put-metric-filter), an alarm on its metric (Sum >= 1 over 300 s) whose action is an SNS topic, and confirm at least one subscription to that topic.",
	Ko: "멀티 리전 트레일의 CloudWatch Logs 그룹에 CIS 패턴으로 지표 필터를 만들고(aws logs put-metric-filter), 그 지표에 SNS 주제로 알리는 알람(300초 합계 1 이상)을 만든 뒤, 해당 주제에 구독을 하나 이상 확인(confirm)하십시오.",
}

func monitoringChecks() []Check {
	out := make([]Check, 0, len(cisMonitors))
	for _, m := range cisMonitors {
		out = append(out, Check{
			ID: m.id, CIS: m.cis, Title: m.title, Category: Monitoring, Severity: m.severity,
			Needs:       source.NeedTrailConfig | source.NeedMonitoring | source.NeedAlarms,
			Remediation: monitorRemediation,
			Run:         m.run,
		})
	}
	return out
}

// logGroupName extracts the group name from a trail's CloudWatch Logs ARN
// ("arn:aws:logs:region:account:log-group:NAME:*").
func logGroupName(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":log-group:"); ok {
		return strings.TrimSuffix(rest, ":*")
	}
	return arn
}

// run follows the CIS audit procedure: the multi-region trail's log group,
// a metric filter with the pattern, an alarm on the filter's metric with an
// SNS action, and a confirmed subscriber of that topic. Each step that
// cannot be read makes the check unknown; each that is absent fails it.
func (m cisMonitor) run(e *Env) Result {
	if e.unreadExact(partTrails) {
		return unknown(partTrails)
	}
	ok, maybe := e.auditTrails()
	var groups []string
	for _, t := range ok {
		if t.LogGroupARN != "" {
			groups = append(groups, logGroupName(t.LogGroupARN))
		}
	}
	if len(groups) == 0 {
		for _, t := range maybe {
			if t.LogGroupARN != "" {
				return unknown("trails:<name>:status", "trails:<name>:event_selectors")
			}
		}
		return fail("no multi-region trail logging all management events delivers to CloudWatch Logs",
			"모든 관리 이벤트를 기록하는 멀티 리전 트레일 중 CloudWatch Logs로 전달하는 트레일이 없습니다", nil, nil)
	}
	if e.unread(partFilters) {
		return unknown(partFilters)
	}
	var matched []source.MetricFilter
	for _, f := range e.Data.MetricFilters {
		if slices.Contains(groups, f.LogGroup) && patternCovers(f.Pattern, m.patterns...) {
			matched = append(matched, f)
		}
	}
	if len(matched) == 0 {
		ev := map[string]any{"log_groups": groups}
		if missing := missingTerms(e.Data.MetricFilters, groups, m.patterns[0]); len(missing) > 0 {
			ev["missing_terms"] = missing
		}
		return fail("no metric filter on "+strings.Join(groups, ", ")+" matches the CIS "+m.cis+" pattern",
			strings.Join(groups, ", ")+"에 CIS "+m.cis+" 패턴과 일치하는 지표 필터가 없습니다", nil, ev)
	}
	if e.unread(partAlarms) {
		return unknown(partAlarms)
	}
	var topics []string
	var alarms []string
	for _, f := range matched {
		for _, a := range e.Data.Alarms {
			if a.Composite || a.Metric != f.MetricName || a.Namespace != f.MetricNamespace {
				continue
			}
			alarms = append(alarms, a.Name)
			if !a.ActionsEnabled {
				continue
			}
			for _, act := range a.AlarmActions {
				if strings.HasPrefix(act, "arn:aws:sns:") || strings.HasPrefix(act, "arn:aws-cn:sns:") || strings.HasPrefix(act, "arn:aws-us-gov:sns:") {
					topics = append(topics, act)
				}
			}
		}
	}
	filters := make([]string, 0, len(matched))
	for _, f := range matched {
		filters = append(filters, f.Name)
	}
	ev := map[string]any{"log_groups": groups, "filters": filters}
	if len(alarms) == 0 {
		return fail("metric filter "+strings.Join(filters, ", ")+" has no alarm on its metric",
			"지표 필터 "+strings.Join(filters, ", ")+"의 지표에 알람이 없습니다", nil, ev)
	}
	ev["alarms"] = alarms
	if len(topics) == 0 {
		return fail("alarm "+strings.Join(alarms, ", ")+" notifies no SNS topic (or its actions are disabled)",
			"알람 "+strings.Join(alarms, ", ")+": SNS 주제로 알림을 보내지 않습니다(또는 작업이 비활성화됨)", nil, ev)
	}
	// The aws source records a failed topic as "subscriptions:<topic ARN>":
	// only the topics these alarms notify matter.
	if e.unreadExact(partSubscriptions) {
		return unknown(partSubscriptions)
	}
	for _, tp := range topics {
		if gapCovers(e.Data.Gaps, partSubscriptions+":"+tp) {
			return unknown(partSubscriptions + ":" + tp)
		}
	}
	protocols := map[string]bool{}
	for _, s := range e.Data.Subscriptions {
		if s.Confirmed && slices.Contains(topics, s.TopicARN) {
			protocols[s.Protocol] = true
		}
	}
	ev["topics"] = topics
	if len(protocols) == 0 {
		return fail("SNS topic "+strings.Join(topics, ", ")+" has no confirmed subscriber",
			"SNS 주제 "+strings.Join(topics, ", ")+"에 확인된 구독자가 없습니다", nil, ev)
	}
	var ps []string
	for p := range protocols {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	ev["subscriber_protocols"] = ps
	return Result{Status: Pass, Evidence: ev, Summary: i18n.Text{
		En: "filter " + strings.Join(filters, ", ") + " → alarm " + strings.Join(alarms, ", ") + " → SNS (" + strings.Join(ps, ", ") + ")",
		Ko: "필터 " + strings.Join(filters, ", ") + " → 알람 " + strings.Join(alarms, ", ") + " → SNS (" + strings.Join(ps, ", ") + ")",
	}}
}

// missingTerms names, for the filter on groups that comes closest, the
// alternatives of the required disjunction it does not match: the events
// a reader must add (ModifySecurityGroupRules, new in v5.0.0, is typical).
func missingTerms(fs []source.MetricFilter, groups []string, required string) []string {
	rp, err := parsePattern(required)
	if err != nil {
		return nil
	}
	alts := []*pattern{rp}
	if rp.op == "or" {
		alts = rp.kids
	} else if rp.op == "and" {
		for _, k := range rp.kids {
			if k.op == "or" {
				alts = k.kids
			}
		}
	}
	var best []string
	found := false
	for _, f := range fs {
		if !slices.Contains(groups, f.LogGroup) {
			continue
		}
		ap, err := parsePattern(f.Pattern)
		if err != nil {
			continue
		}
		var miss []string
		for _, a := range alts {
			if !covers(ap, a) {
				miss = append(miss, strings.Trim(a.String(), "()"))
			}
		}
		if len(miss) < len(alts) && (!found || len(miss) < len(best)) {
			best, found = miss, true
		}
	}
	return best
}
