package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/aws"
)

// kindNeeds is what each report kind reads, for a build without that
// kind's analyzer (the analyzer's own plan is used when it is there).
var kindNeeds = map[string]source.Need{
	"daily-status": source.NeedInstances | source.NeedMetrics | source.NeedAlarms | source.NeedAlarmHistory | source.NeedLogGroups | source.NeedLogStats,
	"capacity":     source.NeedInstances | source.NeedMetrics | source.NeedPrices,
	"security": source.NeedInstances | source.NeedNetwork | source.NeedTrailEvents | source.NeedTrailConfig | source.NeedMonitoring |
		source.NeedIAM | source.NeedLogGroups | source.NeedAlarms,
	"incident":  source.NeedInstances | source.NeedMetrics | source.NeedAlarms | source.NeedAlarmHistory | source.NeedLogGroups | source.NeedLogStats | source.NeedTrailEvents,
	"benchmark": source.NeedInstances | source.NeedMetrics | source.NeedAlarms | source.NeedAlarmHistory | source.NeedLogGroups | source.NeedLogStats,
}

func iamPolicyCommand() *command {
	c := &command{
		name:    "iam-policy",
		summary: "Print the least-privilege IAM policy for a configuration's jobs and targets",
		usage:   "cwreport iam-policy --config FILE [--job NAME] [--trail-bucket BUCKET]",
		example: `  cwreport iam-policy --config cwreport.yaml > cwreport-policy.json
  aws iam put-role-policy --role-name cwreport --policy-name cwreport --policy-document file://cwreport-policy.json
  cwreport iam-policy --config cwreport.yaml --trail-bucket my-cloudtrail-logs   # scope the S3 reads to the trail bucket`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		cfgPath := fs.String("config", "", "configuration `FILE` (YAML)")
		only := fs.String("job", "", "only the job `NAME` (default: every job)")
		bucket := fs.String("trail-bucket", "", "the CloudTrail bucket, to scope the S3 reads to it (default: any bucket's AWSLogs/ keys)")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			fmt.Fprintf(e.stderr, "cwreport iam-policy: unexpected argument %q\n", pos[0])
			return 2
		}
		cfg, ok := loadConfig(e, *cfgPath)
		if !ok {
			return 2
		}
		selected := cfg.Jobs
		if *only != "" {
			j := cfg.Job(*only)
			if j == nil {
				fmt.Fprintf(e.stderr, "cwreport iam-policy: no job %q in %s; jobs are: %s\n", *only, cfg.File, strings.Join(cfg.JobNames(), ", "))
				return 2
			}
			selected = []*config.Job{j}
		}
		reg, err := jobs.Analyzers()
		if err != nil {
			fmt.Fprintln(e.stderr, "cwreport iam-policy:", err)
			return 1
		}
		p, notes := buildPolicy(cfg, selected, reg, *bucket, time.Now())
		b, _ := json.MarshalIndent(p, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		for _, n := range notes {
			fmt.Fprintln(e.stderr, "note:", n)
		}
		return 0
	}
	return c
}

// jobNeeds is what a job's runs read: its analyzer's plan (and comparison
// plan), or its kind's known needs.
func jobNeeds(reg *analyze.Registry, j *config.Job, now time.Time) source.Need {
	an, ok := reg.Get(j.Kind)
	if !ok {
		return kindNeeds[j.Kind]
	}
	run := jobs.NewRun(j, now)
	plan := an.Plan(j, run.Window, now)
	return plan.Request.Needs | plan.CompareNeeds
}

// buildPolicy is the read policy for the jobs' needs (when the source is
// aws) plus the writes their targets make. Notes go to stderr.
func buildPolicy(cfg *config.Config, selected []*config.Job, reg *analyze.Registry, trailBucket string, now time.Time) (aws.Policy, []string) {
	var notes []string
	var needs source.Need
	targets := map[string]bool{}
	for _, j := range selected {
		needs |= jobNeeds(reg, j, now)
		for _, t := range j.Deliver {
			targets[t] = true
		}
	}
	region := cfg.Source.Region
	p := aws.Policy{Version: "2012-10-17"}
	if cfg.Source.Type == "aws" {
		p = aws.ReadPolicy(needs, aws.PolicyOptions{Engine: cfg.Source.Logs.Engine, TrailBucket: trailBucket, Region: region})
	} else {
		notes = append(notes, fmt.Sprintf("source.type is %s: reading needs no AWS permission; only the targets' writes are listed", cfg.Source.Type))
	}
	if cfg.Source.AssumeRoleARN != "" {
		p.Statement = append(p.Statement, aws.Statement{Sid: "CwreportAssumeReadRole", Effect: "Allow", Action: []string{"sts:AssumeRole"}, Resource: []string{cfg.Source.AssumeRoleARN}})
		notes = append(notes, "source.assume_role_arn is set: attach the CwreportRead* statements to that role, and the CwreportDeliver*, CwreportSignPack* and CwreportAssumeReadRole statements to the identity cwreport runs as")
	}
	p.Statement = append(p.Statement, packKeyStatements(selected, region)...)
	names := make([]string, 0, len(targets))
	for n := range targets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t := cfg.Targets[name]
		if t == nil {
			continue
		}
		sid := "CwreportDeliver" + sidPart(name)
		switch t.Type {
		case "s3":
			r := region
			if t.Region != "" {
				r = t.Region
			}
			arn := "arn:" + aws.Partition(r) + ":s3:::" + t.Bucket + "/"
			if pre := strings.Trim(t.Prefix, "/"); pre != "" {
				arn += pre + "/"
			}
			arn += "*"
			acts := []string{"s3:PutObject"}
			if !t.PresignExpiry.IsSet() || t.PresignExpiry.Duration > 0 {
				// Presigned links are signed by this identity: the download
				// needs its GetObject permission.
				acts = append(acts, "s3:GetObject")
			}
			p.Statement = append(p.Statement, aws.Statement{Sid: sid, Effect: "Allow", Action: acts, Resource: []string{arn}})
			if t.SSE == "aws:kms" {
				key := []string{"*"}
				if strings.HasPrefix(t.KMSKeyID, "arn:") && !strings.Contains(t.KMSKeyID, ":alias/") {
					key = []string{t.KMSKeyID}
				}
				p.Statement = append(p.Statement, aws.Statement{Sid: sid + "KMS", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: key,
					Condition: map[string]map[string]string{"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}})
			}
		case "email":
			if t.SES != nil {
				from := t.From
				if a, err := mail.ParseAddress(t.From); err == nil {
					from = a.Address
				}
				p.Statement = append(p.Statement, aws.Statement{Sid: sid, Effect: "Allow", Action: []string{"ses:SendEmail", "ses:SendRawEmail"}, Resource: []string{"*"},
					Condition: map[string]map[string]string{"StringEquals": {"ses:FromAddress": from}}})
			} else if t.SMTP != nil && strings.Contains(t.SMTP.Host, "email-smtp.") {
				notes = append(notes, fmt.Sprintf("target %s sends through the SES SMTP endpoint: its SMTP credentials belong to an IAM user that needs ses:SendRawEmail, not to this policy", name))
			}
		}
	}
	p.Statement = append(p.Statement, earlierReadStatements(cfg, selected, reg, region, now)...)
	return p, notes
}

// packKeyStatements grant kms:GetPublicKey and kms:Sign on each KMS key that
// signs a selected job's audit pack (security.pack.kms_key_id), one
// statement per key, named after the first job that uses it. The signer
// calls KMS as the identity cwreport runs as, in source.region (the role of
// source.assume_role_arn is not used for it), so these statements belong
// with the delivery ones.
func packKeyStatements(selected []*config.Job, region string) []aws.Statement {
	var out []aws.Statement
	seen := map[string]bool{}
	for _, j := range selected {
		if j.Security == nil || j.Security.Pack == nil || j.Security.Pack.KMSKeyID == "" || seen[j.Security.Pack.KMSKeyID] {
			continue
		}
		key := j.Security.Pack.KMSKeyID
		seen[key] = true
		st := aws.Statement{Sid: "CwreportSignPack" + sidPart(j.Name), Effect: "Allow", Action: []string{"kms:GetPublicKey", "kms:Sign"}}
		st.Resource, st.Condition = kmsKeyResource(key, region)
		out = append(out, st)
	}
	return out
}

// kmsKeyResource is the policy resource for a KMS key named as the KMS API
// accepts it. A key ARN is the resource itself; a key id becomes the key's
// ARN in region (any account: the id is unique). An alias cannot be a
// resource (IAM would read it as the alias, not the key it points to), so
// an alias name or alias ARN allows the keys of its region (and account,
// when the ARN says) on condition that the request names that alias:
// kms:RequestAlias, which applies to cryptographic operations and
// GetPublicKey and holds the alias name even when the request used the
// alias ARN.
func kmsKeyResource(key, region string) ([]string, map[string]map[string]string) {
	if region == "" {
		region = "*"
	}
	partition := aws.Partition(region)
	if strings.HasPrefix(key, "arn:") {
		// arn:partition:kms:region:account:key/id or ...:alias/name
		parts := strings.SplitN(key, ":", 6)
		if len(parts) == 6 {
			if name, ok := strings.CutPrefix(parts[5], "alias/"); ok {
				return []string{strings.Join(parts[:5], ":") + ":key/*"}, aliasCondition("alias/" + name)
			}
		}
		return []string{key}, nil
	}
	if strings.HasPrefix(key, "alias/") {
		return []string{"arn:" + partition + ":kms:" + region + ":*:key/*"}, aliasCondition(key)
	}
	return []string{"arn:" + partition + ":kms:" + region + ":*:key/" + key}, nil
}

func aliasCondition(alias string) map[string]map[string]string {
	return map[string]map[string]string{"StringEquals": {"kms:RequestAlias": alias}}
}

// sidPart keeps the letters and digits of a target name for a Sid.
func sidPart(name string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}
