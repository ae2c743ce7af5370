// Package atomicfile writes a file so that a reader (a sync job, a web
// server, the next run) sees either the old content or the new, never half
// of it: the data goes to a hidden temporary file beside the target, is
// synced, and is renamed over it.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path with permissions perm, atomically. The
// directory must exist. On failure the temporary file is removed and path
// is untouched; the error is the file system's own (errors.Is works on
// fs.ErrPermission, syscall.ENOSPC and the like).
func Write(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	// CreateTemp makes the file 0600; readers of a report expect perm.
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
