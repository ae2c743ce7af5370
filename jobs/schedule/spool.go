package schedule

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cwreport/cwreport/internal/atomicfile"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report"
)

// Spool keeps each run's rendered artifacts until every target has them,
// so a retry after a failure or a crash re-sends the same bytes rather than
// a report rendered again (with a different generated_at, or different data
// if the source changed). Layout: <Dir>/<job>/<period>/ holding the
// artifacts and manifest.json, written last: a directory without a
// manifest is an unfinished spool and is ignored.
type Spool struct {
	Dir string
}

// SpoolDir is the spool beside a history database: <dir>/spool.
func SpoolDir(historyPath string) string {
	return filepath.Join(filepath.Dir(historyPath), "spool")
}

const spoolSchema = "cwreport.spool/v1"

type spoolManifest struct {
	Schema string `json:"schema"`
	RunKey string `json:"run_key"`
	// Report is the report without its sections: what a delivery's
	// summary needs.
	Report    json.RawMessage `json:"report"`
	Artifacts []spoolArtifact `json:"artifacts"`
}

type spoolArtifact struct {
	Name        string `json:"name"`
	Format      string `json:"format"`
	ContentType string `json:"content_type"`
	Role        string `json:"role"`
	ChartID     string `json:"chart_id,omitempty"`
	SHA256      string `json:"sha256"`
	Size        int    `json:"size"`
}

// Spooled is a run read back from the spool.
type Spooled struct {
	Report    *report.Report
	Artifacts []report.Artifact
}

func (s Spool) dir(runKey string) (string, error) {
	rel := filepath.FromSlash(runKey)
	if !filepath.IsLocal(rel) || strings.Count(runKey, "/") != 1 {
		return "", fmt.Errorf("spool: run key %q is not job/period", runKey)
	}
	return filepath.Join(s.Dir, rel), nil
}

// Save writes the run's report summary and artifacts.
func (s Spool) Save(runKey string, rep *report.Report, arts []report.Artifact) error {
	dir, err := s.dir(runKey)
	if err != nil {
		return err
	}
	// A half-written spool from an earlier attempt must not mix with this one.
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("spool %s: %w", runKey, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("spool %s: %w", runKey, err)
	}
	trimmed := *rep
	trimmed.Sections = nil
	repJSON, err := json.Marshal(&trimmed)
	if err != nil {
		return fmt.Errorf("spool %s: %w", runKey, err)
	}
	m := spoolManifest{Schema: spoolSchema, RunKey: runKey, Report: repJSON}
	for _, a := range arts {
		if a.Name == "" || a.Name != filepath.Base(a.Name) || a.Name == "manifest.json" {
			return fmt.Errorf("spool %s: unsafe artifact name %q", runKey, a.Name)
		}
		if err := atomicfile.Write(filepath.Join(dir, a.Name), a.Data, 0o640); err != nil {
			return fmt.Errorf("spool %s: %w", runKey, err)
		}
		m.Artifacts = append(m.Artifacts, spoolArtifact{Name: a.Name, Format: a.Format, ContentType: a.ContentType, Role: a.Role, ChartID: a.ChartID, SHA256: sum(a.Data), Size: len(a.Data)})
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("spool %s: %w", runKey, err)
	}
	if err := atomicfile.Write(filepath.Join(dir, "manifest.json"), data, 0o640); err != nil {
		return fmt.Errorf("spool %s: %w", runKey, err)
	}
	return nil
}

// ErrSpoolDamaged means a spooled artifact no longer matches its manifest.
var ErrSpoolDamaged = errors.New("spooled artifact changed on disk")

// Load reads a spooled run; nil (and no error) when there is none.
func (s Spool) Load(runKey string) (*Spooled, error) {
	dir, err := s.dir(runKey)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read spool of %s: %w", runKey, err)
	}
	var m spoolManifest
	if err := json.Unmarshal(data, &m); err != nil || m.Schema != spoolSchema || m.RunKey != runKey {
		return nil, fmt.Errorf("read spool of %s: manifest is not %s for this run (%v)", runKey, spoolSchema, err)
	}
	out := &Spooled{Report: &report.Report{}}
	if err := json.Unmarshal(m.Report, out.Report); err != nil {
		return nil, fmt.Errorf("read spool of %s: report: %w", runKey, err)
	}
	for _, a := range m.Artifacts {
		if a.Name != filepath.Base(a.Name) {
			return nil, fmt.Errorf("read spool of %s: unsafe artifact name %q", runKey, a.Name)
		}
		b, err := os.ReadFile(filepath.Join(dir, a.Name))
		if err != nil {
			return nil, fmt.Errorf("read spool of %s: %w", runKey, err)
		}
		if sum(b) != a.SHA256 {
			return nil, fmt.Errorf("read spool of %s: %s: %w", runKey, a.Name, ErrSpoolDamaged)
		}
		out.Artifacts = append(out.Artifacts, report.Artifact{Name: a.Name, Format: a.Format, ContentType: a.ContentType, Role: a.Role, ChartID: a.ChartID, Data: b})
	}
	return out, nil
}

// Remove deletes a run's spool (every target has it).
func (s Spool) Remove(runKey string) error {
	dir, err := s.dir(runKey)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove spool of %s: %w", runKey, err)
	}
	os.Remove(filepath.Dir(dir)) // the job's directory, when it is now empty
	return nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// historyArtifacts is what history keeps of the artifacts.
func historyArtifacts(arts []report.Artifact) []history.Artifact {
	out := make([]history.Artifact, 0, len(arts))
	for _, a := range arts {
		out = append(out, history.Artifact{Name: a.Name, SHA256: sum(a.Data), Size: len(a.Data)})
	}
	return out
}
