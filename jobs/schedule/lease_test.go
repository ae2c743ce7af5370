package schedule

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/schedule/lease"
	"github.com/cwreport/cwreport/report/deliver"
)

// leaseBucket makes a bucket for a test on a kumo server, which honours
// If-None-Match: * and If-Match: <etag> on PutObject as S3 does; it
// returns a client of the server and its URL.
func leaseBucket(t *testing.T) (*s3.Client, string, string) {
	t.Helper()
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	client := s3Client(srv.URL)
	// kumo keeps its state per process, not per server.
	bucket := fmt.Sprintf("serve-leases-%d", time.Now().UnixNano())
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return client, bucket, srv.URL
}

func s3Client(endpoint string) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: "ap-northeast-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
}

// s3Calls counts one replica's lease requests.
type s3Calls struct {
	create, ifMatch, get atomic.Int64
}

func (c *s3Calls) String() string {
	return fmt.Sprintf("%d create, %d conditional update, %d read", c.create.Load(), c.ifMatch.Load(), c.get.Load())
}

// replicas makes one harness per name, each with its own history, sharing
// the lease bucket (each through a proxy counting its requests) and the
// report directory.
func replicas(t *testing.T, yaml string, names ...string) ([]*harness, string) {
	t.Helper()
	_, bucket, endpoint := leaseBucket(t)
	target, _ := url.Parse(endpoint)
	shared := t.TempDir() // every replica delivers to the same directory
	var hs []*harness
	for _, name := range names {
		h := newHarness(t, t.TempDir(), strings.ReplaceAll(yaml, "$DIR/reports", shared))
		h.replica = name
		calls := &s3Calls{}
		rp := httputil.NewSingleHostReverseProxy(target)
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodPut && r.Header.Get("If-None-Match") == "*":
				calls.create.Add(1)
			case r.Method == http.MethodPut && r.Header.Get("If-Match") != "":
				calls.ifMatch.Add(1)
			case r.Method == http.MethodGet:
				calls.get.Add(1)
			}
			rp.ServeHTTP(w, r)
		}))
		t.Cleanup(proxy.Close)
		h.locker, h.s3calls = &lease.S3{Client: s3Client(proxy.URL), Bucket: bucket, Prefix: "cwreport/leases/"}, calls
		hs = append(hs, h)
	}
	return hs, shared
}

// Two replicas with their own history share a lease bucket: the period
// runs and is delivered once. The replica that comes second finds the
// lease done and records the period as finished elsewhere; a later fire
// of the same period on the first replica finds it done in its history
// without asking S3.
func TestReplicasRunAPeriodOnce(t *testing.T) {
	hs, _ := replicas(t, morningYAML, "replica-a", "replica-b")
	for _, h := range hs {
		h.start(kst(t, 2026, 11, 24, 7, 59))
		h.clock.waitFor(t, 1)
		h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	}
	hs[0].clock.waitFor(t, 1)
	hs[0].fireAt(kst(t, 2026, 11, 24, 8, 30), 1)
	for _, h := range hs {
		h.stop()
	}
	equal(t, "replica a", runs(t, hs[0].historyPath()), []string{"morning/2026-11-24 schedule ok", "morning/2026-11-24 schedule skipped"})
	equal(t, "replica b", runs(t, hs[1].historyPath()), []string{"morning/2026-11-24 schedule elsewhere"})
	equal(t, "deliveries by b", deliveries(t, hs[1].historyPath(), "morning/2026-11-24"), nil)
	// The lease's cost in S3 requests: a creates it, renews it before
	// delivering, records its one target and marks it done; its 08:30 fire
	// finds the period done in its history and asks S3 nothing. b's create
	// is refused (412) and it reads the done lease.
	for i, want := range []string{"1 create, 3 conditional update, 0 read", "1 create, 0 conditional update, 1 read"} {
		if got := hs[i].s3calls.String(); got != want {
			t.Errorf("%s sent %s; want %s", hs[i].replica, got, want)
		}
	}
}

// A replica that stalls for good while it runs a period (frozen here in
// the middle of rendering) keeps its lease until it expires: 08:00 + the
// 15m timeout + the 5m margin. The other replicas revisit the period at
// each retry interval: before the expiry it stays leased, after it exactly
// one of the two takes it over and delivers. When the stalled replica comes
// back, its check before delivering (a conditional write on the lease)
// fails and it delivers nothing; its next fire of the period finds it
// finished elsewhere and drops its spool.
func TestDeadReplicaIsTakenOverAfterExpiry(t *testing.T) {
	hs, shared := replicas(t, morningYAML, "replica-a", "replica-b", "replica-c")
	a, b, c := hs[0], hs[1], hs[2]
	frozen, thaw := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.progress = func() { once.Do(func() { close(frozen); <-thaw }) }
	b.retryEvery, c.retryEvery = 10*time.Minute, 10*time.Minute

	a.start(kst(t, 2026, 11, 24, 7, 59))
	a.clock.waitFor(t, 1)
	a.clock.advance(kst(t, 2026, 11, 24, 8, 0))
	<-frozen // a holds the lease and stalls
	for _, h := range []*harness{b, c} {
		h.start(kst(t, 2026, 11, 24, 7, 59))
		h.clock.waitFor(t, 2) // the schedule loop and the retry loop
		h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	}
	// Retry ticks at 08:09 and 08:19: a's lease runs to 08:20.
	for _, at := range []time.Time{kst(t, 2026, 11, 24, 8, 9), kst(t, 2026, 11, 24, 8, 19)} {
		for _, h := range []*harness{b, c} {
			h.clock.waitFor(t, 2)
			h.fireAt(at, 1)
		}
	}
	for _, h := range []*harness{b, c} {
		if ds := deliveries(t, h.historyPath(), "morning/2026-11-24"); len(ds) != 0 {
			t.Fatalf("%s delivered before the lease expired: %v", h.replica, ds)
		}
	}
	// 08:29: both find the lease expired and race for it.
	for _, h := range []*harness{b, c} {
		h.clock.waitFor(t, 2)
		h.clock.advance(kst(t, 2026, 11, 24, 8, 29))
	}
	b.wait(1)
	c.wait(1)
	close(thaw)
	a.wait(1)
	a.clock.waitFor(t, 1)
	a.fireAt(kst(t, 2026, 11, 24, 8, 30), 1)
	for _, h := range hs {
		h.stop()
	}

	for _, h := range hs {
		t.Logf("%s sent %s", h.replica, h.s3calls)
	}
	var winner, loser *harness
	for _, h := range []*harness{b, c} {
		got := runs(t, h.historyPath())
		switch last := got[len(got)-1]; last {
		case "morning/2026-11-24 resume ok":
			if winner != nil {
				t.Fatalf("both replicas ran the period")
			}
			winner = h
		case "morning/2026-11-24 resume leased", "morning/2026-11-24 resume elsewhere":
			loser = h
		default:
			t.Fatalf("%s: %v", h.replica, got)
		}
	}
	if winner == nil || loser == nil {
		t.Fatal("no replica took the period over")
	}
	equal(t, "winner", runs(t, winner.historyPath()), []string{
		"morning/2026-11-24 schedule leased",
		"morning/2026-11-24 resume leased", // 08:09 and 08:19, one record
		"morning/2026-11-24 resume ok",
	})
	equal(t, "winner's deliveries", deliveries(t, winner.historyPath(), "morning/2026-11-24"), []string{"files ok"})
	equal(t, "loser's deliveries", deliveries(t, loser.historyPath(), "morning/2026-11-24"), nil)
	equal(t, "stalled replica", runs(t, a.historyPath()), []string{"morning/2026-11-24 schedule leased", "morning/2026-11-24 schedule elsewhere"})
	equal(t, "stalled replica's deliveries", deliveries(t, a.historyPath(), "morning/2026-11-24"), nil)
	st, _ := history.Open(context.Background(), a.historyPath())
	rs, _ := st.Recent(context.Background(), "", 10)
	st.Close()
	if want := fmt.Sprintf("not delivered: replica %q took over the lease on morning/2026-11-24", winner.replica); !strings.Contains(rs[1].Reason, want) {
		t.Errorf("stalled replica's reason %q lacks %q", rs[1].Reason, want)
	}
	if _, err := os.Stat(filepath.Join(a.dir, "state", "spool", "morning", "2026-11-24")); !os.IsNotExist(err) {
		t.Errorf("the stalled replica kept its spool after the period was finished elsewhere: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(shared, "morning", "2026", "11", "24", "*"))
	if len(files) != 1 {
		t.Errorf("report files %v", files)
	}
	b0 := leaseBody(t, winner.locker.(*lease.S3), "morning/2026-11-24")
	for _, want := range []string{`"owner":"` + winner.replica + `"`, `"taken_from":"replica-a"`, `"done":true`, `"delivered":["files"]`} {
		if !strings.Contains(b0, want) {
			t.Errorf("lease lacks %s: %s", want, b0)
		}
	}
}

// A holder writes its lease after each target that got the period. Here
// it delivered to fast and then hangs on slow until it is killed; once its
// lease expires another replica takes the period over, learns from the
// lease that fast has the report, and delivers to slow only. (The holder's
// periodic renewal is set beyond the test, so only the ledger can have
// written fast into the lease.)
func TestTakeoverSkipsWhatTheDeadHolderDelivered(t *testing.T) {
	// Both replicas deliver to the same two directories.
	hs, shared := replicas(t, strings.NewReplacer("$DIR/fast", "$DIR/reports/fast", "$DIR/slow", "$DIR/reports/slow").Replace(slowYAML), "replica-a", "replica-b")
	a, b := hs[0], hs[1]
	a.renewEvery = time.Hour
	started := make(chan struct{})
	a.open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, name)
		if name == "slow" {
			e.Target = &blockingTarget{Target: e.Target, started: started, before: func() {
				for ok := false; !ok; time.Sleep(5 * time.Millisecond) {
					ok, _ = a.store.Delivered(context.Background(), "morning/2026-11-24", "fast")
				}
			}}
		}
		return e, err
	}
	a.start(kst(t, 2026, 11, 24, 7, 59))
	a.clock.waitFor(t, 1)
	a.clock.advance(kst(t, 2026, 11, 24, 8, 0))
	<-started // fast has it; slow hangs
	waitUntil(t, func() bool {
		return strings.Contains(leaseBody(t, a.locker.(*lease.S3), "morning/2026-11-24"), `"delivered":["fast"]`)
	})
	report := filepath.Join(shared, "fast", "morning", "2026", "11", "24", "morning-2026-11-24.md")
	before := stat(t, report)
	// b finds the lease held at 08:00 and expired (08:00 + 15m + 5m) at
	// its retry tick, 08:29.
	b.retryEvery = 30 * time.Minute
	b.start(kst(t, 2026, 11, 24, 7, 59))
	b.clock.waitFor(t, 2)
	b.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	b.clock.waitFor(t, 2)
	b.fireAt(kst(t, 2026, 11, 24, 8, 29), 1)
	b.stop()
	// a is stopped: its run is cancelled after the shutdown timeout.
	a.cancel()
	a.clock.waitFor(t, 2)
	a.clock.advance(kst(t, 2026, 11, 24, 8, 2))
	a.stop()

	equal(t, "b", runs(t, b.historyPath()), []string{"morning/2026-11-24 schedule leased", "morning/2026-11-24 resume ok"})
	equal(t, "b's deliveries", deliveries(t, b.historyPath(), "morning/2026-11-24"), []string{"fast ok", "slow ok"})
	st, _ := history.Open(context.Background(), b.historyPath())
	ds, _ := st.Deliveries(context.Background(), "morning/2026-11-24")
	st.Close()
	if ds[0].Detail["delivered_by"] != "replica-a (lease)" || ds[0].Attempts != 0 {
		t.Errorf("b's record of fast: %+v", ds[0])
	}
	if after := stat(t, report); after.inode != before.inode || !after.mtime.Equal(before.mtime) {
		t.Error("fast got the report twice")
	}
	if _, err := os.Stat(filepath.Join(shared, "slow", "morning", "2026", "11", "24", "morning-2026-11-24.md")); err != nil {
		t.Errorf("slow never got the report: %v", err)
	}
	if b := leaseBody(t, a.locker.(*lease.S3), "morning/2026-11-24"); !strings.Contains(b, `"owner":"replica-b"`) || !strings.Contains(b, `"done":true`) {
		t.Errorf("a's end of run overwrote b's lease: %s", b)
	}
}

// A holder renews its lease while it runs; when a renewal finds that
// another replica took the lease over (the holder's renewals did not reach
// S3 in time, as in a long partition), the run is cancelled and recorded as
// leased, not failed, and delivers nothing more.
func TestLostLeaseStopsTheRun(t *testing.T) {
	hs, _ := replicas(t, morningYAML, "replica-a", "replica-b")
	a, b := hs[0], hs[1]
	a.renewEvery = 20 * time.Millisecond
	started := make(chan struct{})
	a.open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		e, err := jobs.OpenTarget(ctx, cfg, name)
		e.Target = &blockingTarget{Target: e.Target, started: started}
		return e, err
	}
	a.start(kst(t, 2026, 11, 24, 7, 59))
	a.clock.waitFor(t, 1)
	a.clock.advance(kst(t, 2026, 11, 24, 8, 0))
	<-started // a renewed before delivering, and delivers (hangs)
	// b's clock says the lease expired: b takes it over and delivers.
	b.start(kst(t, 2026, 11, 24, 8, 21))
	b.clock.waitFor(t, 1)
	b.fireAt(kst(t, 2026, 11, 24, 8, 30), 1)
	a.wait(1) // a's next renewal fails, its delivery is cancelled
	a.stop()
	b.stop()
	equal(t, "a", runs(t, a.historyPath()), []string{"morning/2026-11-24 schedule leased"})
	equal(t, "b", runs(t, b.historyPath()), []string{"morning/2026-11-24 schedule ok"})
	st, _ := history.Open(context.Background(), a.historyPath())
	rs, _ := st.Recent(context.Background(), "", 1)
	st.Close()
	if !strings.Contains(rs[0].Reason, `stopped: replica "replica-b" took over the lease on morning/2026-11-24`) {
		t.Errorf("reason %q", rs[0].Reason)
	}
}

func leaseBody(t *testing.T, l *lease.S3, key string) string {
	t.Helper()
	out, err := l.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key(key))})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

// A lease that cannot be taken fails the fire (running anyway could
// deliver twice), and history says why.
func TestLeaseErrorIsRecorded(t *testing.T) {
	client, _, _ := leaseBucket(t)
	h := newHarness(t, t.TempDir(), morningYAML)
	h.locker = &lease.S3{Client: client, Bucket: "no-such-bucket", Prefix: "cwreport/leases/"}
	h.start(kst(t, 2026, 11, 24, 7, 59))
	h.clock.waitFor(t, 1)
	h.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	h.stop()
	equal(t, "history", runs(t, h.historyPath()), []string{"morning/2026-11-24 schedule failed"})
	st, _ := history.Open(context.Background(), h.historyPath())
	defer st.Close()
	rs, _ := st.Recent(context.Background(), "", 1)
	if !strings.Contains(rs[0].Reason, "take the lease on morning/2026-11-24: create lease s3://no-such-bucket/cwreport/leases/morning/2026-11-24.json") || !strings.Contains(rs[0].Reason, "create the bucket or fix lease.bucket") {
		t.Errorf("reason %q", rs[0].Reason)
	}
}

// A lease left by a version whose leases did not expire is never taken
// over (it may stand for a delivered period): the period is recorded as
// the other replica's for good and not asked about again.
func TestLeaseOfAnEarlierVersion(t *testing.T) {
	hs, _ := replicas(t, morningYAML, "replica-b")
	b := hs[0]
	l := b.locker.(*lease.S3)
	old := `{"owner":"replica-a","run_key":"morning/2026-11-24","acquired":"2026-11-23T23:00:00Z"}`
	if _, err := l.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key("morning/2026-11-24")), Body: strings.NewReader(old)}); err != nil {
		t.Fatal(err)
	}
	b.retryEvery = 10 * time.Minute
	b.start(kst(t, 2026, 11, 24, 7, 59))
	b.clock.waitFor(t, 2)
	b.fireAt(kst(t, 2026, 11, 24, 8, 0), 1)
	b.clock.waitFor(t, 2)
	b.fireAt(kst(t, 2026, 11, 24, 8, 30), 1) // a later fire: history answers
	b.clock.waitFor(t, 2)
	b.stop()
	equal(t, "b", runs(t, b.historyPath()), []string{"morning/2026-11-24 schedule elsewhere", "morning/2026-11-24 schedule elsewhere"})
	if got := b.s3calls.String(); got != "1 create, 0 conditional update, 1 read" {
		t.Errorf("b sent %s", got)
	}
	st, _ := history.Open(context.Background(), b.historyPath())
	rs, _ := st.Recent(context.Background(), "", 2)
	st.Close()
	if !strings.Contains(rs[1].Reason, `replica "replica-a" holds the lease on morning/2026-11-24 for good`) || rs[0].Reason != "morning/2026-11-24 is another replica's: its lease said so at an earlier fire" {
		t.Errorf("reasons %q, %q", rs[1].Reason, rs[0].Reason)
	}
}
