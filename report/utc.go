package report

import (
	"strings"
	"time"
)

// Every time in the JSON report is UTC, written RFC 3339 with "Z",
// whatever zone the value was computed in: the run instant can be written
// "+09:00" or "Z", a calendar window is resolved at local midnight, a
// snapshot replays CloudTrail's or a log's own offsets. Local time is for
// the reader (Markdown, HTML, PDF) and is chosen there from Timezone; the
// JSON is for machines, and the same instant must give the same bytes.
// jobs.NewRun already hands UTC to sources and analyzers; the encoding here
// makes the contract hold for whatever an analyzer derives in local time.

// MarshalJSON writes the report with generated_at in UTC.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	r.GeneratedAt = r.GeneratedAt.UTC()
	r.Window = r.Window.utc()
	return marshalPlain(plain(r))
}

// MarshalJSON writes the window's bounds in UTC.
func (w Window) MarshalJSON() ([]byte, error) {
	type plain Window
	return marshalPlain(plain(w.utc()))
}

func (w Window) utc() Window { return Window{Start: w.Start.UTC(), End: w.End.UTC()} }

// MarshalJSON writes the chart's bounds, points, bins and spans in UTC. A
// chart already in UTC (what the runner's analyzers produce) is written as
// it is, without copying its points.
func (c Chart) MarshalJSON() ([]byte, error) {
	type plain Chart
	if !c.inUTC() {
		c = c.utc()
	}
	return marshalPlain(plain(c))
}

func isUTC(t time.Time) bool { return t.Location() == time.UTC }

func (c *Chart) inUTC() bool {
	if !isUTC(c.Start) || !isUTC(c.End) {
		return false
	}
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !isUTC(p.T) {
				return false
			}
		}
	}
	for _, b := range c.Bins {
		if !isUTC(b.Start) || !isUTC(b.End) {
			return false
		}
	}
	for _, l := range c.Lanes {
		for _, s := range l.Spans {
			if !isUTC(s.Start) || !isUTC(s.End) {
				return false
			}
		}
	}
	return true
}

// utc returns a copy of c with every time in UTC; c's slices are not
// touched (the renderers that run after the JSON read the same report).
func (c Chart) utc() Chart {
	c.Start, c.End = c.Start.UTC(), c.End.UTC()
	series := make([]ChartSeries, len(c.Series))
	for i, s := range c.Series {
		pts := make([]ChartPoint, len(s.Points))
		for j, p := range s.Points {
			pts[j] = ChartPoint{T: p.T.UTC(), V: p.V}
		}
		s.Points = pts
		series[i] = s
	}
	if c.Series != nil {
		c.Series = series
	}
	if c.Bins != nil {
		bins := make([]Bin, len(c.Bins))
		for i, b := range c.Bins {
			bins[i] = Bin{Start: b.Start.UTC(), End: b.End.UTC(), Count: b.Count}
		}
		c.Bins = bins
	}
	if c.Lanes != nil {
		lanes := make([]Lane, len(c.Lanes))
		for i, l := range c.Lanes {
			spans := make([]Span, len(l.Spans))
			for j, s := range l.Spans {
				spans[j] = Span{Start: s.Start.UTC(), End: s.End.UTC(), State: s.State}
			}
			if l.Spans == nil {
				spans = nil
			}
			lanes[i] = Lane{Label: l.Label, Spans: spans}
		}
		c.Lanes = lanes
	}
	return c
}

// utcEvidence returns v with every time in UTC: time.Time values, and
// strings that are exactly an RFC 3339 time with an offset other than Z
// (analyzers format evidence times as text too). Maps and slices are
// copied only where something changed, so the analyzer's evidence is never
// modified. Other text (a log line that starts with a time) is data and
// stays as written.
func utcEvidence(v any) (any, bool) {
	switch x := v.(type) {
	case time.Time:
		if isUTC(x) {
			return v, false
		}
		return x.UTC(), true
	case *time.Time:
		if x == nil || isUTC(*x) {
			return v, false
		}
		t := x.UTC()
		return &t, true
	case string:
		if s, ok := utcTimeText(x); ok {
			return s, true
		}
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			if u, ok := utcEvidence(e); ok {
				if out == nil {
					out = make(map[string]any, len(x))
					for k2, e2 := range x {
						out[k2] = e2
					}
				}
				out[k] = u
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, e := range x {
			if u, ok := utcEvidence(e); ok {
				if out == nil {
					out = append([]any(nil), x...)
				}
				out[i] = u
			}
		}
		if out != nil {
			return out, true
		}
	case []map[string]any:
		var out []map[string]any
		for i, e := range x {
			if u, ok := utcEvidence(e); ok {
				if out == nil {
					out = append([]map[string]any(nil), x...)
				}
				out[i] = u.(map[string]any)
			}
		}
		if out != nil {
			return out, true
		}
	case []time.Time:
		var out []time.Time
		for i, t := range x {
			if !isUTC(t) {
				if out == nil {
					out = append([]time.Time(nil), x...)
				}
				out[i] = t.UTC()
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// utcTimeText rewrites s in UTC when s is exactly an RFC 3339 time with a
// numeric offset, keeping its fractional digits: "2026-11-24T06:30:00+09:00"
// → "2026-11-23T21:30:00Z".
func utcTimeText(s string) (string, bool) {
	// Cheap shape test first: evidence holds many strings, few times.
	if len(s) < len("2006-01-02T15:04:05+00:00") || len(s) > 40 || s[4] != '-' || s[10] != 'T' || s[len(s)-3] != ':' {
		return "", false
	}
	sign := s[len(s)-6]
	if sign != '+' && sign != '-' {
		return "", false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", false
	}
	layout := "2006-01-02T15:04:05"
	if i := strings.IndexByte(s, '.'); i > 0 {
		layout += "." + strings.Repeat("0", len(s)-6-i-1)
	}
	return t.UTC().Format(layout + "Z07:00"), true
}
