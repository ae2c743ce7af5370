package report

import (
	"encoding/json"
	"testing"
)

// Findings an analyzer ranked keep their rank among equals of one severity
// and id ("#1, #2, #3", not ordered by resource), also after a JSON round
// trip (the spool re-sorts a report read back); unranked findings keep the
// old order: severity, id, resource.
func TestSortFindingsOrder(t *testing.T) {
	fs := []Finding{
		{ID: "x.candidate", Severity: SeverityMedium, Resource: "i-0f", Order: 2},
		{ID: "x.candidate", Severity: SeverityMedium, Resource: "/aws/app", Order: 3},
		{ID: "x.candidate", Severity: SeverityMedium, Resource: "b-unranked"},
		{ID: "x.candidate", Severity: SeverityMedium, Resource: "a-unranked"},
		{ID: "x.candidate", Severity: SeverityHigh, Resource: "/aws/app", Order: 1},
		{ID: "a.other", Severity: SeverityMedium, Resource: "z"},
	}
	want := []string{"/aws/app#1", "z#0", "i-0f#2", "/aws/app#3", "a-unranked#0", "b-unranked#0"}
	check := func(name string, fs []Finding) {
		t.Helper()
		SortFindings(fs)
		for i, f := range fs {
			if got := f.Resource + "#" + string(rune('0'+f.Order)); got != want[i] {
				t.Errorf("%s: position %d is %s, want %s (all: %+v)", name, i, got, want[i], fs)
				return
			}
		}
	}
	check("in memory", append([]Finding(nil), fs...))
	b, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	var back []Finding
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	check("from JSON", back)
	// Unranked findings encode as before: no "order" key.
	one, _ := json.Marshal(Finding{ID: "a", Severity: SeverityLow})
	var m map[string]any
	_ = json.Unmarshal(one, &m)
	if _, ok := m["order"]; ok {
		t.Errorf("an unranked finding writes order: %s", one)
	}
}
