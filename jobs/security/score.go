package security

import (
	"fmt"
	"slices"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/report"
)

// SeverityWeight is how much a check counts within its category: a failed
// critical check costs four times a failed low one.
func SeverityWeight(s report.Severity) float64 {
	switch s {
	case report.SeverityCritical:
		return 4
	case report.SeverityHigh:
		return 3
	case report.SeverityMedium:
		return 2
	}
	return 1
}

// categoryWeight returns the configured weight of c, in percent.
func categoryWeight(w config.SecurityWeights, c Category) float64 {
	switch c {
	case Authentication:
		return w.Authentication
	case Permissions:
		return w.Permissions
	case Network:
		return w.Network
	}
	return w.Monitoring
}

// Score computes the security score (docs/security.md, "Score"):
//
//	category score = 100 × Σ weight(passed) / Σ weight(passed + failed)
//	score          = Σ W_c × category score_c / Σ W_c
//
// where weight is SeverityWeight of each check and W_c the configured
// category weight. Unknown checks are in neither sum: they are listed apart
// in Score.Unknown and never count as passed. A category without any known
// check is left out of the second sum (its weight is shared by the others);
// with no known check at all the score is 0 and Score.Unknown lists them all.
// Values are rounded to one decimal, so the same data gives the same bytes.
func Score(cs []Check, rs []Result, w config.SecurityWeights) *report.Score {
	type acc struct {
		passW, knownW              float64
		passed, failed, unknownCnt int
	}
	by := map[Category]*acc{}
	for _, c := range Categories {
		by[c] = &acc{}
	}
	s := &report.Score{Max: 100, Unknown: []string{}, Categories: []report.ScoreCategory{}}
	for i, c := range cs {
		a := by[c.Category]
		sw := SeverityWeight(c.Severity)
		switch rs[i].Status {
		case Pass:
			a.passW += sw
			a.knownW += sw
			a.passed++
		case Fail:
			a.knownW += sw
			a.failed++
		default:
			a.unknownCnt++
			s.Unknown = append(s.Unknown, c.ID)
		}
	}
	var total, weights float64
	for _, c := range Categories {
		a := by[c]
		sc := report.ScoreCategory{ID: string(c), Title: CategoryTitle[c].En, Weight: categoryWeight(w, c),
			Passed: a.passed, Failed: a.failed, Unknown: a.unknownCnt}
		if a.knownW > 0 {
			sc.Score = textfmt.Round(100*a.passW/a.knownW, 1)
			total += sc.Weight * (100 * a.passW / a.knownW)
			weights += sc.Weight
		}
		s.Categories = append(s.Categories, sc)
	}
	if weights > 0 {
		s.Value = textfmt.Round(total/weights, 1)
	}
	return s
}

// maxHistory bounds the trend to a year of monthly reports.
const maxHistory = 12

// History turns earlier reports of the same job into score points, oldest
// first, skipping reports without a score, of another job, or not earlier
// than the current window. Periods are labelled by the job's period kind in
// loc: 2026-10 (month), 2026-W43 (week), 2026-10-31 (day), from the window
// start for calendar windows (last-month) and the window end otherwise, as
// run keys are (jobs.PeriodKey).
func History(earlier []*report.Report, job, period string, byStart bool, current report.Window, loc *time.Location) []report.ScorePoint {
	var out []report.ScorePoint
	seen := map[string]bool{}
	for _, r := range earlier {
		if r == nil || r.Score == nil || r.Job != job || !r.Window.Start.Before(current.Start) {
			continue
		}
		at := r.Window.End
		if byStart {
			at = r.Window.Start
		}
		label := periodLabel(at, period, loc)
		if seen[label] {
			continue // the newest report of a period wins (earlier is newest first)
		}
		seen[label] = true
		out = append(out, report.ScorePoint{Period: label, Value: r.Score.Value})
		if len(out) == maxHistory {
			break
		}
	}
	slices.Reverse(out)
	return out
}

func periodLabel(t time.Time, period string, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	switch period {
	case "month":
		return t.Format("2006-01")
	case "week":
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case "day":
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15:04")
}
