package report

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// utcReport builds one report with every kind of time the JSON carries,
// computed in zone loc.
func utcReport(loc *time.Location) *Report {
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.FixedZone("KST", 9*3600)).In(loc)
	h := func(n int) time.Time { return at.Add(time.Duration(n) * time.Hour) }
	when := h(-2)
	return &Report{
		Schema: Schema, Job: "j", Kind: "k", Status: StatusOK, GeneratedAt: at,
		Window: Window{Start: h(-24), End: at},
		Findings: []Finding{{ID: "x", Severity: SeverityLow, Evidence: map[string]any{
			"time":     h(-1),
			"pointer":  &when,
			"text":     h(-3).Format(time.RFC3339),
			"nano":     h(-3).Add(140 * time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00"),
			"nested":   map[string]any{"first": h(-4), "events": []map[string]any{{"time": h(-5).Format(time.RFC3339)}}},
			"list":     []any{h(-6), "plain"},
			"times":    []time.Time{h(-7)},
			"log_line": "2026-11-24T06:30:00.000+09:00  INFO deploy: rolling out order-api v2.14.1",
			"count":    3,
		}}},
		Sections: []Section{{ID: "s",
			Facts:  []Fact{{Key: "since", Value: Time(h(-8), loc, "15:04")}},
			Tables: []Table{{ID: "t", Columns: []Column{{Key: "at"}}, Rows: [][]Cell{{Time(h(-9), loc, "15:04")}}}},
			Charts: []Chart{
				{ID: "ts", Kind: ChartTimeSeries, Start: h(-24), End: at, Series: []ChartSeries{{Name: "cpu", Points: []ChartPoint{{T: h(-10), V: 1}, {T: h(-9), V: 2}}}}},
				{ID: "hist", Kind: ChartHistogram, Bins: []Bin{{Start: h(-2), End: h(-1), Count: 4}}},
				{ID: "lanes", Kind: ChartTimeline, Lanes: []Lane{{Label: "a", Spans: []Span{{Start: h(-3), End: h(-2), State: "ALARM"}}}}},
				{ID: "bars", Kind: ChartBars, Bars: []Bar{{Label: "b", Value: 1}}},
			},
		}},
	}
}

var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// jsonTimes returns every string value of the JSON document that is an RFC
// 3339 time.
func jsonTimes(t *testing.T, data []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if rfc3339.MatchString(x) {
				out = append(out, x)
			}
		}
	}
	walk(v)
	return out
}

// Every time in the JSON report is UTC whatever zone it was computed in,
// and one set of instants gives one encoding.
func TestJSONTimesAreUTC(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	newYork := time.FixedZone("EST", -5*3600)
	want, err := json.Marshal(utcReport(time.UTC).InUTC())
	if err != nil {
		t.Fatal(err)
	}
	times := jsonTimes(t, want)
	if len(times) < 20 {
		t.Fatalf("the test report has %d times in its JSON, want every kind (≥ 20): %s", len(times), want)
	}
	for _, loc := range []*time.Location{seoul, newYork} {
		r := utcReport(loc)
		got, err := json.Marshal(r.InUTC())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range jsonTimes(t, got) {
			if !strings.HasSuffix(s, "Z") {
				t.Errorf("%s: time %s is not UTC", loc, s)
			}
		}
		if string(got) != string(want) {
			t.Errorf("%s: encoding differs from the same instants in UTC:\n got %s\nwant %s", loc, got, want)
		}
		// Data is not a time: a log line keeps its own offset.
		if !strings.Contains(string(got), `"2026-11-24T06:30:00.000+09:00  INFO deploy`) {
			t.Errorf("%s: the log line was changed: %s", loc, got)
		}
		// InUTC never changes the report the other renderers read.
		if r.GeneratedAt.Location() != loc || r.Sections[0].Charts[0].Series[0].Points[0].T.Location() != loc ||
			r.Sections[0].Charts[1].Bins[0].Start.Location() != loc || r.Findings[0].Evidence["time"].(time.Time).Location() != loc ||
			r.Findings[0].Evidence["nested"].(map[string]any)["first"].(time.Time).Location() != loc {
			t.Errorf("%s: encoding modified the report", loc)
		}
	}
}

func TestUTCTimeText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2026-11-24T06:30:00+09:00", "2026-11-23T21:30:00Z"},
		{"2026-11-24T06:30:00.140+09:00", "2026-11-23T21:30:00.140Z"},
		{"2026-11-24T06:30:00.1-05:30", "2026-11-24T12:00:00.1Z"},
		{"2026-11-24T06:30:00Z", ""},              // already UTC
		{"2026-11-24T06:30:00+09:00 INFO", ""},    // not only a time
		{"2026-11-24 06:30:00+09:00", ""},         // not RFC 3339
		{"2026-13-24T06:30:00+09:00", ""},         // not a date
		{"1.2.3.4-2026-11-24T06:30:00+09:00", ""}, // not a time
		{"", ""}, {"+09:00", ""}, {"order-api-02", ""}, // short
	} {
		got, ok := utcTimeText(tc.in)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("utcTimeText(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

// A report already in UTC is returned as it is, without allocating.
func TestInUTCKeepsAUTCReport(t *testing.T) {
	r := utcReport(time.UTC)
	if r.InUTC() != r {
		t.Error("InUTC copied a report already in UTC")
	}
	if n := testing.AllocsPerRun(100, func() { r.InUTC() }); n != 0 {
		t.Errorf("InUTC of a UTC report: %v allocations", n)
	}
	// One time elsewhere is enough to make a copy.
	r.Sections[0].Charts[1].Bins[0].End = r.Sections[0].Charts[1].Bins[0].End.In(time.FixedZone("KST", 9*3600))
	if c := r.InUTC(); c == r || !isUTC(c.Sections[0].Charts[1].Bins[0].End) || isUTC(r.Sections[0].Charts[1].Bins[0].End) {
		t.Error("InUTC did not copy and convert a report with one local time")
	}
}

// Encoding a report (5,000 chart points) in UTC costs one walk.
func BenchmarkMarshalUTCReport(b *testing.B) {
	r := utcReport(time.UTC)
	pts := make([]ChartPoint, 5000)
	for i := range pts {
		pts[i] = ChartPoint{T: r.Window.Start.Add(time.Duration(i) * time.Minute), V: float64(i)}
	}
	r.Sections[0].Charts[0].Series[0].Points = pts
	for _, tc := range []struct {
		name string
		r    *Report
	}{{"utc", r}, {"local", func() *Report {
		l := *r
		l.GeneratedAt = l.GeneratedAt.In(time.FixedZone("KST", 9*3600))
		return &l
	}()}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(tc.r.InUTC()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
