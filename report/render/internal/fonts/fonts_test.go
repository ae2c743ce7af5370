package fonts

import "testing"

func TestCoverageAndWidths(t *testing.T) {
	f := Must(Regular)
	for _, r := range "가힣AZaz09·•→▲" {
		if !f.Has(r) {
			t.Errorf("regular face lacks %q", r)
		}
	}
	for _, r := range "🔴✅\uFFFD\u0600" {
		if f.Has(r) {
			t.Errorf("regular face claims %U", r)
		}
	}
	if w := f.Width("가나다", 10); w < 25 || w > 31 {
		t.Errorf("three Hangul syllables at 10 are %v wide", w)
	}
	if f.Width("", 10) != 0 {
		t.Error("empty text has width")
	}
}

func TestSanitize(t *testing.T) {
	f := Must(Regular)
	cases := map[string]string{
		"정상 text":             "정상 text",
		"🔴 심각":                " 심각",
		"👍🏽 ok ⚠️":            " ok ",
		"\u0627\u0644 arabic": "?? arabic",
		"bad \uFFFD":          "bad ?",
	}
	for in, want := range cases {
		if got := f.Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	s := "그대로"
	if got := f.Sanitize(s); got != s {
		t.Error("covered text changed")
	}
}
