package aws

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
)

// Insights patterns become logscan's: the rows below are what
// GetQueryResults returns for the `pattern` query (@pattern, @sampleCount,
// in the documented token syntax: <*> and inferred <Name-N>) and for the
// sample query (msg, events, firstSeen, lastSeen).
func TestNormalizePatterns(t *testing.T) {
	at := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	ts := func(m int) time.Time { return at.Add(time.Duration(m) * time.Minute) }
	cases := []struct {
		name    string
		raw     []source.LogPattern
		samples []sample
		want    []source.LogPattern
	}{
		{"no message matched: tokens by name, literal numbers masked",
			[]source.LogPattern{{Pattern: "<Time-1> ERROR port 8080 (req <Number-2>) from <IPAddress-3> user <Token-4> id <UUID-5> <*>", Count: 7}}, nil,
			[]source.LogPattern{{Pattern: "<TS> ERROR port <N> (req <N>) from <IP> user <*> id <UUID> <*>", Count: 7}}},
		{"the example as logscan masks it; a token over different words reads <*>",
			[]source.LogPattern{{Pattern: "login failed for <*> from <IPAddress-2>", Count: 5}},
			[]sample{{"login failed for bob from 10.0.0.2", 2, ts(3), ts(9)}, {"login failed for alice from 10.0.0.1", 3, ts(1), ts(4)}},
			[]source.LogPattern{{Pattern: "login failed for <*> from <IP>", Count: 5, Example: "login failed for alice from 10.0.0.1", FirstSeen: ts(1), LastSeen: ts(9)}}},
		{"a token logscan masks the same way reads as logscan's token",
			[]source.LogPattern{{Pattern: "ERROR job <*> failed after <*> s", Count: 2}},
			[]sample{{"ERROR job 7 failed after 3 s", 1, ts(1), ts(1)}, {"ERROR job 8 failed after 3 s", 1, ts(2), ts(2)}},
			[]source.LogPattern{{Pattern: "ERROR job <N> failed after <N> s", Count: 2, Example: "ERROR job 7 failed after 3 s", FirstSeen: ts(1), LastSeen: ts(2)}}},
		{"messages that do not hold every event: an example, no time range",
			[]source.LogPattern{{Pattern: "timeout calling <*>", Count: 100}},
			[]sample{{"timeout calling payments", 5, ts(1), ts(2)}},
			[]source.LogPattern{{Pattern: "timeout calling payments", Count: 100, Example: "timeout calling payments"}}},
		// logscan's <IP> holds the port.
		{"a message goes to the most specific pattern; white space runs match",
			[]source.LogPattern{{Pattern: "<*> refused", Count: 1}, {Pattern: "dial  <IPAddress-1>:<Number-2>: connection refused", Count: 2}},
			[]sample{{"dial 10.1.2.3:443: connection refused", 2, ts(5), ts(6)}, {"upstream refused", 1, ts(7), ts(7)}},
			[]source.LogPattern{{Pattern: "dial <IP>: connection refused", Count: 2, Example: "dial 10.1.2.3:443: connection refused", FirstSeen: ts(5), LastSeen: ts(6)},
				{Pattern: "upstream refused", Count: 1, Example: "upstream refused", FirstSeen: ts(7), LastSeen: ts(7)}}},
		{"patterns that read the same merge",
			[]source.LogPattern{{Pattern: "req <Number-1> failed", Count: 3}, {Pattern: "req <Integer-1> failed", Count: 2}, {Pattern: "other", Count: 4}}, nil,
			[]source.LogPattern{{Pattern: "req <N> failed", Count: 5}, {Pattern: "other", Count: 4}}},
		{"regular expression characters are text",
			[]source.LogPattern{{Pattern: "a.b*c (x) [y] $1 ^ <*>", Count: 1}},
			[]sample{{"a.b*c (x) [y] $1 ^ tail", 1, ts(1), ts(1)}, {"aXbbbc (x) [y] $1 ^ tail", 1, ts(1), ts(1)}},
			[]source.LogPattern{{Pattern: "a.b*c (x) [y] $<N> ^ tail", Count: 1, Example: "a.b*c (x) [y] $1 ^ tail", FirstSeen: ts(1), LastSeen: ts(1)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eq(t, "patterns", normalizePatterns(c.raw, c.samples, 10), c.want)
		})
	}
}

// TestNormalizePatternsHostile: huge and broken messages stay bounded,
// valid UTF-8, and cut where logscan cuts them.
func TestNormalizePatternsHostile(t *testing.T) {
	long := "ERROR " + strings.Repeat("x", 1<<20) + " \xff"
	rows := []map[string]string{{"msg": long, "events": "1", "firstSeen": "2026-11-24 07:00:00.000", "lastSeen": "2026-11-24 07:00:00.000"},
		{"msg": "ERROR bad \xff\xfe", "events": "2", "firstSeen": "bogus", "lastSeen": "1764000000000"},
		{"msg": "ERROR no count", "events": "x"}}
	samples := samplesFrom(rows)
	if len(samples) != 2 || len(samples[0].msg) != logscan.MaxLineBytes || !samples[1].first.IsZero() || samples[1].last != time.UnixMilli(1764000000000).UTC() {
		t.Fatalf("samples %d, first %d bytes, times %v %v", len(samples), len(samples[0].msg), samples[1].first, samples[1].last)
	}
	ps := normalizePatterns([]source.LogPattern{{Pattern: "ERROR <*>", Count: 3}}, samples, 10)
	if len(ps) != 1 || !utf8.ValidString(ps[0].Pattern) || !utf8.ValidString(ps[0].Example) || len(ps[0].Example) > logscan.MaxLineBytes || !ps[0].FirstSeen.IsZero() {
		t.Errorf("%d patterns; %q (%d bytes), times %v", len(ps), ps[0].Pattern[:min(40, len(ps[0].Pattern))], len(ps[0].Example), ps[0].FirstSeen)
	}
}

func TestInsightsTime(t *testing.T) {
	want := time.Date(2026, 11, 24, 7, 5, 9, 123e6, time.UTC)
	for _, v := range []string{"2026-11-24 07:05:09.123", "2026-11-24T07:05:09.123Z", strconv.FormatInt(want.UnixMilli(), 10)} {
		if got, ok := insightsTime(v); !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v", v, got, ok)
		}
	}
	if _, ok := insightsTime("yesterday"); ok {
		t.Error("parsed yesterday")
	}
}
