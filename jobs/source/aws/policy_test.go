package aws

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// TestPolicyCoversEveryClientMethod: the client interfaces are every
// operation this package can call; each one's IAM action is in the policy
// for all needs. Adding a method without its permission fails here.
func TestPolicyCoversEveryClientMethod(t *testing.T) {
	allowed := ReadPolicy(AllNeeds, PolicyOptions{}).Actions()
	ct := reflect.TypeOf(clients{})
	n := 0
	for i := 0; i < ct.NumField(); i++ {
		f := ct.Field(i)
		for m := 0; m < f.Type.NumMethod(); m++ {
			api := f.Name + ":" + f.Type.Method(m).Name
			n++
			if a := actionFor(api); a != "" && !allowed[a] {
				t.Errorf("%s (action %s) is not in the policy", api, a)
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d operations found; the reflection is broken", n)
	}
}

// collectOps runs one collection on the kit and returns the IAM actions of
// the operations the SDK actually sent.
func collectOps(t *testing.T, cfg config.Source, req source.Request) map[string]bool {
	t.Helper()
	ta := newTestAWS(t)
	acc := ta.account(t)
	fakeForMissingAPIs(t, ta, acc)
	if req.Window.Duration() > 24*time.Hour {
		// Long windows read log files: give the trail some, under a prefix
		// of this test's own.
		fakeTrail(ta, acc, "policy/", false)
		putTrailFile(t, ta, acc.bucket, "policy/AWSLogs/000000000000/CloudTrail/", testRegion, acc.at.Add(-time.Hour), trailRecords(acc)...)
	}
	ta.handle("pricing:GetProducts", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"FormatVersion":"aws_v1","PriceList":[]}`)
	})
	if req.Window.Start.IsZero() {
		req.Window = acc.window
	}
	req.At = acc.at
	_, err := ta.source(cfg, acc.at).Collect(context.Background(), req)
	must(t, err)
	out := map[string]bool{}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	for api := range ta.ops {
		if a := actionFor(api); a != "" {
			out[a] = true
		}
	}
	return out
}

// TestEachNeedCallsOnlyItsActions runs a collection per dataset part (and
// per engine and CloudTrail path) and checks every call it made is allowed
// by the policy for that part alone, and that together they use every
// permission the policy grants: least privilege, proven on the wire.
func TestEachNeedCallsOnlyItsActions(t *testing.T) {
	used := map[string]bool{}
	needs := []source.Need{source.NeedInstances, source.NeedMetrics, source.NeedAlarms, source.NeedAlarmHistory, source.NeedLogGroups,
		source.NeedLogStats, source.NeedTrailEvents, source.NeedNetwork, source.NeedTrailConfig, source.NeedMonitoring, source.NeedIAM, source.NeedPrices}
	type run struct {
		name   string
		need   source.Need
		engine string
		window time.Duration
	}
	var runs []run
	for _, n := range needs {
		runs = append(runs, run{name: needName(n), need: n})
	}
	runs = append(runs,
		run{name: "log stats, filter engine", need: source.NeedLogStats, engine: "filter"},
		run{name: "log stats, insights engine", need: source.NeedLogStats, engine: "insights"},
		run{name: "trail events from S3", need: source.NeedTrailEvents, window: 30 * 24 * time.Hour},
	)
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			req := source.Request{Needs: r.need, Metrics: testMetrics, Logs: testLogQuery, PriceTypes: []string{"t3.small"}}
			if r.window > 0 {
				at := time.Now().UTC().Truncate(time.Hour)
				req.Window = source.Window{Start: at.Add(-r.window), End: at}
			}
			engine := r.engine
			if engine == "" {
				engine = "auto"
			}
			allowed := ReadActions(r.need, engine)
			for a := range collectOps(t, config.Source{Logs: config.SourceLogs{Engine: r.engine}}, req) {
				used[a] = true
				if !slices.Contains(allowed, a) {
					t.Errorf("%s called %s, which ReadActions(%s) does not grant", r.name, a, r.name)
				}
			}
		})
	}
	for _, a := range ReadActions(AllNeeds, "auto") {
		// StopQuery only runs when a query is abandoned (TestInsightsStopsQueryOnCancel);
		// FilterLogEvents only when Insights is unavailable (TestInsightsUnavailableFallsBack).
		if !used[a] && a != "logs:StopQuery" && a != "logs:FilterLogEvents" {
			t.Errorf("the policy grants %s, which no collection used", a)
		}
	}
}

func needName(n source.Need) string {
	names := map[source.Need]string{source.NeedInstances: "instances", source.NeedMetrics: "metrics", source.NeedAlarms: "alarms",
		source.NeedAlarmHistory: "alarm history", source.NeedLogGroups: "log groups", source.NeedLogStats: "log stats",
		source.NeedTrailEvents: "trail events", source.NeedNetwork: "network", source.NeedTrailConfig: "trail config",
		source.NeedMonitoring: "monitoring", source.NeedIAM: "iam", source.NeedPrices: "prices"}
	return names[n]
}

// TestEveryRecordedOperationIsInThePolicy checks every operation any test
// in this process sent (the kit records them) against the full policy.
// Run alone it still covers a full collection of every part.
func TestEveryRecordedOperationIsInThePolicy(t *testing.T) {
	collectOps(t, config.Source{}, source.Request{Needs: AllNeeds, Metrics: testMetrics, Logs: testLogQuery, PriceTypes: []string{"t3.small"}})
	allowed := ReadPolicy(AllNeeds, PolicyOptions{}).Actions()
	allOps.Lock()
	defer allOps.Unlock()
	var ops []string
	for api := range allOps.m {
		ops = append(ops, api)
		// sts:AssumeRole belongs to the caller's identity, not the read
		// policy: cwreport iam-policy adds it when source.assume_role_arn is
		// set, as the CwreportAssumeReadRole statement.
		if a := actionFor(api); a != "" && a != "sts:AssumeRole" && !allowed[a] {
			t.Errorf("%s was called but %s is not in the policy", api, a)
		}
	}
	sort.Strings(ops)
	// One full collection of every part sends 29 distinct operations; fewer
	// means the recording, not the policy, is broken.
	if len(ops) < 29 {
		t.Errorf("only %d operations recorded: %v", len(ops), ops)
	}
}

// TestInsightsStopsQueryOnCancel: an abandoned query is stopped, so it does
// not hold one of the account's concurrent query slots.
func TestInsightsStopsQueryOnCancel(t *testing.T) {
	ta := newTestAWS(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	ta.handle("logs:DescribeLogGroups", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"logGroups":[{"logGroupName":"/slow","creationTime":1700000000000,"storedBytes":1}]}`)
	})
	ta.handle("logs:StartQuery", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, `{"queryId":"q-slow"}`) })
	ctx, cancel := context.WithCancel(context.Background())
	ta.handle("logs:GetQueryResults", func(w http.ResponseWriter, r *http.Request) {
		cancel() // the run is abandoned while the query runs
		writeJSON(w, `{"results":[],"status":"Running"}`)
	})
	stopped := make(chan string, 1)
	ta.handle("logs:StopQuery", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			QueryID string `json:"queryId"`
		}
		readJSON(r, &in)
		stopped <- in.QueryID
		writeJSON(w, `{"success":true}`)
	})
	src := ta.source(config.Source{Logs: config.SourceLogs{Engine: "insights"}}, at)
	_, err := src.Collect(ctx, source.Request{Window: source.Window{Start: at.Add(-time.Hour), End: at}, At: at, Needs: source.NeedLogStats})
	if err == nil {
		t.Error("a cancelled collection must fail")
	}
	select {
	case id := <-stopped:
		if id != "q-slow" {
			t.Errorf("stopped %q", id)
		}
	default:
		t.Error("the query was not stopped")
	}
}

func TestReadPolicyShape(t *testing.T) {
	p := ReadPolicy(source.NeedTrailEvents|source.NeedTrailConfig, PolicyOptions{TrailBucket: "my-trail-bucket", Region: "ap-northeast-2"})
	var sids []string
	for _, s := range p.Statement {
		sids = append(sids, s.Sid)
		if s.Effect != "Allow" || len(s.Action) == 0 || len(s.Resource) == 0 {
			t.Errorf("statement %+v", s)
		}
		for _, a := range s.Action {
			if strings.HasPrefix(a, "s3:") && s.Resource[0] == "*" {
				t.Errorf("%s on every resource", a)
			}
			if strings.Contains(a, "Put") || strings.Contains(a, "Create") || strings.Contains(a, "Delete") {
				t.Errorf("read policy allows %s", a)
			}
		}
	}
	if strings.Join(sids, ",") != "CwreportRead,CwreportTrailBucket,CwreportTrailLogFiles,CwreportTrailLogFilesKMS" ||
		p.Statement[2].Resource[0] != "arn:aws:s3:::my-trail-bucket/*" || p.Statement[1].Resource[0] != "arn:aws:s3:::my-trail-bucket" {
		t.Errorf("policy %+v", p)
	}
	if got := ReadActions(source.NeedInstances, "auto"); strings.Join(got, ",") != "ec2:DescribeInstances,iam:ListAccountAliases" {
		t.Errorf("instances alone: %v", got)
	}
	if got := ReadActions(source.NeedLogStats, "filter"); slices.Contains(got, "logs:StartQuery") || !slices.Contains(got, "logs:FilterLogEvents") {
		t.Errorf("filter engine: %v", got)
	}
}
