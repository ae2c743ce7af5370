package jobs

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/report"
)

var update = flag.Bool("update", false, "rewrite golden files and generated docs")

// TestFindingsDoc keeps docs/findings.md equal to what the analyzers declare:
// run `go test ./jobs -run TestFindingsDoc -update` after adding a finding.
func TestFindingsDoc(t *testing.T) {
	reg, err := Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("# Findings reference\n\n")
	b.WriteString("Generated from the analyzers' declarations by `go test ./jobs -run TestFindingsDoc -update`; do not edit by hand.\n")
	b.WriteString("Finding ids are stable: an id is never reused for another meaning. Every finding in a JSON report has the shape\n")
	b.WriteString("`{id, severity, resource, title, detail, value, unit, recommendation, evidence{}}`, plus `order` (1, 2, ...) where findings form a ranking, such as probable causes.\n")
	seen := map[string]string{}
	for _, kind := range config.Kinds {
		an, ok := reg.Get(kind)
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "\n## Kind `%s`\n", kind)
		for _, d := range an.Findings() {
			if prev, dup := seen[d.ID]; dup {
				t.Errorf("finding id %s declared by %s and %s", d.ID, prev, kind)
			}
			seen[d.ID] = kind
			if d.Title == "" || d.Severity == "" || d.Recommendation == "" {
				t.Errorf("finding %s lacks a title, severity rule or recommendation", d.ID)
			}
			writeDef(&b, d)
		}
	}
	got := b.String()
	const path = "../docs/findings.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != got {
		t.Fatalf("docs/findings.md is out of date; run: go test ./jobs -run TestFindingsDoc -update")
	}
}

func writeDef(b *strings.Builder, d report.FindingDef) {
	fmt.Fprintf(b, "\n### `%s`\n\n%s\n\n", d.ID, d.Title)
	fmt.Fprintf(b, "- **Severity:** %s\n", d.Severity)
	if d.Value != "" {
		fmt.Fprintf(b, "- **Value:** %s\n", d.Value)
	}
	if len(d.Evidence) > 0 {
		fmt.Fprintf(b, "- **Evidence:** %s\n", strings.Join(d.Evidence, "; "))
	}
	if d.Reference != "" {
		fmt.Fprintf(b, "- **Reference:** %s\n", d.Reference)
	}
	fmt.Fprintf(b, "- **Recommendation:** %s\n", d.Recommendation)
}
