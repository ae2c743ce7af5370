package aws

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
)

// Insights `pattern` results carry a count (@sampleCount) and the pattern in
// Insights' token syntax, but no example line and no time range (the
// documented output is @pattern, @ratio, @sampleCount and @severityLabel).
// One cheap follow-up query per group, sampleQuery, returns the group's
// distinct error messages (cut as logscan cuts lines) with their count and
// first and last time; each Insights pattern is matched against them to get
// an example and, when the matched messages account for all its events,
// its first and last time. The pattern text is then written the way
// logscan writes it, so a report reads the same whichever engine ran.

// insightsSampleRows bounds the distinct messages the follow-up query
// returns per group: at most 1,000 x 2 KB.
const insightsSampleRows = 1000

// sampleQuery is the follow-up query: distinct error messages, most
// frequent first, with their count and time range.
func sampleQuery(filter string) string {
	return "filter " + filter +
		"\n| fields substr(@message, 0, " + strconv.Itoa(logscan.MaxLineBytes) + ") as msg" +
		"\n| stats count(*) as events, earliest(@timestamp) as firstSeen, latest(@timestamp) as lastSeen by msg" +
		"\n| sort events desc" +
		"\n| limit " + strconv.Itoa(insightsSampleRows)
}

// sample is one distinct message of the follow-up query.
type sample struct {
	msg         string
	n           int64
	first, last time.Time
}

// samplesFrom reads rows {msg, events, firstSeen, lastSeen}. Messages are
// cut at logscan.MaxLineBytes bytes, as logscan cuts a line before it
// masks it and keeps it as an example.
func samplesFrom(rows []map[string]string) []sample {
	out := make([]sample, 0, len(rows))
	for _, row := range rows {
		msg, ok := row["msg"]
		if !ok {
			continue
		}
		if len(msg) > logscan.MaxLineBytes {
			msg = msg[:logscan.MaxLineBytes]
		}
		n, err := strconv.ParseInt(row["events"], 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		s := sample{msg: msg, n: n}
		s.first, _ = insightsTime(row["firstSeen"])
		s.last, _ = insightsTime(row["lastSeen"])
		out = append(out, s)
	}
	return out
}

// insightsTime parses a timestamp as Insights returns it ("2006-01-02
// 15:04:05.000", UTC), or RFC 3339, or epoch milliseconds.
func insightsTime(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02 15:04:05.000", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}

// insightsToken is a dynamic token of an Insights pattern: <*>, or an
// inferred <Name-N> (<Time-1>, <IPAddress-3>, <Token-2>).
var insightsToken = regexp.MustCompile(`<\*>|<[A-Za-z][A-Za-z0-9_]*-[0-9]+>`)

// tokenMask is the logscan token for an inferred Insights token name, ""
// when logscan has none (the token then reads <*>).
func tokenMask(tok string) string {
	name := strings.ToLower(strings.TrimLeft(tok, "<"))
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		name = name[:i]
	}
	switch {
	case strings.Contains(name, "uuid") || strings.Contains(name, "guid"):
		return "<UUID>"
	case strings.HasPrefix(name, "ip"):
		return "<IP>"
	case strings.Contains(name, "time") || strings.Contains(name, "date"):
		return "<TS>"
	case strings.HasPrefix(name, "num") || strings.HasPrefix(name, "int") || name == "float" || name == "decimal":
		return "<N>"
	case strings.HasPrefix(name, "hex"):
		return "<HEX>"
	}
	return ""
}

// compiledPattern is an Insights pattern as a regular expression over whole
// messages: literal text (any run of white space standing for any run),
// each token a lazy group.
type compiledPattern struct {
	re      *regexp.Regexp
	literal int // bytes of literal text: the more, the more specific
	tokens  int
}

func compilePattern(p string) (compiledPattern, bool) {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	// Literal text, with any run of white space standing for any run.
	literal := func(s string) int {
		n := 0
		inSpace := false
		for i := 0; i < len(s); {
			if isSpace(s[i]) {
				if !inSpace {
					b.WriteString(`\s+`)
					inSpace = true
				}
				i++
				continue
			}
			inSpace = false
			j := i
			for j < len(s) && !isSpace(s[j]) {
				j++
			}
			b.WriteString(regexp.QuoteMeta(s[i:j]))
			n += j - i
			i = j
		}
		return n
	}
	c := compiledPattern{}
	last := 0
	for _, loc := range insightsToken.FindAllStringIndex(p, -1) {
		c.literal += literal(p[last:loc[0]])
		b.WriteString(`(.+?)`)
		c.tokens++
		last = loc[1]
	}
	c.literal += literal(p[last:])
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return c, false
	}
	c.re = re
	return c, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// normalizePatterns turns Insights patterns into logscan's: examples and
// times from the samples, pattern text as logscan masks it, patterns that
// then read the same merged, most frequent first, at most top.
func normalizePatterns(raw []source.LogPattern, samples []sample, top int) []source.LogPattern {
	compiled := make([]compiledPattern, len(raw))
	ok := make([]bool, len(raw))
	for i, p := range raw {
		compiled[i], ok[i] = compilePattern(p.Pattern)
	}
	// Each message belongs to the most specific pattern that matches it
	// (the most literal text; then the more frequent).
	matched := make([][]int, len(raw)) // sample indexes per pattern
	subs := make([][][]int, len(raw))  // their token spans
	for si, s := range samples {
		best, bestLoc := -1, []int(nil)
		for pi := range raw {
			if !ok[pi] {
				continue
			}
			loc := compiled[pi].re.FindStringSubmatchIndex(s.msg)
			if loc == nil {
				continue
			}
			if best < 0 || compiled[pi].literal > compiled[best].literal {
				best, bestLoc = pi, loc
			}
		}
		if best >= 0 {
			matched[best] = append(matched[best], si)
			subs[best] = append(subs[best], bestLoc)
		}
	}
	out := make([]source.LogPattern, 0, len(raw))
	for pi, p := range raw {
		ms := matched[pi]
		if len(ms) == 0 {
			out = append(out, source.LogPattern{Pattern: maskByName(p.Pattern), Count: p.Count})
			continue
		}
		// The example is the earliest message, as logscan keeps the first
		// line it sees.
		ex := 0
		var total int64
		first, last := samples[ms[0]].first, samples[ms[0]].last
		for k, si := range ms {
			s := samples[si]
			total += s.n
			if s.first.Before(samples[ms[ex]].first) {
				ex = k
			}
			if s.first.Before(first) {
				first = s.first
			}
			if s.last.After(last) {
				last = s.last
			}
		}
		np := source.LogPattern{Pattern: maskExample(samples, ms, subs[pi], ex, compiled[pi].tokens), Count: p.Count,
			Example: strings.ToValidUTF8(samples[ms[ex]].msg, "\uFFFD")}
		// Times are known only when the messages read hold every event of
		// the pattern (the follow-up returns at most 1,000 messages).
		if total >= p.Count && !first.IsZero() && !last.IsZero() {
			np.FirstSeen, np.LastSeen = first, last
		}
		out = append(out, np)
	}
	return mergePatterns(out, top)
}

// maskExample writes the pattern as logscan would write the example,
// except that a token whose messages differ in what logscan keeps (words,
// not numbers or ids) reads <*>, since the pattern covers them all.
func maskExample(samples []sample, ms []int, subs [][]int, ex, tokens int) string {
	msg := samples[ms[ex]].msg
	loc := subs[ex]
	var b strings.Builder
	prev := 0
	for j := 0; j < tokens; j++ {
		lo, hi := loc[2+2*j], loc[3+2*j]
		if lo < 0 {
			continue
		}
		want := logscan.Mask(msg[lo:hi])
		same := true
		for k, si := range ms {
			l := subs[k]
			if l[2+2*j] < 0 || logscan.Mask(samples[si].msg[l[2+2*j]:l[3+2*j]]) != want {
				same = false
				break
			}
		}
		if !same {
			b.WriteString(msg[prev:lo])
			b.WriteString("<*>")
			prev = hi
		}
	}
	b.WriteString(msg[prev:])
	return strings.ToValidUTF8(logscan.Mask(b.String()), "\uFFFD")
}

// maskByName writes a pattern no message matched: inferred tokens become
// logscan's (<Time-1> is <TS>, <Number-2> <N>, <IPAddress-3> <IP>), the
// others <*>, and the literal text is masked as logscan masks it.
func maskByName(p string) string {
	p = insightsToken.ReplaceAllStringFunc(p, func(tok string) string {
		if m := tokenMask(tok); m != "" {
			return m
		}
		return "<*>"
	})
	return logscan.Mask(p)
}

// mergePatterns sums patterns that read the same (two Insights patterns
// can mask alike), keeping the example of the earliest and a time range
// only when every part had one; most frequent first, at most top.
func mergePatterns(ps []source.LogPattern, top int) []source.LogPattern {
	byText := map[string]int{}
	out := ps[:0]
	for _, p := range ps {
		i, seen := byText[p.Pattern]
		if !seen {
			byText[p.Pattern] = len(out)
			out = append(out, p)
			continue
		}
		q := &out[i]
		q.Count += p.Count
		if q.Example == "" || (p.Example != "" && !p.FirstSeen.IsZero() && p.FirstSeen.Before(q.FirstSeen)) {
			q.Example = p.Example
		}
		if q.FirstSeen.IsZero() || p.FirstSeen.IsZero() {
			q.FirstSeen, q.LastSeen = time.Time{}, time.Time{}
		} else {
			if p.FirstSeen.Before(q.FirstSeen) {
				q.FirstSeen = p.FirstSeen
			}
			if p.LastSeen.After(q.LastSeen) {
				q.LastSeen = p.LastSeen
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Pattern < out[j].Pattern
	})
	if len(out) > top {
		out = out[:top]
	}
	return out
}
