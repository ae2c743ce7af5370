package aws

// The test kit: kumo (github.com/sivchari/kumo) runs in-process as the AWS
// peer. Operations kumo does not implement (see ../../shared/kumo-notes.md)
// are answered by an httptest server with bodies shaped like AWS's
// documented responses for that protocol (CBOR for CloudWatch, JSON 1.1 for
// Logs/CloudTrail/Config, EC2 query XML, query XML for IAM/SNS). A test
// transport routes each call by its SDK operation name, counts attempts,
// and injects faults (throttling, 429, 5xx, AccessDenied). Our own
// interfaces are never mocked: the SDK clients always speak HTTP.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	"github.com/fxamacker/cbor/v2"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/bench/aws/fleet"
	"github.com/cwreport/cwreport/config"
)

const testRegion = "ap-northeast-2"

// fault is one injected failure: an HTTP status and an error code the
// protocol's error body carries ("" for a bare status).
type fault struct {
	status int
	code   string
}

// testAWS is kumo plus the documented-shape fakes behind a routing
// transport.
type testAWS struct {
	t        testing.TB
	kumo     *kumo.Server
	fakeSrv  *httptest.Server
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc // by "prefix:Operation"
	faults   map[string][]fault          // consumed one per attempt
	attempts map[string]int
	// ops records every operation the SDK sent, for the policy test.
	ops map[string]bool
}

var allOps = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

func newTestAWS(t testing.TB) *testAWS {
	t.Helper()
	// The machine's CA bundle cannot apply to the kit's own HTTP client,
	// and a developer's AWS settings must not leak into tests.
	for _, k := range []string{"AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	ta := &testAWS{t: t, kumo: sharedKumo(), handlers: map[string]http.HandlerFunc{},
		faults: map[string][]fault{}, attempts: map[string]int{}, ops: map[string]bool{}}
	ta.fakeSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api := r.Header.Get("X-Test-Api")
		ta.mu.Lock()
		h := ta.handlers[api]
		ta.mu.Unlock()
		if h == nil {
			http.Error(w, "no fake for "+api, http.StatusNotImplemented)
			return
		}
		h(w, r)
	}))
	// kumo has no ListAccountAliases; every collection calls it.
	ta.handle("iam:ListAccountAliases", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
<ListAccountAliasesResult><IsTruncated>false</IsTruncated><AccountAliases><member>demo-ops</member></AccountAliases></ListAccountAliasesResult>
<ResponseMetadata><RequestId>c5a076e9-f1b0-11df-8fbe-45274EXAMPLE</RequestId></ResponseMetadata></ListAccountAliasesResponse>`)
	})
	t.Cleanup(ta.fakeSrv.Close)
	return ta
}

// kumo keeps its state in package-level storage: every server in a process
// is the same account. So the process has one kumo, seeded once
// (seedAccount); tests only read it, or write under names of their own.
var shared struct {
	once   sync.Once
	srv    *kumo.Server
	seeded sync.Once
	acc    *account
}

func sharedKumo() *kumo.Server {
	shared.once.Do(func() { shared.srv = kumo.NewServer() })
	return shared.srv
}

// account returns the seeded account, seeding kumo on first use.
func (ta *testAWS) account(t *testing.T) *account {
	t.Helper()
	shared.seeded.Do(func() { shared.acc = seedAccount(t, ta, time.Now().UTC().Truncate(time.Hour)) })
	if shared.acc == nil {
		t.Fatal("seeding kumo failed in an earlier test")
	}
	return shared.acc
}

// handle answers api ("logs:StartQuery") from the fake server.
func (ta *testAWS) handle(api string, h http.HandlerFunc) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	ta.handlers[api] = h
}

// inject queues faults for the next attempts at api.
func (ta *testAWS) inject(api string, fs ...fault) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	ta.faults[api] = append(ta.faults[api], fs...)
}

func (ta *testAWS) attemptsOf(api string) int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.attempts[api]
}

// RoundTrip routes one attempt: a queued fault, a fake, or kumo.
func (ta *testAWS) RoundTrip(req *http.Request) (*http.Response, error) {
	api := apiName(middleware.GetServiceID(req.Context()), middleware.GetOperationName(req.Context()))
	ta.mu.Lock()
	ta.attempts[api]++
	ta.ops[api] = true
	var f *fault
	if q := ta.faults[api]; len(q) > 0 {
		f = &q[0]
		ta.faults[api] = q[1:]
	}
	_, fake := ta.handlers[api]
	ta.mu.Unlock()
	allOps.Lock()
	allOps.m[api] = true
	allOps.Unlock()
	if f != nil {
		if req.Body != nil {
			io.Copy(io.Discard, req.Body)
			req.Body.Close()
		}
		rec := httptest.NewRecorder()
		writeError(rec, api, f.status, f.code, "injected by the test transport")
		return rec.Result(), nil
	}
	if fake {
		u, _ := url.Parse(ta.fakeSrv.URL)
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = u.Scheme, u.Host, u.Host
		req.Header.Set("X-Test-Api", api)
	}
	return kitTransport.RoundTrip(req)
}

// kitTransport opens a connection per request. Reused keep-alive
// connections made the package flaky ("use of closed network connection"
// about once in five full runs): every test closes its fake server, the
// next one may get the same port, and httptest.Server.Close also closes
// http.DefaultTransport's idle connections under whoever reuses them.
// Loopback connections cost microseconds; a flaky CI costs trust.
var kitTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableKeepAlives = true
	return t
}()

// source builds the aws source against the kit: static keys, the kit's
// transport, no retry backoff (the retries still happen and are counted),
// fast polling, and a fixed clock.
func (ta *testAWS) source(cfg config.Source, now time.Time) *Source {
	ta.t.Helper()
	cfg.Type = "aws"
	if cfg.Region == "" {
		cfg.Region = testRegion
	}
	cfg.EndpointURL = ta.kumo.URL
	s, err := New(context.Background(), Options{
		Config:      cfg,
		HTTPClient:  &http.Client{Transport: ta},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		Retry: func(o *retry.StandardOptions) {
			o.Backoff = zeroBackoff{}
			o.RateLimiter = noRetryQuota{}
		},
		PollInterval:    time.Millisecond,
		MaxPollInterval: 5 * time.Millisecond,
		Now:             func() time.Time { return now },
	})
	if err != nil {
		ta.t.Fatal(err)
	}
	return s
}

// sdkConfig is an SDK config that talks to kumo directly, for seeding.
func (ta *testAWS) sdkConfig() sdkaws.Config {
	return sdkaws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		BaseEndpoint: sdkaws.String(ta.kumo.URL)}
}

type zeroBackoff struct{}

func (zeroBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// noRetryQuota keeps the retry token bucket out of fault tests that retry
// many times in a row.
type noRetryQuota struct{}

func (noRetryQuota) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRetryQuota) AddTokens(uint) error { return nil }

// protocolOf is the wire protocol of an API's service.
func protocolOf(api string) string {
	switch strings.SplitN(api, ":", 2)[0] {
	case "cloudwatch":
		return "cbor"
	case "logs", "cloudtrail", "config", "pricing":
		return "json"
	case "ec2":
		return "ec2"
	case "s3":
		return "restxml"
	}
	return "query"
}

// writeError writes the protocol's documented error shape.
func writeError(w http.ResponseWriter, api string, status int, code, msg string) {
	switch protocolOf(api) {
	case "cbor":
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		if code != "" {
			w.Header().Set("X-Amzn-Query-Error", code+";Sender")
		}
		w.WriteHeader(status)
		if code != "" {
			b, _ := cbor.Marshal(map[string]string{"__type": "com.amazonaws.cloudwatch#" + code, "message": msg})
			w.Write(b)
		}
	case "json":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		if code != "" {
			fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
		}
	case "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		if code != "" {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>`, code, msg)
		}
	case "restxml":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if code != "" {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`, code, msg)
		}
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		if code != "" {
			fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>4a41e2b1-example</RequestId></ErrorResponse>`, code, msg)
		}
	}
}

// cborMode encodes times as CBOR tag 1 (epoch seconds), as CloudWatch does.
var cborMode, _ = cbor.EncOptions{Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired}.EncMode()

func writeCBOR(w http.ResponseWriter, v any) {
	b, err := cborMode.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Write(b)
}

// readCBOR decodes a CloudWatch request body.
func readCBOR(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	return cbor.Unmarshal(b, v)
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	io.WriteString(w, body)
}

func writeJSONValue(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	writeJSON(w, string(b))
}

func readJSON(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+body)
}

// xmlText escapes s for an XML body.
func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// putMetricData seeds datapoints with explicit timestamps into kumo (see
// fleet.PutMetricData for kumo's CBOR timestamp quirk).
func (ta *testAWS) putMetricData(namespace string, data []kumoDatum) {
	ta.t.Helper()
	for start := 0; start < len(data); start += 1000 {
		var batch []fleet.Datum
		for _, d := range data[start:min(start+1000, len(data))] {
			var ds []fleet.Dim
			for _, x := range d.Dims {
				ds = append(ds, fleet.Dim(x))
			}
			batch = append(batch, fleet.Datum{Metric: d.Metric, Dims: ds, Time: d.Time, Value: d.Value})
		}
		if err := fleet.PutMetricData(context.Background(), ta.kumo.URL, namespace, batch); err != nil {
			ta.t.Fatal(err)
		}
	}
}

// kumoDatum is one seeded datapoint.
type kumoDatum struct {
	Metric string
	Dims   []struct{ Name, Value string }
	Time   time.Time
	Value  float64
}

func dims(kv ...string) []struct{ Name, Value string } {
	var out []struct{ Name, Value string }
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, struct{ Name, Value string }{kv[i], kv[i+1]})
	}
	return out
}
