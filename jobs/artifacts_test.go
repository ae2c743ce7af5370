package jobs

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/security"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/demo"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/pack"
)

// securityRunAt is the demo instant of these tests.
var securityRunAt = time.Date(2026, 11, 25, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))

func securityConfig(t *testing.T, y string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(y), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func securityRunner(t *testing.T, cfg *config.Config) *Runner {
	t.Helper()
	src, err := OpenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	an, err := Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{Config: cfg, Source: src, Analyzers: an, Renderers: Renderers(), Now: func() time.Time { return securityRunAt }}
}

func packOf(t *testing.T, arts []report.Artifact) []byte {
	t.Helper()
	for _, a := range arts {
		if a.Role == report.RolePack {
			if a.Format != "zip" || !strings.HasSuffix(a.Name, "-pack.zip") {
				t.Errorf("pack artifact %s (%s)", a.Name, a.Format)
			}
			return a.Data
		}
	}
	t.Fatal("no pack artifact")
	return nil
}

func zipFile(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return b
		}
	}
	t.Fatalf("pack has no %s", name)
	return nil
}

// The demo's audit pack scores the demo account, shows the failed logins,
// the AccessDenied errors, the root login and the open security groups,
// and verifies with the published demo key.
func TestDemoAuditPack(t *testing.T) {
	cfg := securityConfig(t, `timezone: Asia/Seoul
source: {type: demo}
jobs:
  - name: security
    kind: security
    window: 30d
    formats: [md, json]
    security: {pack: {demo_key: true}}
`)
	res := securityRunner(t, cfg).Run(context.Background(), NewRun(cfg.Jobs[0], securityRunAt))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	data := packOf(t, res.Artifacts)
	r := pack.VerifyBytes(data, pack.DemoKey().Public())
	if !r.OK() || !r.Pinned || r.Signature.Signer != "demo" || r.Manifest.Period != "2026-11" {
		t.Fatalf("verify: %+v %+v", r.Problems, r.Signature)
	}
	for _, name := range []string{"report/security-2026-11.md", "report/security-2026-11.json", "evidence/checks.csv",
		"evidence/open_sg_rules.csv", "evidence/credentials.csv", "evidence/login_failures_by_ip.csv", "evidence/access_denied.csv", "evidence/root_usage.csv"} {
		zipFile(t, data, name)
	}
	rep := res.Report
	if rep.Score == nil || rep.Score.Value <= 0 || rep.Score.Value >= 100 || !rep.Account.Demo {
		t.Errorf("score %+v", rep.Score)
	}
	ids := map[string]bool{}
	for _, f := range rep.Findings {
		ids[f.ID] = true
	}
	for _, want := range []string{"auth.console_login_failures", "auth.brute_force", "iam.access_denied", "root.usage", "sg.open_to_world", "vpc.flow_logs_disabled", "cis.5.2"} {
		if !ids[want] {
			t.Errorf("the demo audit lacks %s", want)
		}
	}
	md := string(zipFile(t, data, "report/security-2026-11.md"))
	for _, want := range []string{"203.0.113.50", "ci-deployer", "ConsoleLogin", "sg-bastion", "sg-jupyter", "8888", "HIDDEN_DUE_TO_SECURITY_REASONS"} {
		if !strings.Contains(md+string(zipFile(t, data, "evidence/login_failures_by_user.csv")), want) {
			t.Errorf("the demo audit does not show %q", want)
		}
	}
	// The same instant gives the same pack, byte for byte.
	again := securityRunner(t, cfg).Run(context.Background(), NewRun(cfg.Jobs[0], securityRunAt))
	if again.Err != nil || !bytes.Equal(packOf(t, again.Artifacts), data) {
		t.Error("the demo pack is not reproducible")
	}
}

// The demo key is refused for an account that is not the demo's: its
// private half is public.
func TestDemoKeyRefusedForRealAccounts(t *testing.T) {
	d, err := demo.New().Collect(context.Background(), demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	d.Account.Demo = false
	path := filepath.Join(t.TempDir(), "dataset.json")
	b, _ := json.Marshal(d)
	os.WriteFile(path, b, 0o644)
	cfg := securityConfig(t, fmt.Sprintf(`source: {type: snapshot, path: %q}
jobs:
  - name: security
    kind: security
    formats: [json]
    security: {pack: {demo_key: true}}
`, path))
	res := securityRunner(t, cfg).Run(context.Background(), NewRun(cfg.Jobs[0], securityRunAt))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "demo_key signs only reports of the demo account") {
		t.Errorf("err %v", res.Err)
	}
}

// A key file and a key from the environment sign the same way; a missing
// file fails the run with the path named.
func TestPackKeyFileAndEnv(t *testing.T) {
	key := pack.DemoKey() // any Ed25519 key; the account here is the demo's
	pemKey, _ := pack.MarshalPrivateKey(key)
	path := filepath.Join(t.TempDir(), "pack.pem")
	os.WriteFile(path, pemKey, 0o600)
	for _, block := range []string{
		fmt.Sprintf("signing_key_file: %q", path),
		fmt.Sprintf("signing_key: %q", string(pemKey)), // YAML decodes the \n escapes %q writes
	} {
		cfg := securityConfig(t, "source: {type: demo}\njobs:\n  - name: s\n    kind: security\n    formats: [json]\n    security: {pack: {"+block+"}}\n")
		res := securityRunner(t, cfg).Run(context.Background(), NewRun(cfg.Jobs[0], securityRunAt))
		if res.Err != nil {
			t.Fatalf("%s: %v", block[:16], res.Err)
		}
		if r := pack.VerifyBytes(packOf(t, res.Artifacts), key.Public()); !r.OK() || r.Signature.Signer != "file" {
			t.Errorf("%s: %+v", block[:16], r.Problems)
		}
	}
	cfg := securityConfig(t, "source: {type: demo}\njobs:\n  - name: s\n    kind: security\n    formats: [json]\n    security: {pack: {signing_key_file: /nonexistent/pack.pem}}\n")
	res := securityRunner(t, cfg).Run(context.Background(), NewRun(cfg.Jobs[0], securityRunAt))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "/nonexistent/pack.pem") {
		t.Errorf("err %v", res.Err)
	}
}

// KMS through the configuration path (source.endpoint_url, default
// credential chain) against kumo.
func TestPackKMSOnKumo(t *testing.T) {
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "kms-secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	c := kms.NewFromConfig(sdkaws.Config{Region: "ap-northeast-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "kms-secret", "")},
		func(o *kms.Options) { o.BaseEndpoint = sdkaws.String(srv.URL) })
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatal(err)
	}
	cfg := securityConfig(t, fmt.Sprintf(`source: {type: demo, region: ap-northeast-2, endpoint_url: %q}
jobs:
  - name: s
    kind: security
    formats: [json]
    security: {pack: {kms_key_id: %q}}
`, srv.URL, sdkaws.ToString(out.KeyMetadata.KeyId)))
	res := securityRunner(t, cfg).Run(context.Background(), NewRun(cfg.Jobs[0], securityRunAt))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	r := pack.VerifyBytes(packOf(t, res.Artifacts), nil)
	if !r.OK() || r.Signature.Algorithm != pack.AlgECDSASHA256 {
		t.Errorf("%+v %+v", r.Problems, r.Signature)
	}
}

// Earlier reports in the job's file target (dated layout) and in an
// archive directory (flat) become the score history; other jobs, the
// current period, junk and deliveries records are ignored.
func TestEarlierReports(t *testing.T) {
	dir, flat := t.TempDir(), t.TempDir()
	cfg := securityConfig(t, fmt.Sprintf(`timezone: Asia/Seoul
source: {type: demo}
targets:
  archive: {type: file, dir: %q}
jobs:
  - name: audit
    kind: security
    window: last-month
    formats: [json]
    deliver: [archive]
`, dir))
	job := cfg.Jobs[0]
	write := func(path string, rep *report.Report) {
		os.MkdirAll(filepath.Dir(path), 0o755)
		b, _ := json.Marshal(rep)
		os.WriteFile(path, b, 0o644)
	}
	mk := func(jobName string, month time.Month, v float64) *report.Report {
		start := time.Date(2026, month, 1, 0, 0, 0, 0, job.Location)
		return &report.Report{Schema: report.Schema, Job: jobName, Kind: "security", Window: report.Window{Start: start, End: start.AddDate(0, 1, 0)},
			Score: &report.Score{Value: v, Max: 100}, Findings: []report.Finding{}, Sections: []report.Section{}}
	}
	write(filepath.Join(dir, "audit", "2026", "10", "01", "audit-2026-09.json"), mk("audit", 9, 41.5))
	write(filepath.Join(flat, "audit-2026-10.json"), mk("audit", 10, 44))
	write(filepath.Join(flat, "audit-2026-11.json"), mk("audit", 11, 99)) // the run's own period
	write(filepath.Join(flat, "other-2026-10.json"), mk("other", 10, 10)) // another job
	write(filepath.Join(flat, "audit-2026-08.json"), mk("other", 8, 10))  // named like it, but another job
	os.WriteFile(filepath.Join(flat, "audit-2026-07.json"), []byte("{not json"), 0o644)
	os.WriteFile(filepath.Join(flat, "audit-2026-10.deliveries.json"), []byte("[]"), 0o644)

	r := securityRunner(t, cfg)
	r.ArchiveDirs = []string{flat}
	run := NewRun(job, time.Date(2026, 12, 1, 9, 0, 0, 0, job.Location))
	got, notes := r.earlier(context.Background(), run, 12)
	if len(notes) != 1 || !strings.Contains(notes[0], "audit-2026-07.json skipped: not a JSON report") {
		t.Errorf("notes %q", notes)
	}
	if len(got) != 2 || got[0].Score.Value != 44 || got[1].Score.Value != 41.5 {
		for _, g := range got {
			t.Logf("%s %v %v", g.Job, g.Window.Start, g.Score.Value)
		}
		t.Fatalf("%d earlier reports", len(got))
	}
	res := r.Run(context.Background(), run)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	h := res.Report.Score.History
	if len(h) != 2 || h[0] != (report.ScorePoint{Period: "2026-09", Value: 41.5}) || h[1] != (report.ScorePoint{Period: "2026-10", Value: 44}) {
		t.Errorf("history %+v", h)
	}
}

func demoRequest() source.Request {
	return source.Request{Window: source.Window{Start: securityRunAt.Add(-30 * 24 * time.Hour), End: securityRunAt}, At: securityRunAt, Needs: security.Needs}
}
