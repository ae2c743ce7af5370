package report

import (
	"slices"
	"strings"
	"time"
)

// Every time in the JSON report is UTC, written RFC 3339 with "Z",
// whatever zone the value was computed in: the run instant can be written
// "+09:00" or "Z", a calendar window is resolved at local midnight, an
// analyzer may lay out days in local time, a snapshot replays CloudTrail's
// or a log's own offsets. Local time is for the reader (Markdown, HTML,
// PDF, messages), chosen there from Timezone; the JSON is for machines, and
// the same instant must give the same bytes. jobs.NewRun hands sources and
// analyzers UTC, the runner keeps InUTC of what an analyzer returns, and
// the JSON renderer encodes InUTC of what it is given.
//
// This is one walk rather than MarshalJSON methods on Window, Chart and
// friends: encoding/json re-scans the output of every MarshalJSON, which
// made encoding a report with large charts up to 80% slower.

// InUTC returns r with every time in UTC: generated_at, the window, chart
// bounds, points, bins and spans, time cells, and evidence times (time
// values, and text that is exactly an RFC 3339 time). r is returned as it
// is, without allocating, when it is already in UTC; otherwise the result
// is a copy that shares every part it did not need to change, and r is not
// modified (the renderers that run after the JSON read the same report).
func (r *Report) InUTC() *Report {
	if r == nil || r.inUTC() {
		return r
	}
	c := *r
	c.GeneratedAt = c.GeneratedAt.UTC()
	c.Window = Window{Start: c.Window.Start.UTC(), End: c.Window.End.UTC()}
	if slices.ContainsFunc(c.Findings, func(f Finding) bool { return !evidenceInUTC(f.Evidence) }) {
		c.Findings = slices.Clone(c.Findings)
		for i := range c.Findings {
			if ev, ok := utcEvidence(c.Findings[i].Evidence); ok {
				c.Findings[i].Evidence = ev.(map[string]any)
			}
		}
	}
	c.Sections = slices.Clone(c.Sections)
	for i := range c.Sections {
		c.Sections[i] = c.Sections[i].utc()
	}
	return &c
}

func isUTC(t time.Time) bool { return t.Location() == time.UTC }

func (r *Report) inUTC() bool {
	if !isUTC(r.GeneratedAt) || !isUTC(r.Window.Start) || !isUTC(r.Window.End) {
		return false
	}
	for _, f := range r.Findings {
		if !evidenceInUTC(f.Evidence) {
			return false
		}
	}
	for i := range r.Sections {
		if !r.Sections[i].inUTC() {
			return false
		}
	}
	return true
}

func (s *Section) inUTC() bool {
	for _, f := range s.Facts {
		if !f.Value.inUTC() {
			return false
		}
	}
	for _, t := range s.Tables {
		for _, row := range t.Rows {
			for _, c := range row {
				if !c.inUTC() {
					return false
				}
			}
		}
	}
	for i := range s.Charts {
		if !s.Charts[i].inUTC() {
			return false
		}
	}
	return true
}

// utc returns s with its times in UTC, copying only the parts that change.
func (s Section) utc() Section {
	if s.inUTC() {
		return s
	}
	if slices.ContainsFunc(s.Facts, func(f Fact) bool { return !f.Value.inUTC() }) {
		s.Facts = slices.Clone(s.Facts)
		for i := range s.Facts {
			s.Facts[i].Value = s.Facts[i].Value.utc()
		}
	}
	s.Tables = slices.Clone(s.Tables)
	for i, t := range s.Tables {
		if !slices.ContainsFunc(t.Rows, func(row []Cell) bool { return slices.ContainsFunc(row, func(c Cell) bool { return !c.inUTC() }) }) {
			continue
		}
		rows := make([][]Cell, len(t.Rows))
		for j, row := range t.Rows {
			rows[j] = slices.Clone(row)
			for k := range rows[j] {
				rows[j][k] = rows[j][k].utc()
			}
		}
		s.Tables[i].Rows = rows
	}
	s.Charts = slices.Clone(s.Charts)
	for i := range s.Charts {
		if !s.Charts[i].inUTC() {
			s.Charts[i] = s.Charts[i].utc()
		}
	}
	return s
}

func (c Cell) inUTC() bool {
	t, ok := c.Value.(time.Time)
	return !ok || isUTC(t)
}

func (c Cell) utc() Cell {
	if t, ok := c.Value.(time.Time); ok {
		c.Value = t.UTC()
	}
	return c
}

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
// touched.
func (c Chart) utc() Chart {
	c.Start, c.End = c.Start.UTC(), c.End.UTC()
	if c.Series != nil {
		series := make([]ChartSeries, len(c.Series))
		for i, s := range c.Series {
			if s.Points != nil {
				pts := make([]ChartPoint, len(s.Points))
				for j, p := range s.Points {
					pts[j] = ChartPoint{T: p.T.UTC(), V: p.V}
				}
				s.Points = pts
			}
			series[i] = s
		}
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
			if l.Spans != nil {
				spans := make([]Span, len(l.Spans))
				for j, s := range l.Spans {
					spans[j] = Span{Start: s.Start.UTC(), End: s.End.UTC(), State: s.State}
				}
				l.Spans = spans
			}
			lanes[i] = l
		}
		c.Lanes = lanes
	}
	return c
}

func evidenceInUTC(ev map[string]any) bool {
	if ev == nil {
		return true
	}
	_, changed := utcEvidence(ev)
	return !changed
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
					out = slices.Clone(x)
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
					out = slices.Clone(x)
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
					out = slices.Clone(x)
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
