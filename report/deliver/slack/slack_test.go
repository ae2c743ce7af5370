package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/delivertest"
)

// workspace is slacktest plus the endpoints it lacks, answering with the
// bodies Slack documents for conversations.list, files.getUploadURLExternal,
// the upload URL and files.completeUploadExternal. chat.postMessage is
// slacktest's own; a recording transport keeps every request as sent.
type workspace struct {
	srv *slacktest.Server

	mu        sync.Mutex
	posts     []url.Values // chat.postMessage forms as sent
	postResps []string     // their ts as answered
	uploads   map[string][]byte
	names     map[string]string // file id → file name
	completes []url.Values
	// faults, by endpoint, answer instead of the handler while they last.
	faults map[string][]func(w http.ResponseWriter) bool
	nextID int
	calls  map[string]int // API calls by path, as the client made them
}

func newWorkspace(t *testing.T, custom ...slacktest.Binder) *workspace {
	t.Helper()
	ws := &workspace{uploads: map[string][]byte{}, names: map[string]string{}, faults: map[string][]func(http.ResponseWriter) bool{}}
	binders := append(custom, func(c slacktest.Customize) {
		c.Handle("/conversations.list", ws.fault("conversations.list", ws.conversationsList))
		c.Handle("/files.getUploadURLExternal", ws.fault("files.getUploadURLExternal", ws.getUploadURL))
		c.Handle("/upload/", ws.fault("upload", ws.upload))
		c.Handle("/files.completeUploadExternal", ws.fault("files.completeUploadExternal", ws.complete))
	})
	ws.srv = slacktest.NewTestServer(binders...)
	ws.srv.Start()
	t.Cleanup(ws.srv.Stop)
	return ws
}

func (ws *workspace) fault(name string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ws.mu.Lock()
		var f func(http.ResponseWriter) bool
		if q := ws.faults[name]; len(q) > 0 {
			f, ws.faults[name] = q[0], q[1:]
		}
		ws.mu.Unlock()
		if f != nil && f(w) {
			return
		}
		next(w, r)
	}
}

func (ws *workspace) conversationsList(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	// Two pages, as Slack paginates with response_metadata.next_cursor.
	if r.Form.Get("cursor") == "" {
		io.WriteString(w, `{"ok":true,"channels":[{"id":"C0GENERAL1","name":"general","is_channel":true}],"response_metadata":{"next_cursor":"dGVhbTpDMDYxRkE1UEI="}}`)
		return
	}
	io.WriteString(w, `{"ok":true,"channels":[{"id":"C0OPS00001","name":"ops","is_channel":true,"is_private":false}],"response_metadata":{"next_cursor":""}}`)
}

func (ws *workspace) getUploadURL(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	ws.mu.Lock()
	ws.nextID++
	id := fmt.Sprintf("F0UPLOAD%02d", ws.nextID)
	ws.names[id] = r.Form.Get("filename")
	ws.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "upload_url": ws.srv.GetAPIURL() + "upload/" + id, "file_id": id})
}

func (ws *workspace) upload(w http.ResponseWriter, r *http.Request) {
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, _ := io.ReadAll(f)
	ws.mu.Lock()
	ws.uploads[strings.TrimPrefix(r.URL.Path, "/upload/")] = b
	ws.mu.Unlock()
	fmt.Fprintf(w, "OK - %d", len(b))
}

func (ws *workspace) complete(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	ws.mu.Lock()
	ws.completes = append(ws.completes, r.Form)
	ws.mu.Unlock()
	var files []slack.FileSummary
	json.Unmarshal([]byte(r.Form.Get("files")), &files)
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": files})
}

// RoundTrip records chat.postMessage requests and their answers.
func (ws *workspace) RoundTrip(r *http.Request) (*http.Response, error) {
	ws.mu.Lock()
	if ws.calls == nil {
		ws.calls = map[string]int{}
	}
	p := r.URL.Path
	if strings.HasPrefix(p, "/upload/") {
		p = "/upload"
	}
	ws.calls[p]++
	ws.mu.Unlock()
	if !strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		return http.DefaultTransport.RoundTrip(r)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || resp.StatusCode != 200 {
		return resp, err
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	var ans struct {
		OK bool   `json:"ok"`
		TS string `json:"ts"`
	}
	json.Unmarshal(rb, &ans)
	if ans.OK {
		form, _ := url.ParseQuery(string(body))
		ws.mu.Lock()
		ws.posts = append(ws.posts, form)
		ws.postResps = append(ws.postResps, ans.TS)
		ws.mu.Unlock()
	}
	return resp, nil
}

func (ws *workspace) target(channel string) *Target {
	return New(Options{Token: "xoxb-test-secret-token", Channel: channel, APIURL: ws.srv.GetAPIURL(), HTTPClient: &http.Client{Transport: ws}})
}

// texts collects every "text" string in decoded block JSON: what Slack
// would render.
func texts(v any, out *strings.Builder) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if s, ok := c.(string); ok && (k == "text" || k == "url") {
				out.WriteString(s + "\n")
			}
			texts(c, out)
		}
	case []any:
		for _, c := range x {
			texts(c, out)
		}
	}
}

func (ws *workspace) received(t *testing.T) delivertest.Received {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	got := delivertest.Received{Messages: len(ws.posts), Files: map[string][]byte{}}
	var b strings.Builder
	for _, p := range ws.posts {
		b.WriteString(p.Get("text") + "\n")
		var blocks any
		if err := json.Unmarshal([]byte(p.Get("blocks")), &blocks); err != nil {
			t.Fatalf("blocks are not JSON: %v", err)
		}
		texts(blocks, &b)
	}
	for _, c := range ws.completes {
		var files []slack.FileSummary
		json.Unmarshal([]byte(c.Get("files")), &files)
		for _, f := range files {
			got.Files[ws.names[f.ID]] = ws.uploads[f.ID]
		}
	}
	got.Text = b.String()
	return got
}

func TestConformance(t *testing.T) {
	var ws *workspace
	delivertest.Run(t, delivertest.Peer{
		New: func(t *testing.T) deliver.Target {
			ws = newWorkspace(t)
			return ws.target("#ops")
		},
		Received: func(t *testing.T) delivertest.Received { return ws.received(t) },
		Carries:  func(a report.Artifact) bool { return a.Format == "pdf" },
		Messages: 1,
		Dead: func(t *testing.T) deliver.Target {
			return New(Options{Token: "xoxb-test-secret-token", Channel: "C0OPS00001", APIURL: "http://127.0.0.1:1/"})
		},
		Secrets: []string{"xoxb-test-secret-token"},
	})
}

func TestBlocksThreadAndFile(t *testing.T) {
	ws := newWorkspace(t)
	req := delivertest.Sample()
	links := map[string]string{"morning-2026-11-24.pdf": "https://ops-reports.s3.amazonaws.com/k.pdf?X-Amz-Signature=a&b=c", "morning-2026-11-24.html": "javascript:alert(1)"}
	d := deliver.NewDelivery(req, "ops", links)
	if err := ws.target("#ops").Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if len(ws.posts) != 1 || len(ws.completes) != 1 {
		t.Fatalf("%d posts, %d completed uploads", len(ws.posts), len(ws.completes))
	}
	post := ws.posts[0]
	if post.Get("channel") != "C0OPS00001" {
		t.Errorf("posted to %q; #ops resolves to C0OPS00001 on the second page", post.Get("channel"))
	}
	var blocks []map[string]any
	json.Unmarshal([]byte(post.Get("blocks")), &blocks)
	var types []string
	for _, b := range blocks {
		types = append(types, b["type"].(string))
	}
	want := "header section context divider section " + strings.Repeat("section ", len(req.Summary.Top)) + "context actions"
	if strings.Join(types, " ") != want {
		t.Errorf("blocks\n got %s\nwant %s", strings.Join(types, " "), want)
	}
	header := blocks[0]["text"].(map[string]any)["text"].(string)
	if header != "[심각] 일일 상태 보고서 · morning · 2026-11-24" {
		t.Errorf("header %q", header)
	}
	headline := blocks[1]["text"].(map[string]any)["text"].(string)
	if !strings.Contains(headline, "&lt;!channel&gt;") || !strings.HasPrefix(headline, ":rotating_light: *CPU 95%") {
		t.Errorf("headline %q", headline)
	}
	// One button, the PDF: a javascript: link is never offered.
	actions := blocks[len(blocks)-1]["elements"].([]any)
	if len(actions) != 1 || actions[0].(map[string]any)["url"] != links["morning-2026-11-24.pdf"] {
		t.Errorf("buttons %v", actions)
	}
	c := ws.completes[0]
	if c.Get("channel_id") != "C0OPS00001" || c.Get("thread_ts") != ws.postResps[0] || c.Get("thread_ts") == "" {
		t.Errorf("upload shared to channel %q thread %q; message ts %q", c.Get("channel_id"), c.Get("thread_ts"), ws.postResps[0])
	}
	if !bytes.Equal(ws.received(t).Files["morning-2026-11-24.pdf"], req.Artifacts[4].Data) {
		t.Error("uploaded PDF bytes differ")
	}
	if d.Receipt("ts") != ws.postResps[0] || d.Receipt("file_id") != "F0UPLOAD01" || d.Receipt("channel") != "C0OPS00001" {
		t.Errorf("receipts %v", d.Receipts())
	}
	want = "map[/chat.postMessage:1 /conversations.list:2 /files.completeUploadExternal:1 /files.getUploadURLExternal:1 /upload:1]"
	if got := fmt.Sprint(ws.calls); got != want {
		t.Errorf("API calls %s\nwant %s", got, want)
	}
}

func TestChannelNameResolvedOnce(t *testing.T) {
	ws := newWorkspace(t)
	tgt := ws.target("#ops")
	for i := 0; i < 3; i++ {
		if err := tgt.Deliver(context.Background(), deliver.NewDelivery(delivertest.Sample(), "ops", nil)); err != nil {
			t.Fatal(err)
		}
	}
	if ws.calls["/conversations.list"] != 2 || ws.calls["/chat.postMessage"] != 3 {
		t.Errorf("three runs made %v; the name is looked up once (two pages)", ws.calls)
	}
}

func TestLimits(t *testing.T) {
	req := delivertest.Sample()
	for i := 0; i < 100; i++ {
		req.Summary.Top = append(req.Summary.Top, report.Finding{Severity: report.SeverityHigh, Title: strings.Repeat("<&>", 2000), Resource: delivertest.Long})
	}
	req.Summary.Headline = strings.Repeat("&", 5000)
	blocks, fallback := Blocks(deliver.NewDelivery(req, "ops", nil))
	if len(blocks) > MaxBlocks {
		t.Errorf("%d blocks", len(blocks))
	}
	raw, _ := json.Marshal(blocks)
	var decoded []map[string]any
	json.Unmarshal(raw, &decoded)
	for i, b := range decoded {
		if txt, ok := b["text"].(map[string]any); ok {
			s := txt["text"].(string)
			if n := utf8.RuneCountInString(s); n > MaxSectionText {
				t.Errorf("block %d holds %d characters", i, n)
			}
			if strings.Contains(s, "<") || strings.Contains(s, ">") {
				t.Errorf("block %d holds a raw angle bracket", i)
			}
		}
	}
	if utf8.RuneCountInString(fallback) > MaxFallback {
		t.Errorf("fallback of %d characters", utf8.RuneCountInString(fallback))
	}
}

func TestFitNeverSplitsAnEntity(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 5, "abc"},
		{"ab&amp;cd", 5, "ab…"},
		{"ab&lt;", 6, "ab&lt;"},
		{"abcd&gt;x", 8, "abcd…"},
		{"&amp;&amp;", 6, "&amp;…"},
	} {
		if got := fit(tt.in, tt.max); got != tt.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func sleeper(slept *[]time.Duration) deliver.Policy {
	return deliver.Policy{Sleep: func(ctx context.Context, d time.Duration) error { *slept = append(*slept, d); return nil }}
}

func TestRateLimitedWithRetryAfter(t *testing.T) {
	var calls int
	var mu sync.Mutex
	ws := newWorkspace(t, func(c slacktest.Customize) {
		// chat.postMessage answers 429 with Retry-After once, then as Slack
		// documents a success: {"ok":true,"channel":...,"ts":...}.
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			if n == 1 {
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			r.ParseForm()
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": "1764000000.000100"})
		})
	})
	var slept []time.Duration
	p := &deliver.Pipeline{Policy: sleeper(&slept)}
	r := p.Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "ops", Type: "slack", Target: ws.target("C0OPS00001")}})[0]
	if r.Status != deliver.StatusOK || r.Attempts != 2 || calls != 2 {
		t.Fatalf("result %+v, %d calls", r, calls)
	}
	if len(slept) != 1 || slept[0] != 7*time.Second {
		t.Errorf("slept %v; want exactly the 7s Slack asked for", slept)
	}
	if r.Receipt["ts"] != "1764000000.000100" || ws.completes[0].Get("thread_ts") != "1764000000.000100" {
		t.Errorf("receipt %v, upload thread %q", r.Receipt, ws.completes[0].Get("thread_ts"))
	}
}

func TestUploadFailureDoesNotRepost(t *testing.T) {
	ws := newWorkspace(t)
	ws.faults["files.getUploadURLExternal"] = []func(http.ResponseWriter) bool{func(w http.ResponseWriter) bool {
		w.WriteHeader(http.StatusInternalServerError)
		return true
	}}
	var slept []time.Duration
	r := (&deliver.Pipeline{Policy: sleeper(&slept)}).Deliver(context.Background(), delivertest.Sample(),
		[]deliver.Entry{{Name: "ops", Target: ws.target("#ops")}})[0]
	if r.Status != deliver.StatusOK || r.Attempts != 2 {
		t.Fatalf("result %+v", r)
	}
	if len(ws.posts) != 1 || len(ws.completes) != 1 {
		t.Errorf("%d posts and %d uploads; want one of each", len(ws.posts), len(ws.completes))
	}
}

func TestPermanentSlackErrors(t *testing.T) {
	t.Run("unknown channel name", func(t *testing.T) {
		ws := newWorkspace(t)
		r := (&deliver.Pipeline{}).Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "ops", Target: ws.target("#nope")}})[0]
		if r.Status != deliver.StatusFailed || r.Attempts != 1 || !strings.Contains(r.Error, "slack channel #nope: not found") || !strings.Contains(r.Error, "fix: check the name") {
			t.Errorf("result %+v", r)
		}
	})
	t.Run("bot not in channel", func(t *testing.T) {
		ws := newWorkspace(t, func(c slacktest.Customize) {
			c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"ok":false,"error":"not_in_channel"}`) // Slack's documented error shape
			})
		})
		var slept []time.Duration
		r := (&deliver.Pipeline{Policy: sleeper(&slept)}).Deliver(context.Background(), delivertest.Sample(), []deliver.Entry{{Name: "ops", Target: ws.target("C0OPS00001")}})[0]
		if r.Status != deliver.StatusFailed || r.Attempts != 1 || len(slept) != 0 || !strings.Contains(r.Error, "not_in_channel") || !strings.Contains(r.Error, "/invite") {
			t.Errorf("result %+v", r)
		}
		if strings.Contains(r.Error, "xoxb-") {
			t.Error("token in the error")
		}
	})
}

func TestWebhook(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	status := http.StatusOK
	// An incoming webhook answers 200 "ok", or an error status with a short
	// text body such as "no_service", as Slack documents.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if status != http.StatusOK {
			w.WriteHeader(status)
			io.WriteString(w, "no_service")
			return
		}
		bodies = append(bodies, b)
		io.WriteString(w, "ok")
	}))
	defer hook.Close()
	secretURL := hook.URL + "/services/T000/B000/XXXXSECRETXXXX"
	tgt := New(Options{WebhookURL: secretURL})
	d := deliver.NewDelivery(delivertest.Sample(), "hook", nil)
	if err := tgt.Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if err := tgt.Deliver(context.Background(), d); err != nil || len(bodies) != 1 {
		t.Fatalf("resumed webhook delivery posted again: %v, %d bodies", err, len(bodies))
	}
	var msg struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(bodies[0], &msg); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	texts(map[string]any{"b": func() any { var v any; json.Unmarshal(bodies[0], &v); return v }()}, &all)
	for _, f := range delivertest.Forbidden {
		if strings.Contains(all.String(), f) {
			t.Errorf("webhook message holds %q", f)
		}
	}
	if len(msg.Blocks) < 5 || d.Receipt("webhook") != "posted" {
		t.Errorf("%d blocks, receipts %v", len(msg.Blocks), d.Receipts())
	}

	status = http.StatusNotFound
	err := New(Options{WebhookURL: secretURL}).Deliver(context.Background(), deliver.NewDelivery(delivertest.Sample(), "hook", nil))
	if err == nil || strings.Contains(err.Error(), "XXXXSECRETXXXX") {
		t.Fatalf("err %v", err)
	}
	if retry, _ := deliver.Retryable(err); retry || !strings.Contains(err.Error(), "create a new webhook") {
		t.Errorf("a 404 webhook is final and says what to do: %v", err)
	}
	dead := New(Options{WebhookURL: "http://127.0.0.1:1/services/T/B/XXXXSECRETXXXX"}).Deliver(context.Background(), deliver.NewDelivery(delivertest.Sample(), "hook", nil))
	if dead == nil || strings.Contains(dead.Error(), "XXXXSECRETXXXX") {
		t.Errorf("dead webhook error leaks the URL: %v", dead)
	}
	if retry, _ := deliver.Retryable(dead); !retry {
		t.Errorf("a dead webhook is worth retrying: %v", dead)
	}
}
