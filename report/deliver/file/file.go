// Package file delivers to a local directory, in the same dated layout as
// the S3 archive: <dir>/<job>/<YYYY>/<MM>/<DD>/<job>-<period>.<ext>. Every
// file is written to a temporary name and renamed, so a reader (a sync job,
// a web server) never sees half a report.
package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/cwreport/cwreport/internal/atomicfile"
	"github.com/cwreport/cwreport/report/deliver"
)

// Target writes artifacts under Dir.
type Target struct {
	Dir string
}

// New returns a target writing under dir.
func New(dir string) *Target { return &Target{Dir: dir} }

// Deliver writes every artifact; receipts are "path:<name>" → the path.
func (t *Target) Deliver(ctx context.Context, d *deliver.Delivery) error {
	for _, a := range d.Artifacts {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", a.Name, err)
		}
		if a.Name == "" || a.Name != filepath.Base(a.Name) || a.Name == "." || a.Name == ".." {
			return deliver.Final("write artifact", fmt.Errorf("unsafe file name %q", a.Name), "report this as a bug: artifact names never hold a path")
		}
		rel := filepath.FromSlash(deliver.DatedPath(d.Summary, a.Name))
		if !filepath.IsLocal(rel) {
			return deliver.Final("write "+a.Name, fmt.Errorf("path %q leaves the directory", rel), "job names must be plain names")
		}
		path := filepath.Join(t.Dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return failure("create "+filepath.Dir(path), err)
		}
		if err := atomicfile.Write(path, a.Data, 0o644); err != nil {
			return failure("write "+path, err)
		}
		d.SetReceipt("path:"+a.Name, path)
	}
	return nil
}

// failure classifies a file system error: a full disk or a permission
// problem is the user's to fix, so it is final and says so.
func failure(op string, err error) error {
	f := &deliver.Failure{Op: op, Protocol: deliver.Local, Err: err}
	switch {
	case errors.Is(err, fs.ErrPermission):
		f.Fix = "let the cwreport user write to the target directory"
	case errors.Is(err, syscall.ENOSPC):
		f.Fix = "free space on the target file system"
	case errors.Is(err, syscall.EROFS):
		f.Fix = "the file system is read-only; point dir elsewhere"
	case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
		f.Transient = true
	}
	return f
}
