package security

import (
	"fmt"
	"slices"
	"strings"
)

// A CloudWatch Logs JSON filter pattern, parsed far enough to compare two
// patterns by meaning rather than by bytes: CIS, AWS Security Hub and the
// CLI examples write the same pattern with or without quotes around values,
// with different spacing and with the terms of || and && in any order, and
// an account that monitors a superset of the events (extra eventName terms)
// still satisfies the recommendation.
//
// Grammar (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
//
//	pattern := '{' expr '}'
//	expr    := and ('||' and)*
//	and     := unary ('&&' unary)*
//	unary   := '(' expr ')' | term
//	term    := selector op value | selector ('EXISTS' | 'NOT EXISTS' | 'IS NULL' | 'IS TRUE' | 'IS FALSE')
//
// && binds tighter than ||, as in the CIS text "A || B && C", parsed the
// same way on both sides of a comparison.
type pattern struct {
	op   string // "or", "and", or "term"
	term string // canonical "$.field op value", for terms
	kids []*pattern
	// canon caches String() once the node is normalized.
	canon string
}

// maxPattern bounds the text parsed: CloudWatch Logs allows 1024 characters.
const maxPattern = 4096

func parsePattern(s string) (*pattern, error) {
	if len(s) > maxPattern {
		return nil, fmt.Errorf("filter pattern is %d bytes, longer than %d", len(s), maxPattern)
	}
	p := &patternParser{s: strings.TrimSpace(s)}
	if !strings.HasPrefix(p.s, "{") || !strings.HasSuffix(p.s, "}") {
		return nil, fmt.Errorf("not a JSON filter pattern (it must be wrapped in { })")
	}
	p.s = p.s[1 : len(p.s)-1]
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, fmt.Errorf("unexpected %q at offset %d", p.rest(10), p.i)
	}
	return normalize(n), nil
}

type patternParser struct {
	s string
	i int
}

// maxDepth bounds parenthesis nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

func (p *patternParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *patternParser) rest(n int) string {
	r := p.s[p.i:]
	if len(r) > n {
		r = r[:n]
	}
	return r
}

func (p *patternParser) peek(tok string) bool {
	p.space()
	return strings.HasPrefix(p.s[p.i:], tok)
}

func (p *patternParser) expr(depth int) (*pattern, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("parentheses nested deeper than %d", maxDepth)
	}
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	n := &pattern{op: "or", kids: []*pattern{left}}
	for p.peek("||") {
		p.i += 2
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, right)
	}
	return n, nil
}

func (p *patternParser) and(depth int) (*pattern, error) {
	left, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	n := &pattern{op: "and", kids: []*pattern{left}}
	for p.peek("&&") {
		p.i += 2
		right, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, right)
	}
	return n, nil
}

func (p *patternParser) unary(depth int) (*pattern, error) {
	if p.peek("(") {
		p.i++
		n, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			return nil, fmt.Errorf("missing ) at offset %d", p.i)
		}
		p.i++
		return n, nil
	}
	return p.term()
}

var patternOps = []string{"!=", "<=", ">=", "=", "<", ">"}

func (p *patternParser) term() (*pattern, error) {
	p.space()
	if !strings.HasPrefix(p.s[p.i:], "$") {
		return nil, fmt.Errorf("expected a selector such as $.eventName at offset %d, found %q", p.i, p.rest(10))
	}
	start := p.i
	for p.i < len(p.s) && isSelectorByte(p.s[p.i]) {
		p.i++
	}
	sel := p.s[start:p.i]
	p.space()
	for _, kw := range []string{"NOT EXISTS", "EXISTS", "IS NULL", "IS TRUE", "IS FALSE"} {
		if hasWordPrefix(p.s[p.i:], kw) {
			p.i += len(kw)
			return &pattern{op: "term", term: sel + " " + kw}, nil
		}
	}
	op := ""
	for _, o := range patternOps {
		if strings.HasPrefix(p.s[p.i:], o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, fmt.Errorf("expected an operator after %s at offset %d, found %q", sel, p.i, p.rest(10))
	}
	p.i += len(op)
	p.space()
	val, err := p.value()
	if err != nil {
		return nil, err
	}
	return &pattern{op: "term", term: sel + " " + op + " " + val}, nil
}

// value reads a quoted string, or a bare value up to ), &&, || or the end;
// quotes are dropped and inner whitespace collapsed, so "Root", Root and
// " Root" compare equal.
func (p *patternParser) value() (string, error) {
	if p.i < len(p.s) && p.s[p.i] == '"' {
		var b strings.Builder
		for j := p.i + 1; j < len(p.s); j++ {
			switch c := p.s[j]; {
			case c == '\\' && j+1 < len(p.s):
				j++
				b.WriteByte(p.s[j])
			case c == '"':
				p.i = j + 1
				return strings.Join(strings.Fields(b.String()), " "), nil
			default:
				b.WriteByte(c)
			}
		}
		return "", fmt.Errorf("unterminated quoted value")
	}
	start := p.i
	for p.i < len(p.s) {
		r := p.s[p.i:]
		if r[0] == ')' || strings.HasPrefix(r, "&&") || strings.HasPrefix(r, "||") {
			break
		}
		p.i++
	}
	v := strings.Join(strings.Fields(p.s[start:p.i]), " ")
	if v == "" {
		return "", fmt.Errorf("missing value at offset %d", start)
	}
	return v, nil
}

func isSelectorByte(c byte) bool {
	return c == '$' || c == '.' || c == '_' || c == '-' || c == '[' || c == ']' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func hasWordPrefix(s, kw string) bool {
	if !strings.HasPrefix(s, kw) {
		return false
	}
	return len(s) == len(kw) || !isSelectorByte(s[len(kw)])
}

// normalize flattens single-child and same-operator nesting, then sorts
// and de-duplicates the children of || and && (both are commutative).
func normalize(n *pattern) *pattern {
	if n.op == "term" {
		n.canon = "(" + n.term + ")"
		return n
	}
	var kids []*pattern
	for _, k := range n.kids {
		k = normalize(k)
		if k.op == n.op {
			kids = append(kids, k.kids...)
		} else {
			kids = append(kids, k)
		}
	}
	if len(kids) == 1 {
		return kids[0]
	}
	slices.SortFunc(kids, func(a, b *pattern) int { return strings.Compare(a.String(), b.String()) })
	kids = slices.CompactFunc(kids, func(a, b *pattern) bool { return a.String() == b.String() })
	if len(kids) == 1 {
		return kids[0]
	}
	out := &pattern{op: n.op, kids: kids}
	out.canon = out.render()
	return out
}

// String is the canonical text: equal meaning (up to the normalization
// above) gives equal strings.
func (n *pattern) String() string {
	if n.canon != "" {
		return n.canon
	}
	return n.render()
}

func (n *pattern) render() string {
	if n.op == "term" {
		return "(" + n.term + ")"
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.String()
	}
	sep := " || "
	if n.op == "and" {
		sep = " && "
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// covers reports whether every event that required matches is also matched
// by actual. The rules are sound (never true when actual misses an event
// that required matches, given equal terms mean equal conditions) and
// complete for the shapes CIS uses: a disjunction of event names, optionally
// conjoined with an event source, and a conjunction of conditions.
func covers(actual, required *pattern) bool {
	if actual.String() == required.String() {
		return true
	}
	if required.op == "or" { // every alternative must be covered
		for _, r := range required.kids {
			if !covers(actual, r) {
				return false
			}
		}
		return true
	}
	if actual.op == "and" { // every condition actual adds must already hold
		for _, a := range actual.kids {
			if !covers(a, required) {
				return false
			}
		}
		return true
	}
	if actual.op == "or" {
		for _, a := range actual.kids {
			if covers(a, required) {
				return true
			}
		}
	}
	if required.op == "and" { // required is narrower than any of its conditions
		for _, r := range required.kids {
			if covers(actual, r) {
				return true
			}
		}
	}
	return false
}

// patternCovers parses both patterns and compares them; a pattern that does
// not parse covers nothing.
func patternCovers(actual string, required ...string) bool {
	a, err := parsePattern(actual)
	if err != nil {
		return false
	}
	for _, r := range required {
		rp, err := parsePattern(r)
		if err == nil && covers(a, rp) {
			return true
		}
	}
	return false
}
