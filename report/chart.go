package report

import "time"

// ChartKind says how a chart is drawn. Each renderer draws every kind.
type ChartKind string

// The chart kinds the reports need.
const (
	ChartTimeSeries ChartKind = "timeseries" // lines over time, with threshold and forecast lines
	ChartHistogram  ChartKind = "histogram"  // counts per time bin (errors per hour)
	ChartTimeline   ChartKind = "timeline"   // state spans per lane (alarm states)
	ChartBars       ChartKind = "bars"       // horizontal bars (errors per log group, score by category)
	ChartGauge      ChartKind = "gauge"      // one value against a maximum (security score)
)

// Chart is described once here and drawn per format: vector in PDF, SVG in
// HTML, PNG where a picture must travel.
type Chart struct {
	ID     string    `json:"id"`
	Kind   ChartKind `json:"kind"`
	Title  string    `json:"title"`
	XLabel string    `json:"x_label,omitempty"`
	YLabel string    `json:"y_label,omitempty"`
	Unit   string    `json:"unit,omitempty"`
	// YMax fixes the top of the value axis (100 for percentages); 0 means auto.
	YMax float64 `json:"y_max,omitempty"`

	Series     []ChartSeries `json:"series,omitempty"`     // timeseries
	Thresholds []Threshold   `json:"thresholds,omitempty"` // timeseries, histogram
	Bins       []Bin         `json:"bins,omitempty"`       // histogram
	Bars       []Bar         `json:"bars,omitempty"`       // bars
	Lanes      []Lane        `json:"lanes,omitempty"`      // timeline
	Gauge      *Gauge        `json:"gauge,omitempty"`      // gauge
	// Start and End bound the time axis (the report window unless set).
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// LineStyle distinguishes measured lines from projections.
type LineStyle string

// Line styles.
const (
	LineSolid  LineStyle = "solid"
	LineDashed LineStyle = "dashed" // forecasts
)

// ChartSeries is one line of a time-series chart.
type ChartSeries struct {
	Name   string       `json:"name"`
	Style  LineStyle    `json:"style,omitempty"`
	Points []ChartPoint `json:"points"`
}

// ChartPoint is one (time, value) pair.
type ChartPoint struct {
	T time.Time `json:"t"`
	V float64   `json:"v"`
}

// Threshold is a horizontal reference line (alarm threshold, sizing ceiling).
type Threshold struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// Bin is one bar of a histogram over time.
type Bin struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Count float64   `json:"count"`
}

// Bar is one labelled horizontal bar.
type Bar struct {
	Label    string   `json:"label"`
	Value    float64  `json:"value"`
	Max      float64  `json:"max,omitempty"` // for bars that are a share of something (score of weight)
	Severity Severity `json:"severity,omitempty"`
}

// Lane is one row of a timeline: the spans of one alarm's states.
type Lane struct {
	Label string `json:"label"`
	Spans []Span `json:"spans"`
}

// Span is one state held from Start to End.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	State string    `json:"state"` // OK | ALARM | INSUFFICIENT_DATA, or any label
}

// Gauge is one value on a 0..Max dial.
type Gauge struct {
	Value float64 `json:"value"`
	Max   float64 `json:"max"`
	Label string  `json:"label,omitempty"`
}
