package config

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError is one configuration mistake, located in the file, with the
// field, what was found and what is allowed.
type FieldError struct {
	File    string
	Line    int // 1-based; 0 when the field is absent from the file
	Column  int
	Field   string // e.g. jobs[0].schedule
	Message string
}

func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Field == "" {
		return loc + ": " + e.Message
	}
	return loc + ": " + e.Field + ": " + e.Message
}

// Errors is every mistake found in one file, in file order. Validation never
// stops at the first one: a user fixes them all in one pass.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		// Errors about absent fields (line 0) go after located ones.
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return es
}
