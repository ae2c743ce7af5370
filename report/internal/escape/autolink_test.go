package escape

import "testing"

func TestDefuseAutolinks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"see http://evil.example/x", `see http\://evil.example/x`},
		{"HTTPS://x.example", `HTTPS\://x.example`},
		{"www.evil.example and WWW.x", `www\.evil.example and WWW\.x`},
		{"awww.example", "awww.example"},
		{"root@evil.example", `root\@evil.example`},
		{"mailto:a", `mailto\:a`},
		{`already\@escaped`, `already\@escaped`},
		{"05:10 and 1.5 and a: b", "05:10 and 1.5 and a: b"},
	} {
		if got := DefuseAutolinks(c.in); got != c.want {
			t.Errorf("DefuseAutolinks(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
