package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/cwreport/cwreport/jobs/source"
)

// iamPrefix maps the SDK's service ids to IAM action prefixes.
var iamPrefix = map[string]string{
	"CloudTrail":      "cloudtrail",
	"CloudWatch":      "cloudwatch",
	"CloudWatch Logs": "logs",
	"Config Service":  "config",
	"EC2":             "ec2",
	"IAM":             "iam",
	"Pricing":         "pricing",
	"S3":              "s3",
	"SNS":             "sns",
	"STS":             "sts",
}

// apiName is "prefix:Operation", e.g. "cloudwatch:GetMetricData": the key
// of Dataset.Stats and Gap.API.
func apiName(serviceID, operation string) string {
	p, ok := iamPrefix[serviceID]
	if !ok {
		p = strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
	}
	return p + ":" + operation
}

// actionFor is the IAM action that allows the API call named by api
// ("s3:ListObjectsV2" needs s3:ListBucket); "" when no permission is needed.
func actionFor(api string) string {
	switch api {
	case "s3:ListObjectsV2":
		return "s3:ListBucket"
	case "sts:GetCallerIdentity":
		return "" // always allowed
	}
	return api
}

// counter counts calls per API for one Collect; it rides in the context so
// concurrent collections keep separate counts.
type counter struct {
	mu       sync.Mutex
	calls    map[string]int
	attempts map[string]int
}

func newCounter() *counter {
	return &counter{calls: map[string]int{}, attempts: map[string]int{}}
}

// snapshot returns calls per API, plus "retries:<api>" where attempts were
// retried (throttling, 5xx).
func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	for k, v := range c.attempts {
		if extra := v - c.calls[k]; extra > 0 {
			out["retries:"+k] = extra
		}
	}
	return out
}

type counterKey struct{}

func withCounter(ctx context.Context, c *counter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

func counterFrom(ctx context.Context) *counter {
	c, _ := ctx.Value(counterKey{}).(*counter)
	return c
}

// middleware is added to every client: it counts each operation (initialize
// step) and each attempt (after the retry middleware, so retries count),
// and holds every attempt to the rate limit and the concurrency bound.
func (s *Source) middleware(st *middleware.Stack) error {
	err := st.Initialize.Add(middleware.InitializeMiddlewareFunc("cwreportCount",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if c := counterFrom(ctx); c != nil {
				api := apiName(middleware.GetServiceID(ctx), middleware.GetOperationName(ctx))
				c.mu.Lock()
				c.calls[api]++
				c.mu.Unlock()
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	if err != nil {
		return err
	}
	limit := middleware.FinalizeMiddlewareFunc("cwreportLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			op := middleware.GetOperationName(ctx)
			if c := counterFrom(ctx); c != nil {
				api := apiName(middleware.GetServiceID(ctx), op)
				c.mu.Lock()
				c.attempts[api]++
				c.mu.Unlock()
			}
			if op == "LookupEvents" {
				if err := s.lookup.Wait(ctx); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
			}
			if err := s.limiter.Wait(ctx); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			select {
			case s.slots <- struct{}{}:
			case <-ctx.Done():
				return middleware.FinalizeOutput{}, middleware.Metadata{}, ctx.Err()
			}
			defer func() { <-s.slots }()
			return next.HandleFinalize(ctx, in)
		})
	if _, ok := st.Finalize.Get((&retry.Attempt{}).ID()); ok {
		return st.Finalize.Insert(limit, (&retry.Attempt{}).ID(), middleware.After)
	}
	return st.Finalize.Add(limit, middleware.Before)
}

// accessDeniedCodes are the error codes AWS services use for a missing
// permission.
var accessDeniedCodes = map[string]bool{
	"AccessDenied":          true,
	"AccessDeniedException": true,
	"UnauthorizedOperation": true, // EC2
	"AuthorizationError":    true, // SNS
	"UnauthorizedException": true,
	"NotAuthorized":         true,
}

// isAccessDenied reports whether err says the caller lacks a permission.
func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && accessDeniedCodes[ae.ErrorCode()]
}

// errorCode returns the API error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// maxGapError bounds the error text kept in a gap: a service may echo
// request data back, and a report has no use for more.
const maxGapError = 400

// gapFor turns a failed call into a gap: the API comes from the SDK's
// operation error, the text is the service's code and message, and an
// AccessDenied names the IAM action to grant.
func gapFor(part string, err error) source.Gap {
	g := source.Gap{Source: SourceName, Part: part}
	var oe *smithy.OperationError
	var ce *callError
	switch {
	case errors.As(err, &ce):
		g.API = ce.api
		g.Error = ce.msg
	case errors.As(err, &oe):
		g.API = apiName(oe.ServiceID, oe.OperationName)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		g.Error = ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" {
			g.Error += ": " + m
		}
	} else if g.Error == "" {
		g.Error = err.Error()
	}
	if isAccessDenied(err) && g.API != "" {
		g.Action = actionFor(g.API)
		if g.Action != "" {
			g.Error = fmt.Sprintf("%s (grant %s)", g.Error, g.Action)
		}
	}
	g.Error = strings.ToValidUTF8(g.Error, "?")
	if len(g.Error) > maxGapError {
		g.Error = g.Error[:maxGapError] + "..."
	}
	return g
}

// fail records a gap for part.
func (r *run) fail(part string, err error) {
	r.addGap(gapFor(part, err))
}

// addGap records a gap.
func (r *run) addGap(g source.Gap) {
	r.mu.Lock()
	r.ds.Gaps = append(r.ds.Gaps, g)
	r.mu.Unlock()
}

// callError is a failure this package detects itself after a successful
// call (a Logs Insights query that ended Failed), so its gap still names
// the API.
type callError struct {
	api string
	msg string
}

func (e *callError) Error() string { return e.api + ": " + e.msg }

// firstTime returns the first set time, in UTC.
func firstTime(ts ...*time.Time) time.Time {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}
