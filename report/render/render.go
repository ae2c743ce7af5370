// Package render defines the renderer plug-in: one package per output format
// under report/render/<format>, each turning a report (and the Markdown its
// template produced) into artifacts.
package render

import "github.com/cwreport/cwreport/report"

// Document is what every renderer receives.
type Document struct {
	Report *report.Report
	// Markdown is the template output, the single source of the report's
	// words; charts appear in it as images with a "chart:<id>" destination.
	Markdown []byte
	// Base is the file name without extension, e.g. "morning-2026-11-24".
	Base string
}

// Renderer turns a document into one or more artifacts (a PDF, or an HTML
// page plus the PNG charts that travel with it).
type Renderer interface {
	Render(doc *Document) ([]report.Artifact, error)
}

// ChartScheme prefixes a chart reference in the Markdown source.
const ChartScheme = "chart:"
