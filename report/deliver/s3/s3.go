// Package s3 archives every artifact of a run in an S3 bucket, encrypted at
// rest and keyed deterministically, and publishes presigned download links
// that the other targets (email, Slack) put in their messages. It also
// reads its archive back (List, Read), so the runner finds earlier reports
// for trends with this target's client rather than one of its own.
//
// Key layout: <prefix>/<job>/<YYYY>/<MM>/<DD>/<job>-<period>.<ext>, the date
// being the last day the report covers in its time zone; a retry of a run
// overwrites the same keys (a new version when the bucket is versioned).
package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/internal/awserr"
)

// Options configure the archive.
type Options struct {
	Bucket string
	// Prefix starts every key ("cwreport/"); a trailing slash is implied.
	Prefix string
	// SSE is AES256, aws:kms or none (the bucket default applies).
	SSE string
	// KMSKeyID is the key for aws:kms; empty uses the aws/s3 key.
	KMSKeyID string
	// PresignExpiry is how long published links stay valid (at most 7
	// days); 0 publishes none.
	PresignExpiry time.Duration
}

// Target puts objects with one S3 client.
type Target struct {
	client  *s3.Client
	presign *s3.PresignClient
	opt     Options
}

// New returns a target using client. The client should not retry on its
// own (RetryMaxAttempts 1): the delivery pipeline owns retries.
func New(client *s3.Client, opt Options) *Target {
	return &Target{client: client, presign: s3.NewPresignClient(client), opt: opt}
}

// Open builds a client from the AWS environment (profile, role, instance
// credentials) for region, or an emulator at endpointURL, and returns the
// target.
func Open(ctx context.Context, region, endpointURL string, opt Options) (*Target, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region), awsconfig.WithRetryMaxAttempts(1))
	if err != nil {
		return nil, fmt.Errorf("s3 target %s: load AWS configuration: %w", opt.Bucket, err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpointURL != "" {
			o.BaseEndpoint = aws.String(endpointURL)
			o.UsePathStyle = true // emulators and most S3-compatible stores
		}
	})
	return New(client, opt), nil
}

// Key returns the object key of an artifact of the summarised run.
func (t *Target) Key(s report.Summary, name string) string {
	return path.Join(strings.Trim(t.opt.Prefix, "/"), deliver.DatedPath(s, name))
}

// fixes says what the user must do about the errors a PutObject can meet.
func (t *Target) fixes() map[string]string {
	return map[string]string{
		"AccessDenied":          fmt.Sprintf("allow s3:PutObject on arn:aws:s3:::%s/%s* for cwreport's role (and kms:GenerateDataKey on the key with sse aws:kms)", t.opt.Bucket, strings.Trim(t.opt.Prefix, "/")),
		"NoSuchBucket":          fmt.Sprintf("bucket %s does not exist: create it or fix the target's bucket", t.opt.Bucket),
		"KMS.NotFoundException": "the KMS key does not exist in the bucket's region: fix kms_key_id",
		"KMS.DisabledException": "the KMS key is disabled: enable it or use another",
		"InvalidArgument":       "the bucket refused the encryption settings: check sse and kms_key_id against the bucket policy",
	}
}

// Deliver puts every artifact and publishes links to the non-image ones.
// Receipts: "object:<name>" (s3://bucket/key) and "version_id:<name>".
func (t *Target) Deliver(ctx context.Context, d *deliver.Delivery) error {
	s := d.Summary
	meta := map[string]string{
		"job": s.Job, "kind": s.Kind, "period": s.Period,
		"window": s.Window.Start.UTC().Format(time.RFC3339) + "/" + s.Window.End.UTC().Format(time.RFC3339),
	}
	for _, a := range d.Artifacts {
		key := t.Key(s, a.Name)
		if d.Receipt("object:"+a.Name) == "" { // a retry skips what is already stored
			sum := sha256.Sum256(a.Data)
			m := make(map[string]string, len(meta)+1)
			for k, v := range meta {
				m[k] = v
			}
			m["sha256"] = hex.EncodeToString(sum[:])
			in := &s3.PutObjectInput{
				Bucket:        aws.String(t.opt.Bucket),
				Key:           aws.String(key),
				Body:          bytes.NewReader(a.Data),
				ContentLength: aws.Int64(int64(len(a.Data))),
				ContentType:   aws.String(contentType(a)),
				Metadata:      m,
			}
			switch t.opt.SSE {
			case "AES256", "":
				in.ServerSideEncryption = types.ServerSideEncryptionAes256
			case "aws:kms":
				in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
				if t.opt.KMSKeyID != "" {
					in.SSEKMSKeyId = aws.String(t.opt.KMSKeyID)
				}
			}
			out, err := t.client.PutObject(ctx, in)
			if err != nil {
				return awserr.Failure(fmt.Sprintf("s3 PutObject s3://%s/%s", t.opt.Bucket, key), err, t.fixes())
			}
			d.SetReceipt("object:"+a.Name, "s3://"+t.opt.Bucket+"/"+key)
			if v := aws.ToString(out.VersionId); v != "" {
				d.SetReceipt("version_id:"+a.Name, v)
			}
		}
		if t.opt.PresignExpiry > 0 && a.Role != report.RoleImage {
			in := &s3.GetObjectInput{Bucket: aws.String(t.opt.Bucket), Key: aws.String(key)}
			if v := d.Receipt("version_id:" + a.Name); v != "" {
				in.VersionId = aws.String(v) // the link names exactly what this run stored
			}
			req, err := t.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(t.opt.PresignExpiry))
			if err != nil {
				return deliver.Final("presign "+key, err, "check the AWS credentials")
			}
			d.Publish(a.Name, req.URL)
		}
	}
	return nil
}

func contentType(a report.Artifact) string {
	if a.ContentType != "" {
		return a.ContentType
	}
	if t := mime.TypeByExtension(filepath.Ext(a.Name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// readFixes says what the user must do about the errors reading the
// archive back can meet; grant is the permission the read needs.
func (t *Target) readFixes(grant string) map[string]string {
	return map[string]string{
		"AccessDenied": "allow " + grant + " for cwreport's role to read earlier reports back (cwreport iam-policy lists it)",
		"NoSuchBucket": fmt.Sprintf("bucket %s does not exist: create it or fix the target's bucket", t.opt.Bucket),
	}
}

// maxListPages bounds one List: 5 pages of 1,000 keys.
const maxListPages = 5

// List returns the keys under dir (relative to the target's prefix, as
// Key makes them: "audit/2026/10/"), relative to the prefix, in key order,
// at most max. Reading the archive back (earlier reports for trends) needs
// s3:ListBucket on the bucket besides the target's writes.
func (t *Target) List(ctx context.Context, dir string, max int) ([]string, error) {
	pre := strings.Trim(t.opt.Prefix, "/")
	full := path.Join(pre, dir)
	if strings.HasSuffix(dir, "/") {
		full += "/"
	}
	trim := ""
	if pre != "" {
		trim = pre + "/"
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(t.opt.Bucket), Prefix: aws.String(full)}
	if max > 0 && max < 1000 {
		in.MaxKeys = aws.Int32(int32(max))
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(t.client, in)
	for page := 0; p.HasMorePages() && page < maxListPages && (max <= 0 || len(keys) < max); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return keys, awserr.Failure(fmt.Sprintf("s3 ListObjectsV2 s3://%s/%s", t.opt.Bucket, full), err, t.readFixes(fmt.Sprintf("s3:ListBucket on arn:aws:s3:::%s for s3:prefix %s*", t.opt.Bucket, full)))
		}
		for _, o := range out.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), trim))
			if max > 0 && len(keys) == max {
				break
			}
		}
	}
	return keys, nil
}

// ErrTooLarge means an object is larger than Read was allowed to read.
var ErrTooLarge = errors.New("object larger than the read limit")

// Read returns the object at key (relative to the target's prefix), at
// most max bytes: a larger one is an error wrapping ErrTooLarge, read no
// further. Needs s3:GetObject (and kms:Decrypt with sse aws:kms).
func (t *Target) Read(ctx context.Context, key string, max int64) ([]byte, error) {
	full := path.Join(strings.Trim(t.opt.Prefix, "/"), key)
	// Objects stored without a checksum (other tools, S3-compatible
	// stores) are read all the same; the SDK would log each one.
	out, err := t.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.opt.Bucket), Key: aws.String(full)},
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		return nil, awserr.Failure(fmt.Sprintf("s3 GetObject s3://%s/%s", t.opt.Bucket, full), err, t.readFixes(fmt.Sprintf("s3:GetObject on arn:aws:s3:::%s/%s", t.opt.Bucket, full)))
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("s3 GetObject s3://%s/%s: %w", t.opt.Bucket, full, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("s3://%s/%s: %w (%d bytes)", t.opt.Bucket, full, ErrTooLarge, max)
	}
	return data, nil
}
