package status

import (
	"os"
	"testing"

	"github.com/cwreport/cwreport/report/render/markdown"
)

func TestDebugPrint(t *testing.T) {
	if os.Getenv("DEBUG_MD") == "" {
		t.Skip()
	}
	b := crafted(fixedAt)
	job := b.job()
	job.Language = os.Getenv("DEBUG_MD")
	r := b.analyze(t, job)
	md, err := markdown.Source(r)
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.Write(md)
}
