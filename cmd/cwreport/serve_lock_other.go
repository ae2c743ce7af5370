//go:build !unix

package main

// lockHistory is a no-op where flock does not exist: run one serve per
// history database.
func lockHistory(path string) (func(), error) { return func() {}, nil }
