package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/delivertest"
)

// peer is kumo behind a recording reverse proxy: kumo stores the objects;
// the proxy keeps the request headers exactly as the SDK sent them and can
// answer a request itself (a fault) before kumo sees it.
type peer struct {
	kumo  *kumo.Server
	proxy *httptest.Server

	mu    sync.Mutex
	puts  []http.Header
	fault func(r *http.Request) (status int, body string, ok bool)
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	p := &peer{kumo: kumo.NewServer()}
	target, _ := url.Parse(p.kumo.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	p.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		fault := p.fault
		if r.Method == http.MethodPut && !r.URL.Query().Has("versioning") && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1 {
			p.puts = append(p.puts, r.Header.Clone())
		}
		p.mu.Unlock()
		if fault != nil {
			if status, body, ok := fault(r); ok {
				// Shaped like S3's documented REST error response.
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(status)
				io.WriteString(w, body)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { p.proxy.Close(); p.kumo.Close() })
	return p
}

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

// kumo keeps its state per process, not per server: every test uses
// buckets of its own.
var bucketSeq atomic.Int64

func unique(name string) string { return fmt.Sprintf("%s-%d", name, bucketSeq.Add(1)) }

func (p *peer) bucket(t *testing.T, name string, versioned bool) {
	t.Helper()
	c := client(p.kumo.URL)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	if versioned {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatalf("enable versioning: %v", err)
		}
	}
}

func (p *peer) objects(t *testing.T, bucket string) map[string][]byte {
	t.Helper()
	c := client(p.kumo.URL)
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	got := map[string][]byte{}
	for _, o := range out.Contents {
		obj, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatalf("get %s: %v", aws.ToString(o.Key), err)
		}
		b, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		got[aws.ToString(o.Key)] = b
	}
	return got
}

func TestConformance(t *testing.T) {
	var p *peer
	var bucket string
	delivertest.Run(t, delivertest.Peer{
		New: func(t *testing.T) deliver.Target {
			p, bucket = newPeer(t), unique("reports")
			p.bucket(t, bucket, false)
			return New(client(p.proxy.URL), Options{Bucket: bucket, Prefix: "cwreport/", PresignExpiry: time.Hour})
		},
		Received: func(t *testing.T) delivertest.Received {
			got := delivertest.Received{Files: map[string][]byte{}}
			for k, b := range p.objects(t, bucket) {
				got.Files[path.Base(k)] = b
			}
			return got
		},
		Carries: func(report.Artifact) bool { return true },
		Dead: func(t *testing.T) deliver.Target {
			return New(client("http://127.0.0.1:1"), Options{Bucket: "reports"})
		},
		Secrets: []string{"secret-test-key"},
	})
}

func TestObjectsAsSentAndStored(t *testing.T) {
	p, bucket := newPeer(t), unique("ops-reports")
	p.bucket(t, bucket, true)
	tgt := New(client(p.proxy.URL), Options{Bucket: bucket, Prefix: "/cwreport/", SSE: "aws:kms", KMSKeyID: "alias/reports", PresignExpiry: 6 * time.Hour})
	req := delivertest.Sample()
	d := deliver.NewDelivery(req, "archive", nil)
	if err := tgt.Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	pdf := req.Artifacts[4]
	key := "cwreport/morning/2026/11/24/morning-2026-11-24.pdf"
	if got := d.Receipt("object:" + pdf.Name); got != "s3://"+bucket+"/"+key {
		t.Errorf("object receipt %q, want s3://%s/%s", got, bucket, key)
	}
	if d.Receipt("version_id:"+pdf.Name) == "" {
		t.Error("no version id receipt from a versioned bucket")
	}
	sum := sha256.Sum256(pdf.Data)

	// As sent: one PUT per artifact, every one encrypted and described.
	p.mu.Lock()
	puts := p.puts
	p.mu.Unlock()
	if len(puts) != len(req.Artifacts) {
		t.Fatalf("%d PUTs, want %d", len(puts), len(req.Artifacts))
	}
	var pdfPut http.Header
	for _, h := range puts {
		if h.Get("X-Amz-Server-Side-Encryption") != "aws:kms" || h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id") != "alias/reports" {
			t.Errorf("PUT without KMS encryption headers: %v", h)
		}
		if h.Get("X-Amz-Meta-Job") != "morning" || h.Get("X-Amz-Meta-Kind") != "daily-status" || h.Get("X-Amz-Meta-Window") != "2026-11-22T23:00:00Z/2026-11-23T23:00:00Z" {
			t.Errorf("PUT metadata: job %q kind %q window %q", h.Get("X-Amz-Meta-Job"), h.Get("X-Amz-Meta-Kind"), h.Get("X-Amz-Meta-Window"))
		}
		if h.Get("Content-Type") == "application/pdf" {
			pdfPut = h
		}
	}
	if pdfPut == nil || pdfPut.Get("X-Amz-Meta-Sha256") != hex.EncodeToString(sum[:]) {
		t.Errorf("the PDF PUT has no or a wrong sha256: %v", pdfPut)
	}

	// As stored: kumo answers HeadObject with what it kept.
	head, err := client(p.kumo.URL).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != "alias/reports" ||
		aws.ToString(head.ContentType) != "application/pdf" || head.Metadata["sha256"] != hex.EncodeToString(sum[:]) || head.Metadata["period"] != "2026-11-24" {
		t.Errorf("stored object: sse %q key %q type %q meta %v", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId), aws.ToString(head.ContentType), head.Metadata)
	}

	// Links: for every report format, none for the chart images; the PDF
	// link downloads the PDF and says it lasts six hours.
	links := d.Published()
	if len(links) != 4 || links["morning-2026-11-24-cpu.png"] != "" {
		t.Errorf("links for %v; want the four report formats", keysOf(links))
	}
	u, _ := url.Parse(links[pdf.Name])
	if u.Query().Get("X-Amz-Expires") != "21600" || u.Query().Get("versionId") == "" {
		t.Errorf("link %s: want X-Amz-Expires=21600 and the version id", u)
	}
	direct := strings.Replace(links[pdf.Name], p.proxy.URL, p.kumo.URL, 1)
	resp, err := http.Get(direct)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, pdf.Data) {
		t.Errorf("presigned GET: %d, %d bytes (want %d)", resp.StatusCode, len(body), len(pdf.Data))
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

const internalError = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`

const accessDenied = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2FA</RequestId></Error>`

func TestServerErrorThenSuccess(t *testing.T) {
	p, bucket := newPeer(t), unique("reports")
	p.bucket(t, bucket, false)
	failed := 0
	p.fault = func(r *http.Request) (int, string, bool) {
		if r.Method == http.MethodPut && failed == 0 {
			failed++
			return http.StatusInternalServerError, internalError, true
		}
		return 0, "", false
	}
	var slept []time.Duration
	pl := &deliver.Pipeline{Policy: deliver.Policy{Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }}}
	rs := pl.Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "archive", Type: "s3", First: true,
		Target: New(client(p.proxy.URL), Options{Bucket: bucket, PresignExpiry: time.Hour})}})
	r := rs[0]
	if r.Status != deliver.StatusOK || r.Attempts != 2 || len(slept) != 1 {
		t.Fatalf("result %+v, slept %v; want ok on the second attempt", r, slept)
	}
	if n := len(p.objects(t, bucket)); n != 6 {
		t.Errorf("%d objects stored, want 6", n)
	}
	if len(r.Links) != 4 {
		t.Errorf("links %v", r.Links)
	}
}

func TestAccessDeniedIsFinalAndSaysWhatToGrant(t *testing.T) {
	p, bucket := newPeer(t), unique("reports")
	p.bucket(t, bucket, false)
	p.fault = func(r *http.Request) (int, string, bool) {
		return http.StatusForbidden, accessDenied, r.Method == http.MethodPut
	}
	pl := &deliver.Pipeline{Policy: deliver.Policy{Sleep: func(context.Context, time.Duration) error { t.Error("slept before a final error"); return nil }}}
	r := pl.Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "archive", Type: "s3",
		Target: New(client(p.proxy.URL), Options{Bucket: bucket, Prefix: "cwreport"})}})[0]
	if r.Status != deliver.StatusFailed || r.Attempts != 1 {
		t.Fatalf("result %+v", r)
	}
	for _, want := range []string{"s3 PutObject s3://" + bucket + "/cwreport/morning/2026/11/24/", "HTTP 403 AccessDenied", "allow s3:PutObject on arn:aws:s3:::" + bucket + "/cwreport*"} {
		if !strings.Contains(r.Error, want) {
			t.Errorf("error %q lacks %q", r.Error, want)
		}
	}
}

func TestThrottlingWithRetryAfter(t *testing.T) {
	p, bucket := newPeer(t), unique("reports")
	p.bucket(t, bucket, false)
	n := 0
	p.fault = func(r *http.Request) (int, string, bool) {
		if r.Method == http.MethodPut && n == 0 {
			n++
			return http.StatusServiceUnavailable, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`, true
		}
		return 0, "", false
	}
	var slept []time.Duration
	pl := &deliver.Pipeline{Policy: deliver.Policy{Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }}}
	r := pl.Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "a", Target: New(client(p.proxy.URL), Options{Bucket: bucket})}})[0]
	if r.Status != deliver.StatusOK || r.Attempts != 2 {
		t.Fatalf("SlowDown not retried: %+v", r)
	}
	if len(slept) != 1 {
		t.Errorf("slept %v; want one backoff", slept)
	}
}
