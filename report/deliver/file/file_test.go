package file

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/deliver"
	"github.com/cwreport/cwreport/report/deliver/delivertest"
)

func TestConformance(t *testing.T) {
	var dir string
	delivertest.Run(t, delivertest.Peer{
		New: func(t *testing.T) deliver.Target {
			dir = t.TempDir()
			return New(dir)
		},
		Received: func(t *testing.T) delivertest.Received {
			got := delivertest.Received{Files: map[string][]byte{}}
			filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					b, _ := os.ReadFile(path)
					got.Files[e.Name()] = b
				}
				return err
			})
			return got
		},
		Carries: func(report.Artifact) bool { return true },
	})
}

func TestLayoutAndReceipts(t *testing.T) {
	dir := t.TempDir()
	d := deliver.NewDelivery(delivertest.Sample(), "archive", nil)
	if err := New(dir).Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	// The window ends 2026-11-24 08:00 KST, so the report files under the 24th.
	want := filepath.Join(dir, "morning", "2026", "11", "24", "morning-2026-11-24.pdf")
	if d.Receipt("path:morning-2026-11-24.pdf") != want {
		t.Errorf("receipt %q, want %q", d.Receipt("path:morning-2026-11-24.pdf"), want)
	}
	entries, _ := os.ReadDir(filepath.Dir(want))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if len(entries) != len(delivertest.Sample().Artifacts) {
		t.Errorf("%d files, want %d", len(entries), len(delivertest.Sample().Artifacts))
	}
}

func TestUnwritableDirIsFinalWithFix(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Log("running as root: permissions do not stop us, using a file in the way instead")
	}
	dir := t.TempDir()
	blocker := filepath.Join(dir, "morning")
	os.WriteFile(blocker, []byte("a file where a directory should be"), 0o644)
	err := New(dir).Deliver(context.Background(), deliver.NewDelivery(delivertest.Sample(), "archive", nil))
	if err == nil {
		t.Fatal("wrote through a file")
	}
	if retry, _ := deliver.Retryable(err); retry {
		t.Errorf("a blocked path is not worth retrying: %v", err)
	}
	if !strings.Contains(err.Error(), "create "+blocker) {
		t.Errorf("error does not say what was being done: %v", err)
	}
}

func TestUnsafeName(t *testing.T) {
	req := delivertest.Sample()
	req.Artifacts = []report.Artifact{{Name: "../escape.pdf", Data: []byte("x")}}
	err := New(t.TempDir()).Deliver(context.Background(), deliver.NewDelivery(req, "archive", nil))
	if err == nil || !strings.Contains(err.Error(), "unsafe file name") {
		t.Fatalf("unsafe name accepted: %v", err)
	}
}
