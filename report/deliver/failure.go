package deliver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Protocol says which numbering a Failure's Code follows.
type Protocol string

// Protocols whose status codes the classifier knows.
const (
	HTTP Protocol = "http" // HTTP status: 429 and 5xx retry, other 4xx are final
	SMTP Protocol = "smtp" // SMTP reply: 4xx retry (transient), 5xx are final
	// Local is a local operation (a file write, a bad setting): final
	// unless Transient is set.
	Local Protocol = "local"
)

// Failure is the typed reason a delivery attempt failed. Targets wrap what
// their SDK returned in a Failure; Retryable reads it with errors.As, so no
// decision is ever taken on message text.
type Failure struct {
	// Op is what was being done: "s3 PutObject morning-2026-11-24.pdf".
	Op       string
	Protocol Protocol
	// Code is the HTTP status or SMTP reply code; 0 when there was no answer.
	Code int
	// ErrorCode is the service's error name ("SlowDown", "ratelimited",
	// "channel_not_found"), when it gave one.
	ErrorCode string
	// Throttled marks a throttling answer whatever its status code.
	Throttled bool
	// Transient marks a local failure worth retrying.
	Transient bool
	// RetryAfter is how long the service asked us to wait (Retry-After).
	RetryAfter time.Duration
	// Fix tells the user what to change when the failure is theirs to fix.
	Fix string
	Err error
}

// Error says what was being done, what the peer answered and what to fix.
func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Op)
	if f.Code != 0 {
		fmt.Fprintf(&b, ": %s %d", strings.ToUpper(string(f.Protocol)), f.Code)
	}
	if f.ErrorCode != "" {
		fmt.Fprintf(&b, " %s", f.ErrorCode)
	}
	if f.Err != nil {
		fmt.Fprintf(&b, ": %v", f.Err)
	}
	if f.Fix != "" {
		fmt.Fprintf(&b, " (fix: %s)", f.Fix)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (f *Failure) Unwrap() error { return f.Err }

// throttlingCodes are the error names AWS and Slack use for "slow down",
// sometimes with a 400 status.
var throttlingCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"RequestThrottled": true, "RequestThrottledException": true, "SlowDown": true,
	"TooManyRequestsException": true, "RequestLimitExceeded": true,
	"ProvisionedThroughputExceededException": true, "BandwidthLimitExceeded": true,
	"LimitExceededException": false, // SES: a sending quota, not a rate; final
	"ratelimited":            true, "rate_limited": true,
	"RequestTimeout": true, "RequestTimeoutException": true,
}

// Retryable is the one classifier: it reports whether err is worth another
// attempt and how long the peer asked us to wait first (0 when it did not
// say). Throttling, HTTP 429 and 5xx, SMTP 4xx, timeouts and network errors
// retry; other HTTP 4xx, SMTP 5xx, local failures and anything unknown are
// final. A cancelled context is final: the run is stopping.
func Retryable(err error) (bool, time.Duration) {
	if err == nil || errors.Is(err, context.Canceled) {
		return false, 0
	}
	var f *Failure
	if errors.As(err, &f) {
		switch {
		case f.Throttled || throttlingCodes[f.ErrorCode]:
			return true, f.RetryAfter
		case f.Protocol == HTTP && f.Code != 0:
			return f.Code == 408 || f.Code == 429 || f.Code >= 500, f.RetryAfter
		case f.Protocol == SMTP && f.Code != 0:
			return f.Code >= 400 && f.Code < 500, f.RetryAfter
		case f.Protocol == Local:
			return f.Transient, f.RetryAfter
		}
		// A Failure without an answer (the request never got one): fall
		// through to the network checks on the wrapped error.
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true, 0
	}
	if tlsProblem(err) {
		return false, 0 // a certificate the peer presents will not change on retry
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true, 0 // timeouts, refused and reset connections: the peer may come back
	}
	return false, 0
}

func tlsProblem(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &rh) || errors.As(err, &cv)
}

// Final wraps err as a failure that retrying cannot fix, with what to fix.
func Final(op string, err error, fix string) error {
	return &Failure{Op: op, Protocol: Local, Err: err, Fix: fix}
}
