package jobs

import (
	"context"
	"fmt"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/benchmark"
	"github.com/cwreport/cwreport/jobs/capacity"
	"github.com/cwreport/cwreport/jobs/incident"
	"github.com/cwreport/cwreport/jobs/security"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/aws"
	"github.com/cwreport/cwreport/jobs/source/demo"
	"github.com/cwreport/cwreport/jobs/source/snapshot"
	"github.com/cwreport/cwreport/jobs/status"
	"github.com/cwreport/cwreport/report/render"
	"github.com/cwreport/cwreport/report/render/html"
	"github.com/cwreport/cwreport/report/render/json"
	"github.com/cwreport/cwreport/report/render/markdown"
	"github.com/cwreport/cwreport/report/render/pdf"
)

// Analyzers registers every report kind this build has. Registration is
// explicit, one line per kind, and fails on duplicates.
func Analyzers() (*analyze.Registry, error) {
	reg := analyze.NewRegistry()
	for _, k := range []struct {
		kind string
		an   analyze.Analyzer
	}{
		{status.Kind, status.New()},
		{"capacity", capacity.New()},
		{incident.Kind, incident.New()},
		{"security", security.New()},
		{benchmark.Kind, benchmark.New()},
	} {
		if err := reg.Register(k.kind, k.an); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// Renderers returns the renderer of every output format this build has.
func Renderers() map[string]render.Renderer {
	return map[string]render.Renderer{
		"md":   markdown.Renderer{},
		"json": json.Renderer{},
		"html": html.Renderer{},
		"pdf":  pdf.Renderer{},
	}
}

// OpenSource builds the configured data source.
func OpenSource(ctx context.Context, cfg *config.Config) (source.Source, error) {
	switch cfg.Source.Type {
	case "demo":
		return demo.New(), nil
	case "snapshot":
		return snapshot.Source{Path: cfg.Source.Path}, nil
	case "aws":
		return aws.New(ctx, aws.Options{Config: cfg.Source})
	default:
		return nil, fmt.Errorf("source type %q is not available in this build", cfg.Source.Type)
	}
}
