package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads, expands, decodes, defaults and validates the file at path.
// The error, when not nil, is an Errors listing every mistake.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse is Load on bytes already read; lookup resolves ${VAR} references.
func Parse(file string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	p := &parser{file: file, lookup: lookup, nodes: map[string]*yaml.Node{}, fromEnv: map[*yaml.Node]bool{}}
	data = p.protectRefs(data)
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: file, Message: "the file is empty; see examples/demo.yaml for a starting point"}}
		}
		return nil, Errors{p.syntaxError(err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	p.walk(root, reflect.TypeOf(Config{}), "")

	cfg := &Config{File: file}
	if err := root.Decode(cfg); err != nil && len(p.errs) == 0 {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				p.errs = append(p.errs, p.yamlMessage(m))
			}
		} else {
			p.errs = append(p.errs, &FieldError{File: file, Message: err.Error()})
		}
	}
	// Validate even when the shape had errors: the user gets every mistake
	// in one pass. Fields that failed to decode keep their zero values and
	// are checked as absent.
	applyDefaults(cfg)
	v := &validator{parser: p}
	v.config(cfg)
	if len(p.errs) > 0 {
		return nil, p.errs.sorted()
	}
	return cfg, nil
}

type parser struct {
	file   string
	lookup func(string) (string, bool)
	// nodes maps a field path ("jobs[0].schedule") to its value node, and
	// "key:"+path to its key node, so validation can point at the source.
	nodes map[string]*yaml.Node
	// protected maps each ${VAR} reference disguised by protectRefs back to
	// its original text.
	protected map[string]string
	// fromEnv marks nodes whose value came from ${VAR}: their values are
	// never repeated in messages (they are usually secrets).
	fromEnv map[*yaml.Node]bool
	errs    Errors
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func (p *parser) syntaxError(err error) *FieldError {
	msg := err.Error()
	if strings.Contains(msg, "cannot start any token") {
		msg += " (a tab? YAML indents with spaces only)"
	}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FieldError{File: p.file, Line: line, Column: 1, Message: "YAML syntax: " + m[2]}
	}
	return &FieldError{File: p.file, Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

func (p *parser) yamlMessage(m string) *FieldError {
	if sm := lineRE.FindStringSubmatch(m); sm != nil {
		line, _ := strconv.Atoi(sm[1])
		return &FieldError{File: p.file, Line: line, Column: 1, Message: sm[2]}
	}
	return &FieldError{File: p.file, Message: m}
}

func (p *parser) errAt(n *yaml.Node, field, format string, args ...any) {
	e := &FieldError{File: p.file, Field: field, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// protectRefs lets ${VAR} stand unquoted inside a YAML flow mapping
// ({type: slack, token: ${SLACK_BOT_TOKEN}}), where "{" and "}" would
// otherwise be read as YAML syntax. Each reference becomes $(VAR) of the
// same length, so line:column positions stay true, and expandEnv turns it
// back before expanding. A file that already contains "$(" is left alone,
// so no text of the user's is ever mistaken for a reference.
func (p *parser) protectRefs(data []byte) []byte {
	if !bytes.Contains(data, []byte("${")) || bytes.Contains(data, []byte("$(")) {
		return data
	}
	return envRE.ReplaceAllFunc(data, func(ref []byte) []byte {
		disguised := "$(" + string(ref[2:len(ref)-1]) + ")"
		if p.protected == nil {
			p.protected = map[string]string{}
		}
		p.protected[disguised] = string(ref)
		return []byte(disguised)
	})
}

// expandEnv replaces ${VAR} and ${VAR:-default} in a scalar value. Keys are
// never expanded. An unset variable without a default is an error at the
// place it is used.
func (p *parser) expandEnv(n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode {
		for disguised, ref := range p.protected {
			n.Value = strings.ReplaceAll(n.Value, disguised, ref)
		}
	}
	if n.Kind != yaml.ScalarNode || !strings.Contains(n.Value, "${") {
		return
	}
	n.Value = envRE.ReplaceAllStringFunc(n.Value, func(ref string) string {
		m := envRE.FindStringSubmatch(ref)
		if v, ok := p.lookup(m[1]); ok && v != "" {
			return v
		}
		if m[2] != "" {
			return m[3]
		}
		p.errAt(n, path, "environment variable %s is not set; export it before running cwreport, or write ${%s:-default}", m[1], m[1])
		return ""
	})
	p.fromEnv[n] = true
	// A value from the environment is a string, whatever it looks like.
	n.Tag = "!!str"
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// walk checks the node tree against the Go type: unknown keys, a list where a
// mapping belongs, a word where a number belongs. It records node positions.
func (p *parser) walk(n *yaml.Node, t reflect.Type, path string) {
	p.nodes[path] = n
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	p.expandEnv(n, path)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if n.Kind != yaml.ScalarNode {
			p.errAt(n, path, "found %s; expected a single value", kindName(n))
		}
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value keeps the default
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			p.errAt(n, path, "found %s; expected a mapping of fields (%s)", kindName(n), strings.Join(fieldNames(t), ", "))
			return
		}
		fields := fieldMap(t)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			child := join(path, k.Value)
			if seen[k.Value] {
				p.errAt(k, child, "appears twice; keep one")
				continue
			}
			seen[k.Value] = true
			f, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown field %q", k.Value)
				if s := suggest(k.Value, fieldNames(t)); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				p.errAt(k, path, "%s (allowed: %s)", msg, strings.Join(fieldNames(t), ", "))
				continue
			}
			p.nodes["key:"+child] = k
			p.walk(v, f.Type, child)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			p.errAt(n, path, "found %s; expected a mapping of names to values", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			child := join(path, k.Value)
			p.nodes["key:"+child] = k
			p.walk(v, t.Elem(), child)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if n.Kind == yaml.ScalarNode && t.Elem().Kind() == reflect.String {
				p.errAt(n, path, "found %q; expected a list, e.g. [%s]", n.Value, n.Value)
			} else {
				p.errAt(n, path, "found %s; expected a list", kindName(n))
			}
			return
		}
		for i, c := range n.Content {
			p.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			p.errAt(n, path, "found %s; expected a whole number", p.describe(n))
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
			p.errAt(n, path, "found %s; expected a number", p.describe(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			p.errAt(n, path, "found %s; expected true or false", p.describe(n))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			p.errAt(n, path, "found %s; expected a single value", kindName(n))
		}
	}
}

func (p *parser) describe(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return kindName(n)
	}
	if p.fromEnv[n] {
		return "a value from the environment"
	}
	return strconv.Quote(n.Value)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return strconv.Quote(n.Value)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

type fieldInfo struct{ Type reflect.Type }

func fieldMap(t reflect.Type) map[string]fieldInfo {
	m := map[string]fieldInfo{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		m[name] = fieldInfo{Type: f.Type}
	}
	return m
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for name := range fieldMap(t) {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name
}

// suggest returns the allowed word closest to got, when it is close enough
// to be a typo.
func suggest(got string, allowed []string) string {
	best, bestD := "", 1<<30
	for _, a := range allowed {
		if d := levenshtein(strings.ToLower(got), strings.ToLower(a)); d < bestD {
			best, bestD = a, d
		}
	}
	// Short words are too easily "close" to anything (fr vs ko).
	if (bestD <= 2 || (bestD <= 3 && len(got) > 6)) && bestD*3 <= len(got) {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
