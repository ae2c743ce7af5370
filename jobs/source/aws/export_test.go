package aws

import (
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
)

// KitSource is the test kit for tests outside the package (the runner
// test lives in package aws_test because jobs imports this package): a
// source on the seeded kumo account with the documented-shape fakes, the
// seeded instant, and a function that injects an error code at an API.
func KitSource(t *testing.T, cfg config.Source) (*Source, time.Time, func(api string, status int, code string)) {
	ta := newTestAWS(t)
	acc := ta.account(t)
	fakeForMissingAPIs(t, ta, acc)
	return ta.source(cfg, acc.at), acc.at, func(api string, status int, code string) { ta.inject(api, fault{status, code}) }
}
