package demo

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwreport/cwreport/jobs/source"
)

// The stories every report kind relies on, asserted on the dataset.

func TestStoryDMZSpike(t *testing.T) {
	ds := collect(t, daily(testAt, source.NeedMetrics|source.NeedAlarms|source.NeedAlarmHistory))
	s := find(t, ds, dmzName, mCPU, "Average", "")
	if v := maxIn(s, testAt.Add(-3*time.Hour), testAt); v <= 85 {
		t.Errorf("CPU max in the last 3 h = %.1f, want > 85", v)
	}
	if v := quantile(between(s, testAt.Add(-27*time.Hour), testAt.Add(-3*time.Hour)), 50); v >= 20 {
		t.Errorf("median of the prior day = %.1f, want < 20", v)
	}
	if v := quantile(between(s, testAt.Add(-8*day), testAt.Add(-3*time.Hour)), 99); v >= 20 {
		t.Errorf("p99 of the baseline = %.1f: the spike must stand out", v)
	}
	a := alarm(t, ds, "High-CPU-Usage")
	if a.State != source.StateAlarm || !a.StateUpdated.Equal(testAt.Add(-dmzAlarmAt)) || a.Dimensions[0].Value != hostByName[dmzName].id {
		t.Errorf("High-CPU-Usage %+v", a)
	}
	if !strings.Contains(a.StateReason, "were greater than the threshold (80.0)") {
		t.Errorf("reason %q", a.StateReason)
	}
	h := history(ds, "High-CPU-Usage")
	if len(h) != 1 || h[0].From != source.StateOK || h[0].To != source.StateAlarm {
		t.Errorf("history %+v", h)
	}
}

func TestStoryIncident(t *testing.T) {
	req := daily(testAt, source.NeedMetrics|source.NeedAlarms|source.NeedAlarmHistory|source.NeedLogStats)
	req.Logs = source.LogQuery{Groups: []string{orderAppGroup}, Bin: 5 * time.Minute, TopPatterns: 50}
	ds := collect(t, req)
	cpu := find(t, ds, "order-api-02", mCPU, "Average", "")
	if v := mean(between(cpu, testAt.Add(-3*time.Hour), testAt.Add(-90*time.Minute))); v < 15 || v > 40 {
		t.Errorf("order-api-02 CPU before the deploy = %.1f, want ~25", v)
	}
	if v := quantile(between(cpu, testAt.Add(-85*time.Minute), testAt), 10); v < 75 {
		t.Errorf("order-api-02 CPU after the deploy p10 = %.1f, want ~85", v)
	}
	for _, other := range []string{"order-api-01", "order-api-03"} {
		if v := maxIn(find(t, ds, other, mCPU, "Average", ""), testAt.Add(-90*time.Minute), testAt); v > 50 {
			t.Errorf("%s CPU %.1f during the incident", other, v)
		}
	}
	a := alarm(t, ds, "High-CPU-Usage-order-api-02")
	if a.State != source.StateAlarm || !a.StateUpdated.Equal(testAt.Add(-incidentAlarm)) {
		t.Errorf("alarm %+v", a)
	}
	st := statsOf(t, ds, orderAppGroup)
	var oom, npe bool
	for _, p := range st.Patterns {
		switch {
		case strings.Contains(p.Example, "java.lang.OutOfMemoryError"):
			oom = true
		case strings.Contains(p.Example, "NullPointerException at OrderService.place"):
			npe = true
		default:
			continue
		}
		if p.FirstSeen.Before(testAt.Add(-incidentErrors)) {
			t.Errorf("%q first seen %s, before the incident", p.Pattern, p.FirstSeen)
		}
	}
	if !oom || !npe {
		t.Errorf("incident patterns missing: oom %v npe %v", oom, npe)
	}
	// Errors per 5 minutes: a few before, a storm after.
	var before, after int64
	for _, b := range st.Histogram {
		if b.Start.Before(testAt.Add(-incidentErrors)) {
			before = max(before, b.Count)
		} else {
			after = min(max(after, b.Count), 1<<62)
		}
	}
	if before > 3 || after < 40 {
		t.Errorf("errors per 5 min: at most %d before, up to %d after", before, after)
	}

	// The deploy line is an INFO line: found when asked for.
	req.Needs = source.NeedLogStats
	req.Logs.ErrorTerms = []string{"deploy:"}
	st = statsOf(t, collect(t, req), orderAppGroup)
	if st.ErrorEvents != 1 || !strings.Contains(st.Patterns[0].Example, "deploy: rolling out order-api v2.14.1") ||
		!strings.Contains(st.Patterns[0].Example, hostByName["order-api-02"].id) || !st.Patterns[0].FirstSeen.Equal(testAt.Add(-incidentDeploy)) {
		t.Errorf("deploy line: %+v", st)
	}
}

func TestStoryAlarms(t *testing.T) {
	ds := collect(t, daily(testAt, source.NeedAlarms|source.NeedAlarmHistory|source.NeedMetrics))
	low := alarm(t, ds, "Low-CPU-Usage")
	if low.State != source.StateAlarm || testAt.Sub(low.StateUpdated) < 2*day {
		t.Errorf("Low-CPU-Usage %+v", low)
	}
	disk := alarm(t, ds, "Disk-Space-Low-db-primary-01")
	if disk.State != source.StateInsufficientData || testAt.Sub(disk.StateUpdated) < 3*day {
		t.Errorf("disk alarm %+v", disk)
	}
	// Stuck because no series has its dimensions.
	for _, s := range ds.Series {
		if s.Metric == mDisk && s.Dim("device") == "xvdf" {
			t.Error("the stuck alarm's metric exists")
		}
	}
	sc := history(ds, "Status-Check-Failed")
	if len(sc) != 2 || sc[0].To != source.StateAlarm || sc[1].To != source.StateOK || alarm(t, ds, "Status-Check-Failed").State != source.StateOK {
		t.Errorf("status check history %+v", sc)
	}
	if c := alarm(t, ds, "Web-Service-Health"); !c.Composite || c.State != source.StateOK || !strings.Contains(c.Rule, `ALARM("Web-ASG-High-CPU")`) {
		t.Errorf("composite %+v", c)
	}
	status := find(t, ds, "batch-worker-03", mStatus, "Average", "")
	failedAt := testAt.Add(-statusCheckStart)
	if v := maxIn(status, failedAt.Add(-5*time.Minute), failedAt.Add(10*time.Minute)); v <= 0 {
		t.Error("batch-worker-03 shows no status-check failure")
	}
	for _, s := range ds.Series {
		if s.Metric == mStatus && s.InstanceID != status.InstanceID && maxIn(&s, testAt.Add(-8*day), testAt) != 0 {
			t.Errorf("%s failed a status check", s.InstanceID)
		}
	}
	// Transitions are in order and chain from state to state.
	last := map[string]source.AlarmState{}
	for i, h := range ds.AlarmHistory {
		if i > 0 && h.Time.Before(ds.AlarmHistory[i-1].Time) {
			t.Errorf("history out of order at %d", i)
		}
		if prev, ok := last[h.Alarm]; ok && prev != h.From {
			t.Errorf("%s: %s then from %s", h.Alarm, prev, h.From)
		}
		last[h.Alarm] = h.To
		if !ds.Window.Contains(h.Time) {
			t.Errorf("%s transition at %s outside the window", h.Alarm, h.Time)
		}
	}
}

func TestStoryFlapping(t *testing.T) {
	ds := collect(t, daily(testAt, source.NeedAlarms|source.NeedAlarmHistory|source.NeedMetrics))
	h := history(ds, "High-Network-In")
	if len(h) < 6 {
		t.Fatalf("High-Network-In: %d transitions in the last 24 h, want >= 6", len(h))
	}
	// The metric agrees: above the threshold in every ALARM stretch.
	s := find(t, ds, eksFlapper, mNetIn, "Average", "")
	threshold := alarm(t, ds, "High-Network-In").Threshold
	for _, tr := range h {
		if tr.To == source.StateAlarm {
			if v := maxIn(s, tr.Time.Add(-10*time.Minute), tr.Time); v <= threshold {
				t.Errorf("ALARM at %s but NetworkIn max %.0f <= %.0f", tr.Time, v, threshold)
			}
		}
	}
	// Other nodes never cross it.
	for _, name := range []string{"eks-node-01", "eks-node-02", "eks-node-04"} {
		if v := maxIn(find(t, ds, name, mNetIn, "Average", ""), testAt.Add(-8*day), testAt); v > threshold/2 {
			t.Errorf("%s NetworkIn %.0f", name, v)
		}
	}
}

func TestStoryCapacity(t *testing.T) {
	ds := collect(t, month("Average", "Maximum", "Sum"))
	firstWeek := func(s *source.Series) []float64 { return between(s, testAt.Add(-30*day), testAt.Add(-23*day)) }
	lastWeek := func(s *source.Series) []float64 { return between(s, testAt.Add(-7*day), testAt) }

	db := find(t, ds, "db-primary-01", mCPU, "Average", "")
	if a, b := quantile(firstWeek(db), 95), quantile(lastWeek(db), 95); a < 28 || a > 42 || b < 55 || b > 70 {
		t.Errorf("db CPU p95 %.1f -> %.1f, want ~35 -> ~62", a, b)
	}
	mem := find(t, ds, "db-primary-01", mMem, "Average", "")
	if a, b := mean(firstWeek(mem)), mean(lastWeek(mem)); a < 50 || a > 62 || b < 70 || b > 80 {
		t.Errorf("db memory %.1f -> %.1f, want ~55 -> ~78", a, b)
	}
	data := find(t, ds, "db-primary-01", mDisk, "Average", "/data")
	if a, b := data.Values[0], data.Values[len(data.Values)-1]; a < 58 || a > 62 || b < 74 || b > 78 {
		t.Errorf("/data %.1f -> %.1f, want 60 -> 76", a, b)
	}
	logs := find(t, ds, "db-primary-01", mDisk, "Average", "/var/log")
	drop, dropAt := 0.0, int64(0)
	for i := 1; i < len(logs.Values); i++ {
		if d := logs.Values[i] - logs.Values[i-1]; d < drop {
			drop, dropAt = d, logs.Times[i]
		}
	}
	if ago := testAt.Sub(time.Unix(dropAt, 0)); drop > -20 || ago < 19*day || ago > 21*day {
		t.Errorf("/var/log cleanup: drop %.1f %s ago", drop, ago)
	}

	api := find(t, ds, "api-gateway-01", mCPU, "Average", "")
	if v := quantile(api.Values, 99.5); v < 88 || v > 97 {
		t.Errorf("api-gateway p99.5 CPU %.1f, want ~92", v)
	}
	legacy := find(t, ds, "legacy-reporting-01", mCPU, "Maximum", "")
	if v := maxIn(legacy, testAt.Add(-30*day), testAt); v > 1 {
		t.Errorf("legacy max CPU %.2f, want <= 1", v)
	}
	for _, name := range []string{"jenkins-agent-01", "jenkins-agent-02"} {
		cpu := find(t, ds, name, mCPU, "Average", "")
		if lo, hi := quantile(cpu.Values, 5), quantile(cpu.Values, 95); lo < 1.5 || hi > 7 {
			t.Errorf("%s CPU p5 %.1f p95 %.1f, want 2-6", name, lo, hi)
		}
		for d := 1; d <= 30; d++ {
			var bytes float64
			for _, m := range []string{mNetIn, mNetOut} {
				for _, v := range between(find(t, ds, name, m, "Sum", ""), testAt.Add(-time.Duration(d)*day), testAt.Add(-time.Duration(d-1)*day)) {
					bytes += v
				}
			}
			if bytes > 5*1e6 {
				t.Errorf("%s: %.1f MB on day -%d", name, bytes/1e6, d)
			}
		}
	}
	for i, h := range fleet {
		if h.role == roleWeb {
			cpu := find(t, ds, h.name, mCPU, "Average", "")
			if lo, hi := quantile(cpu.Values, 5), quantile(cpu.Values, 95); lo < 0.5 || hi > 3 {
				t.Errorf("%s CPU %.2f-%.2f, want 1-2", h.name, lo, hi)
			}
			hasMem := false
			for _, s := range ds.Series {
				hasMem = hasMem || (s.InstanceID == h.id && s.Metric == mMem)
			}
			if hasMem != (i < 6) {
				t.Errorf("%s: memory published %v", h.name, hasMem)
			}
		}
		if h.role == roleEKS {
			cpu := find(t, ds, h.name, mCPU, "Average", "")
			mem := find(t, ds, h.name, mMem, "Average", "")
			if p50, p95 := quantile(cpu.Values, 50), quantile(cpu.Values, 95); p50 < 8 || p95 > 22 || mean(mem.Values) < 30 || mean(mem.Values) > 40 {
				t.Errorf("%s: CPU p50 %.1f p95 %.1f, memory %.1f", h.name, p50, p95, mean(mem.Values))
			}
		}
	}
}

func TestStoryWeekOverWeek(t *testing.T) {
	ds := collect(t, source.Request{Window: source.Window{Start: testAt.Add(-14 * day), End: testAt}, At: testAt,
		Needs: source.NeedMetrics, Period: time.Hour, Metrics: allMetrics("Average")[:1]})
	for _, tc := range []struct {
		prefix string
		lo, hi float64
	}{{"batch-worker-", 0.5, 0.7}, {"order-api-", 1.2, 1.42}, {"web-prod-", 0.9, 1.1}, {"eks-node-", 0.9, 1.1}} {
		for _, h := range fleet {
			if !strings.HasPrefix(h.name, tc.prefix) {
				continue
			}
			s := find(t, ds, h.name, mCPU, "Average", "")
			this, prev := mean(between(s, testAt.Add(-week), testAt)), mean(between(s, testAt.Add(-2*week), testAt.Add(-week)))
			if r := this / prev; r < tc.lo || r > tc.hi {
				t.Errorf("%s: this week / last week = %.2f, want %.2f-%.2f", h.name, r, tc.lo, tc.hi)
			}
		}
	}
}

func TestStoryLogs(t *testing.T) {
	req := daily(testAt, source.NeedLogStats|source.NeedLogGroups)
	req.Logs = source.LogQuery{Bin: time.Hour}
	ds := collect(t, req)
	if len(ds.LogStats) != len(logGroups) || len(ds.LogGroups) != len(logGroups) {
		t.Fatalf("%d stats, %d groups", len(ds.LogStats), len(ds.LogGroups))
	}
	for _, st := range ds.LogStats {
		if st.Scanned < 1000 {
			t.Errorf("%s: only %d lines a day", st.Group, st.Scanned)
		}
		if len(st.Histogram) != 24 {
			t.Errorf("%s: %d bins", st.Group, len(st.Histogram))
		}
	}
	var never, kms int
	for _, g := range ds.LogGroups {
		if g.RetentionDays == 0 {
			never++
		}
		if g.KMSKeyID != "" {
			kms++
		}
	}
	if never == 0 || kms == 0 || kms == len(ds.LogGroups) {
		t.Errorf("retention/KMS mix: %d never expire, %d with KMS", never, kms)
	}

	// EKS: the gRPC burst from At-5h to At-4h.
	eks := statsOf(t, ds, "/aws/eks/"+eksCluster+"/cluster")
	var inBurst, outside int64
	for _, b := range eks.Histogram {
		if !b.Start.Before(testAt.Add(-grpcBurstStart)) && b.Start.Before(testAt.Add(-grpcBurstEnd)) {
			inBurst += b.Count
		} else {
			outside = max(outside, b.Count)
		}
	}
	if inBurst < 1000 || outside > 20 {
		t.Errorf("gRPC burst: %d errors in the hour, up to %d in other hours", inBurst, outside)
	}
	var refused, closing bool
	for _, p := range eks.Patterns {
		refused = refused || strings.Contains(p.Example, "connection refused")
		closing = closing || strings.Contains(p.Example, "transport is closing")
	}
	if !refused || !closing {
		t.Errorf("gRPC patterns: refused %v closing %v", refused, closing)
	}
	if n := statsOf(t, ds, "/aws/lambda/image-resize").ErrorEvents; n < 1 || n > 15 {
		t.Errorf("image-resize: %d errors, want a few", n)
	}
	if n := statsOf(t, ds, trailGroup).ErrorEvents; n < 5 {
		t.Errorf("trail log group: %d error records", n)
	}

	// Hostile lines reach the examples unmodified.
	dmz := statsOf(t, ds, "/firewall/alerts/dmz")
	want := map[string]bool{"<script>": false, "<!channel>": false, "|": false, "`": false, "\x1b[31m": false, "\n# Injected": false, "{{.Secret}}": false}
	invalid, oversize := false, false
	for _, p := range dmz.Patterns {
		for k := range want {
			if strings.Contains(p.Example, k) {
				want[k] = true
			}
		}
		invalid = invalid || !utf8.ValidString(p.Example)
		oversize = oversize || strings.Contains(p.Example, "X-Pad: AAAA")
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("no example contains %q", k)
		}
	}
	if !invalid || !oversize {
		t.Errorf("invalid UTF-8 %v, oversize line %v", invalid, oversize)
	}
}

func TestLogQueryHonoured(t *testing.T) {
	req := daily(testAt, source.NeedLogStats|source.NeedLogGroups)
	req.Logs = source.LogQuery{Groups: []string{"/aws/lambda/*"}, ErrorTerms: []string{"REPORT"}, Bin: 15 * time.Minute, TopPatterns: 3}
	ds := collect(t, req)
	if len(ds.LogStats) != 2 || len(ds.LogGroups) != 2 {
		t.Fatalf("%d stats %d groups for /aws/lambda/*", len(ds.LogStats), len(ds.LogGroups))
	}
	for _, st := range ds.LogStats {
		if !strings.HasPrefix(st.Group, "/aws/lambda/") || st.Bin != 900 || len(st.Histogram) != 96 || len(st.Patterns) > 3 {
			t.Errorf("%s: bin %d, %d bins, %d patterns", st.Group, st.Bin, len(st.Histogram), len(st.Patterns))
		}
		if st.ErrorEvents*4 < st.Scanned*9/10 || !strings.HasPrefix(st.Patterns[0].Example, "REPORT RequestId") {
			t.Errorf("%s: %d REPORT lines of %d", st.Group, st.ErrorEvents, st.Scanned)
		}
	}
}

func TestStoryTrail(t *testing.T) {
	week1 := source.Request{Window: source.Window{Start: testAt.Add(-week), End: testAt}, At: testAt, Needs: source.NeedTrailEvents}
	ds := collect(t, week1)
	prev := week1
	prev.Window = week1.Window.Shift(-week)
	before := collect(t, prev)

	count := func(events []source.TrailEvent, f func(e source.TrailEvent) bool) int {
		n := 0
		for _, e := range events {
			if f(e) {
				n++
			}
		}
		return n
	}
	ev := ds.TrailEvents
	if n := count(ev, func(e source.TrailEvent) bool {
		return e.Name == "ConsoleLogin" && e.UserName == "alice" && e.LoginResult == "Failure" && testAt.Sub(e.Time) < day
	}); n != 3 {
		t.Errorf("alice failed logins in the last day: %d", n)
	}
	var brute []time.Time
	for _, e := range ev {
		if e.LoginResult == "Failure" && e.UserName == hiddenUser && e.SourceIP == bruteIP {
			brute = append(brute, e.Time)
		}
	}
	if len(brute) != 25 || brute[24].Sub(brute[0]) > 10*time.Minute || testAt.Sub(brute[0]) < 5*day || testAt.Sub(brute[0]) > 7*day {
		t.Errorf("brute force: %d failures over %s", len(brute), brute[len(brute)-1].Sub(brute[0]))
	}
	root := count(ev, func(e source.TrailEvent) bool {
		return e.UserType == "Root" && e.Name == "ConsoleLogin" && e.LoginResult == "Success" && e.MFAUsed == "Yes"
	})
	if root != 1 {
		t.Errorf("root logins %d", root)
	}
	denied := map[string]int{}
	for _, e := range ev {
		if e.ErrorCode != "" && e.Name != "ConsoleLogin" {
			denied[e.UserName+" "+e.ErrorCode]++
			if e.UserName == ciRole && e.ErrorCode == "AccessDeniedException" && !strings.Contains(e.ErrorMessage, "iam:PassRole") {
				t.Errorf("PassRole message %q", e.ErrorMessage)
			}
		}
	}
	if denied["ci-deployer AccessDeniedException"] != 3 || denied["ci-deployer AccessDenied"] != 4 || denied["bob Client.UnauthorizedOperation"] != 2 {
		t.Errorf("denied %v", denied)
	}
	var sgChange, policy bool
	for _, e := range ev {
		if e.Name == "AuthorizeSecurityGroupIngress" && strings.Contains(e.RequestParameters, `"fromPort":8888`) && strings.Contains(e.RequestParameters, "::/0") &&
			e.Resources[0] == sgID("default", "sg-jupyter") {
			sgChange = true
		}
		policy = policy || (e.Name == "PutRolePolicy" && strings.Contains(e.RequestParameters, "iam:PassRole"))
	}
	if !sgChange || !policy {
		t.Errorf("sg change %v, policy %v", sgChange, policy)
	}
	assume := func(events []source.TrailEvent) map[string]int {
		ips := map[string]int{}
		for _, e := range events {
			if e.Name == "AssumeRole" && e.UserType == "IAMUser" {
				ips[e.SourceIP]++
			}
		}
		return ips
	}
	now, then := assume(ev), assume(before.TrailEvents)
	if now[newIP] != 1 || then[newIP] != 0 || then[runnerIP] < 10 || now[runnerIP] < 10 {
		t.Errorf("AssumeRole source IPs now %v, the week before %v", now, then)
	}
	// Routine activity exists in both weeks, a little denser now.
	if len(before.TrailEvents) < 300 || len(ev) <= len(before.TrailEvents) {
		t.Errorf("%d events this week, %d the week before", len(ev), len(before.TrailEvents))
	}
	ids := map[string]bool{}
	for i, e := range ev {
		if ids[e.ID] || len(e.ID) != 36 || e.AccountID != accountID || !week1.Window.Contains(e.Time) || (i > 0 && e.Time.Before(ev[i-1].Time)) {
			t.Fatalf("event %d: %+v", i, e)
		}
		ids[e.ID] = true
	}
}

func TestStorySecurityPosture(t *testing.T) {
	ds := collect(t, daily(testAt, source.NeedNetwork|source.NeedTrailConfig|source.NeedMonitoring|source.NeedIAM|source.NeedAlarms|source.NeedInstances))
	open := func(name string, port int32, v6 bool) bool {
		for _, g := range ds.SecurityGroups {
			if g.Name != name {
				continue
			}
			for _, r := range g.Ingress {
				if r.FromPort <= port && port <= r.ToPort && (contains(r.CIDRs, "0.0.0.0/0") && (!v6 || contains(r.IPv6CIDRs, "::/0"))) {
					return len(g.AttachedTo) > 0
				}
			}
		}
		return false
	}
	for _, tc := range []struct {
		sg   string
		port int32
		v6   bool
	}{{"sg-bastion", 22, false}, {"sg-web", 80, false}, {"sg-web", 443, false}, {"sg-jupyter", 8888, true}} {
		if !open(tc.sg, tc.port, tc.v6) {
			t.Errorf("%s: %d not open to the world", tc.sg, tc.port)
		}
	}
	for _, g := range ds.SecurityGroups {
		if g.Name == "sg-db" && (len(g.Ingress) != 1 || g.Ingress[0].SourceGroups[0] != sgID("app", "sg-app") || len(g.Ingress[0].CIDRs) != 0) {
			t.Errorf("sg-db %+v", g.Ingress)
		}
	}
	defaults := 0
	for _, g := range ds.SecurityGroups {
		if g.Name == "default" {
			defaults++
		}
	}
	flow := map[string]bool{}
	for _, f := range ds.FlowLogs {
		flow[f.ResourceID] = f.Status == "ACTIVE"
	}
	for _, v := range ds.VPCs {
		if flow[v.ID] != (v.Name == "AppVPC") {
			t.Errorf("VPC %s (%s): flow logs %v", v.Name, v.CIDR, flow[v.ID])
		}
	}
	if defaults != 3 || len(ds.VPCs) != 3 {
		t.Errorf("%d default groups, %d VPCs", defaults, len(ds.VPCs))
	}
	var nacl22, nacl3389 bool
	for _, a := range ds.NetworkACLs {
		for _, e := range a.Entries {
			if !e.Egress && e.Action == "allow" && e.CIDR == "0.0.0.0/0" && e.Protocol == "6" {
				nacl22 = nacl22 || e.FromPort == 22
				nacl3389 = nacl3389 || e.FromPort == 3389
			}
		}
	}
	if !nacl22 || !nacl3389 {
		t.Error("no NACL allowing 22 and 3389 from anywhere")
	}

	tr := ds.Trails[0]
	if !tr.MultiRegion || !tr.Logging || !tr.LogFileValidation || tr.KMSKeyID != "" || tr.BucketAccessLogging == nil || *tr.BucketAccessLogging ||
		!strings.Contains(tr.LogGroupARN, trailGroup) || tr.ReadWriteType != "All" || !tr.ManagementEvents {
		t.Errorf("trail %+v", tr)
	}
	if r := ds.ConfigRecorders[0]; !r.Recording || !r.AllSupported || !r.IncludeGlobal {
		t.Errorf("recorder %+v", r)
	}
	// CIS 4.1 and 4.3 each have filter -> alarm -> confirmed email.
	for _, metric := range []string{"UnauthorizedAPICalls", "RootAccountUsage"} {
		ok := false
		for _, f := range ds.MetricFilters {
			if f.MetricName != metric || f.LogGroup != trailGroup {
				continue
			}
			for _, a := range ds.Alarms {
				if a.Metric == metric && a.Namespace == f.MetricNamespace {
					for _, s := range ds.Subscriptions {
						ok = ok || (s.TopicARN == a.AlarmActions[0] && s.Confirmed && s.Protocol == "email")
					}
				}
			}
		}
		if !ok {
			t.Errorf("CIS chain for %s incomplete", metric)
		}
	}

	rows := map[string]source.CredentialReportRow{}
	for _, r := range ds.IAM.CredentialReport {
		rows[r.User] = r
	}
	root := rows["<root_account>"]
	if !root.MFAActive || root.AccessKey1Active || testAt.Sub(root.PasswordLastUsed).Round(day) != 3*day {
		t.Errorf("root %+v", root)
	}
	if b := rows["bob"]; !b.PasswordEnabled || b.MFAActive {
		t.Errorf("bob %+v", b)
	}
	if a := rows["alice"]; !a.PasswordEnabled || !a.MFAActive {
		t.Errorf("alice %+v", a)
	}
	if c := rows[ciUser]; !c.AccessKey1Active || testAt.Sub(c.AccessKey1LastRotated) != 200*day || c.PasswordEnabled {
		t.Errorf("ci user %+v", c)
	}
	if o := rows["old-contractor"]; !o.PasswordEnabled || o.MFAActive || testAt.Sub(o.PasswordLastUsed) != 120*day {
		t.Errorf("old contractor %+v", o)
	}
	if p := ds.IAM.PasswordPolicy; p.MinimumLength != 8 || p.ReusePrevention != 0 {
		t.Errorf("password policy %+v", p)
	}
}

// --- helpers ----------------------------------------------------------------

func alarm(t testing.TB, ds *source.Dataset, name string) source.Alarm {
	t.Helper()
	for _, a := range ds.Alarms {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no alarm %s", name)
	return source.Alarm{}
}

func history(ds *source.Dataset, name string) []source.AlarmTransition {
	var out []source.AlarmTransition
	for _, h := range ds.AlarmHistory {
		if h.Alarm == name {
			out = append(out, h)
		}
	}
	return out
}

func statsOf(t testing.TB, ds *source.Dataset, group string) source.LogStats {
	t.Helper()
	for _, s := range ds.LogStats {
		if s.Group == group {
			return s
		}
	}
	t.Fatalf("no log stats for %s", group)
	return source.LogStats{}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
