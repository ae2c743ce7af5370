package aws

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// The tests in this file cover response shapes kumo does not produce:
// each fake answers in the shape AWS documents for that operation.

// TestSecurityGroupShapes: kumo keeps IPv4 ranges only; IPv6 ranges,
// source groups, prefix lists, descriptions and all-traffic rules come from
// DescribeSecurityGroups' documented XML, over two pages.
func TestSecurityGroupShapes(t *testing.T) {
	ta := newTestAWS(t)
	ta.handle("ec2:DescribeInstances", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet><item>
<instanceId>i-0jupyter</instanceId><instanceType>t3.large</instanceType><instanceState><code>80</code><name>stopped</name></instanceState><launchTime>2026-01-02T03:04:05.000Z</launchTime>
<placement><availabilityZone>ap-northeast-2c</availabilityZone></placement><platform>windows</platform><ipAddress>203.0.113.9</ipAddress>
<groupSet><item><groupId>sg-0jupyter</groupId><groupName>sg-jupyter</groupName></item></groupSet></item>
<item><instanceId>i-0gone</instanceId><instanceType>t3.large</instanceType><instanceState><code>48</code><name>terminated</name></instanceState><launchTime>2026-01-02T03:04:05.000Z</launchTime></item>
</instancesSet></item></reservationSet></DescribeInstancesResponse>`)
	})
	ta.handle("ec2:DescribeSecurityGroups", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("NextToken") == "" {
			writeXML(w, `<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>edb7c570-be05-4192-bd1b-EXAMPLE</requestId>
   <securityGroupInfo>
      <item>
         <ownerId>123456789012</ownerId><groupId>sg-0jupyter</groupId><groupName>sg-jupyter</groupName><groupDescription>notebooks</groupDescription><vpcId>vpc-1a2b3c4d</vpcId>
         <ipPermissions>
            <item><ipProtocol>tcp</ipProtocol><fromPort>8888</fromPort><toPort>8888</toPort><groups/>
               <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp><description>anyone</description></item></ipRanges>
               <ipv6Ranges><item><cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges><prefixListIds/></item>
         </ipPermissions>
         <ipPermissionsEgress>
            <item><ipProtocol>-1</ipProtocol><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><prefixListIds/></item>
         </ipPermissionsEgress>
      </item>
   </securityGroupInfo>
   <nextToken>page-2</nextToken>
</DescribeSecurityGroupsResponse>`)
			return
		}
		writeXML(w, `<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>edb7c570-be05-4192-bd1b-EXAMPLE</requestId>
   <securityGroupInfo>
      <item>
         <ownerId>123456789012</ownerId><groupId>sg-0db</groupId><groupName>sg-db</groupName><groupDescription>database</groupDescription><vpcId>vpc-1a2b3c4d</vpcId>
         <ipPermissions>
            <item><ipProtocol>tcp</ipProtocol><fromPort>5432</fromPort><toPort>5432</toPort>
               <groups><item><userId>123456789012</userId><groupId>sg-0app</groupId><description>app tier</description></item></groups>
               <ipRanges/><prefixListIds><item><prefixListId>pl-12345678</prefixListId></item></prefixListIds></item>
            <item><ipProtocol>icmp</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort><groups/><ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item></ipRanges></item>
         </ipPermissions>
         <ipPermissionsEgress/>
      </item>
   </securityGroupInfo>
</DescribeSecurityGroupsResponse>`)
	})
	ta.handle("ec2:DescribeVpcs", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet><item><vpcId>vpc-1a2b3c4d</vpcId><state>available</state><cidrBlock>172.31.0.0/16</cidrBlock><isDefault>true</isDefault></item></vpcSet></DescribeVpcsResponse>`)
	})
	ta.handle("ec2:DescribeFlowLogs", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<DescribeFlowLogsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><flowLogSet/></DescribeFlowLogsResponse>`)
	})
	ta.handle("ec2:DescribeNetworkAcls", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<DescribeNetworkAclsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><networkAclSet/></DescribeNetworkAclsResponse>`)
	})
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	ds, err := ta.source(config.Source{}, at).Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-time.Hour), End: at}, Needs: source.NeedNetwork})
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	eq(t, "instances", ds.Instances, []source.Instance{{ID: "i-0jupyter", Type: "t3.large", State: "stopped", LaunchTime: mustTime("2026-01-02T03:04:05Z"),
		AvailabilityZone: "ap-northeast-2c", PublicIP: "203.0.113.9", Platform: "windows", SecurityGroupIDs: []string{"sg-0jupyter"}}})
	eq(t, "security groups", ds.SecurityGroups, []source.SecurityGroup{
		{ID: "sg-0db", Name: "sg-db", VPCID: "vpc-1a2b3c4d", Description: "database", Ingress: []source.SGRule{
			{Protocol: "tcp", FromPort: 5432, ToPort: 5432, SourceGroups: []string{"sg-0app"}, PrefixLists: []string{"pl-12345678"}, Description: "app tier"},
			{Protocol: "icmp", FromPort: -1, ToPort: -1, CIDRs: []string{"10.0.0.0/8"}},
		}, Egress: []source.SGRule{}},
		{ID: "sg-0jupyter", Name: "sg-jupyter", VPCID: "vpc-1a2b3c4d", Description: "notebooks", Ingress: []source.SGRule{
			{Protocol: "tcp", FromPort: 8888, ToPort: 8888, CIDRs: []string{"0.0.0.0/0"}, IPv6CIDRs: []string{"::/0"}, Description: "anyone"},
		}, Egress: []source.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}}}, AttachedTo: []string{"i-0jupyter"}},
	})
	eq(t, "vpcs", ds.VPCs, []source.VPC{{ID: "vpc-1a2b3c4d", CIDR: "172.31.0.0/16", IsDefault: true}})
	if ds.FlowLogs == nil || len(ds.FlowLogs) != 0 {
		t.Errorf("no flow logs must be an empty list (read, none found): %#v", ds.FlowLogs)
	}
}

// TestAlarmShapes: composite and metric-math alarms over two pages of
// DescribeAlarms (CBOR, as CloudWatch answers), and subscriptions pending
// confirmation (SNS query XML, paginated).
func TestAlarmShapes(t *testing.T) {
	ta := newTestAWS(t)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	ta.handle("cloudwatch:DescribeAlarms", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			AlarmTypes []string
			NextToken  string
		}
		readCBOR(r, &in)
		if strings.Join(in.AlarmTypes, ",") != "MetricAlarm,CompositeAlarm" {
			writeError(w, "cloudwatch:DescribeAlarms", 400, "InvalidParameterValue", "alarm types")
			return
		}
		if in.NextToken == "" {
			writeCBOR(w, map[string]any{"MetricAlarms": []any{map[string]any{
				"AlarmName": "Math-Errors", "AlarmArn": "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:Math-Errors", "ActionsEnabled": true,
				"AlarmActions": []string{"arn:aws:sns:ap-northeast-2:123456789012:cis"}, "StateValue": "ALARM", "StateReason": "Threshold Crossed",
				"StateUpdatedTimestamp": at.Add(-time.Minute), "StateTransitionedTimestamp": at.Add(-time.Hour), "EvaluationPeriods": 1, "Threshold": 1.0,
				"ComparisonOperator": "GreaterThanOrEqualToThreshold",
				"Metrics": []any{
					map[string]any{"Id": "e1", "Expression": "m1*2", "ReturnData": true},
					map[string]any{"Id": "m1", "ReturnData": false, "MetricStat": map[string]any{"Metric": map[string]any{"Namespace": "CISBenchmark", "MetricName": "RootUsage"}, "Period": 300, "Stat": "Sum"}},
				}}}, "CompositeAlarms": []any{}, "NextToken": "p2"})
			return
		}
		writeCBOR(w, map[string]any{"MetricAlarms": []any{}, "CompositeAlarms": []any{map[string]any{
			"AlarmName": "Web-Service-Health", "AlarmArn": "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:Web-Service-Health", "ActionsEnabled": true,
			"AlarmRule": `ALARM("High-CPU-Usage") OR ALARM("Status-Check-Failed")`, "StateValue": "OK", "StateReason": "all children OK",
			"StateUpdatedTimestamp": at.Add(-2 * time.Hour), "AlarmActions": []string{}}}})
	})
	ta.handle("logs:DescribeMetricFilters", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"metricFilters":[{"filterName":"RootUsage","filterPattern":"{ $.userIdentity.type = \"Root\" }","logGroupName":"/aws/cloudtrail/management","metricTransformations":[{"metricName":"RootUsage","metricNamespace":"CISBenchmark","metricValue":"1"}]}]}`)
	})
	ta.handle("sns:ListSubscriptionsByTopic", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		sub := `<member><TopicArn>arn:aws:sns:ap-northeast-2:123456789012:cis</TopicArn><Protocol>email</Protocol><SubscriptionArn>arn:aws:sns:ap-northeast-2:123456789012:cis:6b0e71bd-7e97-4d97-80ce-4a0994e55286</SubscriptionArn><Owner>123456789012</Owner><Endpoint>sre@example.com</Endpoint></member>`
		next := `<NextToken>p2</NextToken>`
		if r.Form.Get("NextToken") == "p2" {
			sub = `<member><TopicArn>arn:aws:sns:ap-northeast-2:123456789012:cis</TopicArn><Protocol>email</Protocol><SubscriptionArn>PendingConfirmation</SubscriptionArn><Owner>123456789012</Owner><Endpoint>new@example.com</Endpoint></member>`
			next = ""
		}
		writeXML(w, `<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListSubscriptionsByTopicResult><Subscriptions>`+sub+`</Subscriptions>`+next+`</ListSubscriptionsByTopicResult><ResponseMetadata><RequestId>b9275252-3774-11df-9540-99d0768312d3</RequestId></ResponseMetadata></ListSubscriptionsByTopicResponse>`)
	})
	ds, err := ta.source(config.Source{}, at).Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-time.Hour), End: at}, Needs: source.NeedAlarms | source.NeedMonitoring})
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	eq(t, "alarms", ds.Alarms, []source.Alarm{
		{Name: "Math-Errors", ARN: "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:Math-Errors", State: "ALARM", StateReason: "Threshold Crossed",
			StateUpdated: at.Add(-time.Hour), Namespace: "CISBenchmark", Metric: "RootUsage", Statistic: "Sum", Period: 300, EvaluationPeriods: 1, Threshold: 1,
			Comparison: "GreaterThanOrEqualToThreshold", ActionsEnabled: true, AlarmActions: []string{"arn:aws:sns:ap-northeast-2:123456789012:cis"}},
		{Name: "Web-Service-Health", ARN: "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:Web-Service-Health", Composite: true,
			Rule: `ALARM("High-CPU-Usage") OR ALARM("Status-Check-Failed")`, State: "OK", StateReason: "all children OK", StateUpdated: at.Add(-2 * time.Hour),
			ActionsEnabled: true, AlarmActions: []string{}},
	})
	eq(t, "subscriptions", ds.Subscriptions, []source.Subscription{
		{TopicARN: "arn:aws:sns:ap-northeast-2:123456789012:cis", Protocol: "email", Endpoint: "sre@example.com", Confirmed: true},
		{TopicARN: "arn:aws:sns:ap-northeast-2:123456789012:cis", Protocol: "email", Endpoint: "new@example.com", Confirmed: false},
	})
}

// TestAdvancedEventSelectors: trails configured with advanced selectors
// (the console's default since 2023) report management events and their
// read/write type.
func TestAdvancedEventSelectors(t *testing.T) {
	for _, c := range []struct {
		body string
		mgmt bool
		rw   string
	}{
		{`{"AdvancedEventSelectors":[{"Name":"Management events selector","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]}`, true, "All"},
		{`{"AdvancedEventSelectors":[{"Name":"write only","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["false"]}]}]}`, true, "WriteOnly"},
		{`{"AdvancedEventSelectors":[{"Name":"S3 data","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]}`, false, ""},
		{`{"EventSelectors":[{"ReadWriteType":"ReadOnly","IncludeManagementEvents":true}]}`, true, "ReadOnly"},
	} {
		ta := newTestAWS(t)
		acc := ta.account(t)
		fakeForMissingAPIs(t, ta, acc)
		body := c.body
		ta.handle("cloudtrail:GetEventSelectors", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, body) })
		ds, err := ta.source(config.Source{}, acc.at).Collect(context.Background(), source.Request{Window: acc.window, Needs: source.NeedTrailConfig})
		must(t, err)
		if len(ds.Trails) != 1 || ds.Trails[0].ManagementEvents != c.mgmt || ds.Trails[0].ReadWriteType != c.rw {
			t.Errorf("%s: %+v", c.body, ds.Trails)
		}
	}
}

// TestAssumeRoleWithExternalID: source.assume_role_arn and external_id go
// to STS AssumeRole (query XML as documented); the calls that follow are
// signed with the role's credentials.
func TestAssumeRoleWithExternalID(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	var got string
	ta.handle("sts:AssumeRole", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = r.Form.Get("RoleArn") + " " + r.Form.Get("ExternalId") + " " + r.Form.Get("RoleSessionName")
		writeXML(w, fmt.Sprintf(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/cwreport-read/cwreport</Arn><AssumedRoleId>ARO123EXAMPLE123:cwreport</AssumedRoleId></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAROLEEXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken><Expiration>%s</Expiration></Credentials>
</AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))
	})
	var signedWith string
	ta.handle("ec2:DescribeInstances", func(w http.ResponseWriter, r *http.Request) {
		signedWith = r.Header.Get("Authorization")
		writeXML(w, `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet/></DescribeInstancesResponse>`)
	})
	s, err := New(context.Background(), Options{
		Config: config.Source{Type: "aws", Region: testRegion, EndpointURL: ta.kumo.URL, AssumeRoleARN: "arn:aws:iam::123456789012:role/cwreport-read",
			ExternalID: config.Secret("ext-4711")},
		HTTPClient: &http.Client{Transport: ta}, Credentials: credentials.NewStaticCredentialsProvider("AKIDBASE", "SECRETBASE", ""),
		Retry: func(o *retry.StandardOptions) { o.Backoff = zeroBackoff{} },
	})
	must(t, err)
	ds, err := s.Collect(context.Background(), source.Request{Window: acc.window, Needs: source.NeedInstances})
	must(t, err)
	if got != "arn:aws:iam::123456789012:role/cwreport-read ext-4711 cwreport" {
		t.Errorf("AssumeRole got %q", got)
	}
	if !strings.Contains(signedWith, "Credential=ASIAROLEEXAMPLE/") {
		t.Errorf("DescribeInstances signed with %q", signedWith)
	}
	if len(ds.Gaps) > 0 {
		t.Errorf("gaps: %+v", ds.Gaps)
	}
}

// TestEndpointFromEnvironment: AWS_ENDPOINT_URL reaches every client when
// source.endpoint_url is empty.
func TestEndpointFromEnvironment(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	t.Setenv("AWS_ENDPOINT_URL", ta.kumo.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV")
	s, err := New(context.Background(), Options{Config: config.Source{Type: "aws", Region: testRegion}})
	must(t, err)
	ds, err := s.Collect(context.Background(), source.Request{Window: acc.window, Needs: source.NeedInstances})
	must(t, err)
	if len(ds.Instances) < 3 || ds.Account.ID != acc.accountID {
		t.Errorf("%d instances, account %q", len(ds.Instances), ds.Account.ID)
	}
}

func TestParseCredentialReport(t *testing.T) {
	rows, err := ParseCredentialReport([]byte(credentialReportCSV))
	must(t, err)
	eq(t, "root", rows[0], source.CredentialReportRow{User: "<root_account>", ARN: "arn:aws:iam::000000000000:root", Created: mustTime("2020-01-01T00:00:00Z"),
		PasswordLastUsed: mustTime("2026-11-21T08:00:00Z"), MFAActive: true})
	eq(t, "ci", rows[3], source.CredentialReportRow{User: "ci-deployer-user", ARN: "arn:aws:iam::000000000000:user/ci-deployer-user", Created: mustTime("2022-01-01T00:00:00Z"),
		AccessKey1Active: true, AccessKey1LastRotated: mustTime("2026-05-08T00:00:00Z"), AccessKey1LastUsed: mustTime("2026-11-24T05:00:00Z")})
	if !rows[2].PasswordEnabled || !rows[2].PasswordLastUsed.IsZero() || rows[2].User != "bob" {
		t.Errorf("bob (no_information): %+v", rows[2])
	}
	if _, err := ParseCredentialReport([]byte("name,arn\nx,y\n")); err == nil || !strings.Contains(err.Error(), `no "user" column`) {
		t.Errorf("bad header: %v", err)
	}
	if rows, err := ParseCredentialReport([]byte("user,arn,password_enabled,mfa_active\n\"a\nb\",arn,true\n")); err != nil || len(rows) != 1 {
		t.Errorf("short row: %v %v", rows, err)
	}
}
