package aws

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/cwreport/cwreport/jobs/source"
)

// iamData reads the credential report, the account summary and the
// password policy; each is its own part.
func (r *run) iamData(ctx context.Context) {
	data := &source.IAM{}
	r.credentialReport(ctx, data)
	if out, err := r.s.clients.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}); err != nil {
		r.fail("iam:account_summary", err)
	} else {
		data.Summary = make(map[string]int, len(out.SummaryMap))
		for k, v := range out.SummaryMap {
			data.Summary[k] = int(v)
		}
	}
	if out, err := r.s.clients.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{}); err != nil {
		// No policy is an answer (the account uses IAM's defaults), not a gap.
		var none *iamtypes.NoSuchEntityException
		if !errors.As(err, &none) && errorCode(err) != "NoSuchEntity" {
			r.fail("iam:password_policy", err)
		}
	} else if p := out.PasswordPolicy; p != nil {
		data.PasswordPolicy = &source.PasswordPolicy{
			MinimumLength:      sdkaws.ToInt32(p.MinimumPasswordLength),
			RequireSymbols:     p.RequireSymbols,
			RequireNumbers:     p.RequireNumbers,
			RequireUppercase:   p.RequireUppercaseCharacters,
			RequireLowercase:   p.RequireLowercaseCharacters,
			ReusePrevention:    sdkaws.ToInt32(p.PasswordReusePrevention),
			MaxAgeDays:         sdkaws.ToInt32(p.MaxPasswordAge),
			AllowUsersToChange: p.AllowUsersToChangePassword,
		}
	}
	r.mu.Lock()
	r.ds.IAM = data
	r.mu.Unlock()
}

// credentialReport asks IAM to generate the report (it reuses one younger
// than four hours), polls with backoff until it is complete, and parses it.
func (r *run) credentialReport(ctx context.Context, data *source.IAM) {
	wait := r.s.opts.PollInterval
	deadline := time.Now().Add(r.s.opts.PollTimeout)
	for {
		gen, err := r.s.clients.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			r.fail("iam:credential_report", err)
			return
		}
		if gen.State == iamtypes.ReportStateTypeComplete {
			break
		}
		if time.Now().After(deadline) {
			r.addGap(source.Gap{Source: SourceName, Part: "iam:credential_report", API: "iam:GenerateCredentialReport",
				Error: fmt.Sprintf("the report was still %s after %s", gen.State, r.s.opts.PollTimeout)})
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*3/2, r.s.opts.MaxPollInterval)
	}
	out, err := r.s.clients.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		r.fail("iam:credential_report", err)
		return
	}
	rows, err := ParseCredentialReport(out.Content)
	if err != nil {
		r.addGap(source.Gap{Source: SourceName, Part: "iam:credential_report", API: "iam:GetCredentialReport", Error: err.Error()})
		return
	}
	data.CredentialReport = rows
	data.ReportGenerated = sdkaws.ToTime(out.GeneratedTime).UTC()
}

// ParseCredentialReport reads the IAM credential report CSV by its header
// names (so added columns do not shift anything). Times are zero for N/A,
// no_information and not_supported.
func ParseCredentialReport(content []byte) ([]source.CredentialReportRow, error) {
	rd := csv.NewReader(bytes.NewReader(content))
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("parse credential report: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"user", "arn", "password_enabled", "mfa_active"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("parse credential report: no %q column in %v", need, header)
		}
	}
	out := []source.CredentialReportRow{}
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse credential report line %d: %w", line, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		out = append(out, source.CredentialReportRow{
			User:                  clean(get("user")),
			ARN:                   clean(get("arn")),
			Created:               reportTime(get("user_creation_time")),
			PasswordEnabled:       get("password_enabled") == "true",
			PasswordLastUsed:      reportTime(get("password_last_used")),
			PasswordLastChanged:   reportTime(get("password_last_changed")),
			MFAActive:             get("mfa_active") == "true",
			AccessKey1Active:      get("access_key_1_active") == "true",
			AccessKey1LastRotated: reportTime(get("access_key_1_last_rotated")),
			AccessKey1LastUsed:    reportTime(get("access_key_1_last_used_date")),
			AccessKey2Active:      get("access_key_2_active") == "true",
			AccessKey2LastRotated: reportTime(get("access_key_2_last_rotated")),
			AccessKey2LastUsed:    reportTime(get("access_key_2_last_used_date")),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		// <root_account> first, then users by name.
		if (out[i].User == "<root_account>") != (out[j].User == "<root_account>") {
			return out[i].User == "<root_account>"
		}
		return out[i].User < out[j].User
	})
	return out, nil
}

// reportTime parses the report's ISO 8601 times (2026-11-21T08:00:00+00:00).
func reportTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
