package aws

import (
	"sort"
	"strings"

	"github.com/cwreport/cwreport/jobs/source"
)

// identityActions are called by every collection (sts:GetCallerIdentity
// needs no permission).
var identityActions = []string{"iam:ListAccountAliases"}

// needActions are the IAM actions each dataset part may call. The S3
// actions (trail log files, bucket logging) are scoped to the trail bucket
// in their own statement; see Policy.
var needActions = map[source.Need][]string{
	source.NeedInstances:    {"ec2:DescribeInstances"},
	source.NeedMetrics:      {"ec2:DescribeInstances", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData"},
	source.NeedAlarms:       {"cloudwatch:DescribeAlarms"},
	source.NeedAlarmHistory: {"cloudwatch:DescribeAlarmHistory"},
	source.NeedLogGroups:    {"logs:DescribeLogGroups"},
	source.NeedLogStats:     {"logs:DescribeLogGroups"}, // + the engine's, see logsActions
	source.NeedTrailEvents:  {"cloudtrail:LookupEvents", "cloudtrail:DescribeTrails", "s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject"},
	source.NeedNetwork:      {"ec2:DescribeInstances", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:DescribeFlowLogs", "ec2:DescribeNetworkAcls"},
	source.NeedTrailConfig: {"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
		"s3:GetBucketLocation", "s3:GetBucketLogging", "config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"},
	source.NeedMonitoring: {"cloudwatch:DescribeAlarms", "logs:DescribeMetricFilters", "sns:ListSubscriptionsByTopic"},
	source.NeedIAM:        {"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountSummary", "iam:GetAccountPasswordPolicy"},
	source.NeedPrices:     {"pricing:GetProducts"},
}

// logsActions are the log statistics engine's calls: auto needs both,
// because it falls back to FilterLogEvents when Insights is unavailable.
func logsActions(engine string) []string {
	insights := []string{"logs:StartQuery", "logs:GetQueryResults", "logs:StopQuery"}
	filter := []string{"logs:FilterLogEvents"}
	switch engine {
	case "insights":
		return insights
	case "filter":
		return filter
	}
	return append(insights, filter...)
}

// AllNeeds is every dataset part.
const AllNeeds = source.NeedInstances | source.NeedMetrics | source.NeedAlarms | source.NeedAlarmHistory |
	source.NeedLogGroups | source.NeedLogStats | source.NeedTrailEvents | source.NeedNetwork |
	source.NeedTrailConfig | source.NeedMonitoring | source.NeedIAM | source.NeedPrices

// ReadActions lists, sorted, the IAM actions the source may call to
// collect needs with the given logs engine (auto, insights, filter).
func ReadActions(needs source.Need, engine string) []string {
	set := map[string]bool{}
	for _, a := range identityActions {
		set[a] = true
	}
	for n, acts := range needActions {
		if needs&n == 0 {
			continue
		}
		for _, a := range acts {
			set[a] = true
		}
	}
	if needs.Has(source.NeedLogStats) {
		for _, a := range logsActions(engine) {
			set[a] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Statement is one IAM policy statement.
type Statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// PolicyOptions shape the read policy.
type PolicyOptions struct {
	// Engine is source.logs.engine (auto, insights, filter).
	Engine string
	// TrailBucket scopes the S3 statements to the trail's bucket; empty
	// allows any bucket's AWSLogs/ keys (the trail is found at run time).
	TrailBucket string
	// Region picks the partition of ARNs (aws, aws-cn, aws-us-gov).
	Region string
}

// Partition is the ARN partition of region.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ReadPolicy is the least-privilege read-only policy for needs: describe,
// list and get actions on "*" (they take no narrower resource), the S3
// actions on the trail bucket (or any bucket's AWSLogs/ keys when unknown:
// the trail is only found at run time), and kms:Decrypt through S3 for
// trails whose files are KMS-encrypted.
func ReadPolicy(needs source.Need, o PolicyOptions) Policy {
	engine, trailBucket := o.Engine, o.TrailBucket
	s3arn := "arn:" + Partition(o.Region) + ":s3:::"
	var general, bucket, objects []string
	for _, a := range ReadActions(needs, engine) {
		switch a {
		case "s3:GetObject":
			objects = append(objects, a)
		case "s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketLogging":
			bucket = append(bucket, a)
		default:
			general = append(general, a)
		}
	}
	p := Policy{Version: "2012-10-17"}
	p.Statement = append(p.Statement, Statement{Sid: "CwreportRead", Effect: "Allow", Action: general, Resource: []string{"*"}})
	bucketARN, objectARN := s3arn+"*", s3arn+"*/AWSLogs/*"
	if trailBucket != "" {
		bucketARN, objectARN = s3arn+trailBucket, s3arn+trailBucket+"/*"
	}
	if len(bucket) > 0 {
		p.Statement = append(p.Statement, Statement{Sid: "CwreportTrailBucket", Effect: "Allow", Action: bucket, Resource: []string{bucketARN}})
	}
	if len(objects) > 0 {
		p.Statement = append(p.Statement,
			Statement{Sid: "CwreportTrailLogFiles", Effect: "Allow", Action: objects, Resource: []string{objectARN}},
			Statement{Sid: "CwreportTrailLogFilesKMS", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{"*"},
				Condition: map[string]map[string]string{"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}})
	}
	return p
}

// Actions returns every action the policy allows.
func (p Policy) Actions() map[string]bool {
	out := map[string]bool{}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			out[a] = true
		}
	}
	return out
}
