package escape

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb\r\nc\td", "a b c d"},
		{"  lead and trail  ", "lead and trail"},
		{"bell\x07 esc\x1b[31m red", "bell esc[31m red"},
		{"bad \xff\xfe utf8", "bad \uFFFD\uFFFD utf8"},
		{"bidi \u202e override", "bidi override"},
		{"한국어 로그", "한국어 로그"},
	}
	for _, c := range cases {
		if got := Clean(c.in, 100); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanBoundsHugeInput(t *testing.T) {
	huge := strings.Repeat("가", 1<<20)
	got := Clean(huge, 50)
	if n := utf8.RuneCountInString(got); n != 51 || !strings.HasSuffix(got, Ellipsis) {
		t.Fatalf("Clean of 1M runes: %d runes, suffix %q", n, got[len(got)-6:])
	}
	if !utf8.ValidString(got) {
		t.Fatal("result is not valid UTF-8")
	}
}

func TestMarkdownNeutralisesFormatting(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a|b", `a\|b`},
		{"<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"},
		{"[x](http://evil)", `\[x\](http://evil)`},
		{"# heading", `\# heading`},
		{"1. list", `1\. list`},
		{"&lt;", `\&lt;`},
	}
	for _, c := range cases {
		if got := Markdown(c.in, 100); got != c.want {
			t.Errorf("Markdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarkdownCode(t *testing.T) {
	if got := MarkdownCode("a ``b`` c|d", 100); got != "``` a ``b`` c\\|d ```" {
		t.Errorf("MarkdownCode = %q", got)
	}
	if got := MarkdownCode("", 10); got != "-" {
		t.Errorf("empty code = %q", got)
	}
}

func TestSlack(t *testing.T) {
	if got := Slack("<!channel> & <https://x|y>", 100); got != "&lt;!channel&gt; &amp; &lt;https://x|y&gt;" {
		t.Errorf("Slack = %q", got)
	}
}

func TestHeader(t *testing.T) {
	if got := Header("job\r\nBcc: victim@example.com", 100); strings.ContainsAny(got, "\r\n") {
		t.Errorf("Header kept a line break: %q", got)
	}
}

func TestHTML(t *testing.T) {
	if got := HTML(`<img src=x onerror="a">`, 100); got != "&lt;img src=x onerror=&#34;a&#34;&gt;" {
		t.Errorf("HTML = %q", got)
	}
}
