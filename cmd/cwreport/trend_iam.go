package main

import (
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source/aws"
)

// earlierReadStatements grant what reading earlier reports back from an
// s3 target needs (jobs/earlier_s3.go), for each selected job whose kind
// reads earlier reports (the security score history) and each of its s3
// targets: s3:ListBucket on the bucket for the job's keys only
// (s3:prefix), and s3:GetObject on them. Like the delivery statements,
// they belong to the identity cwreport runs as (Sids CwreportDeliver*).
func earlierReadStatements(cfg *config.Config, selected []*config.Job, reg *analyze.Registry, region string, now time.Time) []aws.Statement {
	var out []aws.Statement
	for _, j := range selected {
		an, ok := reg.Get(j.Kind)
		if !ok {
			continue
		}
		run := jobs.NewRun(j, now)
		if an.Plan(j, run.Window, run.At).Earlier <= 0 {
			continue
		}
		for _, name := range j.Deliver {
			t := cfg.Targets[name]
			if t == nil || t.Type != "s3" {
				continue
			}
			r := region
			if t.Region != "" {
				r = t.Region
			}
			keys := j.Name + "/"
			if pre := strings.Trim(t.Prefix, "/"); pre != "" {
				keys = pre + "/" + keys
			}
			bucket := "arn:" + aws.Partition(r) + ":s3:::" + t.Bucket
			sid := "CwreportDeliver" + sidPart(name) + "Earlier" + sidPart(j.Name)
			out = append(out,
				aws.Statement{Sid: sid + "List", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{bucket},
					Condition: map[string]map[string]string{"StringLike": {"s3:prefix": keys + "*"}}},
				aws.Statement{Sid: sid + "Read", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{bucket + "/" + keys + "*"}})
		}
	}
	return out
}
