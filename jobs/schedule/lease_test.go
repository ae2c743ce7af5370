package schedule

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/schedule/lease"
)

// Two replicas with their own history share a lease bucket (kumo, which
// honours If-None-Match: * as S3 does): the period runs and is delivered
// once; the other replica records it as leased, and a later fire of the
// same period on the first replica still finds its own lease.
func TestReplicasRunAPeriodOnce(t *testing.T) {
	srv := kumo.NewServer()
	defer srv.Close()
	client := s3.NewFromConfig(aws.Config{Region: "ap-northeast-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	// kumo keeps its state per process, not per server.
	bucket := fmt.Sprintf("serve-leases-%d", time.Now().UnixNano())
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	shared := t.TempDir() // both replicas deliver to the same directory
	var hs []*harness
	for _, name := range []string{"replica-a", "replica-b"} {
		h := newHarness(t, t.TempDir(), strings.ReplaceAll(morningYAML, "$DIR/reports", shared))
		h.replica = name
		h.locker = &lease.S3{Client: client, Bucket: bucket, Prefix: "cwreport/leases/"}
		hs = append(hs, h)
	}
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
	equal(t, "replica b", runs(t, hs[1].historyPath()), []string{"morning/2026-11-24 schedule leased"})
	equal(t, "deliveries by b", deliveries(t, hs[1].historyPath(), "morning/2026-11-24"), nil)
}

// A lease that cannot be taken fails the fire (running anyway could
// deliver twice), and history says why.
func TestLeaseErrorIsRecorded(t *testing.T) {
	srv := kumo.NewServer()
	defer srv.Close()
	client := s3.NewFromConfig(aws.Config{Region: "ap-northeast-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
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
