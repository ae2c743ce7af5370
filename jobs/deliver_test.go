package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/emersion/go-smtp"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	slacktarget "github.com/cwreport/cwreport/report/deliver/slack"
)

func noSleep(n *int) deliver.Policy {
	return deliver.Policy{Sleep: func(context.Context, time.Duration) error { *n++; return nil }}
}

func parseConfig(t *testing.T, y string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(y), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunnerDeliversAfterRendering(t *testing.T) {
	dir := t.TempDir()
	cfg := parseConfig(t, fmt.Sprintf(`timezone: Asia/Seoul
source: {type: demo}
targets:
  archive: {type: file, dir: %q}
  dead: {type: slack, webhook_url: "http://127.0.0.1:1/services/T0/B0/SECRETSECRET"}
jobs:
  - name: morning
    kind: daily-status
    formats: [md, json]
    deliver: [archive, dead]
`, dir))
	an, err := Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, cfg.Location)
	r := &Runner{Config: cfg, Source: mustSource(t, cfg), Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return at }}
	run := NewRun(cfg.Job("morning"), at)

	plain := r.Run(context.Background(), run)
	if plain.Err != nil || plain.Deliveries != nil {
		t.Fatalf("without a Deliverer: err %v, deliveries %v", plain.Err, plain.Deliveries)
	}
	base := plain.ExitCode()

	sleeps := 0
	r.Deliverer = NewDeliverer(cfg)
	r.Deliverer.Pipeline.Policy = noSleep(&sleeps)
	res := r.Run(context.Background(), run)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Deliveries) != 2 || res.Deliveries[0].Status != deliver.StatusOK || res.Deliveries[1].Status != deliver.StatusFailed {
		t.Fatalf("deliveries %+v", res.Deliveries)
	}
	if res.Deliveries[1].Attempts != 4 || sleeps != 3 {
		t.Errorf("dead target: %d attempts, %d sleeps", res.Deliveries[1].Attempts, sleeps)
	}
	if base == ExitFailed || res.ExitCode() != ExitDegraded {
		t.Errorf("a failed delivery must make the run degraded: exit %d", res.ExitCode())
	}
	if _, err := os.Stat(filepath.Join(dir, "morning", "2026", "11", "24", "morning-2026-11-24.json")); err != nil {
		t.Errorf("archive: %v", err)
	}
	out := t.TempDir()
	path, err := WriteDeliveries(out, run.Key(), run.Base(), res.Deliveries)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if filepath.Base(path) != "morning-2026-11-24.deliveries.json" || strings.Contains(string(b), "SECRETSECRET") {
		t.Errorf("%s:\n%s", path, b)
	}
	var doc struct {
		Schema     string
		Deliveries []deliver.Result
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Schema != "cwreport.deliveries/v1" || len(doc.Deliveries) != 2 {
		t.Errorf("deliveries file: %v %+v", err, doc)
	}
}

func mustSource(t *testing.T, cfg *config.Config) source.Source {
	t.Helper()
	src, err := OpenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func createBucket(endpoint, bucket string) error {
	c := awss3.NewFromConfig(aws.Config{Region: "ap-northeast-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "x", "")},
		func(o *awss3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	_, err := c.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(bucket)})
	return err
}

// deadSlack is the configured bot target pointed at a port nobody listens on.
func deadSlack(cfg *config.Config) (deliver.Entry, error) {
	t := cfg.Targets["ops"]
	return deliver.Entry{Name: "ops", Type: "slack", Secrets: config.TargetSecrets(t),
		Target: slacktarget.New(slacktarget.Options{Token: t.Token.Reveal(), Channel: t.Channel, APIURL: "http://127.0.0.1:1/"})}, nil
}

// relay is a plain in-process SMTP server (go-smtp) keeping what it gets.
type relay struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

type relaySession struct{ r *relay }

func (s *relaySession) Reset()                               {}
func (s *relaySession) Logout() error                        { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *relaySession) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	s.r.mu.Lock()
	s.r.msgs = append(s.r.msgs, b)
	s.r.mu.Unlock()
	return err
}

func TestOneDeadTargetTwoSucceedAndOversizeIsLinked(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "jobs-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	k := kumo.NewServer()
	defer k.Close()
	rl := &relay{}
	srv := smtp.NewServer(rl)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	bucket := fmt.Sprintf("jobs-reports-%d", time.Now().UnixNano())
	cfg := parseConfig(t, fmt.Sprintf(`source: {type: demo, region: ap-northeast-2}
targets:
  archive: {type: s3, bucket: %s, prefix: cwreport/, endpoint_url: %q, presign_expiry: 1d}
  mail:
    type: email
    smtp: {host: 127.0.0.1, port: %d, tls: none}
    from: reports@example.com
    to: [sre@example.com]
    max_size_mb: 1
  ops: {type: slack, token: xoxb-jobs-secret, channel: C0DEAD0001}
jobs:
  - name: morning
    kind: daily-status
    deliver: [mail, ops, archive]
`, bucket, k.URL, l.Addr().(*net.TCPAddr).Port))
	// The bucket exists before the run, as in production.
	if err := createBucket(k.URL, bucket); err != nil {
		t.Fatal(err)
	}
	sleeps := 0
	d := NewDeliverer(cfg)
	d.Pipeline.Policy = noSleep(&sleeps)
	// The bot target is pointed at a closed port: a dead Slack.
	d.Open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		if name == "ops" {
			return deadSlack(cfg)
		}
		return OpenTarget(ctx, cfg, name)
	}
	rep := &report.Report{Job: "morning", Kind: "daily-status", Language: "en", Timezone: "Asia/Seoul", Status: report.StatusWarning, Headline: "2 alarms firing",
		Window:   report.Window{Start: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)},
		Findings: []report.Finding{{ID: "x", Severity: report.SeverityHigh, Title: "High-CPU-Usage <!channel>"}}}
	big := bytes.Repeat([]byte("%PDF-1.4 big report "), 100_000) // 2 MB: over the 1 MB budget
	arts := []report.Artifact{
		{Name: "morning-2026-11-24.pdf", Format: "pdf", ContentType: "application/pdf", Data: big, Role: report.RoleReport},
		{Name: "morning-2026-11-24.json", Format: "json", ContentType: "application/json", Data: []byte("{}"), Role: report.RoleReport},
	}
	run := NewRun(cfg.Job("morning"), time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	rs := d.Deliver(context.Background(), run, rep, arts, cfg.Job("morning").Deliver)
	if len(rs) != 3 || rs[0].Target != "mail" || rs[1].Target != "ops" || rs[2].Target != "archive" {
		t.Fatalf("results %+v", rs)
	}
	mail, ops, archive := rs[0], rs[1], rs[2]
	if archive.Status != deliver.StatusOK || archive.Links["morning-2026-11-24.pdf"] == "" {
		t.Errorf("archive %+v", archive)
	}
	if ops.Status != deliver.StatusFailed || ops.Attempts != 4 || !ops.Retryable || strings.Contains(ops.Error, "xoxb-jobs-secret") {
		t.Errorf("dead slack %+v", ops)
	}
	if mail.Status != deliver.StatusOK || mail.Receipt["attachment"] != "linked" {
		t.Fatalf("mail %+v", mail)
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if len(rl.msgs) != 1 {
		t.Fatalf("relay holds %d messages", len(rl.msgs))
	}
	msg := string(rl.msgs[0])
	if len(msg) > 1<<20 || strings.Contains(msg, "application/pdf") {
		t.Errorf("message of %d bytes still carries the PDF", len(msg))
	}
	// The link (quoted-printable wraps it; undo the soft breaks).
	flat := strings.ReplaceAll(strings.ReplaceAll(msg, "=\r\n", ""), "=3D", "=")
	if !strings.Contains(flat, k.URL+"/"+bucket+"/cwreport/morning/2026/11/24/morning-2026-11-24.pdf?") {
		t.Errorf("the email does not link the archived PDF")
	}
}

func TestHistoryLedger(t *testing.T) {
	ctx := context.Background()
	st, err := history.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	led := HistoryLedger{Store: st}
	if _, ok, err := led.Delivered(ctx, "morning/2026-11-24", "archive"); ok || err != nil {
		t.Fatalf("empty history says delivered: %v %v", ok, err)
	}
	ok := deliver.Result{RunKey: "morning/2026-11-24", Target: "archive", Status: deliver.StatusOK, Attempts: 2,
		Receipt: map[string]string{"version_id:m.pdf": "v1"}, Links: map[string]string{"m.pdf": "https://link"}, Finished: time.Now()}
	failed := deliver.Result{RunKey: "morning/2026-11-24", Target: "ops", Status: deliver.StatusFailed, Attempts: 4, Error: "boom", Finished: time.Now()}
	for _, r := range []deliver.Result{ok, failed} {
		if err := led.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	prev, found, err := led.Delivered(ctx, "morning/2026-11-24", "archive")
	if err != nil || !found || prev.Receipt["version_id:m.pdf"] != "v1" || prev.Links["m.pdf"] != "https://link" || prev.Attempts != 2 {
		t.Errorf("delivered: %v %v %+v", found, err, prev)
	}
	if _, found, _ := led.Delivered(ctx, "morning/2026-11-24", "ops"); found {
		t.Error("a failed delivery counts as delivered")
	}
	if d, _ := st.Delivered(ctx, "morning/2026-11-24", "archive"); !d {
		t.Error("history.Store does not see the recorded delivery")
	}

	// Through the pipeline: the second run of the same key skips the
	// target and still lends its links.
	dir := t.TempDir()
	cfg := parseConfig(t, fmt.Sprintf("source: {type: demo}\ntargets:\n  files: {type: file, dir: %q}\njobs:\n  - name: morning\n    kind: daily-status\n", dir))
	dl := NewDeliverer(cfg)
	dl.Pipeline.Ledger = led
	rep := &report.Report{Job: "morning", Kind: "daily-status", Status: report.StatusOK}
	arts := []report.Artifact{{Name: "morning-2026-11-25.json", Data: []byte("{}"), Role: report.RoleReport, Format: "json"}}
	run := NewRun(cfg.Job("morning"), time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	first := dl.Deliver(ctx, run, rep, arts, []string{"files"})
	second := dl.Deliver(ctx, run, rep, arts, []string{"files"})
	if first[0].Status != deliver.StatusOK || second[0].Status != deliver.StatusSkipped || second[0].Attempts != 0 {
		t.Errorf("first %+v second %+v", first[0], second[0])
	}
}

func TestBrokenTargetFailsAlone(t *testing.T) {
	dir := t.TempDir()
	cfg := parseConfig(t, fmt.Sprintf("source: {type: demo}\ntargets:\n  files: {type: file, dir: %q}\n  mail: {type: email, ses: {}, from: a@example.com, to: [b@example.com]}\njobs:\n  - name: m\n    kind: daily-status\n", dir))
	d := NewDeliverer(cfg)
	d.Open = func(ctx context.Context, cfg *config.Config, name string) (deliver.Entry, error) {
		if name == "mail" {
			return deliver.Entry{}, fmt.Errorf("open target mail: no AWS region")
		}
		return OpenTarget(ctx, cfg, name)
	}
	rs := d.Deliver(context.Background(), NewRun(cfg.Job("m"), time.Now()), &report.Report{Job: "m"}, []report.Artifact{{Name: "m.json", Data: []byte("{}")}}, []string{"mail", "files"})
	if rs[0].Status != deliver.StatusFailed || rs[0].Type != "email" || !strings.Contains(rs[0].Error, "no AWS region") || rs[1].Status != deliver.StatusOK {
		t.Errorf("results %+v", rs)
	}
}
