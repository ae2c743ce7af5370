package report

// Score is the security score: 0-100 overall, per category, with the checks
// whose data could not be read listed apart (never counted as passed).
type Score struct {
	Value      float64         `json:"value"`
	Max        float64         `json:"max"`
	Categories []ScoreCategory `json:"categories"`
	Unknown    []string        `json:"unknown"`
	History    []ScorePoint    `json:"history,omitempty"`
}

// ScoreCategory is one weighted part of the score.
type ScoreCategory struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Weight  float64 `json:"weight"`
	Score   float64 `json:"score"` // 0..100 within the category
	Passed  int     `json:"passed"`
	Failed  int     `json:"failed"`
	Unknown int     `json:"unknown"`
}

// ScorePoint is the score of an earlier period, for the trend.
type ScorePoint struct {
	Period string  `json:"period"`
	Value  float64 `json:"value"`
}
