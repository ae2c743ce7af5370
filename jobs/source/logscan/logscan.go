// Package logscan turns raw log lines into the LogStats of a dataset: which
// lines are errors, how many per time bin, and the most frequent message
// shapes with their variable parts masked. The demo source and the aws
// source's FilterLogEvents engine feed it line by line, so memory stays
// bounded by the number of distinct patterns, not the number of lines.
package logscan

import (
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// Limits that keep hostile or huge input cheap.
const (
	// MaxPatterns bounds the distinct patterns tracked per group; lines
	// beyond it are counted under an overflow pattern.
	MaxPatterns = 5000
	// MaxLineBytes is how much of a line is masked and kept as an example.
	MaxLineBytes = 2048
	// OverflowPattern collects lines once MaxPatterns is reached.
	OverflowPattern = "<other patterns>"
)

// Scanner accumulates the error statistics of one log group.
type Scanner struct {
	group    string
	terms    []string
	bin      time.Duration
	top      int
	window   source.Window
	scanned  int64
	errors   int64
	bins     map[int64]int64
	patterns map[string]*source.LogPattern
	scratch  []byte
}

// New returns a scanner for group. Terms are matched as case-sensitive
// substrings (empty: source default terms are the caller's job); bin 0 means
// one hour; top 0 means 10.
func New(group string, window source.Window, terms []string, bin time.Duration, top int) *Scanner {
	if bin <= 0 {
		bin = time.Hour
	}
	if top <= 0 {
		top = 10
	}
	return &Scanner{group: group, terms: terms, bin: bin, top: top, window: window,
		bins: map[int64]int64{}, patterns: map[string]*source.LogPattern{}}
}

// IsError reports whether line contains one of the terms.
func (s *Scanner) IsError(line string) bool {
	for _, t := range s.terms {
		if strings.Contains(line, t) {
			return true
		}
	}
	return false
}

// Add scans one line logged at ts. Lines outside the window are ignored.
func (s *Scanner) Add(ts time.Time, line string) {
	if !s.window.Start.IsZero() && !s.window.Contains(ts) {
		return
	}
	s.scanned++
	if !s.IsError(line) {
		return
	}
	s.AddError(ts, line)
}

// AddError counts a line already known to be an error (an engine that
// filtered on the server side).
func (s *Scanner) AddError(ts time.Time, line string) {
	s.errors++
	start := s.binStart(ts)
	s.bins[start]++
	if len(line) > MaxLineBytes {
		line = line[:MaxLineBytes]
	}
	s.scratch = appendMasked(s.scratch[:0], line)
	p, ok := s.patterns[string(s.scratch)]
	if !ok {
		key := string(s.scratch)
		if len(s.patterns) >= MaxPatterns {
			key = OverflowPattern
			p = s.patterns[key]
		}
		if p == nil {
			p = &source.LogPattern{Pattern: key, Example: strings.Clone(line), FirstSeen: ts, LastSeen: ts}
			s.patterns[key] = p
		}
	}
	p.Count++
	if ts.Before(p.FirstSeen) {
		p.FirstSeen = ts
	}
	if ts.After(p.LastSeen) {
		p.LastSeen = ts
	}
}

func (s *Scanner) binStart(ts time.Time) int64 {
	origin := s.window.Start
	if origin.IsZero() {
		return ts.Truncate(s.bin).Unix()
	}
	n := ts.Sub(origin) / s.bin
	return origin.Add(n * s.bin).Unix()
}

// Stats returns what was scanned: a histogram with every bin of the window
// (zeros included, so charts have no holes) and the top patterns, most
// frequent first, ties broken by pattern text for determinism.
func (s *Scanner) Stats() source.LogStats {
	st := source.LogStats{Group: s.group, Scanned: s.scanned, ErrorEvents: s.errors, Bin: int32(s.bin / time.Second)}
	if !s.window.Start.IsZero() {
		for t := s.window.Start; t.Before(s.window.End); t = t.Add(s.bin) {
			st.Histogram = append(st.Histogram, source.BinCount{Start: t.UTC(), Count: s.bins[t.Unix()]})
		}
	} else {
		keys := make([]int64, 0, len(s.bins))
		for k := range s.bins {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, k := range keys {
			st.Histogram = append(st.Histogram, source.BinCount{Start: time.Unix(k, 0).UTC(), Count: s.bins[k]})
		}
	}
	ps := make([]source.LogPattern, 0, len(s.patterns))
	for _, p := range s.patterns {
		ps = append(ps, *p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Count != ps[j].Count {
			return ps[i].Count > ps[j].Count
		}
		return ps[i].Pattern < ps[j].Pattern
	})
	if len(ps) > s.top {
		ps = ps[:s.top]
	}
	st.Patterns = ps
	return st
}

// Mask returns line with its variable parts replaced: numbers by <N>, hex
// ids and hashes by <HEX>, AWS resource ids by <prefix>-<ID>, IPv4
// addresses by <IP>, UUIDs by <UUID>, ISO timestamps by <TS>. Two lines
// that differ only in those parts get the same pattern.
//
// Digits inside a word are numbers too when they stand as a part of their
// own (nio-8080-exec-18 → nio-<N>-exec-<N>, req_42 → req_<N>), lead the
// word (3456ms → <N>ms) or close it after letters with two or more digits
// (klog's E1124 → E<N>, worker12 → worker<N>). A single closing digit
// (http2, ec2, ipv4) and digits between letters (k8s, log4j, v1beta1) name
// a thing rather than count it, and stay.
func Mask(line string) string { return string(appendMasked(nil, line)) }

func appendMasked(dst []byte, s string) []byte {
	i := 0
	for i < len(s) {
		c := s[i]
		if !isWord(c) {
			dst = append(dst, c)
			i++
			continue
		}
		// A word starts here. Tokens that run past word characters first.
		if isAlnum(c) {
			if n := uuidLen(s[i:]); n > 0 {
				dst = append(dst, "<UUID>"...)
				i += n
				continue
			}
			if n := timestampLen(s[i:]); n > 0 {
				dst = append(dst, "<TS>"...)
				i += n
				continue
			}
			if n := ipv4Len(s[i:]); n > 0 {
				dst = append(dst, "<IP>"...)
				i += n
				continue
			}
		}
		j, digits := i, false
		for j < len(s) && isWord(s[j]) {
			digits = digits || isDigit(s[j])
			j++
		}
		if digits {
			dst = appendWord(dst, s[i:j])
		} else {
			// Letters only, the most common word: every rule needs a digit.
			dst = append(dst, s[i:j]...)
		}
		i = j
	}
	return dst
}

// appendWord masks one word (letters, digits, '-' and '_'): all digits →
// <N>; 8+ hex characters with a digit → <HEX>; an AWS-style id (i-0abc...)
// → i-<ID>; otherwise part by part (see Mask).
func appendWord(dst []byte, w string) []byte {
	switch {
	case allDigits(w):
		return append(dst, "<N>"...)
	case isHexID(w):
		return append(dst, "<HEX>"...)
	case isAWSID(w):
		dst = append(dst, w[:strings.IndexByte(w, '-')+1]...)
		return append(dst, "<ID>"...)
	}
	for p := 0; p < len(w); {
		c := w[p]
		if isSep(c) {
			dst = append(dst, c)
			p++
			continue
		}
		// A part: up to the next separator. A UUID spans separators. (At
		// p = 0 the word as a whole was tried already.)
		if p > 0 && isSep(w[p-1]) {
			if n := uuidLen(w[p:]); n > 0 {
				dst = append(dst, "<UUID>"...)
				p += n
				continue
			}
		}
		if p == 0 || isSep(w[p-1]) {
			q := p
			for q < len(w) && !isSep(w[q]) {
				q++
			}
			if part := w[p:q]; !allDigits(part) && (isHexID(part) || is0x(part)) {
				dst = append(dst, "<HEX>"...)
				p = q
				continue
			}
		}
		if !isDigit(c) {
			dst = append(dst, c)
			p++
			continue
		}
		q := p
		for q < len(w) && isDigit(w[q]) {
			q++
		}
		lead := p == 0 || isSep(w[p-1])
		closing := q == len(w) || isSep(w[q])
		if lead || closing && q-p >= 2 {
			dst = append(dst, "<N>"...)
		} else {
			dst = append(dst, w[p:q]...)
		}
		p = q
	}
	return dst
}

func isSep(c byte) bool { return c == '-' || c == '_' }

// is0x matches a C-style hex literal: 0x7f3a.
func is0x(w string) bool {
	if len(w) < 3 || w[0] != '0' || w[1] != 'x' && w[1] != 'X' {
		return false
	}
	for i := 2; i < len(w); i++ {
		if !isHex(w[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isWord(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return len(w) > 0
}

func isHexID(w string) bool {
	if len(w) < 8 {
		return false
	}
	digits := 0
	for i := 0; i < len(w); i++ {
		if !isHex(w[i]) {
			return false
		}
		if isDigit(w[i]) {
			digits++
		}
	}
	return digits > 0
}

// isAWSID matches i-0abc123..., vol-..., sg-..., eni-...: a lowercase
// prefix, a dash, and 8+ hex characters.
func isAWSID(w string) bool {
	k := strings.IndexByte(w, '-')
	if k <= 0 || k > 6 {
		return false
	}
	return isHexID(w[k+1:]) && strings.IndexByte(w[k+1:], '-') < 0
}

func uuidLen(s string) int {
	// 8-4-4-4-12
	if len(s) < 36 {
		return 0
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return 0
			}
		default:
			if !isHex(s[i]) {
				return 0
			}
		}
	}
	if len(s) > 36 && isWord(s[36]) {
		return 0
	}
	return 36
}

// timestampLen matches 2026-11-24T08:00:00(.123)(Z|+09:00) and
// 2026-11-24 08:00:00(,123).
func timestampLen(s string) int {
	if len(s) < 19 {
		return 0
	}
	for i, want := range []byte("dddd-dd-dd?dd:dd:dd") {
		c := s[i]
		switch want {
		case 'd':
			if !isDigit(c) {
				return 0
			}
		case '?':
			if c != 'T' && c != ' ' {
				return 0
			}
		default:
			if c != want {
				return 0
			}
		}
	}
	n := 19
	if n < len(s) && (s[n] == '.' || s[n] == ',') {
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	if n < len(s) && s[n] == 'Z' {
		n++
	} else if n+6 <= len(s) && (s[n] == '+' || s[n] == '-') && isDigit(s[n+1]) && isDigit(s[n+2]) && s[n+3] == ':' {
		n += 6
	}
	return n
}

func ipv4Len(s string) int {
	n, parts := 0, 0
	for parts < 4 {
		start := n
		for n < len(s) && isDigit(s[n]) && n-start < 3 {
			n++
		}
		if n == start {
			return 0
		}
		parts++
		if parts < 4 {
			if n >= len(s) || s[n] != '.' {
				return 0
			}
			n++
		}
	}
	if n < len(s) && (isDigit(s[n]) || s[n] == '.' && n+1 < len(s) && isDigit(s[n+1])) {
		return 0
	}
	// Optional :port.
	if n+1 < len(s) && s[n] == ':' && isDigit(s[n+1]) {
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	return n
}
