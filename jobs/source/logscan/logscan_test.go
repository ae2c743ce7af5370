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
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
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
