package security

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// Events shaped like CloudTrail's documented records once reduced to
// source.TrailEvent (the aws source tests the parsing of the raw records).
func failedLogin(id int, user, ip string, t time.Time) source.TrailEvent {
	return source.TrailEvent{ID: fmt.Sprintf("fl-%03d", id), Time: t, Name: "ConsoleLogin", Source: "signin.amazonaws.com",
		Region: "us-east-1", SourceIP: ip, UserType: "IAMUser", UserName: user, ErrorMessage: "Failed authentication",
		LoginResult: "Failure", MFAUsed: "No", AccountID: "123456789012"}
}

func denied(id int, user, typ, svc, name, code string, t time.Time) source.TrailEvent {
	return source.TrailEvent{ID: fmt.Sprintf("ad-%03d", id), Time: t, Name: name, Source: svc + ".amazonaws.com", Region: "ap-northeast-2",
		SourceIP: "10.0.1.5", UserType: typ, UserName: user, ErrorCode: code, ErrorMessage: "User: arn:aws:sts::123456789012:assumed-role/" + user + "/x is not authorized to perform: " + svc + ":" + name}
}

func assume(id int, user, ip string, t time.Time) source.TrailEvent {
	return source.TrailEvent{ID: fmt.Sprintf("ar-%03d", id), Time: t, Name: "AssumeRole", Source: "sts.amazonaws.com", Region: "ap-northeast-2",
		SourceIP: ip, UserType: "IAMUser", UserName: user, Resources: []string{"arn:aws:iam::123456789012:role/deploy"}}
}

func activityDataset() (*source.Dataset, *source.Dataset) {
	d := goodDataset()
	var evs []source.TrailEvent
	// alice mistypes her password three times over a week.
	for i := 0; i < 3; i++ {
		evs = append(evs, failedLogin(i, "alice", "198.51.100.20", ago(time.Duration(10-i)*day)))
	}
	// 25 failures with names that are not IAM users, from one IP in 10 minutes.
	burstStart := ago(6 * day)
	for i := 0; i < 25; i++ {
		evs = append(evs, failedLogin(100+i, HiddenUser, "203.0.113.50", burstStart.Add(time.Duration(i)*24*time.Second)))
	}
	evs = append(evs,
		denied(1, "ci-deployer", "AssumedRole", "iam", "PassRole", "AccessDenied", ago(5*day)),
		denied(2, "ci-deployer", "AssumedRole", "s3", "GetObject", "AccessDenied", ago(4*day)),
		denied(3, "bob", "IAMUser", "ec2", "DescribeInstances", "Client.UnauthorizedOperation", ago(3*day)),
		denied(4, "bob", "IAMUser", "ec2", "DescribeInstances", "Client.UnauthorizedOperation", ago(2*day)),
		source.TrailEvent{ID: "root-1", Time: ago(3 * day), Name: "ConsoleLogin", Source: "signin.amazonaws.com", SourceIP: "198.51.100.99",
			UserType: "Root", UserName: "root", LoginResult: "Success", MFAUsed: "Yes"},
		source.TrailEvent{ID: "sg-1", Time: ago(8 * day), Name: "AuthorizeSecurityGroupIngress", Source: "ec2.amazonaws.com", SourceIP: "198.51.100.20",
			UserType: "IAMUser", UserName: "alice",
			RequestParameters: `{"groupId":"sg-jupyter","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":8888,"toPort":8888,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]},"prefixListIds":{}}]}}`},
		source.TrailEvent{ID: "pol-1", Time: ago(7 * day), Name: "PutRolePolicy", Source: "iam.amazonaws.com", SourceIP: "198.51.100.20",
			UserType: "IAMUser", UserName: "alice", Resources: []string{"arn:aws:iam::123456789012:role/ci-deployer"}},
		assume(1, "ci-user", "192.0.2.10", ago(9*day)),
		assume(2, "ci-user", "198.51.100.7", ago(2*day)),
		assume(3, "newbie", "192.0.2.11", ago(1*day)),
		// AWS services assuming roles are not people.
		source.TrailEvent{ID: "svc-1", Time: ago(day), Name: "AssumeRole", Source: "sts.amazonaws.com", SourceIP: "ec2.amazonaws.com", UserType: "AWSService"},
		// Outside the window: ignored.
		failedLogin(999, "mallory", "192.0.2.99", ago(40*day)),
	)
	d.TrailEvents = evs
	prev := &source.Dataset{Window: source.Window{Start: ago(60 * day), End: ago(30 * day)}, TrailEvents: []source.TrailEvent{
		assume(10, "ci-user", "192.0.2.10", ago(45*day)),
	}}
	return d, prev
}

func TestActivity(t *testing.T) {
	d, prev := activityDataset()
	e := testEnv(d)
	a := analyzeActivity(d, prev, d.Window, e)
	if !a.Known || a.FailedLogins != 28 {
		t.Fatalf("known %v, failed logins %d, want 28 (the one outside the window left out)", a.Known, a.FailedLogins)
	}
	if got := a.LoginByUser[0]; got.Key != HiddenUser || got.Count != 25 || !got.Burst || !slices.Equal(got.IPs, []string{"203.0.113.50"}) {
		t.Errorf("by user[0] = %+v", got)
	}
	if got := a.LoginByUser[1]; got.Key != "alice" || got.Count != 3 || got.Burst {
		t.Errorf("by user[1] = %+v", got)
	}
	if len(a.Bursts) != 1 {
		t.Fatalf("bursts %+v", a.Bursts)
	}
	b := a.Bursts[0]
	if b.By != "ip" || b.Key != "203.0.113.50" || b.Count != 25 || b.End.Sub(b.Start) != 24*24*time.Second || !slices.Equal(b.Others, []string{HiddenUser}) {
		t.Errorf("burst %+v", b)
	}
	hours := 0
	for _, h := range a.LoginByHour {
		if h.Burst {
			hours++
		}
	}
	if hours == 0 || hours > 2 {
		t.Errorf("%d hours flagged for a 10-minute burst", hours)
	}
	if a.DeniedTotal != 4 || len(a.Denied) != 3 || a.Denied[0].Principal != "bob" || a.Denied[0].Count != 2 || a.Denied[0].API != "ec2:DescribeInstances" {
		t.Errorf("denied %d %+v", a.DeniedTotal, a.Denied)
	}
	if len(a.Root) != 1 || a.Root[0].ID != "root-1" {
		t.Errorf("root %+v", a.Root)
	}
	if len(a.SGChanges) != 1 || !slices.Equal(a.SGChanges[0].WorldPorts, []string{"8888"}) || a.SGChanges[0].Target != "sg-jupyter" {
		t.Errorf("sg changes %+v", a.SGChanges)
	}
	if len(a.PolicyChanges) != 1 || a.PolicyChanges[0].Event != "PutRolePolicy" {
		t.Errorf("policy changes %+v", a.PolicyChanges)
	}
	if !a.CompareKnown || len(a.AssumeNew) != 2 {
		t.Fatalf("assume new %+v", a.AssumeNew)
	}
	if n := a.AssumeNew[0]; n.Kind != "new_source_ip" || n.Principal != "ci-user" || n.SourceIP != "198.51.100.7" {
		t.Errorf("assume[0] %+v", n)
	}
	if n := a.AssumeNew[1]; n.Kind != "new_principal" || n.Principal != "newbie" {
		t.Errorf("assume[1] %+v", n)
	}
}

// Without the previous window, new callers are unknown, not "none".
func TestActivityWithoutPrevious(t *testing.T) {
	d, prev := activityDataset()
	prev.Gaps = []source.Gap{gap("trail_events")}
	a := analyzeActivity(d, prev, d.Window, testEnv(d))
	if a.CompareKnown || len(a.AssumeNew) != 0 {
		t.Errorf("compare known %v, %+v", a.CompareKnown, a.AssumeNew)
	}
	d.Gaps = []source.Gap{gap("trail_events")}
	if a := analyzeActivity(d, nil, d.Window, testEnv(d)); !a.Known || !a.Partial {
		t.Errorf("a gap with events read (some S3 log files failed): known %v partial %v", a.Known, a.Partial)
	}
	events := d.TrailEvents
	d.TrailEvents = nil
	if a := analyzeActivity(d, nil, d.Window, testEnv(d)); a.Known {
		t.Error("events unread but activity known")
	}
	d.TrailEvents = events
	d.Gaps = []source.Gap{gap("trail_events:us-east-1")}
	if a := analyzeActivity(d, nil, d.Window, testEnv(d)); !a.Known || !a.Partial {
		t.Errorf("a regional gap: known %v partial %v", a.Known, a.Partial)
	}
}

// Bursts are per key and joined while marked events stay close: two bursts
// an hour apart stay two; slow failures never make one.
func TestFindBursts(t *testing.T) {
	var evs []source.TrailEvent
	for i := 0; i < 10; i++ {
		evs = append(evs, failedLogin(i, "x", "192.0.2.1", ago(5*time.Hour).Add(time.Duration(i)*time.Minute)))
		evs = append(evs, failedLogin(100+i, "x", "192.0.2.1", ago(3*time.Hour).Add(time.Duration(i)*time.Minute)))
		evs = append(evs, failedLogin(200+i, "y", "192.0.2.2", ago(3*time.Hour).Add(time.Duration(i)*11*time.Minute)))
	}
	sortEvents(evs)
	bs := findBursts(inWindow(evs, source.Window{}), "ip", func(ev *source.TrailEvent) string { return ev.SourceIP }, 10, 10*time.Minute)
	if len(bs) != 2 || bs[0].Count != 10 || bs[1].Count != 10 || bs[0].Key != "192.0.2.1" {
		t.Errorf("bursts %+v", bs)
	}
}

// Hostile values in trail events end up bounded and never break parsing.
func TestActivityHostile(t *testing.T) {
	d := goodDataset()
	huge := make([]byte, 1<<20)
	for i := range huge {
		huge[i] = 'A'
	}
	d.TrailEvents = []source.TrailEvent{
		{ID: "h1", Time: ago(day), Name: "DescribeInstances", Source: "ec2.amazonaws.com", UserType: "IAMUser", UserName: "x|`<script>",
			ErrorCode: "AccessDenied", ErrorMessage: string(huge) + "\xff"},
		{ID: "h2", Time: ago(day), Name: "AuthorizeSecurityGroupIngress", Source: "ec2.amazonaws.com", UserName: "x", RequestParameters: `{"groupId": [1,2`},
		{ID: "h3", Time: ago(day), Name: "AuthorizeSecurityGroupIngress", Source: "ec2.amazonaws.com", UserName: "x", RequestParameters: string(huge)},
	}
	a := analyzeActivity(d, nil, d.Window, testEnv(d))
	if len(a.Denied) != 1 || len(a.Denied[0].Message) > 310 {
		t.Errorf("message not bounded: %d bytes", len(a.Denied[0].Message))
	}
	if len(a.SGChanges) != 2 || a.SGChanges[0].Detail != "" {
		t.Errorf("bad request parameters: %+v", a.SGChanges)
	}
}

func BenchmarkActivity(b *testing.B) {
	d := goodDataset()
	for i := 0; i < 100000; i++ {
		ip := fmt.Sprintf("192.0.2.%d", i%200)
		d.TrailEvents = append(d.TrailEvents, failedLogin(i, fmt.Sprintf("user%d", i%50), ip, ago(time.Duration(i)*20*time.Second)))
	}
	e := testEnv(d)
	b.ReportAllocs()
	for b.Loop() {
		analyzeActivity(d, nil, d.Window, e)
	}
}

// CloudTrail appends the API version to some services' event names; the
// report names the IAM action (what a policy grants), so the versioned and
// the plain spelling of one call are one row.
func TestActionName(t *testing.T) {
	cases := map[string]string{
		"UpdateFunctionConfiguration20150331v2": "UpdateFunctionConfiguration",
		"UpdateFunctionCode20150331v2":          "UpdateFunctionCode",
		"CreateFunction20150331":                "CreateFunction",
		"ListTags20170331":                      "ListTags",
		"PublishLayerVersion20181031":           "PublishLayerVersion",
		"UpdateDistribution2020_05_31":          "UpdateDistribution",
		"CreateInvalidation2019_03_26":          "CreateInvalidation",
		// Not a version suffix: left alone.
		"PassRole":                "PassRole",
		"DescribeInstances":       "DescribeInstances",
		"GetObject":               "GetObject",
		"Invoke":                  "Invoke",
		"20150331":                "20150331",
		"Foo12345678":             "Foo12345678",
		"Get-20150331":            "Get-20150331",
		"Listv2":                  "Listv2",
		"ListObjectsV2":           "ListObjectsV2",
		"Create2020_5_31":         "Create2020_5_31",
		"X20150331vx":             "X20150331vx",
		"":                        "",
		"GetFunction20150331v":    "GetFunction20150331v",
		"AddPermission20150331v2": "AddPermission",
	}
	for in, want := range cases {
		if got := actionName(in); got != want {
			t.Errorf("actionName(%q) = %q, want %q", in, got, want)
		}
	}
	d, _ := activityDataset()
	d.TrailEvents = append(d.TrailEvents,
		denied(50, "ci-deployer", "AssumedRole", "lambda", "UpdateFunctionConfiguration20150331v2", "AccessDeniedException", ago(2*day)),
		denied(51, "ci-deployer", "AssumedRole", "lambda", "UpdateFunctionConfiguration", "AccessDeniedException", ago(day)))
	a := analyzeActivity(d, nil, d.Window, testEnv(d))
	var apis []string
	for _, g := range a.Denied {
		apis = append(apis, g.API)
		if g.API == "lambda:UpdateFunctionConfiguration" && g.Count != 2 {
			t.Errorf("%s: %d calls, want both spellings in one row (2)", g.API, g.Count)
		}
	}
	if !slices.Contains(apis, "lambda:UpdateFunctionConfiguration") || slices.ContainsFunc(apis, func(s string) bool { return strings.Contains(s, "20150331") }) {
		t.Errorf("denied APIs %v: want lambda:UpdateFunctionConfiguration without the version", apis)
	}
}
