package aws

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cwreport/cwreport/jobs/source"
)

// MaxTrailEvents bounds the events one collection keeps; past it the rest
// of the window is a gap rather than memory.
const MaxTrailEvents = 500000

// Gap parts of the trail events. The bare part says nothing could be read
// (the events are unknown); a part below it says only a piece is missing
// (what was read stands, counts are lower bounds). Analyzers tell them
// apart by name: jobs/security reads "trail_events" without events as
// unknown and any "trail_events:<piece>" as partial.
const (
	partTrailEvents = "trail_events"
	// partTrailS3 is some of the trail's log files (or prefixes) that could
	// not be read while others were; each of the first five unreadable
	// files also gets its own "trail_events:s3://bucket/key" gap.
	partTrailS3 = "trail_events:s3"
	// partTrailLookup is LookupEvents failing after some pages were read.
	partTrailLookup = "trail_events:lookup"
	// partTrailLimit is the window past MaxTrailEvents events.
	partTrailLimit = "trail_events:limit"
)

// trailEvents reads the window's CloudTrail events: with LookupEvents when
// the window is short (it allows 2 calls per second and returns 50 events
// per call), otherwise from the trail's log files in S3.
func (r *run) trailEvents(ctx context.Context) {
	if r.req.Window.Duration() <= r.s.cfg.TrailLookupWindow.Duration {
		r.lookupEvents(ctx)
		return
	}
	trails, err := r.describeTrails(ctx)
	if err != nil {
		r.fail(partTrailEvents, err)
		return
	}
	t := pickTrail(trails, r.s.region)
	if t == nil {
		r.addGap(source.Gap{Source: SourceName, Part: partTrailEvents, API: "cloudtrail:DescribeTrails",
			Error: fmt.Sprintf("no trail delivers %s events to S3, and the window (%s) is longer than source.trail_lookup_window (%s), up to which LookupEvents is used: create a trail that delivers to S3, or raise trail_lookup_window (LookupEvents allows 2 calls a second)",
				r.s.region, days(r.req.Window.Duration()), days(r.s.cfg.TrailLookupWindow.Duration))})
		return
	}
	r.s3Events(ctx, t)
}

// lookupEvents pages through LookupEvents without attributes (an attribute
// filter allows one attribute per call, and reports need every event).
func (r *run) lookupEvents(ctx context.Context) {
	in := &cloudtrail.LookupEventsInput{
		StartTime:  sdkaws.Time(r.req.Window.Start),
		EndTime:    sdkaws.Time(r.req.Window.End),
		MaxResults: sdkaws.Int32(50),
	}
	seen := map[string]bool{}
	out := []source.TrailEvent{}
	for page := 1; ; page++ {
		resp, err := r.s.clients.cloudtrail.LookupEvents(ctx, in)
		if err != nil {
			if page == 1 {
				r.fail(partTrailEvents, err) // nothing read: unknown
			} else {
				r.fail(partTrailLookup, err) // the pages read stand: a lower bound
			}
			break
		}
		for _, e := range resp.Events {
			var rec trailRecord
			if json.Unmarshal([]byte(sdkaws.ToString(e.CloudTrailEvent)), &rec) != nil {
				continue
			}
			ev, ok := rec.toEvent()
			if !ok || seen[ev.ID] || !r.req.Window.Contains(ev.Time) {
				continue
			}
			seen[ev.ID] = true
			out = append(out, ev)
		}
		r.progress("cloudtrail", page, page)
		if len(out) >= MaxTrailEvents {
			r.addGap(source.Gap{Source: SourceName, Part: partTrailLimit, API: "cloudtrail:LookupEvents",
				Error: fmt.Sprintf("stopped after %d events; the rest of the window was not read", MaxTrailEvents)})
			break
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sortEvents(out)
	r.mu.Lock()
	r.ds.TrailEvents = out
	r.mu.Unlock()
}

func (r *run) describeTrails(ctx context.Context) ([]cttypes.Trail, error) {
	resp, err := r.s.clients.cloudtrail.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: sdkaws.Bool(true)})
	if err != nil {
		return nil, err
	}
	return resp.TrailList, nil
}

// pickTrail chooses the trail whose files hold this region's events: a
// multi-region trail first, then one homed in the region; by name for
// determinism.
func pickTrail(trails []cttypes.Trail, region string) *cttypes.Trail {
	var best *cttypes.Trail
	score := func(t *cttypes.Trail) int {
		switch {
		case sdkaws.ToString(t.S3BucketName) == "":
			return 0
		case sdkaws.ToBool(t.IsMultiRegionTrail):
			return 2
		case sdkaws.ToString(t.HomeRegion) == region:
			return 1
		}
		return 0
	}
	for i := range trails {
		t := &trails[i]
		s := score(t)
		if s == 0 {
			continue
		}
		if best == nil || s > score(best) || (s == score(best) && sdkaws.ToString(t.Name) < sdkaws.ToString(best.Name)) {
			best = t
		}
	}
	return best
}

// fileTime finds the YYYYMMDDTHHmmZ stamp in a CloudTrail log file name
// (<account>_CloudTrail_<region>_20261124T0805Z_<id>.json.gz).
var fileTime = regexp.MustCompile(`_(\d{8}T\d{4}Z)_`)

// s3Events reads the trail's gzip JSON log files for the window: the
// configured region and us-east-1 (where global services such as IAM and
// STS, and most console sign-ins, are logged), one day prefix at a time,
// files streamed one record at a time by Concurrency workers, events
// de-duplicated by eventID. Memory holds the kept events, not the files.
func (r *run) s3Events(ctx context.Context, t *cttypes.Trail) {
	bucket := sdkaws.ToString(t.S3BucketName)
	s3opt := r.bucketRegion(ctx, bucket)
	base := strings.Trim(sdkaws.ToString(t.S3KeyPrefix), "/")
	if base != "" {
		base += "/"
	}
	base += "AWSLogs/"
	account := r.ds.Account.ID
	if account == "" {
		r.addGap(source.Gap{Source: SourceName, Part: partTrailEvents, Error: "the account id is unknown, so the trail's log file keys cannot be built"})
		return
	}
	if sdkaws.ToBool(t.IsOrganizationTrail) {
		org, err := r.orgPrefix(ctx, bucket, base, s3opt)
		if err != nil {
			r.fail(partTrailEvents, err)
			return
		}
		base += org
	}
	base += account + "/CloudTrail/"

	w := r.req.Window
	regions := []string{r.s.region}
	if r.s.region != "us-east-1" {
		regions = append(regions, "us-east-1")
	}
	// Files are named by delivery time, a few minutes after their events:
	// read the day after the window too, and skip files delivered before
	// the window or more than an hour after it. A listing that fails stops
	// the listing (the next would fail the same way); the files already
	// listed are still read, and the gap says the rest is missing.
	var (
		keys       []string
		listErr    error
		listPrefix string
	)
list:
	for _, region := range regions {
		for day := w.Start.UTC().Truncate(24 * time.Hour); !day.After(w.End.UTC().Add(24 * time.Hour)); day = day.Add(24 * time.Hour) {
			prefix := base + region + "/" + day.Format("2006/01/02") + "/"
			in := &s3.ListObjectsV2Input{Bucket: sdkaws.String(bucket), Prefix: sdkaws.String(prefix)}
			for {
				resp, err := r.s.clients.s3.ListObjectsV2(ctx, in, s3opt)
				if err != nil {
					listErr, listPrefix = err, prefix
					break list
				}
				for _, o := range resp.Contents {
					key := sdkaws.ToString(o.Key)
					if m := fileTime.FindStringSubmatch(path.Base(key)); m != nil {
						ft, err := time.Parse("20060102T1504Z", m[1])
						if err == nil && (ft.Before(w.Start) || ft.After(w.End.Add(time.Hour))) {
							continue
						}
					}
					keys = append(keys, key)
				}
				if !sdkaws.ToBool(resp.IsTruncated) || resp.NextContinuationToken == nil {
					break
				}
				in.ContinuationToken = resp.NextContinuationToken
			}
		}
	}
	sort.Strings(keys)
	if listErr != nil && len(keys) == 0 {
		r.fail(partTrailEvents, listErr)
		return
	}

	var (
		mu       sync.Mutex
		seen     = map[string]bool{}
		out      = []source.TrailEvent{}
		full     bool
		wg       sync.WaitGroup
		next     = make(chan string)
		done     int
		failed   int
		first    error
		firstKey string
	)
	r.progress("cloudtrail", 0, len(keys))
	for i := 0; i < min(r.s.cfg.Concurrency, max(1, len(keys))); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for key := range next {
				err := r.readTrailFile(ctx, bucket, key, s3opt, func(ev source.TrailEvent) bool {
					if !w.Contains(ev.Time) {
						return true
					}
					mu.Lock()
					defer mu.Unlock()
					if seen[ev.ID] {
						return true
					}
					if len(out) >= MaxTrailEvents {
						full = true
						return false
					}
					seen[ev.ID] = true
					out = append(out, ev)
					return true
				})
				mu.Lock()
				if err != nil {
					failed++
					if first == nil || key < firstKey { // the same text whatever the workers' order
						first, firstKey = err, key
					}
					if failed <= 5 { // one broken file is news; a thousand are one story
						g := gapFor("trail_events:s3://"+bucket+"/"+key, err)
						if g.API == "" {
							g.API = "s3:GetObject" // a file that arrived but does not decode
						}
						r.addGap(g)
					}
				}
				done++
				r.progress("cloudtrail", done, len(keys))
				mu.Unlock()
			}
		}()
	}
	for _, k := range keys {
		select {
		case next <- k:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	fileGap := func(part string) source.Gap {
		g := gapFor(part, first)
		if g.API == "" {
			g.API = "s3:GetObject" // a file that arrived but does not decode
		}
		return g
	}
	switch {
	case failed > 0 && failed == len(keys):
		// Not one file read: the events are unknown, not a lower bound.
		g := fileGap(partTrailEvents)
		g.Error = fmt.Sprintf("none of the %d log files could be read: %s", len(keys), g.Error)
		r.addGap(g)
	case failed > 0:
		g := fileGap(partTrailS3)
		g.Error = fmt.Sprintf("%d of %d log files could not be read (first: %s); the events of the others were read", failed, len(keys), g.Error)
		r.addGap(g)
	}
	if listErr != nil {
		g := gapFor(partTrailS3, listErr)
		g.Error = fmt.Sprintf("listing stopped at %s (%s); the %d files listed before were read", listPrefix, g.Error, len(keys))
		r.addGap(g)
	}
	if full {
		r.addGap(source.Gap{Source: SourceName, Part: partTrailLimit, API: "s3:GetObject",
			Error: fmt.Sprintf("stopped after %d events; the rest of the window was not read", MaxTrailEvents)})
	}
	sortEvents(out)
	r.mu.Lock()
	r.ds.TrailEvents = out
	r.mu.Unlock()
}

// bucketRegion returns an option that sends S3 calls to the bucket's
// region: a trail bucket often lives in another region than the source.
// On failure the source's region is used and the calls that follow say
// what went wrong.
func (r *run) bucketRegion(ctx context.Context, bucket string) func(*s3.Options) {
	resp, err := r.s.clients.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: sdkaws.String(bucket)})
	region := r.s.region
	if err == nil {
		switch c := string(resp.LocationConstraint); c {
		case "":
			region = "us-east-1"
		case "EU":
			region = "eu-west-1"
		default:
			region = c
		}
	}
	return func(o *s3.Options) { o.Region = region }
}

// orgPrefix finds "o-xxxxxxxxxx/" under AWSLogs/ for an organization trail
// (keys are AWSLogs/<org-id>/<account>/CloudTrail/...).
func (r *run) orgPrefix(ctx context.Context, bucket, base string, s3opt func(*s3.Options)) (string, error) {
	resp, err := r.s.clients.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: sdkaws.String(bucket), Prefix: sdkaws.String(base), Delimiter: sdkaws.String("/")}, s3opt)
	if err != nil {
		return "", err
	}
	for _, p := range resp.CommonPrefixes {
		rest := strings.TrimPrefix(sdkaws.ToString(p.Prefix), base)
		if strings.HasPrefix(rest, "o-") {
			return rest, nil
		}
	}
	return "", fmt.Errorf("organization trail: no AWSLogs/o-*/ prefix in s3://%s/%s", bucket, base)
}

// readTrailFile streams one gzip JSON file {"Records":[...]} and hands each
// record to keep until keep returns false. It never holds the whole file.
func (r *run) readTrailFile(ctx context.Context, bucket, key string, s3opt func(*s3.Options), keep func(source.TrailEvent) bool) error {
	resp, err := r.s.clients.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: sdkaws.String(bucket), Key: sdkaws.String(key)}, s3opt)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeTrailFile(resp.Body, keep)
}

// decodeTrailFile reads gzip JSON {"Records":[...]} one record at a time.
func decodeTrailFile(body io.Reader, keep func(source.TrailEvent) bool) error {
	zr, err := gzip.NewReader(body)
	if err != nil {
		return fmt.Errorf("read log file: %w", err)
	}
	defer zr.Close()
	dec := json.NewDecoder(zr)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("read log file: not a CloudTrail log file (expected {\"Records\":[...]})")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("read log file: %w", err)
		}
		if tok != "Records" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("read log file: %w", err)
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return fmt.Errorf("read log file: Records is not a list")
		}
		for dec.More() {
			var rec trailRecord
			if err := dec.Decode(&rec); err != nil {
				return fmt.Errorf("read log file: %w", err)
			}
			if ev, ok := rec.toEvent(); ok && !keep(ev) {
				return nil
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("read log file: %w", err)
		}
	}
	return nil
}

// days writes a window the way the configuration does: 31d, 36h.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return fmt.Sprintf("%dh", d/time.Hour)
}
