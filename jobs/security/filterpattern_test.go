package security

import (
	"strings"
	"testing"
)

func monitor(cis string) cisMonitor {
	for _, m := range cisMonitors {
		if m.cis == cis {
			return m
		}
	}
	panic(cis)
}

func TestPatternCovers(t *testing.T) {
	cases := []struct {
		name   string
		cis    string
		actual string
		want   bool
	}{
		// The forms AWS documents (Security Hub CloudWatch.x remediation,
		// CloudTrail user guide) differ from the CIS text only in quotes
		// and spacing.
		{"root usage as AWS Security Hub writes it", "4.3",
			`{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`, true},
		{"root usage reordered", "4.3",
			`{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = Root }`, true},
		{"unauthorized calls, CLI quoting", "4.1",
			`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }`, true},
		{"unauthorized calls, v1.2 broader pattern still covers", "4.1",
			`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, true},
		{"unauthorized calls, only one code", "4.1",
			`{ ($.errorCode = "AccessDenied*") }`, false},
		{"console without MFA, SSO variant", "4.2",
			`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`, true},
		{"console without MFA, MFA inverted", "4.2",
			`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") }`, false},
		{"IAM policy changes, shuffled and spaced", "4.4",
			`{ ($.eventName = DetachGroupPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachRolePolicy) || ($.eventName=DeletePolicyVersion) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteGroupPolicy) }`, true},
		{"IAM policy changes, one event missing", "4.4",
			`{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)}`, false},
		{"superset of security group events", "4.10",
			`{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) || ($.eventName = CreateTags) }`, true},
		{"KMS without the event source (broader)", "4.7",
			`{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }`, true},
		{"KMS with a different event source", "4.7",
			`{ ($.eventSource = s3.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }`, false},
		{"route tables, audit variant", "4.13",
			`{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }`, true},
		{"console failures with the value quoted or not", "4.6",
			`{($.eventName=ConsoleLogin)&&($.errorMessage=Failed   authentication)}`, true},
		{"a text pattern is not a JSON pattern", "4.6", `"Failed authentication"`, false},
		{"unbalanced parenthesis", "4.6", `{ ($.eventName = ConsoleLogin }`, false},
		{"empty", "4.6", ``, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := patternCovers(c.actual, monitor(c.cis).patterns...); got != c.want {
				t.Errorf("covers = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPatternCanonical(t *testing.T) {
	a, err := parsePattern(`{ ($.b = "2") || ($.a = 1) && ($.c NOT EXISTS) }`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parsePattern(`{($.c NOT EXISTS && $.a=1)||$.b=2}`)
	if err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("%s != %s", a, b)
	}
	if want := "(($.b = 2) || (($.a = 1) && ($.c NOT EXISTS)))"; a.String() != want {
		t.Errorf("canonical %s, want %s", a, want)
	}
}

// Hostile patterns end in an error, quickly, without exhausting the stack.
func TestPatternHostile(t *testing.T) {
	for _, p := range []string{
		"{" + strings.Repeat("(", 10000) + "$.a=1" + strings.Repeat(")", 10000) + "}",
		"{" + strings.Repeat("$.a=1 || ", 2000) + "$.a=1}",
		"{" + strings.Repeat("(", 100) + "$.a=1" + strings.Repeat(")", 100) + "}",
		"{ $.a = \"unterminated }",
		"{ $.a ~ 1 }",
		"{ a = 1 }",
	} {
		if _, err := parsePattern(p); err == nil {
			t.Errorf("pattern of %d bytes parsed", len(p))
		}
	}
}

func BenchmarkPatternCovers(b *testing.B) {
	m := monitor("4.15")
	actual := respace(m.patterns[0])
	b.ReportAllocs()
	for b.Loop() {
		if !patternCovers(actual, m.patterns...) {
			b.Fatal("no match")
		}
	}
}
