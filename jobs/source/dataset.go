package source

import "time"

// Dataset is everything collected for one run. It is plain data: it can be
// written to JSON and read back as a snapshot source.
type Dataset struct {
	Account     Account   `json:"account"`
	Window      Window    `json:"window"`
	CollectedAt time.Time `json:"collected_at"`

	Instances []Instance `json:"instances,omitempty"`
	Series    []Series   `json:"series,omitempty"`

	Alarms       []Alarm           `json:"alarms,omitempty"`
	AlarmHistory []AlarmTransition `json:"alarm_history,omitempty"`

	LogGroups []LogGroup `json:"log_groups,omitempty"`
	LogStats  []LogStats `json:"log_stats,omitempty"`

	TrailEvents []TrailEvent `json:"trail_events,omitempty"`

	SecurityGroups []SecurityGroup `json:"security_groups,omitempty"`
	VPCs           []VPC           `json:"vpcs,omitempty"`
	FlowLogs       []FlowLog       `json:"flow_logs,omitempty"`
	NetworkACLs    []NetworkACL    `json:"network_acls,omitempty"`

	Trails          []Trail          `json:"trails,omitempty"`
	ConfigRecorders []ConfigRecorder `json:"config_recorders,omitempty"`
	MetricFilters   []MetricFilter   `json:"metric_filters,omitempty"`
	Subscriptions   []Subscription   `json:"subscriptions,omitempty"`

	IAM *IAM `json:"iam,omitempty"`

	// Gaps lists what could not be collected. Analyzers copy them into the
	// report's data_gaps and treat the missing parts as unknown, never as
	// "nothing found".
	Gaps []Gap `json:"gaps,omitempty"`
	// Prices are on-demand prices read for Request.PriceTypes (NeedPrices).
	Prices []InstancePrice `json:"prices,omitempty"`
	// Stats counts the API calls made, by API name ("cloudwatch:GetMetricData").
	Stats map[string]int `json:"stats,omitempty"`
}

// Missing reports whether a gap was recorded for part (exact match or a
// "part:" prefix), so an analyzer can tell "none found" from "not read".
func (d *Dataset) Missing(part string) bool {
	for _, g := range d.Gaps {
		if g.Part == part || (len(g.Part) > len(part) && g.Part[:len(part)] == part && g.Part[len(part)] == ':') {
			return true
		}
	}
	return false
}

// InstancePrice is one on-demand price from the AWS Price List API: Linux,
// shared tenancy, no pre-installed software, used capacity, USD per hour.
type InstancePrice struct {
	Region       string    `json:"region"`
	InstanceType string    `json:"instance_type"`
	USDPerHour   float64   `json:"usd_per_hour"`
	Effective    time.Time `json:"effective,omitzero"` // the price's effectiveDate
}

// Account identifies the account and region the data came from.
type Account struct {
	ID     string `json:"id"`
	Alias  string `json:"alias,omitempty"`
	Region string `json:"region"`
	// Demo is set by the demo source, so its reports say they are synthetic.
	Demo bool `json:"demo,omitempty"`
}

// Instance is one EC2 instance.
type Instance struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"` // the Name tag, may be empty
	Type             string            `json:"type"` // t3.small
	State            string            `json:"state"`
	LaunchTime       time.Time         `json:"launch_time"`
	AvailabilityZone string            `json:"availability_zone,omitempty"`
	VPCID            string            `json:"vpc_id,omitempty"`
	SubnetID         string            `json:"subnet_id,omitempty"`
	PrivateIP        string            `json:"private_ip,omitempty"`
	PublicIP         string            `json:"public_ip,omitempty"`
	Platform         string            `json:"platform,omitempty"` // linux | windows
	SecurityGroupIDs []string          `json:"security_group_ids,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	// AutoScalingGroup comes from the aws:autoscaling:groupName tag.
	AutoScalingGroup string `json:"auto_scaling_group,omitempty"`
	// NodeGroup and Cluster come from the eks:nodegroup-name and
	// eks:cluster-name tags.
	NodeGroup string `json:"node_group,omitempty"`
	Cluster   string `json:"cluster,omitempty"`
}

// Label is the name a reader recognises: the Name tag, or the id.
func (i Instance) Label() string {
	if i.Name != "" {
		return i.Name
	}
	return i.ID
}

// Dimension is one CloudWatch dimension.
type Dimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Series is one metric time series: parallel slices of Unix seconds and
// values in ascending time order. Missing points are absent, not zero.
type Series struct {
	Namespace  string      `json:"namespace"`
	Metric     string      `json:"metric"`
	Dimensions []Dimension `json:"dimensions"`
	// InstanceID repeats the InstanceId dimension, when present, because
	// every analyzer groups by it.
	InstanceID string    `json:"instance_id,omitempty"`
	Stat       string    `json:"stat"`
	Unit       string    `json:"unit,omitempty"`
	Period     int32     `json:"period"` // seconds
	Times      []int64   `json:"times"`  // Unix seconds
	Values     []float64 `json:"values"`
}

// Len is the number of points.
func (s *Series) Len() int { return len(s.Values) }

// Time returns the i-th timestamp.
func (s *Series) Time(i int) time.Time { return time.Unix(s.Times[i], 0).UTC() }

// Dim returns the value of dimension name, or "".
func (s *Series) Dim(name string) string {
	for _, d := range s.Dimensions {
		if d.Name == name {
			return d.Value
		}
	}
	return ""
}

// AlarmState is a CloudWatch alarm state.
type AlarmState string

// Alarm states, as CloudWatch spells them.
const (
	StateOK               AlarmState = "OK"
	StateAlarm            AlarmState = "ALARM"
	StateInsufficientData AlarmState = "INSUFFICIENT_DATA"
)

// Alarm is a metric or composite alarm as it is now.
type Alarm struct {
	Name         string     `json:"name"`
	ARN          string     `json:"arn,omitempty"`
	Description  string     `json:"description,omitempty"`
	Composite    bool       `json:"composite,omitempty"`
	Rule         string     `json:"rule,omitempty"` // composite alarm rule
	State        AlarmState `json:"state"`
	StateReason  string     `json:"state_reason,omitempty"`
	StateUpdated time.Time  `json:"state_updated"`
	// Namespace, Metric, Dimensions, Statistic, Period, Threshold and
	// Comparison describe a metric alarm.
	Namespace          string      `json:"namespace,omitempty"`
	Metric             string      `json:"metric,omitempty"`
	Dimensions         []Dimension `json:"dimensions,omitempty"`
	Statistic          string      `json:"statistic,omitempty"`
	Period             int32       `json:"period,omitempty"`
	EvaluationPeriods  int32       `json:"evaluation_periods,omitempty"`
	Threshold          float64     `json:"threshold,omitempty"`
	Comparison         string      `json:"comparison,omitempty"` // GreaterThanThreshold ...
	ActionsEnabled     bool        `json:"actions_enabled"`
	AlarmActions       []string    `json:"alarm_actions,omitempty"`
	OKActions          []string    `json:"ok_actions,omitempty"`
	InsufficientAction []string    `json:"insufficient_data_actions,omitempty"`
}

// AlarmTransition is one state change from the alarm history.
type AlarmTransition struct {
	Alarm  string     `json:"alarm"`
	Time   time.Time  `json:"time"`
	From   AlarmState `json:"from"`
	To     AlarmState `json:"to"`
	Reason string     `json:"reason,omitempty"`
}

// LogGroup is one CloudWatch Logs group's configuration.
type LogGroup struct {
	Name          string    `json:"name"`
	ARN           string    `json:"arn,omitempty"`
	RetentionDays int32     `json:"retention_days"` // 0: never expire
	KMSKeyID      string    `json:"kms_key_id,omitempty"`
	StoredBytes   int64     `json:"stored_bytes"`
	Created       time.Time `json:"created,omitzero"`
}

// LogStats is what the error scan of one log group found in the window.
type LogStats struct {
	Group string `json:"group"`
	// Scanned is the number of events read (0 when an engine only counts).
	Scanned     int64      `json:"scanned"`
	ErrorEvents int64      `json:"error_events"`
	Bin         int32      `json:"bin"` // histogram bin, seconds
	Histogram   []BinCount `json:"histogram"`
	// Patterns are the most frequent error message shapes, most frequent
	// first, with variable parts masked.
	Patterns []LogPattern `json:"patterns"`
	// Truncated is set when a cap (events, bytes, time) stopped the scan, so
	// counts are lower bounds.
	Truncated bool `json:"truncated,omitempty"`
}

// BinCount is the number of error events in the bin starting at Start.
type BinCount struct {
	Start time.Time `json:"start"`
	Count int64     `json:"count"`
}

// LogPattern is one masked message shape.
type LogPattern struct {
	Pattern   string    `json:"pattern"`
	Count     int64     `json:"count"`
	Example   string    `json:"example"` // one raw line, untrusted
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// TrailEvent is one CloudTrail record, reduced to what reports use.
type TrailEvent struct {
	ID        string    `json:"id"` // eventID
	Time      time.Time `json:"time"`
	Name      string    `json:"name"`   // eventName
	Source    string    `json:"source"` // eventSource, e.g. signin.amazonaws.com
	Region    string    `json:"region"`
	SourceIP  string    `json:"source_ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	// UserType is userIdentity.type: Root, IAMUser, AssumedRole, FederatedUser,
	// AWSService, AWSAccount.
	UserType string `json:"user_type"`
	// UserName is the IAM user name, the role session's role name, or "root";
	// failed console logins may carry HIDDEN_DUE_TO_SECURITY_REASONS.
	UserName     string `json:"user_name,omitempty"`
	PrincipalARN string `json:"principal_arn,omitempty"`
	AccountID    string `json:"account_id,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
	// LoginResult is responseElements.ConsoleLogin ("Success" | "Failure")
	// for ConsoleLogin events.
	LoginResult string `json:"login_result,omitempty"`
	MFAUsed     string `json:"mfa_used,omitempty"` // additionalEventData.MFAUsed
	ReadOnly    bool   `json:"read_only,omitempty"`
	// Resources names what the event acted on (group ids, role ARNs, policy ARNs).
	Resources []string `json:"resources,omitempty"`
	// RequestParameters keeps the raw JSON for change events (security group
	// rules, policy documents); untrusted.
	RequestParameters string `json:"request_parameters,omitempty"`
}

// SecurityGroup is one EC2 security group.
type SecurityGroup struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	VPCID       string   `json:"vpc_id"`
	Description string   `json:"description,omitempty"`
	Ingress     []SGRule `json:"ingress"`
	Egress      []SGRule `json:"egress"`
	// AttachedTo lists the instance ids using the group (from the inventory).
	AttachedTo []string `json:"attached_to,omitempty"`
}

// SGRule is one permission: protocol "-1" means all; FromPort/ToPort -1 too.
type SGRule struct {
	Protocol     string   `json:"protocol"`
	FromPort     int32    `json:"from_port"`
	ToPort       int32    `json:"to_port"`
	CIDRs        []string `json:"cidrs,omitempty"`
	IPv6CIDRs    []string `json:"ipv6_cidrs,omitempty"`
	SourceGroups []string `json:"source_groups,omitempty"`
	PrefixLists  []string `json:"prefix_lists,omitempty"`
	Description  string   `json:"description,omitempty"`
}

// VPC is one VPC.
type VPC struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	CIDR      string `json:"cidr"`
	IsDefault bool   `json:"is_default"`
}

// FlowLog is one VPC flow log.
type FlowLog struct {
	ID          string `json:"id"`
	ResourceID  string `json:"resource_id"` // vpc, subnet or eni id
	Status      string `json:"status"`      // ACTIVE
	TrafficType string `json:"traffic_type"`
	Destination string `json:"destination,omitempty"`
}

// NetworkACL is one network ACL with its entries.
type NetworkACL struct {
	ID        string     `json:"id"`
	VPCID     string     `json:"vpc_id"`
	IsDefault bool       `json:"is_default"`
	Entries   []ACLEntry `json:"entries"`
}

// ACLEntry is one NACL rule; Protocol "-1" means all, ports 0 when not set.
type ACLEntry struct {
	RuleNumber int32  `json:"rule_number"`
	Egress     bool   `json:"egress"`
	Protocol   string `json:"protocol"`
	CIDR       string `json:"cidr,omitempty"`
	IPv6CIDR   string `json:"ipv6_cidr,omitempty"`
	FromPort   int32  `json:"from_port"`
	ToPort     int32  `json:"to_port"`
	Action     string `json:"action"` // allow | deny
}

// Trail is one CloudTrail trail with its status.
type Trail struct {
	Name              string `json:"name"`
	ARN               string `json:"arn,omitempty"`
	HomeRegion        string `json:"home_region"`
	MultiRegion       bool   `json:"multi_region"`
	Organization      bool   `json:"organization"`
	Logging           bool   `json:"logging"`
	LogFileValidation bool   `json:"log_file_validation"`
	KMSKeyID          string `json:"kms_key_id,omitempty"`
	S3Bucket          string `json:"s3_bucket"`
	S3Prefix          string `json:"s3_prefix,omitempty"`
	// LogGroupARN is the CloudWatch Logs group the trail delivers to (CIS 4.x).
	LogGroupARN string `json:"log_group_arn,omitempty"`
	// ManagementEvents and ReadWriteType come from the event selectors.
	ManagementEvents bool   `json:"management_events"`
	ReadWriteType    string `json:"read_write_type,omitempty"` // All | ReadOnly | WriteOnly
	// BucketAccessLogging is nil when the bucket's logging could not be read.
	BucketAccessLogging *bool `json:"bucket_access_logging,omitempty"`
}

// ConfigRecorder is one AWS Config recorder and its status.
type ConfigRecorder struct {
	Name          string `json:"name"`
	Recording     bool   `json:"recording"`
	AllSupported  bool   `json:"all_supported"`
	IncludeGlobal bool   `json:"include_global"`
}

// MetricFilter is one CloudWatch Logs metric filter.
type MetricFilter struct {
	Name            string `json:"name"`
	LogGroup        string `json:"log_group"`
	Pattern         string `json:"pattern"`
	MetricNamespace string `json:"metric_namespace"`
	MetricName      string `json:"metric_name"`
}

// Subscription is one SNS subscription.
type Subscription struct {
	TopicARN string `json:"topic_arn"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	// Confirmed is false while the SubscriptionArn is "PendingConfirmation".
	Confirmed bool `json:"confirmed"`
}

// IAM holds the account-level IAM data the security pack reads.
type IAM struct {
	CredentialReport []CredentialReportRow `json:"credential_report,omitempty"`
	// ReportGenerated is when AWS generated the credential report.
	ReportGenerated time.Time `json:"report_generated,omitzero"`
	// PasswordPolicy is nil when the account has none (NoSuchEntity).
	PasswordPolicy *PasswordPolicy `json:"password_policy,omitempty"`
	Summary        map[string]int  `json:"summary,omitempty"` // GetAccountSummary SummaryMap
}

// CredentialReportRow is one line of the IAM credential report. Times are zero
// when the report says N/A or no_information.
type CredentialReportRow struct {
	User                  string    `json:"user"` // <root_account> for root
	ARN                   string    `json:"arn"`
	Created               time.Time `json:"created,omitzero"`
	PasswordEnabled       bool      `json:"password_enabled"`
	PasswordLastUsed      time.Time `json:"password_last_used,omitzero"`
	PasswordLastChanged   time.Time `json:"password_last_changed,omitzero"`
	MFAActive             bool      `json:"mfa_active"`
	AccessKey1Active      bool      `json:"access_key_1_active"`
	AccessKey1LastRotated time.Time `json:"access_key_1_last_rotated,omitzero"`
	AccessKey1LastUsed    time.Time `json:"access_key_1_last_used,omitzero"`
	AccessKey2Active      bool      `json:"access_key_2_active"`
	AccessKey2LastRotated time.Time `json:"access_key_2_last_rotated,omitzero"`
	AccessKey2LastUsed    time.Time `json:"access_key_2_last_used,omitzero"`
}

// PasswordPolicy is the account password policy.
type PasswordPolicy struct {
	MinimumLength      int32 `json:"minimum_length"`
	RequireSymbols     bool  `json:"require_symbols"`
	RequireNumbers     bool  `json:"require_numbers"`
	RequireUppercase   bool  `json:"require_uppercase"`
	RequireLowercase   bool  `json:"require_lowercase"`
	ReusePrevention    int32 `json:"reuse_prevention"` // 0: not set
	MaxAgeDays         int32 `json:"max_age_days"`     // 0: not set
	AllowUsersToChange bool  `json:"allow_users_to_change"`
}
