package demo

import (
	"fmt"
	"sort"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// CloudTrail of the demo account: the trail's configuration and its events.
// Background events (console logins at the start of the office day, CI
// deploys, service activity) exist for any window, so a week can be
// compared with the week before; the stories are pinned relative to At:
// alice's three failed logins, a 25-attempt brute force from 203.0.113.50
// ~6 days ago, AccessDenied/UnauthorizedOperation for the ci-deployer role
// and bob, a root console login 3 days ago, 8888 opened on jupyter's group,
// an inline policy put on ci-deployer, and an AssumeRole from a source IP
// never seen before (198.51.100.7) in the current window only.
//
// TrailEvents carries management write events, console logins and every
// failed call; the high-volume read-only calls (Describe*, Get*, List*) of
// healthy automation appear only in the trail's log group (logs.go), as
// LookupEvents with ReadOnly=false plus errors would return.

const (
	trailName    = "management-trail"
	trailBucket  = "demo-ops-cloudtrail-" + accountID
	trailGroup   = "/aws/cloudtrail/management"
	officeIP     = "211.234.10.23"
	officeBobIP  = "211.234.10.57"
	runnerIP     = "52.78.143.21"
	newIP        = "198.51.100.7"
	bruteIP      = "203.0.113.50"
	rootIP       = "175.223.19.84"
	uaChrome     = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	uaFirefox    = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"
	uaCLI        = "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0-1051-aws exe/x86_64.ubuntu.22 prompt/off command/sts.assume-role"
	uaBoto       = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0-28-generic md/arch#x86_64 lang/python#3.12.2"
	uaGoSDK      = "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64"
	uaConsole    = "AWS Internal"
	hiddenUser   = "HIDDEN_DUE_TO_SECURITY_REASONS"
	ciRole       = "ci-deployer"
	ciUser       = "ci-deployer-user"
	iamGlobalRgn = "us-east-1"
)

func userARN(name string) string { return "arn:aws:iam::" + accountID + ":user/" + name }
func roleARN(name string) string { return "arn:aws:iam::" + accountID + ":role/" + name }
func sessionARN(role, session string) string {
	return "arn:aws:sts::" + accountID + ":assumed-role/" + role + "/" + session
}

// deniedBursts are the times (before At) of the clusters of AccessDenied /
// UnauthorizedOperation events, oldest first; the CIS 4.1 alarm fires on each.
func deniedBursts() []time.Duration {
	return []time.Duration{9*day + 2*time.Hour + 5*time.Minute, 2*day + 5*time.Hour + 12*time.Minute,
		30*time.Hour + 8*time.Minute, 26*time.Hour + 40*time.Minute, bobDeniedAt}
}

// trailGen collects the events of one window.
type trailGen struct {
	at     time.Time
	window source.Window
	n      int64
	events []source.TrailEvent
}

func (g *trailGen) add(t time.Time, e source.TrailEvent) {
	if !g.window.Contains(t) || !t.Before(g.at) {
		return
	}
	e.Time = t.UTC().Truncate(time.Second)
	if e.Region == "" {
		e.Region = region
	}
	e.AccountID = accountID
	e.ID = eventID(e.Name, e.Time, e.UserName, g.n)
	g.n++
	g.events = append(g.events, e)
}

// eventID is a UUID-shaped id derived from the event's identity.
func eventID(name string, t time.Time, user string, n int64) string {
	s := seedOf(fmt.Sprintf("event|%s|%d|%s|%d", name, t.Unix(), user, n))
	a, b := mix(s), mix(s^0xabcdef)
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, 0x8000|uint16(b>>48)&0x3fff, b&0xffffffffffff)
}

func iamUser(name, ip, ua string) source.TrailEvent {
	return source.TrailEvent{UserType: "IAMUser", UserName: name, PrincipalARN: userARN(name), SourceIP: ip, UserAgent: ua}
}

func assumed(role, session, ip, ua string) source.TrailEvent {
	return source.TrailEvent{UserType: "AssumedRole", UserName: role, PrincipalARN: sessionARN(role, session), SourceIP: ip, UserAgent: ua}
}

func service(svc string) source.TrailEvent {
	return source.TrailEvent{UserType: "AWSService", UserName: svc, SourceIP: svc, UserAgent: svc}
}

func withCall(e source.TrailEvent, src, name string, readOnly bool) source.TrailEvent {
	e.Source, e.Name, e.ReadOnly = src, name, readOnly
	return e
}

func consoleLogin(e source.TrailEvent, ok bool, mfa string) source.TrailEvent {
	e = withCall(e, "signin.amazonaws.com", "ConsoleLogin", false)
	e.MFAUsed = mfa
	e.LoginResult = "Success"
	if !ok {
		e.LoginResult, e.ErrorMessage = "Failure", "Failed authentication"
	}
	return e
}

// trailEvents generates the events in req.Window (up to At), sorted by time.
func trailEvents(req source.Request, at time.Time) []source.TrailEvent {
	g := &trailGen{at: at, window: req.Window}
	g.background()
	g.stories()
	sort.SliceStable(g.events, func(i, j int) bool {
		if !g.events[i].Time.Equal(g.events[j].Time) {
			return g.events[i].Time.Before(g.events[j].Time)
		}
		return g.events[i].ID < g.events[j].ID
	})
	return g.events
}

// background walks the window hour by hour (on absolute hours, so
// overlapping windows agree) and draws the routine events of each hour.
func (g *trailGen) background() {
	start := g.window.Start.Truncate(time.Hour)
	end := g.window.End
	if g.at.Before(end) {
		end = g.at
	}
	seed := seedOf("trail/background")
	for h := start; h.Before(end); h = h.Add(time.Hour) {
		k := h.Unix() / 3600
		s := season(h.Unix() + 1800)
		local := h.In(seoul)
		weekday := local.Weekday() != time.Saturday && local.Weekday() != time.Sunday
		// Denser in the last week: more people on call, more deploys.
		dense := 1.0
		if g.at.Sub(h) > week {
			dense = 0.8
		}
		at := func(i int64) time.Time { return h.Add(time.Duration(unit(seed, k*64+i)*3600) * time.Second) }
		draws := func(rate float64, salt int64) int {
			return int(rate*dense + unit(seed^uint64(salt), k))
		}
		if weekday && local.Hour() == 9 {
			g.add(h.Add(time.Duration(2+intn(seed, k*64+1, 18))*time.Minute), consoleLogin(iamUser("alice", officeIP, uaChrome), true, "Yes"))
			g.add(h.Add(time.Duration(25+intn(seed, k*64+2, 30))*time.Minute), consoleLogin(iamUser("bob", officeBobIP, uaChrome), true, "No"))
		}
		for i := 0; i < draws(2*s, 3); i++ {
			sess := fmt.Sprintf("gitlab-runner-%d", 400000+intn(seed, k*64+10+int64(i), 99999))
			e := withCall(iamUser(ciUser, runnerIP, uaCLI), "sts.amazonaws.com", "AssumeRole", false)
			e.Resources = []string{roleARN(ciRole)}
			e.RequestParameters = fmt.Sprintf(`{"roleArn":%q,"roleSessionName":%q,"durationSeconds":3600}`, roleARN(ciRole), sess)
			t := at(10 + int64(i))
			g.add(t, e)
			for j, call := range [][2]string{{"ec2.amazonaws.com", "CreateLaunchTemplateVersion"}, {"autoscaling.amazonaws.com", "StartInstanceRefresh"}} {
				d := withCall(assumed(ciRole, sess, runnerIP, uaGoSDK), call[0], call[1], false)
				g.add(t.Add(time.Duration(20+30*j)*time.Second), d)
			}
		}
		for i := 0; i < draws(3, 4); i++ {
			e := withCall(service("ec2.amazonaws.com"), "sts.amazonaws.com", "AssumeRole", false)
			e.Resources = []string{roleARN("eks-node-role")}
			g.add(at(20+int64(i)), e)
		}
		for i := 0; i < draws(0.6*s+0.1, 5); i++ {
			e := withCall(assumed("AWSServiceRoleForAmazonEKS", "AmazonEKS", "eks.amazonaws.com", "eks.amazonaws.com"), "ec2.amazonaws.com", "CreateNetworkInterface", false)
			e.Resources = []string{awsID("eni", fmt.Sprintf("eks-%d-%d", k, i))}
			g.add(at(30+int64(i)), e)
		}
		if draws(0.3*s, 6) > 0 {
			name := []string{"CreateTags", "ModifyInstanceAttribute", "StopInstances", "StartInstances"}[intn(seed, k*64+40, 4)]
			e := withCall(iamUser("alice", officeIP, uaConsole), "ec2.amazonaws.com", name, false)
			e.Resources = []string{fleet[intn(seed, k*64+41, len(fleet))].id}
			g.add(at(40), e)
		}
		if draws(0.15*s, 7) > 0 {
			e := withCall(assumed(ciRole, "gitlab-runner-lambda", runnerIP, uaGoSDK), "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", false)
			e.Resources = []string{"arn:aws:lambda:" + region + ":" + accountID + ":function:order-notifier"}
			g.add(at(45), e)
		}
		if draws(0.05, 8) > 0 {
			e := withCall(service("autoscaling.amazonaws.com"), "ec2.amazonaws.com", "RunInstances", false)
			g.add(at(50), e)
		}
	}
}

// stories adds the events the security and daily reports must find.
func (g *trailGen) stories() {
	ago := func(d time.Duration) time.Time { return g.at.Add(-d) }

	// alice mistypes her password three times, then gets in with MFA.
	for _, m := range []time.Duration{0, 70 * time.Second, 3 * time.Minute} {
		g.add(ago(aliceFailedLogins).Add(m), consoleLogin(iamUser("alice", officeIP, uaChrome), false, "No"))
	}
	g.add(ago(aliceFailedLogins).Add(5*time.Minute), consoleLogin(iamUser("alice", officeIP, uaChrome), true, "Yes"))
	// An older single failure, for comparisons with earlier periods.
	g.add(ago(12*day+3*time.Hour), consoleLogin(iamUser("alice", officeIP, uaChrome), false, "No"))

	// Brute force: 25 failures within 10 minutes from one address.
	for i := 0; i < 25; i++ {
		e := consoleLogin(source.TrailEvent{UserType: "IAMUser", UserName: hiddenUser, SourceIP: bruteIP, UserAgent: uaFirefox}, false, "No")
		g.add(ago(bruteForceAt).Add(time.Duration(i*23+intn(seedOf("brute"), int64(i), 9))*time.Second), e)
	}

	// Root signs in at night, with MFA, from a mobile network.
	root := consoleLogin(source.TrailEvent{UserType: "Root", UserName: "root", PrincipalARN: "arn:aws:iam::" + accountID + ":root",
		SourceIP: rootIP, UserAgent: uaChrome, Region: iamGlobalRgn}, true, "Yes")
	g.add(ago(rootLoginAt), root)

	// Denied calls: ci-deployer cannot pass the notifier's role or read the
	// artifact bucket; bob cannot list instances; bob once before.
	bursts := deniedBursts()
	passRole := func(t time.Time) {
		e := withCall(assumed(ciRole, "gitlab-runner-481516", runnerIP, uaGoSDK), "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", false)
		e.ErrorCode = "AccessDeniedException"
		e.ErrorMessage = "User: " + sessionARN(ciRole, "gitlab-runner-481516") + " is not authorized to perform: iam:PassRole on resource: " + roleARN("order-notifier-exec") + " because no identity-based policy allows the iam:PassRole action"
		e.Resources = []string{roleARN("order-notifier-exec")}
		g.add(t, e)
	}
	getObject := func(t time.Time) {
		e := withCall(assumed(ciRole, "gitlab-runner-481733", runnerIP, uaGoSDK), "s3.amazonaws.com", "GetObject", true)
		e.ErrorCode, e.ErrorMessage = "AccessDenied", "Access Denied"
		e.Resources = []string{"arn:aws:s3:::demo-ops-artifacts/order-api/" + orderDeploy + "/order-api.jar"}
		g.add(t, e)
	}
	bobDenied := func(t time.Time) {
		e := withCall(iamUser("bob", officeBobIP, uaCLI), "ec2.amazonaws.com", "DescribeInstances", true)
		e.ErrorCode = "Client.UnauthorizedOperation"
		e.ErrorMessage = "You are not authorized to perform this operation. User: " + userARN("bob") + " is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action"
		g.add(t, e)
	}
	bobDenied(ago(bursts[0]))
	passRole(ago(bursts[1]))
	passRole(ago(bursts[1]).Add(70 * time.Second))
	for i := 0; i < 4; i++ {
		getObject(ago(bursts[2]).Add(time.Duration(i*11) * time.Second))
	}
	passRole(ago(bursts[3]))
	bobDenied(ago(bursts[4]))
	bobDenied(ago(bursts[4]).Add(40 * time.Second))

	// 8888 opened to the world on jupyter's group.
	sg := sgID("default", "sg-jupyter")
	e := withCall(iamUser("bob", officeBobIP, uaConsole), "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false)
	e.Resources = []string{sg}
	e.RequestParameters = `{"groupId":"` + sg + `","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":8888,"toPort":8888,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0","description":"jupyter from home"}]},"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]},"prefixListIds":{}}]}}`
	g.add(ago(jupyterOpenedAt), e)

	// An inline policy on ci-deployer that lets it pass any role.
	p := withCall(iamUser("alice", officeIP, uaConsole), "iam.amazonaws.com", "PutRolePolicy", false)
	p.Region = iamGlobalRgn
	p.Resources = []string{roleARN(ciRole)}
	p.RequestParameters = `{"roleName":"ci-deployer","policyName":"deploy-extra","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"iam:PassRole\",\"lambda:UpdateFunctionConfiguration\"],\"Resource\":\"*\"}]}"}`
	g.add(ago(putRolePolicyAt), p)

	// The same access key assumes ci-deployer from an address it never used.
	a := withCall(iamUser(ciUser, newIP, uaBoto), "sts.amazonaws.com", "AssumeRole", false)
	a.Resources = []string{roleARN(ciRole)}
	a.RequestParameters = fmt.Sprintf(`{"roleArn":%q,"roleSessionName":"botocore-session-1732410245","durationSeconds":43200}`, roleARN(ciRole))
	g.add(ago(newIPAssumeRoleAt), a)
}

// trailConfig fills the trail, its bucket logging and the Config recorder.
func trailConfig(ds *source.Dataset) {
	off := false
	ds.Trails = []source.Trail{{
		Name:              trailName,
		ARN:               "arn:aws:cloudtrail:" + region + ":" + accountID + ":trail/" + trailName,
		HomeRegion:        region,
		MultiRegion:       true,
		Logging:           true,
		LogFileValidation: true,
		S3Bucket:          trailBucket,
		S3Prefix:          "cloudtrail",
		LogGroupARN:       "arn:aws:logs:" + region + ":" + accountID + ":log-group:" + trailGroup + ":*",
		ManagementEvents:  true,
		ReadWriteType:     "All",
		// BucketAccessLogging: off (CIS 3.6).
		BucketAccessLogging: &off,
	}}
	ds.ConfigRecorders = []source.ConfigRecorder{{Name: "default", Recording: true, AllSupported: true, IncludeGlobal: true}}
}
