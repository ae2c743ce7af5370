package deliver

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name  string
		err   error
		retry bool
		after time.Duration
	}{
		{"nil", nil, false, 0},
		{"http 500", &Failure{Protocol: HTTP, Code: 500}, true, 0},
		{"http 503 wrapped", fmt.Errorf("put: %w", &Failure{Protocol: HTTP, Code: 503}), true, 0},
		{"http 429 retry-after", &Failure{Protocol: HTTP, Code: 429, RetryAfter: 7 * time.Second}, true, 7 * time.Second},
		{"http 408", &Failure{Protocol: HTTP, Code: 408}, true, 0},
		{"http 400", &Failure{Protocol: HTTP, Code: 400}, false, 0},
		{"http 403", &Failure{Protocol: HTTP, Code: 403, ErrorCode: "AccessDenied"}, false, 0},
		{"http 404", &Failure{Protocol: HTTP, Code: 404}, false, 0},
		{"http 400 throttling code", &Failure{Protocol: HTTP, Code: 400, ErrorCode: "ThrottlingException"}, true, 0},
		{"http 503 slowdown", &Failure{Protocol: HTTP, Code: 503, ErrorCode: "SlowDown"}, true, 0},
		{"throttled flag", &Failure{Protocol: HTTP, Code: 200, Throttled: true, RetryAfter: time.Second}, true, time.Second},
		{"ses quota is final", &Failure{Protocol: HTTP, Code: 400, ErrorCode: "LimitExceededException"}, false, 0},
		{"smtp 451", &Failure{Protocol: SMTP, Code: 451}, true, 0},
		{"smtp 421", &Failure{Protocol: SMTP, Code: 421}, true, 0},
		{"smtp 550", &Failure{Protocol: SMTP, Code: 550}, false, 0},
		{"smtp 535 auth", &Failure{Protocol: SMTP, Code: 535}, false, 0},
		{"local final", Final("write", errors.New("permission denied"), "fix the directory"), false, 0},
		{"local transient", &Failure{Protocol: Local, Transient: true}, true, 0},
		{"no answer, dial refused", &Failure{Protocol: HTTP, Err: dial}, true, 0},
		{"bare dial error", dial, true, 0},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), true, 0},
		{"cancelled", fmt.Errorf("send: %w", context.Canceled), false, 0},
		{"bad certificate", &Failure{Protocol: SMTP, Err: &net.OpError{Op: "remote error", Err: x509.UnknownAuthorityError{}}}, false, 0},
		{"unknown", errors.New("something odd"), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, after := Retryable(tt.err)
			if retry != tt.retry || after != tt.after {
				t.Errorf("Retryable(%v) = %v, %v; want %v, %v", tt.err, retry, after, tt.retry, tt.after)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	p := Policy{BaseDelay: time.Second, MaxDelay: 8 * time.Second, Jitter: func() float64 { return 0 }}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, p.Backoff(n, 0))
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("backoff without jitter = %v, want %v", got, want)
	}
	p.Jitter = func() float64 { return 0.999999 }
	if d := p.Backoff(4, 0); d < 7*time.Second || d > 8*time.Second {
		t.Errorf("backoff with full jitter = %v, want just under 8s", d)
	}
	if d := p.Backoff(1, 30*time.Second); d != 30*time.Second {
		t.Errorf("Retry-After 30s gave %v", d)
	}
}

// scripted is a target that fails with the given errors, in order, then
// succeeds. It exists to exercise the pipeline; real targets are tested
// against real peers in their own packages.
type scripted struct {
	mu    sync.Mutex
	errs  []error
	calls int
	hook  func(d *Delivery)
}

func (s *scripted) Deliver(ctx context.Context, d *Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.hook != nil {
		s.hook(d)
	}
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return err
	}
	return nil
}

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func testPipeline(s *sleeps) *Pipeline {
	return &Pipeline{Policy: Policy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 10 * time.Second, Sleep: s.sleep, Jitter: func() float64 { return 0 }}}
}

func TestPipelineRetriesThenSucceeds(t *testing.T) {
	var s sleeps
	tgt := &scripted{errs: []error{
		&Failure{Op: "post", Protocol: HTTP, Code: 500},
		&Failure{Op: "post", Protocol: HTTP, Code: 429, RetryAfter: 7 * time.Second},
	}, hook: func(d *Delivery) {
		if d.Receipt("ts") == "" {
			d.SetReceipt("ts", "1.1") // the first attempt got this far
		}
	}}
	rs := testPipeline(&s).Deliver(context.Background(), Request{RunKey: "morning/2026-11-24"}, []Entry{{Name: "ops", Type: "slack", Target: tgt}})
	r := rs[0]
	if r.Status != StatusOK || r.Attempts != 3 || tgt.calls != 3 {
		t.Fatalf("result %+v after %d calls; want ok after 3", r, tgt.calls)
	}
	if fmt.Sprint(s.d) != "[500ms 7s]" {
		t.Errorf("slept %v; want [500ms 7s] (backoff, then Retry-After)", s.d)
	}
	if r.Receipt["ts"] != "1.1" {
		t.Errorf("receipt from the first attempt lost: %v", r.Receipt)
	}
}

func TestPipelinePermanentNotRetried(t *testing.T) {
	var s sleeps
	tgt := &scripted{errs: []error{&Failure{Op: "s3 PutObject", Protocol: HTTP, Code: 403, ErrorCode: "AccessDenied", Fix: "grant s3:PutObject"}}}
	r := testPipeline(&s).Deliver(context.Background(), Request{}, []Entry{{Name: "archive", Target: tgt}})[0]
	if r.Status != StatusFailed || r.Attempts != 1 || len(s.d) != 0 || r.Retryable {
		t.Fatalf("result %+v, slept %v; want one final attempt", r, s.d)
	}
	if !strings.Contains(r.Error, "AccessDenied") || !strings.Contains(r.Error, "fix: grant s3:PutObject") {
		t.Errorf("error %q does not say what failed and what to fix", r.Error)
	}
}

func TestPipelineGivesUpAfterMaxAttempts(t *testing.T) {
	var s sleeps
	e := &Failure{Op: "send", Protocol: SMTP, Code: 451}
	tgt := &scripted{errs: []error{e, e, e, e, e}}
	r := testPipeline(&s).Deliver(context.Background(), Request{}, []Entry{{Name: "mail", Target: tgt}})[0]
	if r.Status != StatusFailed || r.Attempts != 4 || !r.Retryable || len(s.d) != 3 {
		t.Fatalf("result %+v, slept %v; want 4 attempts, 3 sleeps", r, s.d)
	}
	if !strings.HasPrefix(r.Error, "after 4 attempts: send: SMTP 451") {
		t.Errorf("error %q", r.Error)
	}
}

func TestPipelineRetryAfterTooLong(t *testing.T) {
	var s sleeps
	p := testPipeline(&s)
	p.Policy.MaxRetryAfter = time.Minute
	tgt := &scripted{errs: []error{&Failure{Op: "post", Protocol: HTTP, Code: 429, RetryAfter: time.Hour}}}
	r := p.Deliver(context.Background(), Request{}, []Entry{{Name: "ops", Target: tgt}})[0]
	if r.Status != StatusFailed || r.Attempts != 1 || len(s.d) != 0 || !strings.Contains(r.Error, "asked to wait 1h0m0s") {
		t.Fatalf("result %+v; want a failure that says the wait was too long", r)
	}
}

func TestPipelineFanOutAndLinks(t *testing.T) {
	var s sleeps
	var order []string
	var mu sync.Mutex
	note := func(name string) func(d *Delivery) {
		return func(d *Delivery) {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, name)
		}
	}
	archive := &scripted{hook: func(d *Delivery) {
		note("archive")(d)
		d.Publish("m.pdf", "https://bucket/m.pdf?sig")
	}}
	dead := &scripted{errs: []error{errors.New("boom"), errors.New("boom")}, hook: note("dead")}
	var seen atomic.Value
	chat := &scripted{hook: func(d *Delivery) { note("chat")(d); seen.Store(d.Link("m.pdf")) }}
	rs := testPipeline(&s).Deliver(context.Background(), Request{RunKey: "k"}, []Entry{
		{Name: "chat", Target: chat},
		{Name: "dead", Target: dead},
		{Name: "archive", Target: archive, First: true},
	})
	if rs[0].Target != "chat" || rs[1].Target != "dead" || rs[2].Target != "archive" {
		t.Fatalf("results not in entry order: %+v", rs)
	}
	if rs[0].Status != StatusOK || rs[1].Status != StatusFailed || rs[2].Status != StatusOK {
		t.Fatalf("statuses %s %s %s; want ok failed ok", rs[0].Status, rs[1].Status, rs[2].Status)
	}
	if order[0] != "archive" {
		t.Errorf("order %v; the first-group target must run first", order)
	}
	if seen.Load() != "https://bucket/m.pdf?sig" {
		t.Errorf("chat saw link %v", seen.Load())
	}
	if rs[2].Links["m.pdf"] == "" || !Failed(rs) {
		t.Errorf("links %v, Failed %v", rs[2].Links, Failed(rs))
	}
}

func TestPipelineLedgerSkipsAndRecords(t *testing.T) {
	var s sleeps
	var led MemoryLedger
	p := testPipeline(&s)
	p.Ledger = &led
	archive := &scripted{hook: func(d *Delivery) { d.Publish("m.pdf", "https://link"); d.SetReceipt("version_id", "v1") }}
	mail := &scripted{errs: []error{&Failure{Protocol: SMTP, Code: 550}}}
	entries := []Entry{{Name: "archive", Target: archive, First: true}, {Name: "mail", Target: mail}}
	req := Request{RunKey: "morning/2026-11-24"}
	first := p.Deliver(context.Background(), req, entries)
	if first[0].Status != StatusOK || first[1].Status != StatusFailed {
		t.Fatalf("first run: %+v", first)
	}
	var linkSeen string
	mail.hook = func(d *Delivery) { linkSeen = d.Link("m.pdf") }
	second := p.Deliver(context.Background(), req, entries)
	if second[0].Status != StatusSkipped || archive.calls != 1 {
		t.Errorf("archive delivered again: %+v, %d calls", second[0], archive.calls)
	}
	if second[1].Status != StatusOK || linkSeen != "https://link" {
		t.Errorf("mail on the second run: %+v, link %q; want ok with the recorded link", second[1], linkSeen)
	}
	if got := len(led.Results()); got != 3 {
		t.Errorf("ledger holds %d results; want 3 (ok, failed, ok; skips are not recorded)", got)
	}
	other := p.Deliver(context.Background(), Request{RunKey: "morning/2026-11-25"}, entries[:1])
	if other[0].Status != StatusOK || archive.calls != 2 {
		t.Errorf("another run key was skipped: %+v", other[0])
	}
}

func TestPipelinePanicAndSecrets(t *testing.T) {
	var s sleeps
	panicky := targetFunc(func(ctx context.Context, d *Delivery) error { panic("nil map") })
	leaky := targetFunc(func(ctx context.Context, d *Delivery) error {
		return &Failure{Op: `post "https://hooks.slack.com/services/T0/B0/XYZSECRET"`, Protocol: HTTP, Code: 404}
	})
	rs := testPipeline(&s).Deliver(context.Background(), Request{}, []Entry{
		{Name: "p", Target: panicky},
		{Name: "w", Target: leaky, Secrets: []string{"https://hooks.slack.com/services/T0/B0/XYZSECRET"}},
	})
	if rs[0].Status != StatusFailed || !strings.Contains(rs[0].Error, "panicked") {
		t.Errorf("panic: %+v", rs[0])
	}
	if strings.Contains(rs[1].Error, "XYZSECRET") || !strings.Contains(rs[1].Error, "<secret>") {
		t.Errorf("secret not redacted: %q", rs[1].Error)
	}
}

func TestPipelineCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tgt := targetFunc(func(ctx context.Context, d *Delivery) error {
		cancel()
		return &Failure{Protocol: HTTP, Code: 503}
	})
	p := &Pipeline{Policy: Policy{MaxAttempts: 5}} // real sleeper: must return at once on a cancelled context
	r := p.Deliver(ctx, Request{}, []Entry{{Name: "x", Target: tgt}})[0]
	if r.Status != StatusFailed || r.Attempts != 1 {
		t.Errorf("cancelled run went on: %+v", r)
	}
}

type targetFunc func(ctx context.Context, d *Delivery) error

func (f targetFunc) Deliver(ctx context.Context, d *Delivery) error { return f(ctx, d) }
