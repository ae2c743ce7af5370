package config

import (
	"flag"
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated docs")

// TestConfigReference keeps docs/config.md equal to the schema and its doc
// comments: run `go test ./config -run TestConfigReference -update` after
// changing a config type.
func TestConfigReference(t *testing.T) {
	comments := fieldComments(t)
	var b strings.Builder
	b.WriteString("# Configuration reference\n\n")
	b.WriteString("Generated from the `config` package by `go test ./config -run TestConfigReference -update`; do not edit by hand.\n\n")
	b.WriteString("A configuration is one YAML file. Unknown fields are errors; every error names file:line:column, the field,\n")
	b.WriteString("what was found and what is allowed (`cwreport validate --config FILE` prints them all at once).\n")
	b.WriteString("Any value may reference the environment as `${NAME}` or `${NAME:-default}`; an unset variable without a\n")
	b.WriteString("default is an error. Values from the environment are never printed in messages. See `examples/` for\n")
	b.WriteString("complete files.\n")
	seen := map[reflect.Type]bool{}
	var walk func(title string, t reflect.Type)
	walk = func(title string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || reflect.PointerTo(typ).Implements(unmarshalerType) {
			return
		}
		seen[typ] = true
		if title == "" {
			b.WriteString("\n## Top level\n\n")
		} else {
			fmt.Fprintf(&b, "\n## `%s`\n\n", title)
		}
		if c := comments[typ.Name()+"."]; c != "" {
			b.WriteString(c + "\n\n")
		}
		b.WriteString("| field | type | meaning |\n|---|---|---|\n")
		type child struct {
			title string
			t     reflect.Type
		}
		var children []child
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := yamlName(f)
			if name == "" {
				continue
			}
			c := strings.ReplaceAll(comments[typ.Name()+"."+f.Name], "\n", " ")
			c = strings.ReplaceAll(c, "|", `\|`)
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", name, typeName(f.Type), c)
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			path := name
			if title != "" {
				path = title + "." + name
			}
			switch ft.Kind() {
			case reflect.Slice:
				path += "[]"
			case reflect.Map:
				path += ".<name>"
			}
			children = append(children, child{path, f.Type})
		}
		for _, c := range children {
			walk(c.title, c.t)
		}
	}
	walk("", reflect.TypeOf(Config{}))
	b.WriteString("\n## Allowed values\n\n")
	fmt.Fprintf(&b, "- `kind`: %s\n- `formats`: %s\n- `language`: %s\n- `period`: %s\n- `source.type`: %s\n- `targets.<name>.type`: %s\n",
		strings.Join(Kinds, ", "), strings.Join(Formats, ", "), strings.Join(Languages, ", "), strings.Join(Periods, ", "),
		strings.Join(SourceTypes, ", "), strings.Join(TargetTypes, ", "))
	fmt.Fprintf(&b, "- `window`: a duration (90m, 24h, 7d, 30d) or %s\n", strings.Join(calendarWindows, ", "))
	b.WriteString("- `schedule`: 5 cron fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a descriptor (@daily, @weekly, @monthly, @every 1h)\n")
	b.WriteString("\nDefaults by kind:\n\n| kind | window | period |\n|---|---|---|\n")
	for _, k := range Kinds {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", k, defaultWindow[k], defaultPeriod[k])
	}
	got := b.String()
	const path = "../docs/config.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != got {
		t.Fatal("docs/config.md is out of date; run: go test ./config -run TestConfigReference -update")
	}
}

func typeName(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(Duration{}):
		return "duration"
	case reflect.TypeOf(Window{}):
		return "window"
	case reflect.TypeOf(Secret("")):
		return "secret"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "map of " + typeName(t.Elem())
	case reflect.Struct:
		return "mapping"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	}
	return t.Kind().String()
}

// fieldComments maps "Type.Field" to the field's doc comment and "Type." to
// the type's.
func fieldComments(t *testing.T) map[string]string {
	fset := token.NewFileSet()
	pkgs, err := goparser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, goparser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var files []*ast.File
	for _, p := range pkgs {
		for _, f := range p.Files {
			files = append(files, f)
		}
	}
	sort.Slice(files, func(i, j int) bool { return fset.File(files[i].Pos()).Name() < fset.File(files[j].Pos()).Name() })
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if g.Doc != nil {
					out[ts.Name.Name+"."] = clean(g.Doc.Text())
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fl := range st.Fields.List {
					text := ""
					if fl.Doc != nil {
						text = fl.Doc.Text()
					} else if fl.Comment != nil {
						text = fl.Comment.Text()
					}
					for _, n := range fl.Names {
						out[ts.Name.Name+"."+n.Name] = clean(text)
					}
				}
			}
		}
	}
	return out
}

// clean puts a doc comment on one line.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
