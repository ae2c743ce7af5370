package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/report"
)

// s3Counter is kumo behind a proxy that counts listings and object reads.
type s3Counter struct {
	URL         string
	lists, gets atomic.Int64
}

func newS3Counter(t *testing.T, k *kumo.Server) *s3Counter {
	t.Helper()
	target, _ := url.Parse(k.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	c := &s3Counter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if r.URL.Query().Get("list-type") == "2" {
				c.lists.Add(1)
			} else {
				c.gets.Add(1)
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

func (c *s3Counter) take() string {
	return fmt.Sprintf("%d list, %d get", c.lists.Swap(0), c.gets.Swap(0))
}

// `cwreport run` as a CronJob with only an S3 target and no history: the
// runner reads earlier reports back from the bucket through the s3
// target's client (one listing for the oldest key, one per month, one read
// per period), the third month's report gets the two before it, an object
// that does not parse is skipped with a note, and with n reports newer
// than a month nothing older is listed.
func TestEarlierFromS3(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "jobs-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	k := kumo.NewServer()
	t.Cleanup(k.Close)
	counter := newS3Counter(t, k)
	bucket := fmt.Sprintf("jobs-earlier-%d", time.Now().UnixNano())
	if err := createBucket(k.URL, bucket); err != nil {
		t.Fatal(err)
	}
	cfg := parseConfig(t, fmt.Sprintf(`timezone: Asia/Seoul
source: {type: demo, region: ap-northeast-2}
targets:
  archive: {type: s3, bucket: %s, prefix: reports/, endpoint_url: %q, presign_expiry: 0s}
jobs:
  - name: audit
    kind: security
    window: last-month
    period: month
    formats: [json]
    deliver: [archive]
`, bucket, counter.URL))
	job := cfg.Jobs[0]
	// A July object that is not a report, filed where July's would be.
	put := awss3.NewFromConfig(aws.Config{Region: "ap-northeast-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "x", "")},
		func(o *awss3.Options) { o.BaseEndpoint = aws.String(k.URL); o.UsePathStyle = true })
	if _, err := put.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("reports/audit/2026/07/31/audit-2026-07.json"),
		Body: strings.NewReader("<html>not a report</html>")}); err != nil {
		t.Fatal(err)
	}

	r := securityRunner(t, cfg)
	r.Deliverer = NewDeliverer(cfg)
	ctx := context.Background()
	var scores []float64
	wantCalls := []string{
		"2 list, 1 get", // oldest key (July), July; July's object
		"3 list, 2 get", // oldest, August, July; August's report and July's object
		"4 list, 3 get", // oldest, September, August, July; their reports and July's object
	}
	for i, m := range []time.Month{9, 10, 11} {
		counter.take()
		res := r.Run(ctx, NewRun(job, time.Date(2026, m, 1, 9, 0, 0, 0, job.Location)))
		calls := counter.take()
		if res.Err != nil || res.DeliveryFailed() {
			t.Fatalf("%s: %v %+v", res.Run.Key(), res.Err, res.Deliveries)
		}
		if want := wantCalls[i]; calls != want {
			// The delivery itself lists and reads nothing (PutObject only).
			t.Errorf("%s: S3 calls %s, want %s", res.Run.Key(), calls, want)
		}
		if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "earlier reports: s3 target archive: audit/2026/07/31/audit-2026-07.json skipped: not a JSON report") {
			t.Errorf("%s: notes %q", res.Run.Key(), res.Notes)
		}
		scores = append(scores, res.Report.Score.Value)
		var got []string
		for _, p := range res.Report.Score.History {
			got = append(got, fmt.Sprintf("%s=%.1f", p.Period, p.Value))
		}
		var want []string
		for j := range i {
			want = append(want, fmt.Sprintf("2026-%02d=%.1f", 8+j, scores[j]))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: score history %v, want %v", res.Run.Key(), got, want)
		}
	}

	// One report wanted: September's answers it, August is not listed.
	counter.take()
	got, _ := r.earlier(ctx, NewRun(job, time.Date(2026, 11, 1, 9, 0, 0, 0, job.Location)), 1)
	if calls := counter.take(); len(got) != 1 || got[0].Score.Value != scores[1] || calls != "2 list, 1 get" {
		t.Errorf("n=1: %d reports, %s", len(got), calls)
	}
	// --no-deliver: no Deliverer, no S3.
	r.Deliverer = nil
	got, _ = r.earlier(ctx, NewRun(job, time.Date(2026, 11, 1, 9, 0, 0, 0, job.Location)), 12)
	if calls := counter.take(); len(got) != 0 || calls != "0 list, 0 get" {
		t.Errorf("without a Deliverer: %d reports, %s", len(got), calls)
	}
}

// A daily job's month holds many reports: the walk reads only as many as
// it needs, newest first, and lists only that month.
func TestEarlierFromS3ReadsOnlyWhatItNeeds(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "jobs-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	k := kumo.NewServer()
	t.Cleanup(k.Close)
	counter := newS3Counter(t, k)
	bucket := fmt.Sprintf("jobs-earlier-daily-%d", time.Now().UnixNano())
	if err := createBucket(k.URL, bucket); err != nil {
		t.Fatal(err)
	}
	cfg := parseConfig(t, fmt.Sprintf(`timezone: Asia/Seoul
source: {type: demo, region: ap-northeast-2}
targets:
  archive: {type: s3, bucket: %s, endpoint_url: %q}
jobs:
  - {name: daily, kind: security, window: yesterday, period: day, formats: [json], deliver: [archive]}
`, bucket, counter.URL))
	job := cfg.Jobs[0]
	put := awss3.NewFromConfig(aws.Config{Region: "ap-northeast-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "x", "")},
		func(o *awss3.Options) { o.BaseEndpoint = aws.String(k.URL); o.UsePathStyle = true })
	for d := 1; d <= 20; d++ {
		start := time.Date(2026, 10, d, 0, 0, 0, 0, job.Location)
		rep := auditMonth(job.Location, 10, float64(d), start.AddDate(0, 0, 1))
		rep.Job, rep.Timezone, rep.Window = "daily", "Asia/Seoul", report.Window{Start: start, End: start.AddDate(0, 0, 1)}
		b, _ := json.Marshal(rep)
		key := fmt.Sprintf("daily/2026/10/%02d/daily-2026-10-%02d.json", d, d)
		if _, err := put.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(b)}); err != nil {
			t.Fatal(err)
		}
	}
	r := securityRunner(t, cfg)
	r.Deliverer = NewDeliverer(cfg)
	got, notes := r.earlier(context.Background(), NewRun(job, time.Date(2026, 10, 22, 9, 0, 0, 0, job.Location)), 3)
	var scores []float64
	for _, g := range got {
		scores = append(scores, g.Score.Value)
	}
	if fmt.Sprint(scores) != "[20 19 18]" || len(notes) != 0 {
		t.Errorf("reports %v, notes %q", scores, notes)
	}
	if calls := counter.take(); calls != "2 list, 3 get" {
		t.Errorf("S3 calls %s, want 2 list (oldest key, October), 3 get", calls)
	}
}
