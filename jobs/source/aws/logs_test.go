package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
)

var testLogQuery = source.LogQuery{Groups: []string{"/aws/ec2/*", "/aws/eks/*", "/aws/lambda/quiet"}, ErrorTerms: testTerms}

// wantFilterStats is what logscan makes of the seeded lines: the filter
// engine must produce exactly this from kumo's FilterLogEvents.
func wantFilterStats(acc *account) []source.LogStats {
	var out []source.LogStats
	for _, g := range []string{"/aws/ec2/order-api/app", "/aws/eks/eksworkshop/cluster", "/aws/lambda/quiet"} {
		sc := logscan.New(g, acc.window, testTerms, time.Hour, 10)
		for _, l := range acc.lines[g] {
			// The SDK sends messages as JSON strings: each invalid UTF-8
			// byte arrives as U+FFFD.
			b, _ := json.Marshal(l.msg)
			var msg string
			json.Unmarshal(b, &msg)
			sc.Add(l.t, msg)
		}
		out = append(out, sc.Stats())
	}
	return out
}

// TestFilterEngineAgainstKumo: logs.engine filter reads the seeded events
// from kumo with FilterLogEvents; the statistics equal logscan over the
// seeded lines, and the error counts and histogram equal what Insights
// returned in TestCollectAgainstKumo (both engines, one answer).
func TestFilterEngineAgainstKumo(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	src := ta.source(config.Source{Logs: config.SourceLogs{Engine: "filter"}}, acc.at)
	ds, err := src.Collect(context.Background(), source.Request{Window: acc.window, At: acc.at, Needs: source.NeedLogStats, Logs: testLogQuery})
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	want := wantFilterStats(acc)
	eq(t, "log stats", ds.LogStats, want)
	for _, st := range ds.LogStats {
		bins := acc.errorBins(st.Group)
		var total int64
		for _, b := range st.Histogram {
			if b.Count != bins[b.Start.Unix()] {
				t.Errorf("%s %s: %d errors, Insights counted %d", st.Group, b.Start, b.Count, bins[b.Start.Unix()])
			}
			total += b.Count
		}
		if total != st.ErrorEvents {
			t.Errorf("%s: histogram sums to %d of %d", st.Group, total, st.ErrorEvents)
		}
	}
	if ds.Stats["logs:StartQuery"] != 0 || ds.Stats["logs:FilterLogEvents"] != 3 {
		t.Errorf("calls: %v", ds.Stats)
	}
	if len(ds.LogGroups) != 0 {
		t.Error("log groups are only listed in the dataset when NeedLogGroups asks")
	}
}

// TestInsightsUnavailableFallsBack: with engine auto and no Insights (kumo
// answers StartQuery with UnknownOperationException), the same statistics
// come from FilterLogEvents and no gap is recorded.
func TestInsightsUnavailableFallsBack(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	src := ta.source(config.Source{}, acc.at)
	ds, err := src.Collect(context.Background(), source.Request{Window: acc.window, At: acc.at, Needs: source.NeedLogStats, Logs: testLogQuery})
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	eq(t, "log stats", ds.LogStats, wantFilterStats(acc))
	if ds.Stats["logs:StartQuery"] != 1 || ds.Stats["logs:FilterLogEvents"] != 3 {
		t.Errorf("calls: %v", ds.Stats)
	}
}

// TestInsightsOnlyEngineGaps: engine insights never falls back; without
// Insights each group is a gap naming logs:StartQuery.
func TestInsightsOnlyEngineGaps(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	src := ta.source(config.Source{Logs: config.SourceLogs{Engine: "insights"}}, acc.at)
	ds, err := src.Collect(context.Background(), source.Request{Window: acc.window, At: acc.at, Needs: source.NeedLogStats, Logs: testLogQuery})
	must(t, err)
	if len(ds.LogStats) != 0 || len(ds.Gaps) != 3 || ds.Gaps[0].API != "logs:StartQuery" || !ds.Missing("log_stats") || !ds.Missing("log_stats:/aws/lambda/quiet") {
		t.Errorf("stats %d, gaps %+v", len(ds.LogStats), ds.Gaps)
	}
}

// TestFilterEnginePaginatesAndCaps: FilterLogEvents pages are followed
// (including AWS's empty pages with a token), and the per-group cap marks
// the counts truncated. The fake answers in the documented JSON shape
// because kumo does not paginate FilterLogEvents.
func TestFilterEnginePaginatesAndCaps(t *testing.T) {
	ta := newTestAWS(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	w := source.Window{Start: at.Add(-24 * time.Hour), End: at}
	ta.handle("logs:DescribeLogGroups", func(rw http.ResponseWriter, r *http.Request) {
		writeJSON(rw, `{"logGroups":[{"logGroupName":"/big","creationTime":1700000000000,"retentionInDays":7,"metricFilterCount":0,"arn":"arn:aws:logs:ap-northeast-2:123456789012:log-group:/big:*","storedBytes":123456789,"logGroupClass":"STANDARD","logGroupArn":"arn:aws:logs:ap-northeast-2:123456789012:log-group:/big"}]}`)
	})
	pages := 0
	ta.handle("logs:FilterLogEvents", func(rw http.ResponseWriter, r *http.Request) {
		var in struct {
			StartTime, EndTime int64
			NextToken          string `json:"nextToken"`
			Limit              int
		}
		readJSON(r, &in)
		if in.StartTime != w.Start.UnixMilli() || in.EndTime != w.End.UnixMilli()-1 {
			writeError(rw, "logs:FilterLogEvents", 400, "InvalidParameterException", "bad range")
			return
		}
		pages++
		page := 0
		fmt.Sscan(in.NextToken, &page)
		var evs []string
		if page%2 == 0 { // every other page is empty, as AWS returns while it searches
			for i := 0; i < 100; i++ {
				ts := w.Start.Add(time.Duration(page*100+i) * time.Second).UnixMilli()
				msg := "INFO ok"
				if i%10 == 0 {
					msg = fmt.Sprintf("ERROR failed job %d", page*100+i)
				}
				evs = append(evs, fmt.Sprintf(`{"logStreamName":"s","timestamp":%d,"message":%q,"ingestionTime":%d,"eventId":"%d"}`, ts, msg, ts, page*100+i))
			}
		}
		writeJSON(rw, fmt.Sprintf(`{"events":[%s],"searchedLogStreams":[],"nextToken":"%d"}`, strings.Join(evs, ","), page+1))
	})
	src := ta.source(config.Source{Logs: config.SourceLogs{Engine: "filter", MaxEvents: 450}}, at)
	ds, err := src.Collect(context.Background(), source.Request{Window: w, At: at, Needs: source.NeedLogStats | source.NeedLogGroups})
	must(t, err)
	if len(ds.LogStats) != 1 {
		t.Fatalf("stats: %+v gaps %+v", ds.LogStats, ds.Gaps)
	}
	st := ds.LogStats[0]
	// Pages 0, 2, 4, 6, 8 hold 100 events each; the cap (450) stops after
	// the page that crosses it.
	if !st.Truncated || st.Scanned != 500 || st.ErrorEvents != 50 || ds.Stats["logs:FilterLogEvents"] != 9 || pages < 9 {
		t.Errorf("truncated %v, scanned %d, errors %d, pages %d (%d served)", st.Truncated, st.Scanned, st.ErrorEvents, ds.Stats["logs:FilterLogEvents"], pages)
	}
	if len(st.Patterns) != 1 || st.Patterns[0].Pattern != "ERROR failed job <N>" || st.Patterns[0].Count != 50 {
		t.Errorf("patterns: %+v", st.Patterns)
	}
	eq(t, "log groups", ds.LogGroups, []source.LogGroup{{Name: "/big", ARN: "arn:aws:logs:ap-northeast-2:123456789012:log-group:/big", RetentionDays: 7, StoredBytes: 123456789, Created: time.UnixMilli(1700000000000).UTC()}})
}

// TestInsightsQueryFailedAndPacking: a query that ends Failed is a gap for
// its groups only; a 30-day window packs 13 groups per histogram query so
// rows stay under 10,000.
func TestInsightsQueryFailedAndPacking(t *testing.T) {
	ta := newTestAWS(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	w := source.Window{Start: at.Add(-30 * 24 * time.Hour), End: at}
	var groups []string
	for i := 0; i < 30; i++ {
		groups = append(groups, fmt.Sprintf(`{"logGroupName":"/app/%02d","creationTime":1700000000000,"storedBytes":1}`, i))
	}
	ta.handle("logs:DescribeLogGroups", func(rw http.ResponseWriter, r *http.Request) {
		writeJSON(rw, `{"logGroups":[`+strings.Join(groups, ",")+`]}`)
	})
	var (
		smu   sync.Mutex
		sizes = map[string]int{} // by query: a retried attempt counts once
	)
	ta.handle("logs:StartQuery", func(rw http.ResponseWriter, r *http.Request) {
		var in struct {
			LogGroupNames []string `json:"logGroupNames"`
			QueryString   string   `json:"queryString"`
		}
		readJSON(r, &in)
		smu.Lock()
		sizes[strings.Join(in.LogGroupNames, ",")+" "+in.QueryString] = len(in.LogGroupNames)
		smu.Unlock()
		writeJSON(rw, fmt.Sprintf(`{"queryId":"q-%s"}`, strings.TrimPrefix(in.LogGroupNames[0], "/app/")))
	})
	ta.handle("logs:GetQueryResults", func(rw http.ResponseWriter, r *http.Request) {
		var in struct {
			QueryID string `json:"queryId"`
		}
		readJSON(r, &in)
		if in.QueryID == "q-13" { // the second batch fails
			writeJSON(rw, `{"results":[],"statistics":{"bytesScanned":0,"recordsMatched":0,"recordsScanned":0},"status":"Failed"}`)
			return
		}
		writeJSON(rw, `{"results":[[{"field":"@log","value":"123456789012:/app/`+strings.TrimPrefix(in.QueryID, "q-")+`"},{"field":"bin(1h)","value":"`+at.Add(-time.Hour).Format("2006-01-02 15:04:05.000")+`"},{"field":"errors","value":"7"}]],"statistics":{"bytesScanned":10,"recordsMatched":7,"recordsScanned":10},"status":"Complete"}`)
	})
	ta.handle("logs:StopQuery", func(rw http.ResponseWriter, r *http.Request) { writeJSON(rw, `{"success":true}`) })
	src := ta.source(config.Source{Logs: config.SourceLogs{Engine: "insights"}}, at)
	ds, err := src.Collect(context.Background(), source.Request{Window: w, At: at, Needs: source.NeedLogStats, Logs: source.LogQuery{TopPatterns: 3}})
	must(t, err)
	// 720 bins: 13 groups per query -> 13 + 13 + 4; then a pattern and a
	// sample query for each group with errors (/app/00 and /app/26).
	var got []int
	for _, n := range sizes {
		got = append(got, n)
	}
	sort.Ints(got)
	if ds.Stats["logs:StartQuery"] != 7 || fmt.Sprint(got) != "[1 1 1 1 4 13 13]" {
		t.Errorf("StartQuery calls %d, groups per query %v", ds.Stats["logs:StartQuery"], got)
	}
	if len(ds.LogStats) != 17 || ds.LogStats[0].Group != "/app/00" || ds.LogStats[0].ErrorEvents != 7 || ds.LogStats[0].Histogram[719].Count != 7 {
		t.Errorf("%d stats; first %s: %d errors, last bin %+v", len(ds.LogStats), ds.LogStats[0].Group, ds.LogStats[0].ErrorEvents, ds.LogStats[0].Histogram[len(ds.LogStats[0].Histogram)-1])
	}
	// One gap per group of the failed batch, so Missing("log_stats:<group>") holds.
	if len(ds.Gaps) != 13 || ds.Gaps[0].API != "logs:GetQueryResults" || !strings.Contains(ds.Gaps[0].Error, "Failed") ||
		!ds.Missing("log_stats:/app/13") || !ds.Missing("log_stats:/app/25") || ds.Missing("log_stats:/app/26") || ds.Missing("log_stats:/app/12") {
		t.Errorf("gaps: %+v", ds.Gaps)
	}

}
