package aws

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/security"
	"github.com/cwreport/cwreport/jobs/source"
)

// putTrailFile writes a gzip CloudTrail log file {"Records":[...]} to kumo
// under the documented key layout, named by its delivery time.
func putTrailFile(t *testing.T, ta *testAWS, bucket, base, region string, delivered time.Time, records ...string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintf(zw, `{"Records":[%s]}`, strings.Join(records, ","))
	zw.Close()
	key := fmt.Sprintf("%s%s/%s/000000000000_CloudTrail_%s_%s_%x.json.gz", base, region, delivered.UTC().Format("2006/01/02"), region,
		delivered.UTC().Format("20060102T1504Z"), delivered.UnixNano()%0xffffff)
	s3c := s3.NewFromConfig(ta.sdkConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: sdkaws.String(bucket), Key: sdkaws.String(key), Body: bytes.NewReader(buf.Bytes())})
	must(t, err)
	return key
}

// TestTrailEventsFromS3: a 30-day window reads the trail's log files from
// the kumo bucket: both regions, events de-duplicated by eventID, files
// delivered before the window not fetched, events outside it dropped.
func TestTrailEventsFromS3(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	at := acc.at
	recs := trailRecords(acc)
	base := "AWSLogs/000000000000/CloudTrail/"
	putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(-170*time.Minute), recs[0], recs[3])
	putTrailFile(t, ta, acc.bucket, base, "us-east-1", at.Add(-50*time.Minute), recs[1], recs[2], recs[4])
	// The same event delivered twice (CloudTrail may), in another file.
	putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(-20*time.Minute), recs[0])
	// Delivered after the window: only its event inside the window counts.
	late := strings.Replace(strings.Replace(recs[3], "a1b2c3d4-0004", "a1b2c3d4-0099", 1), at.Add(-2*time.Hour).Format(time.RFC3339), at.Add(5*time.Minute).Format(time.RFC3339), 1)
	putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(10*time.Minute), late)
	// Delivered the day the window starts but before it: never fetched.
	start := at.Add(-30 * 24 * time.Hour)
	putTrailFile(t, ta, acc.bucket, base, testRegion, start.Add(-time.Minute), strings.Replace(recs[0], "a1b2c3d4-0001", "a1b2c3d4-0098", 1))
	// Another region's files are not read.
	putTrailFile(t, ta, acc.bucket, base, "eu-west-1", at.Add(-time.Hour), strings.Replace(recs[0], "a1b2c3d4-0001", "a1b2c3d4-0097", 1))

	src := ta.source(config.Source{}, at)
	ds, err := src.Collect(context.Background(), source.Request{Window: source.Window{Start: start, End: at}, At: at, Needs: source.NeedTrailEvents})
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	eq(t, "trail events", ds.TrailEvents, wantTrailEvents(acc))
	if got := ds.Stats["s3:GetObject"]; got != 4 {
		t.Errorf("GetObject calls = %d, want 4 (the file delivered before the window is skipped by name)", got)
	}
	if ds.Stats["cloudtrail:LookupEvents"] != 0 {
		t.Error("a 30-day window must not page through LookupEvents")
	}
}

// fakeTrail answers DescribeTrails (documented JSON shape) with one trail
// delivering to the shared bucket under prefix.
func fakeTrail(ta *testAWS, acc *account, prefix string, org bool) {
	ta.handle("cloudtrail:DescribeTrails", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, fmt.Sprintf(`{"trailList":[{"Name":"org-trail","S3BucketName":%q,"S3KeyPrefix":%q,"IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":true,"HomeRegion":"us-east-1","TrailARN":"arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail","LogFileValidationEnabled":true,"HasCustomEventSelectors":false,"HasInsightSelectors":false,"IsOrganizationTrail":%t}]}`, acc.bucket, prefix, org))
	})
}

// TestTrailEventsOrganizationTrail: an organization trail's files live
// under AWSLogs/<org-id>/<account>/; the org id is found by listing.
// DescribeTrails is answered by the fake (kumo cannot create organization
// trails), in the documented JSON shape.
func TestTrailEventsOrganizationTrail(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	at := acc.at
	fakeTrail(ta, acc, "org/", true)
	recs := trailRecords(acc)
	putTrailFile(t, ta, acc.bucket, "org/AWSLogs/o-exampleorgid/000000000000/CloudTrail/", testRegion, at.Add(-10*time.Minute), recs...)
	src := ta.source(config.Source{}, at)
	ds, err := src.Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-7 * 24 * time.Hour), End: at}, At: at, Needs: source.NeedTrailEvents})
	must(t, err)
	if len(ds.Gaps) > 0 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	eq(t, "trail events", ds.TrailEvents, wantTrailEvents(acc))
}

// TestTrailFileHostileAndBroken: a broken file is a gap naming the object,
// the other files still count; a file that is not gzip is a gap too.
func TestTrailFileHostileAndBroken(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	at := acc.at
	// Its own key prefix, so other tests' files in the shared bucket stay out.
	fakeTrail(ta, acc, "broken/", false)
	recs := trailRecords(acc)
	base := "broken/AWSLogs/000000000000/CloudTrail/"
	putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(-30*time.Minute), recs...)
	broken := putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(-40*time.Minute), `{"eventID":"x","eventTime":`) // truncated JSON
	s3c := s3.NewFromConfig(ta.sdkConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	notGzip := base + testRegion + "/" + at.Add(-time.Hour).Format("2006/01/02") + "/000000000000_CloudTrail_" + testRegion + "_" + at.Add(-time.Hour).Format("20060102T1504Z") + "_plain.json.gz"
	_, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: sdkaws.String(acc.bucket), Key: sdkaws.String(notGzip), Body: strings.NewReader(`{"Records":[]}`)})
	must(t, err)
	src := ta.source(config.Source{}, at)
	ds, err := src.Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-7 * 24 * time.Hour), End: at}, At: at, Needs: source.NeedTrailEvents})
	must(t, err)
	eq(t, "trail events", ds.TrailEvents, wantTrailEvents(acc))
	var parts []string
	for _, g := range ds.Gaps {
		parts = append(parts, g.Part)
	}
	want := []string{"trail_events:s3", "trail_events:s3://" + acc.bucket + "/" + broken, "trail_events:s3://" + acc.bucket + "/" + notGzip}
	slices.Sort(want)
	if !slices.Equal(parts, want) {
		t.Errorf("gap parts = %q, want %q", parts, want)
	}
	if g := ds.Gaps[0]; g.API != "s3:GetObject" || !strings.Contains(g.Error, "2 of 3 log files could not be read") {
		t.Errorf("summary gap %+v", g)
	}
}

// TestRecordParsing checks the identity and field rules on records shaped
// like the CloudTrail documentation's examples, plus hostile input.
func TestRecordParsing(t *testing.T) {
	cases := []struct {
		name string
		rec  string
		want source.TrailEvent
		ok   bool
	}{
		{"federated user", `{"eventID":"f1","eventTime":"2026-11-24T00:00:00Z","eventName":"GetCallerIdentity","eventSource":"sts.amazonaws.com","readOnly":true,
			"userIdentity":{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/bob","accountId":"1","sessionContext":{"sessionIssuer":{"type":"IAMUser","userName":"ops-broker"}}},
			"requestParameters":{"x":1}}`,
			source.TrailEvent{ID: "f1", Time: mustTime("2026-11-24T00:00:00Z"), Name: "GetCallerIdentity", Source: "sts.amazonaws.com", UserType: "FederatedUser",
				UserName: "ops-broker", PrincipalARN: "arn:aws:sts::1:federated-user/bob", AccountID: "1", ReadOnly: true}, true},
		{"service and instances", `{"eventID":"s1","eventTime":"2026-11-24T00:00:00Z","eventName":"RunInstances","eventSource":"ec2.amazonaws.com",
			"userIdentity":{"type":"AWSService","invokedBy":"autoscaling.amazonaws.com"},
			"requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}},"resources":[{"ARN":"arn:aws:ec2:x:1:instance/i-1"}]}`,
			source.TrailEvent{ID: "s1", Time: mustTime("2026-11-24T00:00:00Z"), Name: "RunInstances", Source: "ec2.amazonaws.com", UserType: "AWSService",
				UserName: "autoscaling.amazonaws.com", Resources: []string{"arn:aws:ec2:x:1:instance/i-1", "i-1", "i-2"},
				RequestParameters: `{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}`}, true},
		{"hostile text is bounded and valid UTF-8", `{"eventID":"h1","eventTime":"2026-11-24T00:00:00Z","eventName":"X","userIdentity":{"type":"IAMUser","userName":"a\u0000|` + "`" + `<script>"},
			"userAgent":"` + strings.Repeat("A", 5000) + `","errorMessage":"bad \ud800 utf"}`,
			source.TrailEvent{ID: "h1", Time: mustTime("2026-11-24T00:00:00Z"), Name: "X", UserType: "IAMUser", UserName: "a\x00|`<script>",
				UserAgent: strings.Repeat("A", maxField), ErrorMessage: "bad \uFFFD utf"}, true},
		{"no id", `{"eventTime":"2026-11-24T00:00:00Z"}`, source.TrailEvent{}, false},
		{"bad time", `{"eventID":"b","eventTime":"yesterday"}`, source.TrailEvent{}, false},
		{"huge request parameters are dropped, not cut", `{"eventID":"p1","eventTime":"2026-11-24T00:00:00Z","eventName":"PutRolePolicy","userIdentity":{"type":"Root"},
			"requestParameters":{"roleName":"r","policyDocument":"` + strings.Repeat("x", maxRequestParameters) + `"}}`,
			source.TrailEvent{ID: "p1", Time: mustTime("2026-11-24T00:00:00Z"), Name: "PutRolePolicy", UserType: "Root", UserName: "root", Resources: []string{"r"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []source.TrailEvent
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			fmt.Fprintf(zw, `{"Records":[%s]}`, c.rec)
			zw.Close()
			err := decodeTrailFile(&buf, func(ev source.TrailEvent) bool { got = append(got, ev); return true })
			must(t, err)
			if !c.ok {
				if len(got) != 0 {
					t.Errorf("kept %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d events", len(got))
			}
			eq(t, "event", got[0], c.want)
		})
	}
}

// activityNote runs the security analyzer (the reader of trail events) on
// ds and returns the notes of its activity section: how it read the gaps.
func activityNote(t *testing.T, ds *source.Dataset, at time.Time) string {
	t.Helper()
	job := &config.Job{Name: "audit", Kind: "security", Window: config.Window{Raw: "7d"}}
	rep, err := security.New().Analyze(analyze.Input{Job: job, At: at, Window: ds.Window, Location: time.UTC, Lang: "en", Data: ds})
	must(t, err)
	for _, sec := range rep.Sections {
		if sec.ID == security.SectionActivity {
			var notes []string
			for _, n := range sec.Notes {
				notes = append(notes, n)
			}
			return strings.Join(notes, " ")
		}
	}
	t.Fatal("no activity section")
	return ""
}

// TestTrailS3PartialVersusTotal: when only some of the trail's files (or
// listings) can be read, the gap is the piece "trail_events:s3" and the
// events read stand, so the security review counts them as lower bounds;
// when none can be read, the gap is "trail_events" itself and the activity
// is unknown, never "quiet".
func TestTrailS3PartialVersusTotal(t *testing.T) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	at := acc.at
	window := source.Window{Start: at.Add(-7 * 24 * time.Hour), End: at}
	recs := trailRecords(acc)
	collect := func(prefix string, cfg config.Source) *source.Dataset {
		t.Helper()
		fakeTrail(ta, acc, prefix, false)
		ds, err := ta.source(cfg, at).Collect(context.Background(), source.Request{Window: window, At: at, Needs: source.NeedTrailEvents})
		must(t, err)
		return ds
	}
	exact := func(ds *source.Dataset, part string) bool {
		for _, g := range ds.Gaps {
			if g.Part == part {
				return true
			}
		}
		return false
	}

	t.Run("some files unreadable", func(t *testing.T) {
		base := "partial/AWSLogs/000000000000/CloudTrail/"
		putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(-30*time.Minute), recs...)
		for i := range 7 { // more than the five files named one by one
			putTrailFile(t, ta, acc.bucket, base, "us-east-1", at.Add(-time.Duration(40+i)*time.Minute), `{"eventID":"x","eventTime":`)
		}
		ds := collect("partial/", config.Source{})
		eq(t, "trail events", ds.TrailEvents, wantTrailEvents(acc))
		if !ds.Missing("trail_events:s3") || exact(ds, "trail_events") || len(ds.Gaps) != 6 {
			t.Errorf("gaps %+v: want trail_events:s3 and five files, not trail_events", ds.Gaps)
		}
		if note := activityNote(t, ds, at); !strings.Contains(note, "counts are lower bounds") {
			t.Errorf("security read a partial gap as %q", note)
		}
	})
	t.Run("every file unreadable", func(t *testing.T) {
		base := "total/AWSLogs/000000000000/CloudTrail/"
		putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(-30*time.Minute), recs...)
		putTrailFile(t, ta, acc.bucket, base, "us-east-1", at.Add(-50*time.Minute), recs...)
		// KMS-encrypted files without kms:Decrypt: every GetObject denied.
		ta.inject("s3:GetObject", fault{403, "AccessDenied"}, fault{403, "AccessDenied"})
		ds := collect("total/", config.Source{MaxAttempts: 1})
		if len(ds.TrailEvents) != 0 || !exact(ds, "trail_events") {
			t.Fatalf("%d events, gaps %+v: want none and trail_events", len(ds.TrailEvents), ds.Gaps)
		}
		for _, g := range ds.Gaps {
			if g.Part == "trail_events" && (g.Action != "s3:GetObject" || !strings.Contains(g.Error, "none of the 2 log files")) {
				t.Errorf("total gap %+v", g)
			}
			if g.Part == "trail_events:s3" {
				t.Errorf("a total failure reported as partial: %+v", g)
			}
		}
		if note := activityNote(t, ds, at); !strings.Contains(note, "activity is unknown") {
			t.Errorf("security read a total gap as %q", note)
		}
	})
	t.Run("a region's listing denied", func(t *testing.T) {
		base := "listing/AWSLogs/000000000000/CloudTrail/"
		putTrailFile(t, ta, acc.bucket, base, testRegion, at.Add(-30*time.Minute), recs...)
		// The bucket policy denies the us-east-1 prefixes: the fake passes
		// the other listings through to kumo and answers these with S3's
		// documented AccessDenied error.
		ta.handle("s3:ListObjectsV2", func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Query().Get("prefix"), "/us-east-1/") {
				writeError(w, "s3:ListObjectsV2", 403, "AccessDenied", "Access Denied")
				return
			}
			req, _ := http.NewRequestWithContext(r.Context(), r.Method, ta.kumo.URL+r.URL.RequestURI(), nil)
			req.Header = r.Header.Clone()
			resp, err := kitTransport.RoundTrip(req)
			if err != nil {
				http.Error(w, err.Error(), 502)
				return
			}
			defer resp.Body.Close()
			for k, v := range resp.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.StatusCode)
			io.Copy(w, resp.Body)
		})
		ds := collect("listing/", config.Source{MaxAttempts: 1})
		eq(t, "trail events", ds.TrailEvents, wantTrailEvents(acc))
		if len(ds.Gaps) != 1 || ds.Gaps[0].Part != "trail_events:s3" || ds.Gaps[0].Action != "s3:ListBucket" || !strings.Contains(ds.Gaps[0].Error, "/us-east-1/") {
			t.Errorf("gaps %+v: want one trail_events:s3 naming the us-east-1 prefix", ds.Gaps)
		}
		if note := activityNote(t, ds, at); !strings.Contains(note, "counts are lower bounds") {
			t.Errorf("security read a partial listing as %q", note)
		}
	})
}
