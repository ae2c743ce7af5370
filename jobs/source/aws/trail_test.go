package aws

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cwreport/cwreport/config"
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
	if len(ds.Gaps) != 2 || !strings.Contains(ds.Gaps[0].Part+ds.Gaps[1].Part, broken) || !strings.Contains(ds.Gaps[0].Part+ds.Gaps[1].Part, notGzip) {
		t.Errorf("gaps = %+v", ds.Gaps)
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
