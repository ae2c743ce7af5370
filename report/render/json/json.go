// Package json writes the cwreport.report/v1 JSON artifact.
package json

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/render"
)

// Encode writes r as indented JSON with a trailing newline, every time in
// UTC whatever zone it was computed in (report.InUTC; r is not modified).
// encoding/json sorts map keys, so the same report always gives the same
// bytes.
func Encode(r *report.Report) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.InUTC()); err != nil {
		return nil, fmt.Errorf("encode report JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// Renderer writes the .json artifact.
type Renderer struct{}

// Render implements render.Renderer.
func (Renderer) Render(doc *render.Document) ([]report.Artifact, error) {
	data, err := Encode(doc.Report)
	if err != nil {
		return nil, err
	}
	return []report.Artifact{{
		Name: doc.Base + ".json", Format: "json", ContentType: "application/json",
		Data: data, Role: report.RoleReport,
	}}, nil
}
