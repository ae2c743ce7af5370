package pdf

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// countLines is what fill measures with; it must agree with lay, which
// draws.
func TestCountLinesMatchesLay(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"t3.medium", "CPU", "이상,", "알람", "1개", "발생", "중", "DMZVPC-Private-A-10.11.20.101",
		"95.2", "GiB", "/aws/eks/eksworkshop/cluster", "a", "1,024,892", "java.lang.OutOfMemoryError:"}
	for i := 0; i < 500; i++ {
		var b strings.Builder
		for j := 0; j < 1+rng.IntN(12); j++ {
			if j > 0 {
				b.WriteString(strings.Repeat(" ", 1+rng.IntN(2)))
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		runs := []run{{text: b.String(), st: cellStyle}}
		width := 4 + rng.Float64()*60
		if got, want := countLines(tokenize(runs), width), len(lay(runs, width, cellStyle)); got != want {
			t.Fatalf("%q at %.1f mm: countLines %d, lay %d", b.String(), width, got, want)
		}
	}
}

// A long id breaks after its separators when one is near the end of the
// line, not between arbitrary letters.
func TestSplitPrefersSeparators(t *testing.T) {
	tok := tokenize([]run{{text: "api-gateway-01", st: cellStyle}})[0]
	full := cellStyle.face().Width("api-gateway-0", cellStyle.em())
	parts := split(tok, full) // room for all but the last character
	var got []string
	for _, p := range parts {
		got = append(got, strings.TrimSpace(p.text))
	}
	if strings.Join(got, "|") != "api-gateway-|01" {
		t.Errorf("split: %q", got)
	}
	w := 0.0
	for _, p := range parts {
		w += p.w
	}
	if d := w - tok.w; d > 1e-9 || d < -1e-9 {
		t.Errorf("pieces are %.3f mm wide, the word %.3f", w, tok.w)
	}
	// No separator in the last two thirds: between characters.
	tok = tokenize([]run{{text: "abcdefghijklmnop", st: cellStyle}})[0]
	for _, p := range split(tok, tok.w/2) {
		if p.w > tok.w/2+1e-9 {
			t.Errorf("piece %q wider than the line", p.text)
		}
	}
}
