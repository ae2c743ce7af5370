package aws_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/source/aws"
)

// TestRunStillWritesItsReport runs a real daily-status job through the
// runner on the aws source with alarms denied: the report is produced, its
// data_gaps say which API and IAM action, and the exit code is 3.
func TestRunStillWritesItsReport(t *testing.T) {
	src, at, inject := aws.KitSource(t, config.Source{})
	inject("cloudwatch:DescribeAlarms", 403, "AccessDenied")
	cfg, err := config.Parse("test.yaml", []byte(`
timezone: Asia/Seoul
source: {type: aws, region: ap-northeast-2}
jobs:
  - name: morning
    kind: daily-status
    formats: [md, json]
`), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	an, err := jobs.Analyzers()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := an.Get("daily-status"); !ok {
		t.Skip("no daily-status analyzer in this build")
	}
	r := &jobs.Runner{Config: cfg, Source: src, Analyzers: an, Renderers: jobs.Renderers()}
	res := r.Run(context.Background(), jobs.NewRun(cfg.Jobs[0], at))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.ExitCode() != jobs.ExitDegraded || len(res.Artifacts) != 2 {
		t.Fatalf("exit %d, %d artifacts", res.ExitCode(), len(res.Artifacts))
	}
	found := false
	for _, g := range res.Report.DataGaps {
		if g.Source == "aws" && g.API == "cloudwatch:DescribeAlarms" && g.Action == "cloudwatch:DescribeAlarms" {
			found = true
		}
	}
	if !found {
		t.Errorf("data_gaps = %+v", res.Report.DataGaps)
	}
	for _, a := range res.Artifacts {
		if strings.HasSuffix(a.Name, ".json") && !strings.Contains(string(a.Data), `"cloudwatch:DescribeAlarms"`) {
			t.Errorf("%s does not list the gap", a.Name)
		}
	}
}
