package demo

import "github.com/cwreport/cwreport/jobs/source"

// CIS 4.x monitoring of the demo account: metric filters on the trail's log
// group, alarms on their metrics (alarms.go) and SNS subscribers. Only 4.1
// (unauthorized API calls) and 4.3 (root usage) are covered, so the
// security report finds the other CIS 4.x controls missing.

const cisNamespace = "CISBenchmark"

func monitoring(ds *source.Dataset) {
	ds.MetricFilters = []source.MetricFilter{
		{Name: "cis-4.1-unauthorized-api-calls", LogGroup: trailGroup,
			Pattern:         `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`,
			MetricNamespace: cisNamespace, MetricName: "UnauthorizedAPICalls"},
		{Name: "cis-4.3-root-account-usage", LogGroup: trailGroup,
			Pattern:         `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
			MetricNamespace: cisNamespace, MetricName: "RootAccountUsage"},
		// Not a CIS filter: counts application errors for a dashboard.
		{Name: "order-api-errors", LogGroup: "/aws/ec2/order-api/app", Pattern: `"ERROR"`,
			MetricNamespace: "OrderAPI", MetricName: "ErrorLines"},
	}
	ds.Subscriptions = []source.Subscription{
		{TopicARN: cisTopic, Protocol: "email", Endpoint: "secops@demo-ops.example.com", Confirmed: true},
		{TopicARN: opsTopic, Protocol: "email", Endpoint: "sre-oncall@demo-ops.example.com", Confirmed: true},
		{TopicARN: opsTopic, Protocol: "https", Endpoint: "https://hooks.demo-ops.example.com/sns/ops-alerts", Confirmed: true},
		// Invited a year ago, never confirmed.
		{TopicARN: opsTopic, Protocol: "email", Endpoint: "old-team@demo-ops.example.com", Confirmed: false},
	}
}
