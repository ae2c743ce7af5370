// Package demo is the built-in synthetic account. PLACEHOLDER: replaced by the demo source work.
package demo

import (
	"context"

	"github.com/cwreport/cwreport/jobs/source"
)

// Source is the demo account.
type Source struct{}

// New returns the demo source.
func New() *Source { return &Source{} }

// Collect implements source.Source.
func (s *Source) Collect(ctx context.Context, req source.Request) (*source.Dataset, error) {
	return &source.Dataset{Account: source.Account{ID: "123456789012", Region: "ap-northeast-2", Demo: true}, Window: req.Window}, nil
}
