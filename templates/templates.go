// Package templates embeds the report templates: one Markdown template per
// kind and language (md/<kind>.<lang>.md.tmpl), shared partials
// (md/_common.<lang>.md.tmpl), and the HTML layout and CSS. The Markdown a
// template produces is the single source of a report's words; HTML and PDF
// are rendered from it.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed all:md
var files embed.FS

// FS returns the embedded template tree.
func FS() fs.FS { return files }
