//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockHistory takes an exclusive lock beside the history database, so two
// serve processes never share it: opening history marks runs left
// "running" as interrupted, which would be wrong for the other's runs.
// The lock ends with the process, however it ends.
func lockHistory(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("history directory: %w", err)
	}
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock history: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w (one serve per history.path; replicas each need their own, plus a lease)", path, errLocked)
		}
		return nil, fmt.Errorf("lock history %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
