package lease

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"
)

// kumo (v0.33.1) evaluates If-None-Match: * on PutObject atomically with
// the write and answers 412 PreconditionFailed, as S3 does, so these tests
// run against it. kumo keeps its state per process: each test has its own
// bucket.
var (
	kumoOnce sync.Once
	kumoSrv  *kumo.Server
	buckets  atomic.Int64
)

func client(endpoint string) *s3.Client {
	return s3.NewFromConfig(aws.Config{
		Region:           "ap-northeast-2",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret-test-key", ""),
		RetryMaxAttempts: 1,
	}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

// newLease returns a lease store on a fresh kumo bucket, reached through
// a proxy that counts the conditional puts as sent.
func newLease(t *testing.T) (*S3, *atomic.Int64) {
	t.Helper()
	kumoOnce.Do(func() { kumoSrv = kumo.NewServer() })
	bucket := fmt.Sprintf("leases-%d", buckets.Add(1))
	if _, err := client(kumoSrv.URL).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(kumoSrv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	var conditional atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.Header.Get("If-None-Match") == "*" {
			conditional.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return &S3{Client: client(proxy.URL), Bucket: bucket, Prefix: "cwreport/leases/"}, &conditional
}

func TestFirstOwnerHoldsThePeriod(t *testing.T) {
	ctx := context.Background()
	l, conditional := newLease(t)
	steps := []struct {
		owner, key, holder string
	}{
		{"replica-a", "morning/2026-11-24", "replica-a"},
		{"replica-b", "morning/2026-11-24", "replica-a"}, // 412: a has it
		{"replica-a", "morning/2026-11-24", "replica-a"}, // a, restarted, resumes its own period
		{"replica-b", "morning/2026-11-25", "replica-b"}, // the next period is free
	}
	for _, s := range steps {
		got, err := l.Acquire(ctx, s.key, s.owner)
		if err != nil || got != s.holder {
			t.Fatalf("%s asks for %s: holder %q, err %v; want %q", s.owner, s.key, got, err, s.holder)
		}
	}
	if n := conditional.Load(); n != int64(len(steps)) {
		t.Errorf("%d conditional PutObject calls, want %d", n, len(steps))
	}
	out, err := l.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String("cwreport/leases/morning/2026-11-24.json")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	if !strings.Contains(string(body), `"owner":"replica-a"`) || !strings.Contains(string(body), `"run_key":"morning/2026-11-24"`) {
		t.Errorf("lease object %s", body)
	}
}

func TestConcurrentReplicasOneWinner(t *testing.T) {
	l, _ := newLease(t)
	const n = 8
	holders := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := l.Acquire(context.Background(), "capacity/2026-W48", fmt.Sprintf("replica-%d", i))
			if err != nil {
				t.Error(err)
			}
			holders[i] = h
		}()
	}
	wg.Wait()
	winners := 0
	for i, h := range holders {
		if h != holders[0] {
			t.Fatalf("replicas disagree on the holder: %v", holders)
		}
		if h == fmt.Sprintf("replica-%d", i) {
			winners++
		}
	}
	if winners != 1 {
		t.Fatalf("%d replicas think they won: %v", winners, holders)
	}
}

func TestForeignObjectIsNeverOurs(t *testing.T) {
	ctx := context.Background()
	l, _ := newLease(t)
	if _, err := l.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key("audit/2026-11")), Body: strings.NewReader("not json")}); err != nil {
		t.Fatal(err)
	}
	h, err := l.Acquire(ctx, "audit/2026-11", "replica-a")
	if err != nil || h == "replica-a" || !strings.Contains(h, "is not a cwreport lease") {
		t.Fatalf("holder %q err %v", h, err)
	}
}

// Errors other than a lost race say what to fix. The 403 body below is
// shaped like S3's documented REST error response (kumo does no IAM).
func TestErrorsNameTheFix(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>`)
	}))
	defer srv.Close()
	l := &S3{Client: client(srv.URL), Bucket: "ops-leases", Prefix: "cwreport/leases/", Now: func() time.Time { return time.Unix(0, 0) }}
	_, err := l.Acquire(context.Background(), "morning/2026-11-24", "replica-a")
	if err == nil || !strings.Contains(err.Error(), "allow s3:PutObject and s3:GetObject on arn:aws:s3:::ops-leases/cwreport/leases*") {
		t.Fatalf("err %v", err)
	}
}
