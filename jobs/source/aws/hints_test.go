package aws

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// A long window with no trail delivering to S3 is a gap that says what to
// do, in the configuration's own units. DescribeTrails is answered by the
// fake in the documented JSON shape, with an empty trailList.
func TestNoTrailGapSaysWhatToDo(t *testing.T) {
	ta := newTestAWS(t)
	ta.handle("cloudtrail:DescribeTrails", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"trailList":[]}`)
	})
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	ds, err := ta.source(config.Source{}, at).Collect(context.Background(), source.Request{
		Window: source.Window{Start: at.Add(-31 * 24 * time.Hour), End: at}, At: at, Needs: source.NeedTrailEvents})
	must(t, err)
	if len(ds.Gaps) != 1 {
		t.Fatalf("gaps: %+v", ds.Gaps)
	}
	msg := ds.Gaps[0].Error
	for _, want := range []string{"(31d)", "trail_lookup_window (1d)", "create a trail that delivers to S3"} {
		if !strings.Contains(msg, want) {
			t.Errorf("gap %q lacks %q", msg, want)
		}
	}
}

type noCredentials struct{}

func (noCredentials) Retrieve(context.Context) (sdkaws.Credentials, error) {
	return sdkaws.Credentials{}, errors.New("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, http response error StatusCode: 403")
}

// Without credentials the run fails at once (exit 1) and says how to give
// it some: the SDK chain's own error does not.
func TestNoCredentialsSaysHowToFix(t *testing.T) {
	s, err := New(context.Background(), Options{Config: config.Source{Type: "aws", Region: testRegion}, Credentials: noCredentials{}})
	must(t, err)
	_, err = s.Collect(context.Background(), source.Request{Needs: source.NeedInstances})
	if err == nil || !strings.Contains(err.Error(), "aws sso login") || !strings.Contains(err.Error(), "AWS_PROFILE") || !strings.Contains(err.Error(), "403") {
		t.Fatalf("error: %v", err)
	}
}
