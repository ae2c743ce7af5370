package templates

import (
	"embed"
	"io/fs"
)

// The HTML layout and CSS (html/) and the fonts the PDF and PNG renderers
// embed (fonts/: Nanum Gothic under the SIL Open Font License, whose text is
// fonts/OFL.txt). They are embedded apart from md/ so that the Markdown
// template tree stays exactly what FS returns.
//
//go:embed html fonts
var assets embed.FS

// HTML returns the embedded HTML layout tree (layout.html.tmpl, style.css).
func HTML() fs.FS {
	sub, err := fs.Sub(assets, "html")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return sub
}

// Font returns the bytes of an embedded font file, e.g. "NanumGothic.ttf".
func Font(name string) ([]byte, error) { return assets.ReadFile("fonts/" + name) }
