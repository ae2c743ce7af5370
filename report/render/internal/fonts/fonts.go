// Package fonts gives the PDF and PNG renderers the embedded Nanum Gothic
// fonts and their metrics: which runes have a glyph, and how wide text is.
// Text that is measured here and drawn by fpdf or x/image lays out the same,
// because both read the same advance widths from the same files.
package fonts

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/cwreport/cwreport/templates"
)

// Style selects one of the embedded faces.
type Style int

// The embedded faces.
const (
	Regular Style = iota
	Bold
	Mono
)

var files = [...]string{Regular: "NanumGothic.ttf", Bold: "NanumGothicBold.ttf", Mono: "NanumGothicCoding.ttf"}

// Face is one parsed font with its advance widths for the Basic
// Multilingual Plane (the fonts have no glyph outside it).
type Face struct {
	Data []byte
	Font *sfnt.Font
	// adv holds the advance of each BMP rune in 1/1000 em; 0 means no glyph.
	adv []uint16
}

var (
	once  [3]sync.Once
	faces [3]*Face
	errs  [3]error
)

// Get returns the parsed face, loading it on first use.
func Get(s Style) (*Face, error) {
	once[s].Do(func() { faces[s], errs[s] = load(files[s]) })
	return faces[s], errs[s]
}

// Must is Get for callers that run after a successful Get (the fonts are
// embedded, so after one successful load they cannot fail).
func Must(s Style) *Face {
	f, err := Get(s)
	if err != nil {
		panic(err)
	}
	return f
}

func load(name string) (*Face, error) {
	data, err := templates.Font(name)
	if err != nil {
		return nil, fmt.Errorf("read embedded font %s: %w", name, err)
	}
	f, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse embedded font %s: %w", name, err)
	}
	face := &Face{Data: data, Font: f, adv: make([]uint16, 0x10000)}
	var buf sfnt.Buffer
	upem := f.UnitsPerEm()
	ppem := fixed.Int26_6(int(upem) << 6)
	for r := rune(0x20); r < 0x10000; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue // surrogates are not characters
		}
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			continue
		}
		a, err := f.GlyphAdvance(&buf, gi, ppem, 0)
		if err != nil {
			continue
		}
		w := (int(a)>>6)*1000/int(upem) + 0
		if w <= 0 {
			w = 1 // zero-width glyphs still count as present
		}
		face.adv[r] = uint16(min(w, 0xFFFF))
	}
	return face, nil
}

// Has reports whether the face has a glyph for r.
func (f *Face) Has(r rune) bool { return r >= 0 && r < 0x10000 && f.adv[r] != 0 }

// Width is the advance of s at size (in the caller's unit per em). Runes
// without a glyph count as the width of '?', which is what Sanitize puts in
// their place.
func (f *Face) Width(s string, size float64) float64 {
	total := 0
	q := int(f.adv['?'])
	for _, r := range s {
		if f.Has(r) {
			total += int(f.adv[r])
		} else {
			total += q
		}
	}
	return float64(total) * size / 1000
}

// RuneWidth is the advance of one rune at size.
func (f *Face) RuneWidth(r rune, size float64) float64 {
	if f.Has(r) {
		return float64(f.adv[r]) * size / 1000
	}
	return float64(f.adv['?']) * size / 1000
}

// Sanitize replaces the runes f has no glyph for, so a PDF or PNG never
// shows a missing-glyph box: emoji, pictographs, variation selectors and
// joiners are dropped (the status and severity emoji were already turned
// into drawn badges); any other rune becomes '?'. Text the face covers is
// returned unchanged without allocating.
func (f *Face) Sanitize(s string) string {
	ok := true
	for _, r := range s {
		if !f.Has(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case f.Has(r):
			b.WriteRune(r)
		case Pictographic(r):
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// Pictographic reports whether r is an emoji, a pictograph or a character
// that only modifies one (variation selector, zero-width joiner, skin tone,
// regional indicator, keycap).
func Pictographic(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, // emoji, pictographs, flags, modifiers
		r >= 0x2600 && r <= 0x27BF,   // miscellaneous symbols, dingbats
		r >= 0x2B00 && r <= 0x2BFF,   // arrows and stars used as emoji
		r >= 0x2300 && r <= 0x23FF,   // technical (⌛ ⏰ ⏱)
		r >= 0xFE00 && r <= 0xFE0F,   // variation selectors
		r >= 0xE0000 && r <= 0xE007F, // tags
		r == 0x200D, r == 0x20E3:     // joiner, keycap
		return true
	}
	return false
}
