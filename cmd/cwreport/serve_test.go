package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/cwreport/cwreport/jobs/history"
)

// buildBinary builds cwreport once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cwreport")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// daemon is a running `cwreport serve`.
type daemon struct {
	cmd  *exec.Cmd
	addr string
	log  *strings.Builder
	done chan struct{}
}

func startServe(t *testing.T, bin, cfg string) *daemon {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--config", cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: cmd, log: &strings.Builder{}, done: make(chan struct{})}
	addrc := make(chan string, 1)
	go func() {
		defer close(d.done)
		re := regexp.MustCompile(`msg=listening addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			d.log.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
	}()
	select {
	case d.addr = <-addrc:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not start listening")
	}
	return d
}

// stop sends SIGTERM and returns the exit code.
func (d *daemon) stop(t *testing.T) int {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { <-d.done; exited <- d.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		t.Fatalf("serve did not exit after SIGTERM\n%s", d.log)
	}
	return d.cmd.ProcessState.ExitCode()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeBinary runs the real binary on an every-second schedule against
// the demo source and a file target: each period runs and is delivered
// once however often it fires, SIGTERM ends serve with 0, a restart
// delivers nothing again, and history matches the files on disk. The jobs
// are the cheapest pairs (daily-status as md, incident as json: ~0.2 s a
// run); a day period fires every second, a run period (keyed by minute)
// too.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "serve.yaml")
	yaml := fmt.Sprintf(`timezone: Asia/Seoul
source: {type: demo}
history: {path: %[1]s/state/history.db}
server: {listen: "127.0.0.1:0", shutdown_timeout: 20s, replica: e2e}
targets:
  files: {type: file, dir: %[1]s/reports}
jobs:
  - name: morning
    kind: daily-status
    schedule: "* * * * * *"
    period: day
    formats: [md]
    deliver: [files]
  - name: tick
    kind: incident
    schedule: "@every 1s"
    formats: [json]
    deliver: [files]
`, dir)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "state", "history.db")
	okRuns := func() int {
		st, err := history.OpenReadOnly(context.Background(), dbPath)
		if err != nil {
			return 0
		}
		defer st.Close()
		rs, _ := st.Recent(context.Background(), "", 1000)
		n := 0
		for _, r := range rs {
			if r.Status == history.StatusOK {
				n++
			}
		}
		return n
	}

	d := startServe(t, bin, cfg)
	// Both jobs produced their report, then a few more seconds of fires.
	deadline := time.Now().Add(60 * time.Second)
	for okRuns() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	code, body := get(t, "http://"+d.addr+"/healthz")
	if code != 200 || !strings.Contains(body, `"status":"ok"`) || !strings.Contains(body, `"job":"morning"`) {
		t.Errorf("/healthz: %d %s", code, body)
	}
	code, metrics := get(t, "http://"+d.addr+"/metrics")
	for _, want := range []string{`cwreport_runs_total{job_name="morning",status="ok"} 1`, `cwreport_deliveries_total{outcome="ok",target="files"}`, `cwreport_last_success_timestamp_seconds{job_name="tick"}`} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, d.log)
	}
	if !strings.Contains(d.log.String(), "msg=stopped") {
		t.Errorf("no orderly stop in the log:\n%s", d.log)
	}

	// A restart catches up the fires it missed: all of them periods that
	// every target already has.
	d = startServe(t, bin, cfg)
	time.Sleep(1500 * time.Millisecond)
	if code := d.stop(t); code != 0 {
		t.Fatalf("second serve: exit %d\n%s", code, d.log)
	}

	st, err := history.OpenReadOnly(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Recent(context.Background(), "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	okByKey := map[string]history.Run{}
	jobsSeen := map[string]bool{}
	fires := 0
	for _, r := range runs {
		fires += r.Repeats
		switch r.Status {
		case history.StatusOK:
			if _, dup := okByKey[r.Key]; dup {
				t.Errorf("%s ran to completion twice", r.Key)
			}
			okByKey[r.Key] = r
			jobsSeen[r.Job] = true
		case history.StatusSkipped:
		default:
			t.Errorf("%s: %s (%s)", r.Key, r.Status, r.Reason)
		}
	}
	// Two jobs firing every second for over three seconds; repeated
	// skips of a period share one record.
	if !jobsSeen["morning"] || !jobsSeen["tick"] || fires < 6 {
		t.Fatalf("history after two serves: %d records of %d fires, ok: %v\n%s", len(runs), fires, okByKey, d.log)
	}
	for key, r := range okByKey {
		ds, err := st.Deliveries(context.Background(), key)
		if err != nil || len(ds) != 1 || ds[0].Target != "files" || ds[0].Status != history.DeliveryOK {
			t.Errorf("%s deliveries: %+v %v", key, ds, err)
			continue
		}
		// The file on disk is the artifact history recorded.
		for _, a := range r.Artifacts {
			path := ds[0].Detail["path:"+a.Name]
			b, err := os.ReadFile(path)
			sum := sha256.Sum256(b)
			if err != nil || hex.EncodeToString(sum[:]) != a.SHA256 || len(b) != a.Size {
				t.Errorf("%s: %s on disk does not match history (%v)", key, a.Name, err)
			}
		}
	}
	if es, _ := os.ReadDir(filepath.Join(dir, "state", "spool")); len(es) != 0 {
		t.Errorf("spool not emptied after every target got every run: %v", es)
	}

	// cwreport history reads the same database.
	out, err := exec.Command(bin, "history", "--config", cfg, "--job", "morning", "--limit", "100000", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var hist []struct {
		RunKey     string `json:"run_key"`
		Status     string `json:"status"`
		Deliveries []struct {
			Target, Status string
		} `json:"deliveries"`
	}
	if err := json.Unmarshal(out, &hist); err != nil {
		t.Fatal(err)
	}
	delivered := 0
	for _, h := range hist {
		delivered += len(h.Deliveries)
	}
	if want := len(okByKey) - countPrefix(okByKey, "tick/"); delivered != want {
		t.Errorf("cwreport history shows %d deliveries of morning, want %d", delivered, want)
	}

	t.Run("SIGTERM during a run", func(t *testing.T) { serveSIGTERMDuringRun(t, bin) })
}

// serveSIGTERMDuringRun stops the real binary while a run delivers: the
// Slack webhook holds the request (a slow Slack). serve waits
// shutdown_timeout (1s), cancels the run, records it interrupted with the
// target that lacks the report, and exits 0; the next start resumes the
// period from the spool for that target only.
func serveSIGTERMDuringRun(t *testing.T, bin string) {
	var mu sync.Mutex
	hold, posts, arrived := true, 0, make(chan struct{})
	var once sync.Once
	// slacktest has no incoming-webhook endpoint: the test binds one that
	// answers as Slack documents (200 "ok"), after holding the request
	// while hold is set, until the client gives up.
	slackSrv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/services/T000/B000/XXXX", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			mu.Lock()
			posts++
			held := hold
			mu.Unlock()
			if held {
				once.Do(func() { close(arrived) })
				<-r.Context().Done()
				return
			}
			io.WriteString(w, "ok")
		})
	})
	slackSrv.Start()
	defer slackSrv.Stop()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "serve.yaml")
	yaml := fmt.Sprintf(`timezone: Asia/Seoul
source: {type: demo}
history: {path: %[1]s/state/history.db}
server: {listen: "127.0.0.1:0", shutdown_timeout: 1s, replica: e2e}
targets:
  files: {type: file, dir: %[1]s/reports}
  chat: {type: slack, webhook_url: "%[2]sservices/T000/B000/XXXX"}
jobs:
  - name: morning
    kind: daily-status
    schedule: "* * * * * *"
    period: day
    formats: [md]
    deliver: [files, chat]
`, dir, slackSrv.GetAPIURL())
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startServe(t, bin, cfg)
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		d.stop(t)
		t.Fatalf("the run never reached Slack\n%s", d.log)
	}
	t0 := time.Now()
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM during a run\n%s", code, d.log)
	}
	took := time.Since(t0)
	for _, want := range []string{"shutdown timeout passed: cancelling running jobs", "status=interrupted", "msg=stopped"} {
		if !strings.Contains(d.log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, d.log)
		}
	}
	dbPath := filepath.Join(dir, "state", "history.db")
	runsOf := func() []history.Run {
		st, err := history.OpenReadOnly(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rs, err := st.Recent(context.Background(), "morning", 1000)
		if err != nil {
			t.Fatal(err)
		}
		var out []history.Run
		for _, r := range rs {
			if r.Status != history.StatusSkipped { // overlapping fires while the run was held
				out = append([]history.Run{r}, out...)
			}
		}
		return out
	}
	rs := runsOf()
	if len(rs) != 1 || rs[0].Status != history.StatusInterrupted || rs[0].Reason != "stopped by shutdown during delivery; delivery failed for chat" {
		t.Fatalf("after SIGTERM: %+v", rs)
	}
	period := rs[0].Period
	report := filepath.Join(dir, "reports", "morning", strings.ReplaceAll(period, "-", "/"), "morning-"+period+".md")
	before, err := os.Stat(report)
	if err != nil {
		t.Fatalf("files did not get the report before the shutdown: %v", err)
	}

	// Slack is back; the next start resumes the period for chat only.
	mu.Lock()
	hold = false
	mu.Unlock()
	d = startServe(t, bin, cfg)
	deadline := time.Now().Add(30 * time.Second)
	for rs = runsOf(); len(rs) < 2 && time.Now().Before(deadline); rs = runsOf() {
		time.Sleep(50 * time.Millisecond)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("second serve: exit %d\n%s", code, d.log)
	}
	if len(rs) != 2 || rs[1].Trigger != history.TriggerResume || rs[1].Status != history.StatusOK {
		t.Fatalf("after restart: %+v\n%s", rs, d.log)
	}
	st, _ := history.OpenReadOnly(context.Background(), dbPath)
	ds, _ := st.Deliveries(context.Background(), rs[0].Key)
	st.Close()
	var got []string
	for _, dl := range ds {
		got = append(got, dl.Target+" "+dl.Status)
	}
	slices.Sort(got)
	if strings.Join(got, ", ") != "chat failed, chat ok, files ok" {
		t.Errorf("deliveries: %v", got)
	}
	after, _ := os.Stat(report)
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("files got the report again on resume")
	}
	mu.Lock()
	if posts != 2 {
		t.Errorf("Slack got %d posts, want 2 (the one held at shutdown, the resumed one)", posts)
	}
	mu.Unlock()
	if es, _ := os.ReadDir(filepath.Join(dir, "state", "spool", "morning")); len(es) != 0 {
		t.Errorf("spool left after every target got the period: %v", es)
	}
	t.Logf("SIGTERM during a run to exit: %s (shutdown_timeout 1s)", took.Round(10*time.Millisecond))
}

func countPrefix(m map[string]history.Run, prefix string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}

func TestServeAndHistoryUsage(t *testing.T) {
	dir := t.TempDir()
	onDemand := writeFile(t, "c.yaml", "source: {type: demo}\nhistory: {path: "+dir+"/h.db}\njobs:\n  - name: adhoc\n    kind: incident\n")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--config", onDemand}, 2, "no job in " + onDemand + " has a schedule"},
		{[]string{"serve", "--config", onDemand, "--log-format", "xml"}, 2, `--log-format "xml": use text or json`},
		{[]string{"serve", "--config", onDemand, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"serve"}, 2, "--config FILE is required"},
		{[]string{"history", "--config", onDemand, "--job", "nightly"}, 2, `no job "nightly"`},
		{[]string{"history", "--config", onDemand, "--limit", "0"}, 2, "--limit 0: use a positive number"},
	}
	for _, c := range cases {
		code, _, errs := cli(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "h.db")); !os.IsNotExist(err) {
		t.Errorf("history created a database: %v", err)
	}
}

// Two serves on one history database would mark each other's runs
// interrupted: the second refuses to start.
func TestOneServePerHistory(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.yaml", fmt.Sprintf("source: {type: demo}\nhistory: {path: %s/h.db}\nserver: {listen: \"off\"}\njobs:\n  - name: m\n    kind: incident\n    schedule: \"0 8 * * *\"\n", dir))
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan int)
	var errb strings.Builder
	go func() {
		e := &env{stdout: io.Discard, stderr: &errb, getenv: func(string) string { return "" }}
		first <- runMain(ctx, e, []string{"serve", "--config", cfg})
	}()
	// The first serve holds the lock once its database exists.
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(filepath.Join(dir, "h.db")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, _, errs := cli(t, "serve", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "another cwreport serve is using this history database") {
		t.Errorf("second serve: exit %d, %q", code, errs)
	}
	cancel() // SIGTERM to the first
	if code := <-first; code != 0 {
		t.Errorf("first serve exited %d: %s", code, errb.String())
	}
}

func TestHistoryText(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.yaml", fmt.Sprintf("timezone: Asia/Seoul\nsource: {type: demo}\nhistory: {path: %s/h.db}\njobs:\n  - name: morning\n    kind: daily-status\n    schedule: \"0 8 * * *\"\n", dir))
	ctx := context.Background()
	st, err := history.Open(ctx, filepath.Join(dir, "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.FixedZone("KST", 9*3600))
	id, _ := st.StartRun(ctx, history.Run{Key: "morning/2026-11-24", Job: "morning", Period: "2026-11-24", ScheduledAt: at, Started: at, Trigger: "schedule", Replica: "r1"})
	st.RecordDelivery(ctx, history.Delivery{RunKey: "morning/2026-11-24", Target: "ops", Status: history.DeliveryFailed, Attempts: 4, Error: "slack: channel_not_found\n(invite the bot)", At: at.Add(time.Second)})
	st.RecordDelivery(ctx, history.Delivery{RunKey: "morning/2026-11-24", Target: "archive", Status: history.DeliveryOK, Attempts: 1, Detail: map[string]string{"version_id:morning-2026-11-24.md": "v1", "link:morning-2026-11-24.md": "https://presigned"}, At: at.Add(time.Second)})
	st.FinishRun(ctx, id, at.Add(1500*time.Millisecond), history.StatusDegraded, "delivery failed for ops", []byte(`[{"part":"alarm_history"}]`), []history.Artifact{{Name: "morning-2026-11-24.md", SHA256: "ab", Size: 10}})
	st.StartRun(ctx, history.Run{Key: "morning/2026-11-24", Job: "morning", Period: "2026-11-24", ScheduledAt: at.Add(time.Minute), Started: at.Add(time.Hour), Finished: at.Add(time.Hour), Status: history.StatusSkipped, Reason: "overlap", Trigger: "schedule"})
	st.Close()

	code, out, errs := cli(t, "history", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `2026-11-24 08:01 KST  morning/2026-11-24  skipped  schedule
    overlap
2026-11-24 08:00 KST  morning/2026-11-24  degraded  schedule  1.5s  1 artifact(s)  1 data gap(s)  on r1
    delivery failed for ops
    ops        failed 4 attempt(s)  2026-11-24 08:00:01  slack: channel_not_found (invite the bot)
    archive    ok     1 attempt(s)  2026-11-24 08:00:01  version_id:morning-2026-11-24.md=v1
`
	if out != want {
		t.Errorf("history:\n%s\nwant:\n%s", out, want)
	}
}

func TestServeExampleIsValid(t *testing.T) {
	code, out, errs := cli(t, "validate", "--config", "../../examples/serve.yaml")
	if code != 0 || !strings.Contains(out, "3 job(s)") {
		t.Fatalf("examples/serve.yaml: exit %d\n%s%s", code, out, errs)
	}
}

// list --from previews fire times after an instant with run --at's
// conventions (RFC 3339, or a local time in each job's zone), here over
// New York's spring-forward day (2026-03-08, 02:00 EST -> 03:00 EDT): the
// 02:30 job runs at 03:00 EDT that day, the hourly job skips the missing
// hour, a Seoul job reads the same local time in Seoul.
func TestListFrom(t *testing.T) {
	cfg := writeFile(t, "c.yaml", `timezone: America/New_York
source: {type: demo}
jobs:
  - {name: nightly, kind: incident, schedule: "30 2 * * *"}
  - {name: hourly, kind: incident, schedule: "0 * * * *"}
  - {name: seoul, kind: incident, schedule: "0 8 * * *", timezone: Asia/Seoul}
  - {name: adhoc, kind: incident}
`)
	cases := []struct {
		from string
		want map[string][]string
	}{
		{"2026-03-07T12:00", map[string][]string{
			"nightly": {"2026-03-08 03:00 EDT (Sun)", "2026-03-09 02:30 EDT (Mon)", "2026-03-10 02:30 EDT (Tue)"},
			"hourly":  {"2026-03-07 13:00 EST (Sat)", "2026-03-07 14:00 EST (Sat)", "2026-03-07 15:00 EST (Sat)"},
			"seoul":   {"2026-03-08 08:00 KST (Sun)", "2026-03-09 08:00 KST (Mon)", "2026-03-10 08:00 KST (Tue)"},
		}},
		{"2026-03-08T00:30", map[string][]string{
			"nightly": {"2026-03-08 03:00 EDT (Sun)", "2026-03-09 02:30 EDT (Mon)", "2026-03-10 02:30 EDT (Tue)"},
			"hourly":  {"2026-03-08 01:00 EST (Sun)", "2026-03-08 03:00 EDT (Sun)", "2026-03-08 04:00 EDT (Sun)"},
			"seoul":   {"2026-03-08 08:00 KST (Sun)", "2026-03-09 08:00 KST (Mon)", "2026-03-10 08:00 KST (Tue)"},
		}},
		// An absolute instant: 06:30Z is 01:30 EST and 15:30 KST.
		{"2026-03-08T06:30:00Z", map[string][]string{
			"nightly": {"2026-03-08 03:00 EDT (Sun)", "2026-03-09 02:30 EDT (Mon)", "2026-03-10 02:30 EDT (Tue)"},
			"hourly":  {"2026-03-08 03:00 EDT (Sun)", "2026-03-08 04:00 EDT (Sun)", "2026-03-08 05:00 EDT (Sun)"},
			"seoul":   {"2026-03-09 08:00 KST (Mon)", "2026-03-10 08:00 KST (Tue)", "2026-03-11 08:00 KST (Wed)"},
		}},
	}
	for _, c := range cases {
		code, out, errs := cli(t, "list", "--config", cfg, "--from", c.from)
		if code != 0 {
			t.Fatalf("--from %s: exit %d: %s", c.from, code, errs)
		}
		got := map[string][]string{}
		job := ""
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if strings.HasPrefix(line, "    ") {
				got[job] = append(got[job], strings.TrimSpace(line))
			} else {
				job = strings.Fields(line)[0]
			}
		}
		for name, want := range c.want {
			if strings.Join(got[name], " | ") != strings.Join(want, " | ") {
				t.Errorf("--from %s, %s: %q, want %q", c.from, name, got[name], want)
			}
		}
		if len(got["adhoc"]) != 0 {
			t.Errorf("an on-demand job has run times: %v", got["adhoc"])
		}
	}
	code, _, errs := cli(t, "list", "--config", cfg, "--from", "next tuesday")
	if code != 2 || !strings.Contains(errs, `--from "next tuesday" is not a time; use RFC 3339`) {
		t.Errorf("bad --from: exit %d, %q", code, errs)
	}
}
