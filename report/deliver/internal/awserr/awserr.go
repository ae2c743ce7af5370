// Package awserr turns what aws-sdk-go-v2 returned into a deliver.Failure,
// shared by the AWS-backed targets (s3, email over SES) so they classify
// alike: the HTTP status and the service's error code, never the message.
package awserr

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/cwreport/cwreport/report/deliver"
)

// Fixes are the user actions that resolve well-known error codes; a target
// adds its own (the IAM action it needs).
var Fixes = map[string]string{
	"InvalidAccessKeyId":           "the AWS credentials are not valid: check AWS_PROFILE / AWS_ACCESS_KEY_ID or the instance role",
	"SignatureDoesNotMatch":        "the AWS secret key does not match the key id: check the credentials",
	"ExpiredToken":                 "the AWS session expired: refresh the credentials",
	"ExpiredTokenException":        "the AWS session expired: refresh the credentials",
	"UnrecognizedClientException":  "the AWS credentials are not valid: check them",
	"AuthorizationHeaderMalformed": "the region does not match the bucket's: set the target's region",
	"PermanentRedirect":            "the bucket is in another region: set the target's region",
}

// Failure wraps err from the AWS operation op; fixes add target-specific
// advice by error code.
func Failure(op string, err error, fixes map[string]string) error {
	if err == nil {
		return nil
	}
	f := &deliver.Failure{Op: op, Protocol: deliver.HTTP, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		f.Code = re.HTTPStatusCode()
		if re.Response != nil {
			f.RetryAfter = RetryAfter(re.Response.Header)
		}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		f.ErrorCode = ae.ErrorCode()
		if ae.ErrorFault() == smithy.FaultServer && f.Code == 0 {
			f.Code = http.StatusInternalServerError
		}
	}
	if fix, ok := fixes[f.ErrorCode]; ok {
		f.Fix = fix
	} else if fix, ok := Fixes[f.ErrorCode]; ok {
		f.Fix = fix
	}
	return f
}

// RetryAfter reads a Retry-After header in seconds or as an HTTP date; 0
// when absent or unreadable.
func RetryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
