package security

import "github.com/cwreport/cwreport/jobs/internal/textfmt"

// English number agreement for evidence and findings ("1 user has",
// "3 users have"); the Korean texts count with 명, 개, 건 and need none.

// pick is one when n is 1, else many.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// hasHave is the verb agreeing with a subject of n things.
func hasHave(n int) string { return pick(n, "has", "have") }

// allHave is "the only VPC has" or "all 3 VPCs have".
func allHave(n int, one, many string) string {
	if n == 1 {
		return "the only " + one + " has"
	}
	return "all " + textfmt.Count(n, one, many) + " have"
}
