package markup

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
)

// badgesOf returns the badges of the parsed source, as "pill:label" or
// "dot:tone".
func badgesOf(src string) []string {
	doc, _ := Parse([]byte(src))
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if b, ok := n.(*Badge); ok && entering {
			if b.Pill {
				out = append(out, "pill:"+b.Label)
			} else {
				out = append(out, "dot:"+string(b.Marker.Tone))
			}
		}
		return ast.WalkContinue, nil
	})
	return out
}

func TestBadges(t *testing.T) {
	cases := []struct{ src, want string }{
		{"| a |\n|---|\n| 🔴 긴급 |\n", "pill:긴급"},
		{"🟡 주의\n", "pill:주의"},
		{"# 🔴 알람 3건 발생: DMZ 웹 인스턴스 CPU 95%\n", "dot:red"},
		{"상태: 🟢 정상, 🟠 높음\n", "dot:green dot:orange"},
		{"🔴 " + strings.Repeat("긴", 30) + "\n", "dot:red"}, // too long for a label
		{"`🔴 in code`\n", ""},
		{"✅ done\n", "dot:green"}, // a check is a sign, not a pill
		{"⚠️ 경고\n", "dot:yellow"},
		{"plain text\n", ""},
	}
	for _, c := range cases {
		if got := strings.Join(badgesOf(c.src), " "); got != c.want {
			t.Errorf("%q: badges %q, want %q", c.src, got, c.want)
		}
	}
}

func TestClean(t *testing.T) {
	in := "a\x00b\x07c\r\nd\re\u202ef\xffg\x7f\u0085h\ti"
	if got, want := string(Clean([]byte(in))), "abc\nd\nef\uFFFDgh\ti"; got != want {
		t.Errorf("Clean = %q, want %q", got, want)
	}
	clean := []byte("# 제목\n\n본문 | text\n")
	if got := Clean(clean); &got[0] != &clean[0] {
		t.Error("clean input was copied")
	}
	big := []byte(strings.Repeat("line\n", MaxSource/5+100))
	got := Clean(big)
	if len(got) > MaxSource+len(Truncated) || !strings.HasSuffix(string(got), Truncated) {
		t.Errorf("oversized source: %d bytes, suffix %q", len(got), got[len(got)-10:])
	}
}

func TestUnescape(t *testing.T) {
	cases := map[string]string{
		`a \| b \* c \\ d`:             `a | b * c \ d`,
		`&amp; &lt;x&gt; &#65; &#x41;`: `& <x> A A`,
		`&nosuch; & ;`:                 `&nosuch; & ;`,
		`&#0; &#1114112;`:              "\uFFFD \uFFFD", // CommonMark: invalid code points become U+FFFD
		`\a stays`:                     `\a stays`,
	}
	for in, want := range cases {
		if got := Unescape([]byte(in)); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeURLAndChartID(t *testing.T) {
	for url, want := range map[string]bool{"https://a": true, "HTTP://a": true, "mailto:x@y": true,
		"javascript:alert(1)": false, "data:text/html,x": false, "chart:cpu": false, "//evil": false, "": false} {
		if SafeURL([]byte(url)) != want {
			t.Errorf("SafeURL(%q) != %v", url, want)
		}
	}
	if id, ok := ChartID([]byte("chart:cpu-busiest")); !ok || id != "cpu-busiest" {
		t.Errorf("ChartID = %q %v", id, ok)
	}
	if _, ok := ChartID([]byte("https://x/chart:cpu")); ok {
		t.Error("a URL taken for a chart")
	}
}

func TestMetaTable(t *testing.T) {
	doc, src := Parse([]byte("| | |\n|---|---|\n| a | b |\n\n| h | i |\n|---|---|\n| a | b |\n"))
	first := doc.FirstChild()
	if !IsMetaTable(first, src) || IsMetaTable(first.NextSibling(), src) {
		t.Error("meta table detection")
	}
}
