// Package lease keeps serve's period leases in S3, so several replicas of
// serve run each period once. A replica runs a period only after creating
// the period's lease object with a conditional write (PutObject with
// If-None-Match: *): S3 lets exactly one writer create a key, and answers
// every other one 412 PreconditionFailed. Leases are never deleted: a
// period, once taken, belongs to its replica, which resumes it after a
// restart when it keeps its name (server.replica).
package lease

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/cwreport/cwreport/config"
)

// API is the part of the S3 client a lease uses.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3 is a schedule.Locker on an S3 bucket.
type S3 struct {
	Client API
	Bucket string
	Prefix string
	// Now stamps lease records; nil means time.Now.
	Now func() time.Time
}

// Open builds the lease store of cfg; region defaults to defaultRegion,
// then the AWS environment.
func Open(ctx context.Context, cfg *config.Lease, defaultRegion string) (*S3, error) {
	region := cfg.Region
	if region == "" {
		region = defaultRegion
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("lease bucket %s: load AWS configuration: %w", cfg.Bucket, err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.EndpointURL != "" {
			o.BaseEndpoint = aws.String(cfg.EndpointURL)
			o.UsePathStyle = true // emulators and most S3-compatible stores
		}
	})
	return &S3{Client: client, Bucket: cfg.Bucket, Prefix: cfg.Prefix}, nil
}

// record is the lease object's body.
type record struct {
	Owner    string    `json:"owner"`
	RunKey   string    `json:"run_key"`
	Acquired time.Time `json:"acquired"`
}

// Key is the object key of a run key's lease:
// "<prefix>/morning/2026-11-24.json".
func (l *S3) Key(runKey string) string {
	return path.Join(strings.Trim(l.Prefix, "/"), runKey) + ".json"
}

// Acquire implements schedule.Locker: it creates the lease for owner, or
// reads who created it first.
func (l *S3) Acquire(ctx context.Context, runKey, owner string) (string, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	body, err := json.Marshal(record{Owner: owner, RunKey: runKey, Acquired: now().UTC()})
	if err != nil {
		return "", err
	}
	key := l.Key(runKey)
	for attempt := 1; ; attempt++ {
		_, err = l.Client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(l.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentType: aws.String("application/json"), IfNoneMatch: aws.String("*"),
		})
		if err == nil {
			return owner, nil
		}
		if !taken(err) {
			return "", l.fail("create", key, err)
		}
		holder, gerr := l.holder(ctx, key)
		if gerr == nil {
			return holder, nil
		}
		// 409 ConditionalRequestConflict: another writer's conditional put
		// on the key is in flight and its object is not readable yet.
		if attempt >= 3 || !notFound(gerr) {
			return "", l.fail("read", key, gerr)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
	}
}

func (l *S3) holder(ctx context.Context, key string) (string, error) {
	out, err := l.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 64<<10))
	if err != nil {
		return "", err
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil || r.Owner == "" {
		// Someone else's object: never ours to run.
		return "unknown (s3://" + l.Bucket + "/" + key + " is not a cwreport lease)", nil
	}
	return r.Owner, nil
}

func (l *S3) fail(op, key string, err error) error {
	msg := fmt.Sprintf("%s lease s3://%s/%s: %v", op, l.Bucket, key, err)
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDenied":
			msg += fmt.Sprintf(" (allow s3:PutObject and s3:GetObject on arn:aws:s3:::%s/%s* for cwreport's role)", l.Bucket, strings.Trim(l.Prefix, "/"))
		case "NoSuchBucket":
			msg += " (create the bucket or fix lease.bucket)"
		case "NotImplemented":
			msg += " (this S3 endpoint does not support conditional writes, If-None-Match; leases need them)"
		}
	}
	return errors.New(msg)
}

// taken reports whether a conditional put lost: 412 PreconditionFailed
// (the object exists) or 409 ConditionalRequestConflict (a concurrent
// conditional write to the key).
func taken(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "PreconditionFailed", "ConditionalRequestConflict":
			return true
		}
	}
	var st interface{ HTTPStatusCode() int }
	if errors.As(err, &st) {
		return st.HTTPStatusCode() == 412 || st.HTTPStatusCode() == 409
	}
	return false
}

func notFound(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound") {
		return true
	}
	var st interface{ HTTPStatusCode() int }
	return errors.As(err, &st) && st.HTTPStatusCode() == 404
}
