// Package snapshot is a source that replays a dataset saved as JSON (for
// example with `cwreport run --save-dataset`), so a report can be
// re-rendered or debugged without calling AWS again.
package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cwreport/cwreport/jobs/source"
)

// Source replays one dataset file.
type Source struct {
	Path string
}

// Collect reads the file. The dataset is returned as recorded; a request
// window outside the recorded one is reported as a gap, not silently filled.
func (s Source) Collect(ctx context.Context, req source.Request) (*source.Dataset, error) {
	data, err := os.ReadFile(s.Path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	var ds source.Dataset
	if err := json.Unmarshal(data, &ds); err != nil {
		return nil, fmt.Errorf("parse snapshot %s: %w", s.Path, err)
	}
	if !ds.Window.Start.IsZero() && (req.Window.Start.Before(ds.Window.Start) || req.Window.End.After(ds.Window.End)) {
		ds.Gaps = append(ds.Gaps, source.Gap{Source: "snapshot", Part: "window",
			Error: fmt.Sprintf("snapshot covers %s to %s; the run asked for %s to %s",
				ds.Window.Start.Format("2006-01-02T15:04Z07:00"), ds.Window.End.Format("2006-01-02T15:04Z07:00"),
				req.Window.Start.Format("2006-01-02T15:04Z07:00"), req.Window.End.Format("2006-01-02T15:04Z07:00"))})
	}
	return &ds, nil
}
