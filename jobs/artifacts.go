package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/pack"
	"github.com/cwreport/cwreport/report/pack/kmssign"
)

// ArtifactStep makes more artifacts from a run's rendered ones, after the
// renderers and before delivery: the security audit pack is one. A step
// that fails fails the run, since what it makes is part of what the job
// promises.
type ArtifactStep interface {
	Artifacts(ctx context.Context, cfg *config.Config, run Run, rep *report.Report, arts []report.Artifact) ([]report.Artifact, error)
}

// ArtifactSteps lists the steps of each kind, in order. Registration is
// explicit, like the analyzers'.
func ArtifactSteps() map[string][]ArtifactStep {
	return map[string][]ArtifactStep{
		"security": {PackStep{}},
	}
}

// afterRender runs the steps registered for the run's kind.
func (r *Runner) afterRender(ctx context.Context, run Run, rep *report.Report, arts []report.Artifact) ([]report.Artifact, error) {
	for _, s := range ArtifactSteps()[run.Job.Kind] {
		var err error
		if arts, err = s.Artifacts(ctx, r.Config, run, rep, arts); err != nil {
			return nil, err
		}
	}
	return arts, nil
}

// PackStep builds the signed audit pack of a security job that configures
// security.pack: every rendered artifact under report/, every report table
// as CSV under evidence/, manifest.json and manifest.sig. Without a pack
// block it adds nothing.
type PackStep struct {
	// KMS, when set, replaces the KMS client built from the configuration
	// (tests point it at an emulator this way too).
	KMS kmssign.API
}

// PackName is the pack's artifact name for a run.
func PackName(run Run) string { return run.Base() + "-pack.zip" }

// Artifacts implements ArtifactStep.
func (p PackStep) Artifacts(ctx context.Context, cfg *config.Config, run Run, rep *report.Report, arts []report.Artifact) ([]report.Artifact, error) {
	if run.Job.Security == nil || run.Job.Security.Pack == nil || rep == nil {
		return arts, nil
	}
	signer, err := p.signer(ctx, cfg, run.Job.Security.Pack, rep)
	if err != nil {
		return nil, fmt.Errorf("audit pack: %w", err)
	}
	files, err := PackFiles(rep, arts)
	if err != nil {
		return nil, fmt.Errorf("audit pack: %w", err)
	}
	meta := pack.Meta{Job: rep.Job, Kind: rep.Kind, Period: run.Period, GeneratedAt: rep.GeneratedAt, Window: rep.Window, Account: rep.Account}
	data, err := pack.Build(ctx, meta, files, signer)
	if err != nil {
		return nil, fmt.Errorf("audit pack: %w", err)
	}
	return append(arts, report.Artifact{Name: PackName(run), Format: "zip", ContentType: "application/zip", Data: data, Role: report.RolePack}), nil
}

// PackFiles lists what a pack holds: the rendered artifacts (report formats
// and chart images) under report/, and every table of the report as CSV
// under evidence/ (check results, open security group rules, activity
// summaries, the credential report subset).
func PackFiles(rep *report.Report, arts []report.Artifact) ([]pack.File, error) {
	var files []pack.File
	for _, a := range arts {
		if a.Role == report.RolePack {
			continue
		}
		files = append(files, pack.File{Name: "report/" + a.Name, Data: a.Data, Role: a.Role})
	}
	seen := map[string]bool{}
	for _, s := range rep.Sections {
		for i := range s.Tables {
			t := &s.Tables[i]
			name := "evidence/" + t.ID + ".csv"
			if t.ID == "" || seen[name] || path.Base(name) != t.ID+".csv" {
				return nil, fmt.Errorf("table id %q is empty, repeated or not a plain name", t.ID)
			}
			seen[name] = true
			files = append(files, pack.File{Name: name, Data: pack.TableCSV(t), Role: report.RoleEvidence})
		}
	}
	return files, nil
}

func (p PackStep) signer(ctx context.Context, cfg *config.Config, o *config.PackOptions, rep *report.Report) (pack.Signer, error) {
	switch {
	case o.DemoKey:
		if !rep.Account.Demo {
			return nil, errors.New("demo_key signs only reports of the demo account, and its private half is public; configure signing_key_file, signing_key or kms_key_id")
		}
		return pack.Ed25519Signer{Key: pack.DemoKey(), Label: "demo"}, nil
	case o.SigningKeyFile != "":
		data, err := os.ReadFile(o.SigningKeyFile)
		if err != nil {
			return nil, fmt.Errorf("read signing_key_file: %w", err)
		}
		key, err := pack.ParsePrivateKey(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.SigningKeyFile, err)
		}
		return pack.Ed25519Signer{Key: key, Label: "file"}, nil
	case o.SigningKey != "":
		key, err := pack.ParsePrivateKey([]byte(o.SigningKey.Reveal()))
		if err != nil {
			return nil, fmt.Errorf("security.pack.signing_key: %w", err)
		}
		return pack.Ed25519Signer{Key: key, Label: "file"}, nil
	case o.KMSKeyID != "":
		client := p.KMS
		if client == nil {
			c, err := kmsClient(ctx, cfg)
			if err != nil {
				return nil, err
			}
			client = c
		}
		return &kmssign.Signer{Client: client, KeyID: o.KMSKeyID}, nil
	}
	return nil, errors.New("no signing key configured")
}

// kmsClient builds a KMS client in source.region with the SDK's default
// credential chain and source.profile; source.endpoint_url (or
// AWS_ENDPOINT_URL) points it at an emulator. The key belongs to the
// account running cwreport: source.assume_role_arn is not applied.
func kmsClient(ctx context.Context, cfg *config.Config) (*kms.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	var src config.Source
	if cfg != nil {
		src = cfg.Source
	}
	if src.Region != "" {
		opts = append(opts, awsconfig.WithRegion(src.Region))
	}
	if src.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(src.Profile))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration for KMS: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("KMS signing needs a region: set source.region or AWS_REGION")
	}
	return kms.NewFromConfig(awsCfg, func(o *kms.Options) {
		if src.EndpointURL != "" {
			o.BaseEndpoint = sdkaws.String(src.EndpointURL)
		}
	}), nil
}
