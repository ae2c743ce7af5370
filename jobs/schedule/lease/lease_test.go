package lease

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
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

// kumo (v0.33.1) evaluates the conditional writes leases use, If-None-Match: *
// and If-Match: <etag> on PutObject, atomically with the write (under its
// bucket's write lock) and answers 412 PreconditionFailed, as S3 does, and
// 404 NoSuchKey for If-Match on a missing key; so these tests run against
// it. It never answers 409 ConditionalRequestConflict: the test of that
// path puts a proxy in front of it that answers one write with S3's
// documented 409 body. kumo keeps its state per process: each test has its
// own bucket.
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

// counts are the requests a lease store sent, by kind.
type counts struct {
	create, ifMatch, get atomic.Int64
}

// newLease returns a lease store on a fresh kumo bucket, reached through
// a proxy that counts the requests as sent; intercept, when set, may
// answer a request itself (true) instead of kumo.
func newLease(t *testing.T, intercept func(w http.ResponseWriter, r *http.Request) bool) (*S3, *counts) {
	t.Helper()
	kumoOnce.Do(func() { kumoSrv = kumo.NewServer() })
	bucket := fmt.Sprintf("leases-%d", buckets.Add(1))
	if _, err := client(kumoSrv.URL).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(kumoSrv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	c := &counts{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.Header.Get("If-None-Match") == "*":
			c.create.Add(1)
		case r.Method == http.MethodPut && r.Header.Get("If-Match") != "":
			c.ifMatch.Add(1)
		case r.Method == http.MethodGet:
			c.get.Add(1)
		}
		if intercept != nil && intercept(w, r) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return &S3{Client: client(proxy.URL), Bucket: bucket, Prefix: "cwreport/leases/", Backoff: time.Millisecond}, c
}

// clock is a settable lease clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var t0 = time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC) // 08:00 KST

const ttl = 20 * time.Minute // a 15m job timeout + the 5m margin

func body(t *testing.T, l *S3, runKey string) string {
	t.Helper()
	out, err := l.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key(runKey))})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

func TestFirstOwnerHoldsThePeriod(t *testing.T) {
	ctx := context.Background()
	l, n := newLease(t, nil)
	c := &clock{now: t0}
	l.Now = c.Now
	steps := []struct {
		owner, key, holder string
		held               bool
	}{
		{"replica-a", "morning/2026-11-24", "replica-a", true},
		{"replica-b", "morning/2026-11-24", "replica-a", false}, // 412: a has it, not expired
		{"replica-a", "morning/2026-11-24", "replica-a", true},  // a, restarted, renews its own lease
		{"replica-b", "morning/2026-11-25", "replica-b", true},  // the next period is free
	}
	for _, s := range steps {
		got, err := l.Acquire(ctx, s.key, s.owner, ttl)
		if err != nil || got.Holder != s.holder || got.Held != s.held {
			t.Fatalf("%s asks for %s: %+v, err %v; want holder %q held %v", s.owner, s.key, got, err, s.holder, s.held)
		}
	}
	if got := n.create.Load(); got != 4 {
		t.Errorf("%d If-None-Match writes, want 4", got)
	}
	if got := n.ifMatch.Load(); got != 1 { // a's renewal
		t.Errorf("%d If-Match writes, want 1", got)
	}
	b := body(t, l, "morning/2026-11-24")
	for _, want := range []string{`"owner":"replica-a"`, `"run_key":"morning/2026-11-24"`, `"expires":"2026-11-23T23:20:00Z"`, `"generation":2`} {
		if !strings.Contains(b, want) {
			t.Errorf("lease object lacks %s: %s", want, b)
		}
	}
}

// A replica that dies keeps its lease until it expires; then another one
// takes it over (a conditional write on the ETag it read), carrying the
// targets the dead one recorded as delivered. The dead replica, if it ever
// comes back, learns from its next write that the lease is no longer its.
func TestExpiredLeaseIsTakenOverNotBefore(t *testing.T) {
	ctx := context.Background()
	l, _ := newLease(t, nil)
	c := &clock{now: t0}
	l.Now = c.Now
	a, err := l.Acquire(ctx, "morning/2026-11-24", "replica-a", ttl)
	if err != nil || !a.Held {
		t.Fatalf("a: %+v %v", a, err)
	}
	c.set(t0.Add(2 * time.Minute)) // a renews while it runs, after delivering to archive
	if a, err = l.Update(ctx, a, Update{TTL: ttl, Delivered: []string{"archive"}}); err != nil || !a.Expires.Equal(t0.Add(22*time.Minute)) {
		t.Fatalf("renew: %+v %v", a, err)
	}
	// a dies here.
	for _, at := range []time.Duration{3 * time.Minute, 21*time.Minute + 59*time.Second} {
		c.set(t0.Add(at))
		b, err := l.Acquire(ctx, "morning/2026-11-24", "replica-b", ttl)
		if err != nil || b.Held || b.Holder != "replica-a" {
			t.Fatalf("b at +%s, before a's lease expires: %+v %v", at, b, err)
		}
	}
	c.set(t0.Add(22 * time.Minute))
	b, err := l.Acquire(ctx, "morning/2026-11-24", "replica-b", ttl)
	if err != nil || !b.Held || b.Holder != "replica-b" || b.TakenFrom != "replica-a" || !slices.Equal(b.Delivered, []string{"archive"}) {
		t.Fatalf("b at expiry: %+v %v", b, err)
	}
	// a comes back: its renewal is refused (If-Match on the ETag it last
	// wrote: 412), and so is a fresh Acquire.
	_, err = l.Update(ctx, a, Update{TTL: ttl, Delivered: []string{"archive", "ops"}})
	var lost *LostError
	if !errors.Is(err, ErrLost) || !errors.As(err, &lost) || lost.Holder != "replica-b" {
		t.Fatalf("stale a renews: %v", err)
	}
	if again, err := l.Acquire(ctx, "morning/2026-11-24", "replica-a", ttl); err != nil || again.Held || again.Holder != "replica-b" {
		t.Fatalf("stale a acquires: %+v %v", again, err)
	}
	// b finishes: done never expires.
	if b, err = l.Update(ctx, b, Update{Done: true, Delivered: []string{"archive", "ops"}}); err != nil || !b.Done {
		t.Fatalf("done: %+v %v", b, err)
	}
	c.set(t0.Add(400 * 24 * time.Hour))
	if got, err := l.Acquire(ctx, "morning/2026-11-24", "replica-c", ttl); err != nil || got.Held || !got.Done || got.Holder != "replica-b" {
		t.Fatalf("a year later: %+v %v", got, err)
	}
	if b := body(t, l, "morning/2026-11-24"); !strings.Contains(b, `"taken_from":"replica-a"`) || !strings.Contains(b, `"done":true`) || strings.Contains(b, `"expires"`) {
		t.Errorf("lease object %s", b)
	}
}

// A released lease (TTL 0: the run failed) may be taken at once.
func TestReleasedLeaseIsFree(t *testing.T) {
	ctx := context.Background()
	l, _ := newLease(t, nil)
	c := &clock{now: t0}
	l.Now = c.Now
	a, _ := l.Acquire(ctx, "audit/2026-11", "replica-a", ttl)
	if _, err := l.Update(ctx, a, Update{}); err != nil {
		t.Fatal(err)
	}
	if b, err := l.Acquire(ctx, "audit/2026-11", "replica-b", ttl); err != nil || !b.Held || b.TakenFrom != "replica-a" {
		t.Fatalf("b after release: %+v %v", b, err)
	}
}

func TestConcurrentReplicasOneWinner(t *testing.T) {
	l, _ := newLease(t, nil)
	race(t, l, "capacity/2026-W48")
}

// race has 8 replicas acquire key at once and checks that exactly one
// holds it and all agree on who.
func race(t *testing.T, l *S3, key string) string {
	t.Helper()
	const n = 8
	got := make([]Lease, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ls, err := l.Acquire(context.Background(), key, fmt.Sprintf("replica-%d", i), ttl)
			if err != nil {
				t.Error(err)
			}
			got[i] = ls
		}()
	}
	wg.Wait()
	winners := 0
	for i, g := range got {
		if g.Holder != got[0].Holder {
			t.Fatalf("replicas disagree on the holder: %+v", got)
		}
		if g.Held {
			winners++
			if g.Holder != fmt.Sprintf("replica-%d", i) {
				t.Fatalf("replica-%d holds a lease of %s", i, g.Holder)
			}
		}
	}
	if winners != 1 {
		t.Fatalf("%d replicas think they won: %+v", winners, got)
	}
	return got[0].Holder
}

// Eight replicas find the same expired lease and race to take it over:
// each writes with If-Match on the ETag it read, S3 (kumo) accepts the
// first and answers the others 412, and they read the winner's lease.
func TestRacingForAnExpiredLeaseOneWinner(t *testing.T) {
	ctx := context.Background()
	// Hold the first takeover write until a second replica writes too, so
	// the race this test is about always happens: without the gate a fast
	// first replica could finish before any other read the lease (about one
	// run in 25), leaving nobody to lose. The gate opens after 2 s whatever
	// happens, so a broken lease cannot hang the test.
	var writes atomic.Int32
	second := make(chan struct{})
	l, n := newLease(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPut || r.Header.Get("If-Match") == "" {
			return false
		}
		if writes.Add(1) == 2 {
			close(second)
		}
		select {
		case <-second:
		case <-time.After(2 * time.Second):
		}
		return false
	})
	c := &clock{now: t0}
	l.Now = c.Now
	if _, err := l.Acquire(ctx, "morning/2026-11-24", "dead", ttl); err != nil {
		t.Fatal(err)
	}
	c.set(t0.Add(time.Hour))
	winner := race(t, l, "morning/2026-11-24")
	if winner == "dead" {
		t.Fatal("nobody took the expired lease over")
	}
	if got := n.ifMatch.Load(); got < 2 || got > 8 {
		t.Errorf("%d takeover writes; want one per replica that read the expired lease (2 to 8)", got)
	}
	if b := body(t, l, "morning/2026-11-24"); !strings.Contains(b, `"owner":"`+winner+`"`) || !strings.Contains(b, `"taken_from":"dead"`) {
		t.Errorf("lease object %s", b)
	}
}

// S3 answers 409 ConditionalRequestConflict when conditional writes to a
// key overlap, and documents: fetch the ETag and retry. kumo serialises
// writes and never sends it, so the proxy answers the first takeover write
// with S3's documented error body; the retry goes through to kumo.
func TestConflict409IsRetried(t *testing.T) {
	ctx := context.Background()
	var sent atomic.Bool
	l, n := newLease(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPut || r.Header.Get("If-Match") == "" || sent.Swap(true) {
			return false
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>ConditionalRequestConflict</Code><Message>A conflicting operation occurred. If using PutObject you can retry the request.</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>`)
		return true
	})
	c := &clock{now: t0}
	l.Now = c.Now
	if _, err := l.Acquire(ctx, "morning/2026-11-24", "dead", ttl); err != nil {
		t.Fatal(err)
	}
	c.set(t0.Add(time.Hour))
	b, err := l.Acquire(ctx, "morning/2026-11-24", "replica-b", ttl)
	if err != nil || !b.Held {
		t.Fatalf("after a 409: %+v %v", b, err)
	}
	if got := n.ifMatch.Load(); got != 2 {
		t.Errorf("%d If-Match writes, want 2 (the 409 and the retry)", got)
	}
}

// Leases written by the version before leases expired have no expiry and
// were never marked done, even for a period that was delivered: they never
// expire, so an upgrade does not deliver such a period again. Their owner,
// restarted under its name, still resumes them.
func TestLeaseWithoutExpiry(t *testing.T) {
	ctx := context.Background()
	l, _ := newLease(t, nil)
	c := &clock{now: t0}
	l.Now = c.Now
	old := `{"owner":"replica-a","run_key":"morning/2026-11-24","acquired":"2026-11-23T23:00:00Z"}`
	if _, err := l.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key("morning/2026-11-24")), Body: strings.NewReader(old)}); err != nil {
		t.Fatal(err)
	}
	c.set(t0.Add(400 * 24 * time.Hour))
	if got, err := l.Acquire(ctx, "morning/2026-11-24", "replica-b", ttl); err != nil || got.Held || got.Holder != "replica-a" || !got.Permanent {
		t.Fatalf("another replica, a year later: %+v %v", got, err)
	}
	if got, err := l.Acquire(ctx, "morning/2026-11-24", "replica-a", ttl); err != nil || !got.Held || !got.Expires.Equal(c.Now().Add(ttl)) {
		t.Fatalf("its owner: %+v %v", got, err)
	}
}

func TestForeignObjectIsNeverOurs(t *testing.T) {
	ctx := context.Background()
	l, _ := newLease(t, nil)
	if _, err := l.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key("audit/2026-11")), Body: strings.NewReader("not json")}); err != nil {
		t.Fatal(err)
	}
	l.Now = func() time.Time { return t0.Add(1000 * 24 * time.Hour) }
	h, err := l.Acquire(ctx, "audit/2026-11", "replica-a", ttl)
	if err != nil || h.Held || !h.Permanent || !strings.Contains(h.Holder, "is not a cwreport lease") {
		t.Fatalf("holder %+v err %v", h, err)
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
	_, err := l.Acquire(context.Background(), "morning/2026-11-24", "replica-a", ttl)
	if err == nil || !strings.Contains(err.Error(), "allow s3:PutObject and s3:GetObject on arn:aws:s3:::ops-leases/cwreport/leases*") {
		t.Fatalf("err %v", err)
	}
}
