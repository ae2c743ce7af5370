// Package lease keeps serve's period leases in S3, so several replicas of
// serve run each period once, and a period whose replica died is still run.
//
// A replica runs a period only while it holds the period's lease object.
// It creates the object with a conditional write (PutObject with
// If-None-Match: *): S3 lets exactly one writer create a key and answers
// every other one 412 PreconditionFailed. The object says until when its
// holder's claim lasts (expires); the holder extends it while it runs and
// writes, when it finishes, either done (every target has the period: the
// lease never expires again) or when others may take over. Every later
// write is conditional on the ETag the writer last saw (PutObject with
// If-Match): a replica takes over an expired lease, and the holder renews
// one, only if nobody wrote the object since it read it, so two replicas
// racing for an expired lease have one winner, and a holder that stalled
// past its expiry learns on its next write that it lost the lease
// (ErrLost) instead of delivering a period another replica now runs.
package lease

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
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
	// Now stamps lease records and decides expiry; nil means time.Now.
	Now func() time.Time
	// Backoff is the first wait after a 409 ConditionalRequestConflict
	// (doubled each time); default 200ms.
	Backoff time.Duration
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

// Lease is what a replica knows of one period's lease.
type Lease struct {
	// Key is the run key ("morning/2026-11-24").
	Key string
	// Holder is the replica that holds the lease (or held it last).
	Holder string
	// Held: the caller holds the lease now (it created it, renewed its own,
	// or took it over); only a held lease can be updated.
	Held bool
	// Acquired is when Holder took the lease; Expires when its claim
	// lapses unless renewed. A done lease does not expire.
	Acquired, Expires time.Time
	// Done: the holder finished the period and every target has it.
	Done bool
	// Delivered are the targets the holder recorded as having the period;
	// a replica that takes the lease over does not deliver to them again.
	Delivered []string
	// TakenFrom is the replica whose expired lease Holder took over.
	TakenFrom string
	// Permanent: the lease never expires and is never done: it was written
	// by a version before leases expired, or the object is not a cwreport
	// lease at all. Nobody but its holder will ever run the period.
	Permanent bool

	etag       string
	generation int
}

// never is the expiry of an object that is not a cwreport lease.
var never = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Expired reports whether the holder's claim lapsed at now.
func (l Lease) Expired(now time.Time) bool { return !l.Done && !now.Before(l.Expires) }

// Update is what a holder writes into its lease.
type Update struct {
	// TTL: the lease expires TTL after now; 0 releases it (others may take
	// it over at once).
	TTL time.Duration
	// Done: every target has the period; the lease never expires again.
	Done bool
	// Delivered are the targets that have the period so far.
	Delivered []string
}

// ErrLost means another replica took the lease over (or it disappeared):
// the period is no longer the caller's to run or deliver.
var ErrLost = errors.New("lease lost")

// LostError says who has the lease now.
type LostError struct {
	Key    string
	Holder string
	At     time.Time
}

func (e *LostError) Error() string {
	if e.Holder == "" {
		return fmt.Sprintf("the lease on %s is gone (the object was deleted)", e.Key)
	}
	return fmt.Sprintf("replica %q took over the lease on %s at %s", e.Holder, e.Key, e.At.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLost) true.
func (e *LostError) Is(target error) bool { return target == ErrLost }

// record is the lease object's body.
type record struct {
	Owner    string    `json:"owner"`
	RunKey   string    `json:"run_key"`
	Acquired time.Time `json:"acquired"`
	// Expires is zero in a done lease, and in leases written by versions
	// before leases expired: those never expire (that version wrote
	// nothing when it finished, so such a lease may stand for a period
	// that was delivered; taking it over could deliver it again).
	Expires    time.Time `json:"expires,omitzero"`
	Renewed    time.Time `json:"renewed,omitzero"`
	Done       bool      `json:"done,omitempty"`
	Delivered  []string  `json:"delivered,omitempty"`
	TakenFrom  string    `json:"taken_from,omitempty"`
	Generation int       `json:"generation,omitempty"`
}

// Key is the object key of a run key's lease:
// "<prefix>/morning/2026-11-24.json".
func (l *S3) Key(runKey string) string {
	return path.Join(strings.Trim(l.Prefix, "/"), runKey) + ".json"
}

func (l *S3) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// maxTries bounds the conditional writes of one Acquire or Update that
// lose to a concurrent writer (409) or to a replica that wrote between
// our read and our write (412 on a takeover).
const maxTries = 5

// Acquire takes the lease on runKey for owner, for ttl: it creates it when
// there is none, renews it when owner already holds it (a replica
// restarted under the same name resumes its period), and takes it over
// when its holder's claim expired. Otherwise it returns the holder's lease
// (Held false): the holder is running the period, or finished it (Done).
func (l *S3) Acquire(ctx context.Context, runKey, owner string, ttl time.Duration) (Lease, error) {
	key := l.Key(runKey)
	for try := 1; ; try++ {
		now := l.now().UTC()
		rec := record{Owner: owner, RunKey: runKey, Acquired: now, Expires: now.Add(ttl), Generation: 1}
		etag, err := l.put(ctx, key, rec, "")
		if err == nil {
			return rec.lease(etag, true), nil
		}
		if !conflict(err) {
			return Lease{}, l.fail("create", key, err)
		}
		cur, curTag, foreign, err := l.read(ctx, key)
		switch {
		case notFound(err):
			// 409 ConditionalRequestConflict: another writer's create is in
			// flight and its object is not readable yet.
			if err := l.wait(ctx, try); err != nil {
				return Lease{}, l.fail("read", key, err)
			}
			continue
		case err != nil:
			return Lease{}, l.fail("read", key, err)
		case foreign != "":
			// Someone else's object: never ours to run.
			return Lease{Key: runKey, Holder: foreign, Expires: never, Permanent: true}, nil
		}
		permanent := cur.Expires.IsZero() && !cur.Done // written before leases expired
		if permanent {
			cur.Expires = never
		}
		mine := cur.Owner == owner
		if cur.Done || (!mine && now.Before(cur.Expires)) {
			l := cur.lease(curTag, false)
			l.Permanent = permanent
			return l, nil
		}
		// Ours to renew (a restart under the same name), or expired: take
		// it, on condition that nobody wrote it since we read it.
		next := record{Owner: owner, RunKey: runKey, Acquired: now, Expires: now.Add(ttl), Delivered: cur.Delivered, Generation: cur.Generation + 1}
		if mine {
			next.Acquired, next.Renewed, next.TakenFrom = cur.Acquired, now, cur.TakenFrom
		} else {
			next.TakenFrom = cur.Owner
		}
		etag, err = l.put(ctx, key, next, curTag)
		if err == nil {
			return next.lease(etag, true), nil
		}
		if !conflict(err) && !notFound(err) {
			return Lease{}, l.fail("take over", key, err)
		}
		// 412: another replica wrote the lease between our read and our
		// write (it took it over first); 409: its write is in flight. Read
		// again: the lease is theirs now, unless it was released again.
		if try >= maxTries {
			return Lease{}, l.fail("take over", key, fmt.Errorf("the lease changed %d times while taking it: %w", try, err))
		}
		if conflict409(err) {
			if err := l.wait(ctx, try); err != nil {
				return Lease{}, l.fail("take over", key, err)
			}
		}
	}
}

// Update writes a held lease: renewed for u.TTL, released, or done, with
// the targets delivered so far. It returns the lease as written, or an
// error wrapping ErrLost when another replica wrote the lease since (it
// took it over after it expired): the caller must stop the period.
func (l *S3) Update(ctx context.Context, cur Lease, u Update) (Lease, error) {
	if !cur.Held {
		return cur, fmt.Errorf("update lease %s: not held by this replica", cur.Key)
	}
	key := l.Key(cur.Key)
	for try := 1; ; try++ {
		now := l.now().UTC()
		rec := record{Owner: cur.Holder, RunKey: cur.Key, Acquired: cur.Acquired, Expires: now.Add(u.TTL), Renewed: now,
			Done: u.Done, Delivered: slices.Sorted(slices.Values(u.Delivered)), TakenFrom: cur.TakenFrom, Generation: cur.generation + 1}
		if u.Done {
			rec.Expires = time.Time{}
		}
		etag, err := l.put(ctx, key, rec, cur.etag)
		if err == nil {
			return rec.lease(etag, true), nil
		}
		if conflict409(err) && try < maxTries {
			// A concurrent conditional write: whoever it is, our ETag may
			// still be current once it settles. S3 says to retry.
			if err := l.wait(ctx, try); err != nil {
				return cur, l.fail("renew", key, err)
			}
			continue
		}
		if notFound(err) {
			return cur, &LostError{Key: cur.Key}
		}
		if conflict(err) {
			// 412: the object changed since our last write.
			other, _, _, rerr := l.read(ctx, key)
			if rerr != nil {
				return cur, fmt.Errorf("renew lease %s: %w (and reading it: %v)", cur.Key, ErrLost, rerr)
			}
			return cur, &LostError{Key: cur.Key, Holder: other.Owner, At: other.Acquired}
		}
		return cur, l.fail("renew", key, err)
	}
}

func (r record) lease(etag string, held bool) Lease {
	return Lease{Key: r.RunKey, Holder: r.Owner, Held: held, Acquired: r.Acquired, Expires: r.Expires, Done: r.Done,
		Delivered: r.Delivered, TakenFrom: r.TakenFrom, etag: etag, generation: r.Generation}
}

// put writes rec, creating the object (ifMatch "") or replacing the
// version whose ETag is ifMatch; it returns the new ETag.
func (l *S3) put(ctx context.Context, key string, rec record, ifMatch string) (string, error) {
	body, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(key), Body: bytes.NewReader(body), ContentType: aws.String("application/json")}
	if ifMatch == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(ifMatch)
	}
	out, err := l.Client.PutObject(ctx, in)
	if err != nil {
		return "", err
	}
	if out.ETag == nil || *out.ETag == "" {
		return "", errors.New("PutObject answered without an ETag; leases need it for conditional writes")
	}
	return *out.ETag, nil
}

// read returns the lease object and its ETag; foreign names the object
// when it is not a cwreport lease.
func (l *S3) read(ctx context.Context, key string) (rec record, etag, foreign string, err error) {
	out, err := l.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(key)})
	if err != nil {
		return rec, "", "", err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 64<<10))
	if err != nil {
		return rec, "", "", err
	}
	if err := json.Unmarshal(data, &rec); err != nil || rec.Owner == "" {
		return rec, "", "unknown (s3://" + l.Bucket + "/" + key + " is not a cwreport lease)", nil
	}
	return rec, aws.ToString(out.ETag), "", nil
}

func (l *S3) wait(ctx context.Context, try int) error {
	b := l.Backoff
	if b <= 0 {
		b = 200 * time.Millisecond
	}
	t := time.NewTimer(b << (try - 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
			msg += " (this S3 endpoint does not support conditional writes, If-None-Match and If-Match on PutObject; leases need them)"
		}
	}
	return errors.New(msg)
}

// conflict reports whether a conditional put lost: 412 PreconditionFailed
// (the object exists, or changed since it was read) or 409
// ConditionalRequestConflict (a concurrent conditional write to the key).
func conflict(err error) bool {
	return status(err, 412, "PreconditionFailed") || conflict409(err)
}

func conflict409(err error) bool { return status(err, 409, "ConditionalRequestConflict") }

// notFound: the key does not exist (not the bucket: NoSuchBucket is a 404
// too, and a configuration error).
func notFound(err error) bool { return status(err, 404, "NoSuchKey", "NotFound") }

// status matches S3's error code, or the HTTP status when the response had
// no error body (HEAD-style answers).
func status(err error, httpStatus int, codes ...string) bool {
	if err == nil {
		return false
	}
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		return slices.Contains(codes, api.ErrorCode())
	}
	var st interface{ HTTPStatusCode() int }
	return errors.As(err, &st) && st.HTTPStatusCode() == httpStatus
}
