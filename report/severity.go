package report

import "fmt"

// Severity ranks a finding. The JSON values are part of the v1 contract.
type Severity string

// Severities from least to most serious.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists every severity from least to most serious.
var Severities = []Severity{SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// Rank orders severities: info 0 ... critical 4; unknown values rank -1.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// ParseSeverity accepts exactly the five JSON values.
func ParseSeverity(s string) (Severity, error) {
	if Severity(s).Rank() < 0 {
		return "", fmt.Errorf("severity %q is not one of info, low, medium, high, critical", s)
	}
	return Severity(s), nil
}
