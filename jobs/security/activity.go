package security

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
)

// HiddenUser is the user name CloudTrail writes for a failed console login
// whose name is not an IAM user (AWS hides it: people type passwords there).
const HiddenUser = "HIDDEN_DUE_TO_SECURITY_REASONS"

const partEvents = "trail_events"

// Activity is what the window's CloudTrail events show. Every list is
// sorted deterministically so reports are byte-for-byte reproducible.
type Activity struct {
	// Known is false when the events could not be read: the sections say
	// "unknown", never "nothing happened".
	Known bool
	// Partial is set when some of the events could not be read (a region,
	// a page): counts are then lower bounds.
	Partial bool
	Events  int

	FailedLogins int
	LoginByUser  []LoginGroup
	LoginByIP    []LoginGroup
	LoginByHour  []LoginGroup // Key is the hour start, RFC 3339
	Bursts       []Burst

	Denied      []DeniedGroup
	DeniedTotal int

	Root []source.TrailEvent

	// CompareKnown is false when the previous window's events are missing,
	// so new principals and source IPs cannot be told apart.
	CompareKnown bool
	AssumeNew    []AssumeNew

	SGChanges     []Change
	PolicyChanges []Change
}

// LoginGroup counts failed console logins for one user, source IP or hour.
type LoginGroup struct {
	Key         string
	Count       int
	Users, IPs  []string
	First, Last time.Time
	// Burst is set when the group took part in a brute-force burst.
	Burst bool
}

// Burst is a run of failed logins from one source IP (By "ip") or for one
// user (By "user"), at least BruteForceFailures within BruteForceWindow.
type Burst struct {
	By, Key    string
	Count      int
	Start, End time.Time
	// Others are the users (for an IP) or IPs (for a user) involved.
	Others []string
}

// DeniedGroup counts AccessDenied / UnauthorizedOperation errors of one
// principal on one API.
type DeniedGroup struct {
	Principal, Type, API string
	Count                int
	First, Last          time.Time
	Codes                []string
	// Message is one error message, untrusted, shortened.
	Message string
}

// AssumeNew is an AssumeRole caller, or a caller's source IP, not seen in
// the previous window.
type AssumeNew struct {
	// Kind is "new_principal" or "new_source_ip".
	Kind                string
	Principal, SourceIP string
	Roles               []string
	Count               int
	First               time.Time
}

// Change is one security group or IAM policy change.
type Change struct {
	Time           time.Time
	Event, Who, IP string
	Target         string
	Error          string
	// Detail describes the change for a reader (rules added); untrusted.
	Detail string
	// WorldPorts are ports opened to 0.0.0.0/0 or ::/0 by the change; "all"
	// when every port was.
	WorldPorts []string
}

// sgEvents and policyEvents are the CIS 4.10 and 4.4 event names.
var (
	sgEvents = []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
		"RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules"}
	policyEvents = []string{"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
		"PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy",
		"DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"}
	assumeEvents = []string{"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"}
)

// IsFailedLogin reports whether ev is a failed console sign-in.
func IsFailedLogin(ev source.TrailEvent) bool {
	return ev.Name == "ConsoleLogin" && (strings.EqualFold(ev.LoginResult, "Failure") || ev.ErrorMessage == "Failed authentication")
}

// IsDenied reports whether ev failed for lack of permission, with the CIS 4.1
// reading of error codes: "*UnauthorizedOperation" or "AccessDenied*".
func IsDenied(ev source.TrailEvent) bool {
	return strings.HasSuffix(ev.ErrorCode, "UnauthorizedOperation") || strings.HasPrefix(ev.ErrorCode, "AccessDenied")
}

// principal names who made a call, for grouping and display.
func principal(ev source.TrailEvent) string {
	switch {
	case ev.UserType == "Root":
		return "root"
	case ev.UserName != "":
		return ev.UserName
	case ev.PrincipalARN != "":
		return ev.PrincipalARN
	}
	return "(unknown)"
}

// api is "service:Action", e.g. "iam:PassRole": the IAM action a reader
// grants or denies, so CloudTrail's versioned event names are cut back to
// it (actionName).
func api(ev source.TrailEvent) string {
	svc, _, _ := strings.Cut(ev.Source, ".")
	if svc == "" {
		svc = "?"
	}
	return svc + ":" + actionName(ev.Name)
}

// actionName strips the API version CloudTrail appends to the eventName of
// some services: Lambda records UpdateFunctionConfiguration as
// "UpdateFunctionConfiguration20150331v2" and CreateFunction as
// "CreateFunction20150331", CloudFront UpdateDistribution as
// "UpdateDistribution2020_05_31" (AWS: the eventName "might include date and
// version information ... but it is still referring to the same public
// API"). The suffix is a date, yyyymmdd or yyyy_mm_dd with a year 19xx or
// 20xx, optionally followed by v<digits>, after a letter; anything else is
// left as it is.
func actionName(name string) string {
	s := name
	// An optional "v<digits>" after the date.
	if i := strings.LastIndexByte(s, 'v'); i > 0 && i < len(s)-1 && allDigits(s[i+1:]) {
		s = s[:i]
	}
	var date string
	switch {
	case len(s) > 10 && s[len(s)-3] == '_' && s[len(s)-6] == '_':
		date = s[len(s)-10:]
		if !allDigits(date[:4]) || !allDigits(date[5:7]) || !allDigits(date[8:]) {
			return name
		}
	case len(s) > 8:
		date = s[len(s)-8:]
		if !allDigits(date) {
			return name
		}
	default:
		return name
	}
	if y := date[:2]; y != "19" && y != "20" {
		return name
	}
	head := s[:len(s)-len(date)]
	if c := head[len(head)-1]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
		return name
	}
	return head
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func analyzeActivity(cur, prev *source.Dataset, window source.Window, e *Env) Activity {
	a := Activity{}
	if cur == nil {
		return a
	}
	// A gap for the events with no event at all: nothing is known. A gap
	// with events (some S3 log files unread, a region failing): what was
	// read is a lower bound.
	whole := e.unreadExact(partEvents)
	if whole && len(cur.TrailEvents) == 0 {
		return a
	}
	a.Known = true
	a.Partial = whole || e.unreadPiece(partEvents)
	evs := inWindow(cur.TrailEvents, window)
	a.Events = len(evs)

	var failed []*source.TrailEvent
	denied := map[[2]string]*DeniedGroup{}
	for _, p := range evs {
		ev := *p
		switch {
		case IsFailedLogin(ev):
			failed = append(failed, p)
		case ev.UserType == "Root":
			a.Root = append(a.Root, ev)
		}
		if IsDenied(ev) {
			k := [2]string{principal(ev), api(ev)}
			g := denied[k]
			if g == nil {
				g = &DeniedGroup{Principal: k[0], Type: ev.UserType, API: k[1], First: ev.Time, Message: textfmt.Clip(ev.ErrorMessage, 300)}
				denied[k] = g
			}
			g.Count++
			g.First, g.Last = minTime(g.First, ev.Time), maxTime(g.Last, ev.Time)
			if !slices.Contains(g.Codes, ev.ErrorCode) {
				g.Codes = append(g.Codes, ev.ErrorCode)
			}
			a.DeniedTotal++
		}
		switch {
		case slices.Contains(sgEvents, ev.Name):
			a.SGChanges = append(a.SGChanges, sgChange(ev, e.Opts.SensitivePorts))
		case slices.Contains(policyEvents, ev.Name) && strings.HasPrefix(ev.Source, "iam."):
			a.PolicyChanges = append(a.PolicyChanges, change(ev))
		}
	}
	a.FailedLogins = len(failed)
	a.LoginByUser, a.LoginByIP, a.LoginByHour, a.Bursts = loginGroups(failed, e.Opts.BruteForceFailures, e.Opts.BruteForceWindow.Duration)
	for _, g := range denied {
		slices.Sort(g.Codes)
		a.Denied = append(a.Denied, *g)
	}
	slices.SortFunc(a.Denied, func(x, y DeniedGroup) int {
		if x.Count != y.Count {
			return y.Count - x.Count
		}
		return strings.Compare(x.Principal+x.API, y.Principal+y.API)
	})
	sortEvents(a.Root)
	byTime := func(x, y Change) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return strings.Compare(x.Event+x.Target, y.Event+y.Target)
	}
	slices.SortFunc(a.SGChanges, byTime)
	slices.SortFunc(a.PolicyChanges, byTime)

	if prev != nil && !e.unreadPrevious(prev) {
		a.CompareKnown = true
		a.AssumeNew = newAssumers(evs, inWindow(prev.TrailEvents, source.Window{}))
	}
	return a
}

// inWindow points at the events in w (all of them for a zero window);
// events are large, so they are never copied.
func inWindow(evs []source.TrailEvent, w source.Window) []*source.TrailEvent {
	out := make([]*source.TrailEvent, 0, len(evs))
	for i := range evs {
		if w.Start.IsZero() || w.Contains(evs[i].Time) {
			out = append(out, &evs[i])
		}
	}
	return out
}

func sortEvents(evs []source.TrailEvent) {
	slices.SortFunc(evs, func(x, y source.TrailEvent) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// loginGroups aggregates failed logins by user, source IP and hour, and
// finds brute-force bursts per source IP and per user.
func loginGroups(failed []*source.TrailEvent, threshold int, within time.Duration) (byUser, byIP, byHour []LoginGroup, bursts []Burst) {
	slices.SortFunc(failed, func(x, y *source.TrailEvent) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	group := func(key func(*source.TrailEvent) string) []LoginGroup {
		m := map[string]*LoginGroup{}
		var order []string
		for _, ev := range failed {
			k := key(ev)
			g := m[k]
			if g == nil {
				g = &LoginGroup{Key: k, First: ev.Time}
				m[k] = g
				order = append(order, k)
			}
			g.Count++
			g.Last = ev.Time
			if !slices.Contains(g.Users, ev.UserName) {
				g.Users = append(g.Users, ev.UserName)
			}
			if ev.SourceIP != "" && !slices.Contains(g.IPs, ev.SourceIP) {
				g.IPs = append(g.IPs, ev.SourceIP)
			}
		}
		out := make([]LoginGroup, 0, len(order))
		for _, k := range order {
			g := m[k]
			slices.Sort(g.Users)
			slices.Sort(g.IPs)
			out = append(out, *g)
		}
		return out
	}
	byUser = group(func(ev *source.TrailEvent) string { return ev.UserName })
	byIP = group(func(ev *source.TrailEvent) string { return ev.SourceIP })
	byHour = group(func(ev *source.TrailEvent) string { return ev.Time.UTC().Truncate(time.Hour).Format(time.RFC3339) })

	bursts = append(findBursts(failed, "ip", func(ev *source.TrailEvent) string { return ev.SourceIP }, threshold, within),
		// A hidden name stands for many different typed names, so it is
		// not one user being attacked; the IP burst covers it.
		findBursts(failed, "user", func(ev *source.TrailEvent) string {
			if ev.UserName == HiddenUser {
				return ""
			}
			return ev.UserName
		}, threshold, within)...)
	slices.SortFunc(bursts, func(x, y Burst) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return strings.Compare(x.By+x.Key, y.By+y.Key)
	})
	// A group took part in a burst when it is the burst's key, or one of
	// the users (IPs) of another key's burst.
	mark := func(gs []LoginGroup, by string) {
		for i := range gs {
			for _, b := range bursts {
				if (b.By == by && b.Key == gs[i].Key) || (b.By != by && slices.Contains(b.Others, gs[i].Key)) {
					gs[i].Burst = true
				}
			}
		}
	}
	mark(byIP, "ip")
	mark(byUser, "user")
	for i := range byHour {
		start, _ := time.Parse(time.RFC3339, byHour[i].Key)
		for _, b := range bursts {
			if !b.End.Before(start) && b.Start.Before(start.Add(time.Hour)) {
				byHour[i].Burst = true
			}
		}
	}
	sortGroups := func(gs []LoginGroup) {
		slices.SortFunc(gs, func(x, y LoginGroup) int {
			if x.Count != y.Count {
				return y.Count - x.Count
			}
			return strings.Compare(x.Key, y.Key)
		})
	}
	sortGroups(byUser)
	sortGroups(byIP)
	return byUser, byIP, byHour, bursts
}

// findBursts marks every event inside a window of at least threshold events
// no longer than within (two pointers over the sorted times, O(n)), then
// joins marked events closer than within into one burst.
func findBursts(evs []*source.TrailEvent, by string, key func(*source.TrailEvent) string, threshold int, within time.Duration) []Burst {
	if threshold < 1 {
		threshold = 1
	}
	perKey := map[string][]*source.TrailEvent{}
	var keys []string
	for _, ev := range evs {
		k := key(ev)
		if k == "" {
			continue
		}
		if _, ok := perKey[k]; !ok {
			keys = append(keys, k)
		}
		perKey[k] = append(perKey[k], ev)
	}
	slices.Sort(keys)
	var out []Burst
	for _, k := range keys {
		es := perKey[k]
		marked := make([]bool, len(es))
		left, done := 0, 0 // done: events before it are already marked
		for i := range es {
			for es[i].Time.Sub(es[left].Time) > within {
				left++
			}
			if i-left+1 >= threshold {
				for j := max(left, done); j <= i; j++ {
					marked[j] = true
				}
				done = i + 1
			}
		}
		var cur *Burst
		var prev time.Time
		for i, ev := range es {
			if !marked[i] {
				continue
			}
			if cur == nil || ev.Time.Sub(prev) > within {
				if cur != nil {
					out = append(out, *cur)
				}
				cur = &Burst{By: by, Key: k, Start: ev.Time}
			}
			cur.Count++
			cur.End = ev.Time
			other := ev.UserName
			if by == "user" {
				other = ev.SourceIP
			}
			if other != "" && !slices.Contains(cur.Others, other) {
				cur.Others = append(cur.Others, other)
			}
			prev = ev.Time
		}
		if cur != nil {
			out = append(out, *cur)
		}
	}
	for i := range out {
		slices.Sort(out[i].Others)
	}
	return out
}

// newAssumers compares the AssumeRole callers and their source IPs with the
// previous window's. AWS services assuming roles are left out.
func newAssumers(cur, prev []*source.TrailEvent) []AssumeNew {
	seenPrincipal := map[string]bool{}
	seenPair := map[[2]string]bool{}
	for _, ev := range prev {
		if isHumanAssume(ev) {
			p := principal(*ev)
			seenPrincipal[p] = true
			seenPair[[2]string{p, ev.SourceIP}] = true
		}
	}
	found := map[[2]string]*AssumeNew{}
	for _, ev := range cur {
		if !isHumanAssume(ev) {
			continue
		}
		p := principal(*ev)
		var k [2]string
		switch {
		case !seenPrincipal[p]:
			k = [2]string{"new_principal", p}
		case !seenPair[[2]string{p, ev.SourceIP}]:
			k = [2]string{"new_source_ip", p + "\x00" + ev.SourceIP}
		default:
			continue
		}
		n := found[k]
		if n == nil {
			n = &AssumeNew{Kind: k[0], Principal: p, SourceIP: ev.SourceIP, First: ev.Time}
			found[k] = n
		}
		n.Count++
		n.First = minTime(n.First, ev.Time)
		if k[0] == "new_principal" && ev.SourceIP != n.SourceIP && !strings.Contains(n.SourceIP, ev.SourceIP) {
			n.SourceIP += ", " + ev.SourceIP
		}
		for _, r := range ev.Resources {
			if !slices.Contains(n.Roles, r) {
				n.Roles = append(n.Roles, r)
			}
		}
	}
	out := make([]AssumeNew, 0, len(found))
	for _, n := range found {
		slices.Sort(n.Roles)
		out = append(out, *n)
	}
	slices.SortFunc(out, func(x, y AssumeNew) int {
		if c := x.First.Compare(y.First); c != 0 {
			return c
		}
		return strings.Compare(x.Kind+x.Principal+x.SourceIP, y.Kind+y.Principal+y.SourceIP)
	})
	return out
}

func isHumanAssume(ev *source.TrailEvent) bool {
	return slices.Contains(assumeEvents, ev.Name) && ev.ErrorCode == "" && ev.UserType != "AWSService" &&
		!strings.HasSuffix(ev.SourceIP, ".amazonaws.com") && ev.SourceIP != ""
}

func change(ev source.TrailEvent) Change {
	c := Change{Time: ev.Time, Event: ev.Name, Who: principal(ev), IP: ev.SourceIP, Error: ev.ErrorCode}
	if len(ev.Resources) > 0 {
		c.Target = strings.Join(ev.Resources, ", ")
	}
	return c
}

// sgRequest is the part of an EC2 security group request CloudTrail
// records in requestParameters that says what was opened.
type sgRequest struct {
	GroupID       string `json:"groupId"`
	IPPermissions struct {
		Items []struct {
			IPProtocol string `json:"ipProtocol"`
			FromPort   *int   `json:"fromPort"`
			ToPort     *int   `json:"toPort"`
			IPRanges   struct {
				Items []struct {
					CIDR string `json:"cidrIp"`
				} `json:"items"`
			} `json:"ipRanges"`
			IPv6Ranges struct {
				Items []struct {
					CIDR string `json:"cidrIpv6"`
				} `json:"items"`
			} `json:"ipv6Ranges"`
		} `json:"items"`
	} `json:"ipPermissions"`
}

// maxRequestParameters bounds the JSON parsed per event.
const maxRequestParameters = 64 << 10

func sgChange(ev source.TrailEvent, sensitive []int) Change {
	c := change(ev)
	if ev.RequestParameters == "" || len(ev.RequestParameters) > maxRequestParameters {
		return c
	}
	var req sgRequest
	if json.Unmarshal([]byte(ev.RequestParameters), &req) != nil {
		return c
	}
	if req.GroupID != "" && c.Target == "" {
		c.Target = req.GroupID
	}
	var parts []string
	for _, p := range req.IPPermissions.Items {
		proto, ported := protocolName(p.IPProtocol)
		from, to := int32(-1), int32(-1)
		if p.FromPort != nil {
			from = int32(*p.FromPort)
		}
		if p.ToPort != nil {
			to = int32(*p.ToPort)
		}
		ports := portRange(proto, from, to)
		var srcs []string
		world := false
		for _, r := range p.IPRanges.Items {
			srcs = append(srcs, r.CIDR)
			world = world || r.CIDR == anyIPv4
		}
		for _, r := range p.IPv6Ranges.Items {
			srcs = append(srcs, r.CIDR)
			world = world || r.CIDR == anyIPv6
		}
		parts = append(parts, proto+" "+ports+" ← "+strings.Join(srcs, ", "))
		if world && ported && strings.HasPrefix(ev.Name, "Authorize") && strings.HasSuffix(ev.Name, "Ingress") {
			if ports == "all" {
				c.WorldPorts = append(c.WorldPorts, "all")
				continue
			}
			for _, port := range append(slices.Clone(AdminPorts), sensitive...) {
				if ruleOpens(proto, from, to, port) {
					c.WorldPorts = append(c.WorldPorts, itoa(port))
				}
			}
		}
	}
	c.Detail = textfmt.Clip(strings.Join(parts, "; "), 400)
	slices.Sort(c.WorldPorts)
	c.WorldPorts = slices.Compact(c.WorldPorts)
	return c
}
