package awserr

import (
	"errors"
	"net/http"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cwreport/cwreport/report/deliver"
)

// sdkError builds the error chain aws-sdk-go-v2 returns for an HTTP error
// answer: OperationError → ResponseError → the service's APIError.
func sdkError(status int, code string, header http.Header) error {
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: header}}
	return &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: resp, Err: &smithy.GenericAPIError{Code: code, Message: "m"}},
		RequestID:     "req-1",
	}}
}

func TestFailure(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   int
		ecode  string
		retry  bool
		after  time.Duration
		hasFix bool
	}{
		{"500", sdkError(500, "InternalError", nil), 500, "InternalError", true, 0, false},
		{"503 slow down with retry-after", sdkError(503, "SlowDown", http.Header{"Retry-After": {"3"}}), 503, "SlowDown", true, 3 * time.Second, false},
		{"403 denied", sdkError(403, "AccessDenied", nil), 403, "AccessDenied", false, 0, true},
		{"400 expired token", sdkError(400, "ExpiredToken", nil), 400, "ExpiredToken", false, 0, true},
		{"400 throttling", sdkError(400, "ThrottlingException", nil), 400, "ThrottlingException", true, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Failure("s3 PutObject", tt.err, map[string]string{"AccessDenied": "grant it"})
			var f *deliver.Failure
			if !errors.As(err, &f) || f.Code != tt.code || f.ErrorCode != tt.ecode || (f.Fix != "") != tt.hasFix {
				t.Fatalf("failure %+v", f)
			}
			retry, after := deliver.Retryable(err)
			if retry != tt.retry || after != tt.after {
				t.Errorf("Retryable = %v %v; want %v %v", retry, after, tt.retry, tt.after)
			}
		})
	}
	if Failure("x", nil, nil) != nil {
		t.Error("nil error became a failure")
	}
}

func TestRetryAfter(t *testing.T) {
	if d := RetryAfter(http.Header{"Retry-After": {"120"}}); d != 2*time.Minute {
		t.Errorf("seconds: %v", d)
	}
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	if d := RetryAfter(http.Header{"Retry-After": {future}}); d < 80*time.Second || d > 90*time.Second {
		t.Errorf("date: %v", d)
	}
	if d := RetryAfter(http.Header{"Retry-After": {"soon"}}); d != 0 {
		t.Errorf("garbage: %v", d)
	}
}
