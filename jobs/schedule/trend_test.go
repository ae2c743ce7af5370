package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/security"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
)

// awsTestEnv gives the S3 target static credentials and keeps the SDK
// away from the machine's AWS configuration and instance metadata.
func awsTestEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "schedule-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

const auditYAML = `
timezone: Asia/Seoul
source: {type: demo, region: ap-northeast-2}
targets:
  archive: {type: s3, bucket: %s, prefix: cwreport/, endpoint_url: %q, presign_expiry: 0s}
jobs:
  - name: audit
    kind: security
    schedule: "0 9 1 * *"
    window: last-month
    period: month
    formats: [json]
    deliver: [archive]
`

// A monthly audit delivered only to S3 (kumo), with no file target and no
// archive directory: serve keeps each completed run's report in history,
// and the third month's report shows the score of the two before it (a
// three-point trend with its own), read from history (no object is read
// back from the bucket by serve). The test reads the delivered reports
// from the bucket, as a reader would get them.
func TestScoreHistoryFromRunHistory(t *testing.T) {
	awsTestEnv(t)
	k := kumo.NewServer()
	t.Cleanup(k.Close)
	client := s3Client(k.URL)
	bucket := fmt.Sprintf("serve-trend-%d", time.Now().UnixNano())
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	// The target talks to kumo through a proxy counting listings and
	// object reads: the trend must come from history, not the bucket.
	var lists, gets atomic.Int64
	target, _ := url.Parse(k.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2" {
			lists.Add(1)
		} else if r.Method == http.MethodGet {
			gets.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	dir := t.TempDir()
	h := newHarness(t, dir, fmt.Sprintf(auditYAML, bucket, proxy.URL))
	h.start(kst(t, 2026, 9, 1, 8, 59))
	h.clock.waitFor(t, 1)
	for _, m := range []time.Month{9, 10, 11} {
		h.fireAt(kst(t, 2026, m, 1, 9, 0), 1)
	}
	h.stop()
	// The runner also looks in the job's s3 target for periods history
	// lacks: per run one listing for the oldest key and one per month
	// back to it (1, 2, 3), and no object read, history having them all.
	if lists.Load() != 6 || gets.Load() != 0 {
		t.Errorf("S3: %d listings, %d object reads; want 6 and 0", lists.Load(), gets.Load())
	}

	equal(t, "history", runs(t, h.historyPath()), []string{
		"audit/2026-08 schedule ok",
		"audit/2026-09 schedule ok",
		"audit/2026-10 schedule ok",
	})
	for _, p := range []string{"2026-08", "2026-09", "2026-10"} {
		equal(t, "deliveries of "+p, deliveries(t, h.historyPath(), "audit/"+p), []string{"archive ok"})
	}
	// Nothing on disk could have supplied the trend: the spool goes once
	// S3 has the report, and there is no file target.
	if left, _ := filepath.Glob(filepath.Join(dir, "state", "spool", "*", "*")); len(left) > 0 {
		t.Fatalf("spool left: %v", left)
	}

	reps := map[string]*report.Report{}
	for _, period := range []string{"2026-08", "2026-09", "2026-10"} {
		reps[period] = s3Report(t, client, bucket, "audit-"+period+".json")
	}
	score := func(p string) float64 { return reps[p].Score.Value }
	wantHistory := map[string][]report.ScorePoint{
		"2026-08": nil,
		"2026-09": {{Period: "2026-08", Value: score("2026-08")}},
		"2026-10": {{Period: "2026-08", Value: score("2026-08")}, {Period: "2026-09", Value: score("2026-09")}},
	}
	for p, want := range wantHistory {
		if got := reps[p].Score.History; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: score history %v, want %v", p, got, want)
		}
	}
	var bars []string
	for _, s := range reps["2026-10"].Sections {
		for _, c := range s.Charts {
			if c.ID == security.ChartTrend {
				for _, b := range c.Bars {
					bars = append(bars, fmt.Sprintf("%s=%.1f", b.Label, b.Value))
				}
			}
		}
	}
	if want := []string{"2026-08=" + fmt.Sprintf("%.1f", score("2026-08")), "2026-09=" + fmt.Sprintf("%.1f", score("2026-09")), "이번=" + fmt.Sprintf("%.1f", score("2026-10"))}; strings.Join(bars, " ") != strings.Join(want, " ") {
		t.Errorf("trend chart of the third report: %v, want %v", bars, want)
	}

	st, err := history.OpenReadOnly(context.Background(), h.historyPath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, size, err := st.ReportSizes(context.Background(), "audit")
	if err != nil || n != 3 {
		t.Fatalf("stored reports: %d, %v", n, err)
	}
	t.Logf("history keeps %d bytes per run of the demo audit (gzip JSON without sections)", size/int64(n))
}

// s3Report reads the JSON report named name from the bucket's audit
// prefix (dated layout).
func s3Report(t *testing.T, client *s3.Client, bucket, name string) *report.Report {
	t.Helper()
	ctx := context.Background()
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("cwreport/audit/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Contents {
		key := aws.ToString(o.Key)
		if filepath.Base(key) != name {
			continue
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		var rep report.Report
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		return &rep
	}
	t.Fatalf("%s not in the bucket", name)
	return nil
}

// A period whose delivery failed for one target is resumed from the
// spool; the resume keeps the spooled report (the one the targets got,
// stamped at the first run), which is what later periods read.
func TestResumeKeepsTheSpooledReport(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, slowYAML)
	h.retryEvery = 10 * time.Minute
	var mu sync.Mutex
	h.open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, name)
		if name == "slow" {
			mu.Lock()
			e.Target = &flakyTarget{Target: e.Target}
			mu.Unlock()
		}
		return e, err
	}
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 2)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.clock.waitFor(t, 2)
	h.fireAt(kst(t, 2026, 11, 24, 8, 9), 1) // the retry tick
	h.stop()
	equal(t, "history", runs(t, h.historyPath()), []string{"morning/2026-11-24 schedule degraded", "morning/2026-11-24 resume ok"})

	st, err := history.OpenReadOnly(context.Background(), h.historyPath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _, _ := st.ReportSizes(context.Background(), "morning"); n != 2 {
		t.Errorf("%d runs keep a report, want both", n)
	}
	got, err := st.Reports(context.Background(), history.ReportQuery{Job: "morning", Period: "2026-11-25", Limit: 5})
	if err != nil || len(got) != 1 || got[0].Err != nil {
		t.Fatalf("%+v %v", got, err)
	}
	var rep report.Report
	if err := json.Unmarshal(got[0].JSON, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.GeneratedAt.Equal(kst(t, 2026, 11, 24, 8, 0)) || rep.Sections != nil || rep.Job != "morning" {
		t.Errorf("kept report: generated %v, %d sections", rep.GeneratedAt, len(rep.Sections))
	}
}
