package report

// FindingDef documents one finding id: declared once beside the code that
// raises it, and rendered into docs/findings.md by a test, never by hand.
type FindingDef struct {
	ID string
	// Title says what the finding means, in one line.
	Title string
	// Severity states the rule: which severity, when.
	Severity string
	// Recommendation is the advice the finding carries.
	Recommendation string
	// Value and Unit say what the finding's value holds, if anything.
	Value string
	// Evidence lists the evidence keys and what each holds.
	Evidence []string
	// Reference names a standard the finding maps to (CIS AWS Foundations
	// Benchmark v5.0 4.3, AWS Compute Optimizer, ...).
	Reference string
}
