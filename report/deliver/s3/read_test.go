package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The archive read back on kumo: List under a directory of the dated
// layout, relative to the prefix, in key order, bounded, across pages;
// Read bounded; a denied listing says what to grant.
func TestListAndRead(t *testing.T) {
	p, bucket := newPeer(t), unique("reports")
	p.bucket(t, bucket, false)
	c := client(p.kumo.URL)
	ctx := context.Background()
	put := func(key, body string) {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	put("cwreport/audit/2026/09/30/audit-2026-09.json", `{"sep":1}`)
	put("cwreport/audit/2026/10/31/audit-2026-10.json", `{"oct":1}`)
	put("cwreport/audit/2026/10/31/audit-2026-10.md", "# oct")
	put("cwreport/audit-eu/2026/10/31/audit-eu-2026-10.json", `{}`) // another job: not under audit/
	put("other/audit/2026/10/31/audit-2026-10.json", `{}`)          // outside the prefix
	tgt := New(client(p.proxy.URL), Options{Bucket: bucket, Prefix: "/cwreport/"})

	first, err := tgt.List(ctx, "audit/", 1)
	if err != nil || fmt.Sprint(first) != "[audit/2026/09/30/audit-2026-09.json]" {
		t.Errorf("first key: %v %v", first, err)
	}
	oct, err := tgt.List(ctx, "audit/2026/10/", 0)
	if err != nil || fmt.Sprint(oct) != "[audit/2026/10/31/audit-2026-10.json audit/2026/10/31/audit-2026-10.md]" {
		t.Errorf("october: %v %v", oct, err)
	}
	if none, err := tgt.List(ctx, "audit/2026/11/", 0); err != nil || len(none) != 0 {
		t.Errorf("empty month: %v %v", none, err)
	}

	b, err := tgt.Read(ctx, oct[0], 1<<20)
	if err != nil || string(b) != `{"oct":1}` {
		t.Errorf("read: %q %v", b, err)
	}
	if _, err := tgt.Read(ctx, oct[0], 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := tgt.Read(ctx, "audit/2026/12/31/audit-2026-12.json", 1<<20); err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
		t.Errorf("missing key: %v", err)
	}

	// More keys than a page: 1,205 under one day, read in two pages.
	for i := range 1205 {
		put(fmt.Sprintf("cwreport/many/2026/10/31/many-%04d.json", i), "{}")
	}
	many, err := tgt.List(ctx, "many/2026/10/", 0)
	if err != nil || len(many) != 1205 || many[1204] != "many/2026/10/31/many-1204.json" {
		t.Errorf("paged: %d keys, %v", len(many), err)
	}
	if some, _ := tgt.List(ctx, "many/", 1100); len(some) != 1100 {
		t.Errorf("max 1100: %d keys", len(some))
	}

	p.fault = func(r *http.Request) (int, string, bool) {
		return http.StatusForbidden, accessDenied, r.Method == http.MethodGet
	}
	_, err = tgt.List(ctx, "audit/", 1)
	if err == nil || !strings.Contains(err.Error(), "allow s3:ListBucket on arn:aws:s3:::"+bucket+" for s3:prefix cwreport/audit/*") {
		t.Errorf("denied list: %v", err)
	}
	_, err = tgt.Read(ctx, oct[0], 1<<20)
	if err == nil || !strings.Contains(err.Error(), "allow s3:GetObject on arn:aws:s3:::"+bucket+"/cwreport/audit/2026/10/31/audit-2026-10.json") {
		t.Errorf("denied read: %v", err)
	}
}
