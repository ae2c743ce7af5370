package logscan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

func TestMask(t *testing.T) {
	cases := []struct{ in, want string }{
		{"connection to 10.11.20.101:8080 failed after 3 retries", "connection to <IP> failed after <N> retries"},
		{"request 550e8400-e29b-41d4-a716-446655440000 timed out", "request <UUID> timed out"},
		{"2026-11-24T08:00:01.123Z ERROR disk full", "<TS> ERROR disk full"},
		{"2026-11-24 08:00:01,456 ERROR pool", "<TS> ERROR pool"},
		{"instance i-0abc12345def67890 stopped", "instance i-<ID> stopped"},
		{"sha deadbeef1234 mismatch", "sha <HEX> mismatch"},
		{"http2 stream reset", "http2 stream reset"},
		{"grpc: addrConn.createTransport failed to connect to {10.0.1.5:443}", "grpc: addrConn.createTransport failed to connect to {<IP>}"},
		{"version 1.2.3", "version <N>.<N>.<N>"},
		{"0x7f3a9c segfault at 0X1F", "<HEX> segfault at <HEX>"},
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// Digits inside words: parts that count (thread numbers, durations, host
// numbers, klog dates) are masked, parts that name (http2, k8s) stay.
func TestMaskDigitsInWords(t *testing.T) {
	cases := []struct{ in, want string }{
		// A part of its own, between or after separators.
		{"[nio-8080-exec-18] c.d.o.web.OrderController", "[nio-<N>-exec-<N>] c.d.o.web.OrderController"},
		{"HikariPool-1 - Connection is not available", "HikariPool-<N> - Connection is not available"},
		{"req-42 failed, retry_3 scheduled", "req-<N> failed, retry_<N> scheduled"},
		{"host ip-10-20-1-15 and order-api-02 down", "host ip-<N>-<N>-<N>-<N> and order-api-<N> down"},
		{"offset -12 applied", "offset -<N> applied"},
		// Leading the word: a number with its unit.
		{"timed out after 3456ms (limit 30s)", "timed out after <N>ms (limit <N>s)"},
		{"latency=0.512ms", "latency=<N>.<N>ms"},
		// Closing the word after letters, two digits or more.
		{"E1124 08:01:02.123456      11 status.go:71] error", "E<N> <N>:<N>:<N>.<N>      <N> status.go:<N>] error"},
		{"worker12 and node07 lost", "worker<N> and node<N> lost"},
		// Names stay: one closing digit, digits between letters.
		{"http2 ssh2 ec2-user ipv4 s3", "http2 ssh2 ec2-user ipv4 s3"},
		{"k8s log4j v1beta1 metav1.Status", "k8s log4j v1beta1 metav1.Status"},
		// Ids inside words are still ids.
		{"job build_1a2b3c4d5e6f done", "job build_<HEX> done"},
		{"trace req-550e8400-e29b-41d4-a716-446655440000 lost", "trace req-<UUID> lost"},
		{"eni-0abc1234def56789a and vol-0123456789abcdef0", "eni-<ID> and vol-<ID>"},
		{"instance-i-0abc12345def67890 gone", "instance-i-<HEX> gone"},
		{"at 2026-11-24T08:00:01.123+09:00 from 10.0.1.5", "at <TS> from <IP>"},
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// One message shape, many threads and durations: one pattern.
func TestScannerMergesThreadAndDurationVariants(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	s := New("/app", source.Window{}, []string{"ERROR"}, time.Hour, 10)
	for i := range 60 {
		s.Add(start.Add(time.Duration(i)*time.Second), fmt.Sprintf(
			"2026-11-24T09:%02d:00.000+09:00 ERROR 5121 --- [nio-8080-exec-%d] PaymentClient : timeout after %dms orderId=%d",
			i, 1+i%20, 3000+i*7, 7000000+i))
	}
	st := s.Stats()
	if len(st.Patterns) != 1 || st.Patterns[0].Count != 60 {
		t.Fatalf("%d patterns, want 1 with 60 lines: %+v", len(st.Patterns), st.Patterns)
	}
	if want := "<TS> ERROR <N> --- [nio-<N>-exec-<N>] PaymentClient : timeout after <N>ms orderId=<N>"; st.Patterns[0].Pattern != want {
		t.Errorf("pattern %q, want %q", st.Patterns[0].Pattern, want)
	}
}

func TestScannerCountsAndBins(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	w := source.Window{Start: start, End: start.Add(3 * time.Hour)}
	s := New("/app", w, []string{"ERROR", "Exception"}, time.Hour, 2)
	for i := range 43 {
		s.Add(start.Add(time.Duration(i)*time.Minute), fmt.Sprintf("ERROR user %d not found", i))
	}
	s.Add(start.Add(90*time.Minute), "java.lang.NullPointerException at Foo.java:12")
	s.Add(start.Add(2*time.Hour), "INFO all good")
	s.Add(start.Add(-time.Minute), "ERROR before the window")
	st := s.Stats()
	if st.ErrorEvents != 44 || st.Scanned != 45 {
		t.Fatalf("errors %d scanned %d, want 44 and 45", st.ErrorEvents, st.Scanned)
	}
	if len(st.Histogram) != 3 || st.Histogram[0].Count != 43 || st.Histogram[1].Count != 1 || st.Histogram[2].Count != 0 {
		t.Fatalf("histogram %+v", st.Histogram)
	}
	if st.Patterns[0].Pattern != "ERROR user <N> not found" || st.Patterns[0].Count != 43 {
		t.Fatalf("top pattern %+v", st.Patterns[0])
	}
	if st.Patterns[0].Example != "ERROR user 0 not found" || !st.Patterns[0].FirstSeen.Equal(start) {
		t.Fatalf("example/first seen %+v", st.Patterns[0])
	}
}

func TestScannerBoundsPatterns(t *testing.T) {
	s := New("/g", source.Window{}, []string{"E"}, 0, 5)
	for i := range MaxPatterns + 100 {
		// Letters, not digits: digits would be masked into one pattern.
		word := strings.Map(func(r rune) rune { return 'a' + (r - '0') }, fmt.Sprint(i))
		s.Add(time.Unix(int64(i), 0), "E w"+word)
	}
	if len(s.patterns) > MaxPatterns+1 { // +1: the overflow pattern itself
		t.Fatalf("%d patterns tracked", len(s.patterns))
	}
	if s.patterns[OverflowPattern] == nil {
		t.Fatal("no overflow pattern")
	}
}

func BenchmarkScan(b *testing.B) {
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	lines := make([]string, 1000)
	for i := range lines {
		if i%10 == 0 {
			lines[i] = fmt.Sprintf("2026-11-24T08:%02d:01Z ERROR grpc: failed to connect to 10.0.%d.5:443 request %d", i%60, i%255, i)
		} else {
			lines[i] = fmt.Sprintf("2026-11-24T08:%02d:01Z INFO GET /api/v1/items/%d 200 12ms", i%60, i)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		s := New("/g", source.Window{Start: start, End: start.Add(24 * time.Hour)}, []string{"ERROR", "Error", "error", "Exception", "FATAL"}, time.Hour, 10)
		for i, l := range lines {
			s.Add(start.Add(time.Duration(i)*time.Second), l)
		}
		_ = s.Stats()
	}
}

// BenchmarkMask: three real error shapes (gRPC, Spring with thread names,
// klog), about 450 bytes.
func BenchmarkMask(b *testing.B) {
	lines := []string{
		"2026-11-24T08:07:01Z ERROR grpc: failed to connect to 10.0.7.5:443 request 70",
		"2026-11-24T06:35:04.140+09:00 ERROR 5121 --- [order-api] [nio-8080-exec-18] c.d.o.web.OrderController         : request failed orderId=7342202 java.lang.NullPointerException at OrderService.place(OrderService.java:214)",
		`E1123 18:00:03.730133      11 controller.go:113] loading OpenAPI spec for "v1beta1.metrics.k8s.io" failed with: failed to download v1beta1.metrics.k8s.io: rpc error: code = Unavailable`,
	}
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			dst = appendMasked(dst[:0], l)
		}
	}
}
