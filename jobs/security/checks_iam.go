package security

import (
	"fmt"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Dataset parts the IAM checks read.
const (
	partCredReport     = "iam:credential_report"
	partPasswordPolicy = "iam:password_policy"
)

// RootUser is how the credential report names the root user.
const RootUser = "<root_account>"

func iamChecks() []Check {
	return []Check{
		{
			ID: "iam.root_access_keys", CIS: "1.3", Category: Permissions, Severity: report.SeverityCritical, Needs: source.NeedIAM,
			Title: i18n.Text{En: "The root user has no access keys", Ko: "루트 사용자에 액세스 키 없음"},
			Remediation: i18n.Text{
				En: "Sign in as root, open Security credentials and delete the root access keys; use IAM roles for automation.",
				Ko: "루트로 로그인해 보안 자격 증명에서 루트 액세스 키를 삭제하고, 자동화에는 IAM 역할을 사용하십시오.",
			},
			Run: checkRootKeys,
		},
		{
			ID: "iam.root_mfa", CIS: "1.4", Category: Authentication, Severity: report.SeverityCritical, Needs: source.NeedIAM,
			Title: i18n.Text{En: "The root user has MFA", Ko: "루트 사용자에 MFA 사용"},
			Remediation: i18n.Text{
				En: "Sign in as root and assign an MFA device (a dedicated hardware key or a non-personal virtual device).",
				Ko: "루트로 로그인해 MFA 장치(전용 하드웨어 키 또는 개인 소유가 아닌 가상 장치)를 등록하십시오.",
			},
			Run: checkRootMFA,
		},
		{
			ID: "iam.root_recent_use", CIS: "1.6", Category: Permissions, Severity: report.SeverityHigh, Needs: source.NeedIAM,
			Title: i18n.Text{En: "The root user was not used recently", Ko: "최근 루트 사용자 사용 없음"},
			Remediation: i18n.Text{
				En: "Confirm who used root and why; use IAM roles or Identity Center users for daily work, and keep root for the few tasks that require it.",
				Ko: "누가 왜 루트를 사용했는지 확인하고, 일상 작업에는 IAM 역할이나 Identity Center 사용자를 쓰며 루트는 꼭 필요한 작업에만 사용하십시오.",
			},
			Run: checkRootUse,
		},
		{
			ID: "iam.password_min_length", CIS: "1.7", Category: Authentication, Severity: report.SeverityMedium, Needs: source.NeedIAM,
			Title: i18n.Text{En: "The password policy requires at least 14 characters", Ko: "암호 정책의 최소 길이 14자 이상"},
			Remediation: i18n.Text{
				En: "aws iam update-account-password-policy --minimum-password-length 14 (keep the other settings in the same command).",
				Ko: "aws iam update-account-password-policy --minimum-password-length 14 (다른 설정도 같은 명령에 함께 지정하십시오).",
			},
			Run: checkPasswordLength,
		},
		{
			ID: "iam.password_reuse", CIS: "1.8", Category: Authentication, Severity: report.SeverityMedium, Needs: source.NeedIAM,
			Title: i18n.Text{En: "The password policy prevents reuse of the last 24 passwords", Ko: "암호 정책이 최근 24개 암호 재사용 금지"},
			Remediation: i18n.Text{
				En: "aws iam update-account-password-policy --password-reuse-prevention 24 (keep the other settings in the same command).",
				Ko: "aws iam update-account-password-policy --password-reuse-prevention 24 (다른 설정도 같은 명령에 함께 지정하십시오).",
			},
			Run: checkPasswordReuse,
		},
		{
			ID: "iam.console_users_mfa", CIS: "1.9", Category: Authentication, Severity: report.SeverityHigh, Needs: source.NeedIAM,
			Title: i18n.Text{En: "Every IAM user with a console password has MFA", Ko: "콘솔 암호가 있는 모든 IAM 사용자에 MFA 사용"},
			Remediation: i18n.Text{
				En: "Have each listed user assign an MFA device, and deny actions without MFA (aws:MultiFactorAuthPresent) until they do.",
				Ko: "목록의 사용자마다 MFA 장치를 등록하게 하고, 등록 전까지는 MFA 없는 작업을 거부하십시오(aws:MultiFactorAuthPresent).",
			},
			Run: checkConsoleMFA,
		},
		{
			ID: "iam.unused_credentials", CIS: "1.11", Category: Permissions, Severity: report.SeverityMedium, Needs: source.NeedIAM,
			Title: i18n.Text{En: "No password or access key has been unused for 45 days or more", Ko: "45일 이상 사용하지 않은 암호·액세스 키 없음"},
			Remediation: i18n.Text{
				En: "Disable the console password and deactivate the access keys listed; delete the user if nobody owns it.",
				Ko: "목록의 콘솔 암호를 비활성화하고 액세스 키를 비활성화하십시오. 담당자가 없는 사용자는 삭제하십시오.",
			},
			Run: checkUnusedCredentials,
		},
		{
			ID: "iam.single_active_key", CIS: "1.12", Category: Permissions, Severity: report.SeverityLow, Needs: source.NeedIAM,
			Title: i18n.Text{En: "No IAM user has two active access keys", Ko: "활성 액세스 키가 두 개인 IAM 사용자 없음"},
			Remediation: i18n.Text{
				En: "Keep the key in use and deactivate the other (aws iam update-access-key --status Inactive).",
				Ko: "사용 중인 키만 남기고 다른 키를 비활성화하십시오(aws iam update-access-key --status Inactive).",
			},
			Run: checkSingleKey,
		},
		{
			ID: "iam.access_key_rotation", CIS: "1.13", Category: Permissions, Severity: report.SeverityMedium, Needs: source.NeedIAM,
			Title: i18n.Text{En: "Active access keys are rotated every 90 days", Ko: "활성 액세스 키를 90일마다 교체"},
			Remediation: i18n.Text{
				En: "Create a second key, move the applications to it, deactivate and then delete the old key; better, replace long-lived keys with roles.",
				Ko: "새 키를 만들어 애플리케이션을 옮긴 뒤 이전 키를 비활성화하고 삭제하십시오. 가능하면 장기 키 대신 역할을 사용하십시오.",
			},
			Run: checkKeyRotation,
		},
	}
}

// credentialReport returns the report rows, or ok false when it was not read.
func (e *Env) credentialReport() (root *source.CredentialReportRow, users []source.CredentialReportRow, ok bool) {
	if e.unread(partCredReport) || e.Data.IAM == nil || len(e.Data.IAM.CredentialReport) == 0 {
		return nil, nil, false
	}
	for i, r := range e.Data.IAM.CredentialReport {
		if r.User == RootUser {
			root = &e.Data.IAM.CredentialReport[i]
		} else {
			users = append(users, r)
		}
	}
	return root, users, true
}

// days is the whole days from t to at.
func days(t, at time.Time) int { return int(at.Sub(t) / (24 * time.Hour)) }

func checkRootKeys(e *Env) Result {
	root, _, ok := e.credentialReport()
	if !ok || root == nil {
		return unknown(partCredReport)
	}
	var keys []string
	if root.AccessKey1Active {
		keys = append(keys, "access_key_1")
	}
	if root.AccessKey2Active {
		keys = append(keys, "access_key_2")
	}
	if len(keys) > 0 {
		return fail("the root user has active access keys: "+strings.Join(keys, ", "),
			"루트 사용자에 활성 액세스 키가 있습니다: "+strings.Join(keys, ", "), []string{"root"}, map[string]any{"keys": keys})
	}
	return pass("the root user has no active access key", "루트 사용자에 활성 액세스 키가 없습니다")
}

func checkRootMFA(e *Env) Result {
	root, _, ok := e.credentialReport()
	if !ok || root == nil {
		return unknown(partCredReport)
	}
	if root.MFAActive {
		return pass("MFA is active on the root user", "루트 사용자에 MFA가 활성화되어 있습니다")
	}
	return fail("the root user has no MFA", "루트 사용자에 MFA가 없습니다", []string{"root"}, map[string]any{"mfa_active": false})
}

func checkRootUse(e *Env) Result {
	root, _, ok := e.credentialReport()
	if !ok || root == nil {
		return unknown(partCredReport)
	}
	limit := e.Opts.RootUseDays
	var uses, usesKo []string
	ev := map[string]any{"within_days": limit}
	for _, u := range []struct {
		what, en, ko string
		t            time.Time
	}{{"password", "password", "암호", root.PasswordLastUsed}, {"access_key_1", "access key 1", "액세스 키 1", root.AccessKey1LastUsed}, {"access_key_2", "access key 2", "액세스 키 2", root.AccessKey2LastUsed}} {
		if u.t.IsZero() {
			continue
		}
		ev[u.what+"_last_used"] = u.t.UTC().Format(time.RFC3339)
		if d := days(u.t, e.At); d < limit {
			uses = append(uses, fmt.Sprintf("%s %s ago", u.en, textfmt.Count(d, "day", "days")))
			usesKo = append(usesKo, fmt.Sprintf("%s %d일 전", u.ko, d))
		}
	}
	if len(uses) > 0 {
		return fail(fmt.Sprintf("root was used within %d days (%s)", limit, strings.Join(uses, ", ")),
			fmt.Sprintf("최근 %d일 안에 루트를 사용했습니다 (%s)", limit, strings.Join(usesKo, ", ")), []string{"root"}, ev)
	}
	return Result{Status: Pass, Evidence: ev, Summary: i18n.Text{
		En: fmt.Sprintf("root not used in the last %d days", limit), Ko: fmt.Sprintf("최근 %d일 동안 루트 사용 없음", limit)}}
}

// passwordPolicy returns the policy (nil when the account has none), or
// ok false when it was not read.
func (e *Env) passwordPolicy() (*source.PasswordPolicy, bool) {
	if e.unread(partPasswordPolicy) || e.Data.IAM == nil {
		return nil, false
	}
	return e.Data.IAM.PasswordPolicy, true
}

func checkPasswordLength(e *Env) Result {
	p, ok := e.passwordPolicy()
	if !ok {
		return unknown(partPasswordPolicy)
	}
	want := e.Opts.PasswordMinLength
	if p == nil {
		return fail(fmt.Sprintf("no password policy (AWS then requires only 8 characters); want at least %d", want),
			fmt.Sprintf("암호 정책이 없습니다(AWS 기본값은 8자). 최소 %d자가 필요합니다", want), nil, map[string]any{"minimum_length": nil, "required": want})
	}
	ev := map[string]any{"minimum_length": p.MinimumLength, "required": want}
	if int(p.MinimumLength) < want {
		return fail(fmt.Sprintf("minimum password length is %d; want at least %d", p.MinimumLength, want),
			fmt.Sprintf("최소 암호 길이가 %d자입니다. %d자 이상이어야 합니다", p.MinimumLength, want), nil, ev)
	}
	return Result{Status: Pass, Evidence: ev, Summary: i18n.Text{
		En: fmt.Sprintf("minimum password length %d", p.MinimumLength), Ko: fmt.Sprintf("최소 암호 길이 %d자", p.MinimumLength)}}
}

func checkPasswordReuse(e *Env) Result {
	p, ok := e.passwordPolicy()
	if !ok {
		return unknown(partPasswordPolicy)
	}
	want := e.Opts.PasswordReuse
	if p == nil {
		return fail("no password policy: passwords may be reused", "암호 정책이 없어 암호를 재사용할 수 있습니다", nil, map[string]any{"reuse_prevention": nil, "required": want})
	}
	ev := map[string]any{"reuse_prevention": p.ReusePrevention, "required": want}
	if int(p.ReusePrevention) < want {
		return fail(fmt.Sprintf("password reuse prevention is %d; want %d", p.ReusePrevention, want),
			fmt.Sprintf("암호 재사용 금지 개수가 %d입니다. %d 이상이어야 합니다", p.ReusePrevention, want), nil, ev)
	}
	return Result{Status: Pass, Evidence: ev, Summary: i18n.Text{
		En: fmt.Sprintf("the last %d passwords cannot be reused", p.ReusePrevention), Ko: fmt.Sprintf("최근 암호 %d개 재사용 금지", p.ReusePrevention)}}
}

func checkConsoleMFA(e *Env) Result {
	_, users, ok := e.credentialReport()
	if !ok {
		return unknown(partCredReport)
	}
	var bad []string
	console := 0
	for _, u := range users {
		if !u.PasswordEnabled {
			continue
		}
		console++
		if !u.MFAActive {
			bad = append(bad, u.User)
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d of %s %s no MFA: %s", len(bad), textfmt.Count(console, "console user", "console users"), hasHave(len(bad)), strings.Join(bad, ", ")),
			fmt.Sprintf("콘솔 사용자 %d명 중 %d명이 MFA를 사용하지 않습니다: %s", console, len(bad), strings.Join(bad, ", ")), bad, map[string]any{"users": bad})
	}
	return pass(fmt.Sprintf("%s MFA", allHave(console, "console user", "console users")), fmt.Sprintf("콘솔 사용자 %d명 모두 MFA 사용", console))
}

// unusedReasons lists why a user's credentials count as unused for limit
// days, following the CIS 1.11 audit: a password or an active key last used
// longer ago than limit, or never used and set (or rotated) longer ago.
func unusedReasons(u source.CredentialReportRow, at time.Time, limit int) []string {
	var out []string
	older := func(t time.Time) bool { return !t.IsZero() && days(t, at) >= limit }
	if u.PasswordEnabled {
		switch {
		case !u.PasswordLastUsed.IsZero():
			if older(u.PasswordLastUsed) {
				out = append(out, fmt.Sprintf("password last used %d days ago", days(u.PasswordLastUsed, at)))
			}
		case older(u.PasswordLastChanged):
			out = append(out, fmt.Sprintf("password never used, set %d days ago", days(u.PasswordLastChanged, at)))
		case u.PasswordLastChanged.IsZero() && older(u.Created):
			out = append(out, fmt.Sprintf("password never used, user created %d days ago", days(u.Created, at)))
		}
	}
	for _, k := range []struct {
		n              int
		active         bool
		used, rotation time.Time
	}{{1, u.AccessKey1Active, u.AccessKey1LastUsed, u.AccessKey1LastRotated}, {2, u.AccessKey2Active, u.AccessKey2LastUsed, u.AccessKey2LastRotated}} {
		if !k.active {
			continue
		}
		switch {
		case !k.used.IsZero():
			if older(k.used) {
				out = append(out, fmt.Sprintf("access key %d last used %d days ago", k.n, days(k.used, at)))
			}
		case older(k.rotation):
			out = append(out, fmt.Sprintf("access key %d never used, created %d days ago", k.n, days(k.rotation, at)))
		}
	}
	return out
}

func checkUnusedCredentials(e *Env) Result {
	_, users, ok := e.credentialReport()
	if !ok {
		return unknown(partCredReport)
	}
	limit := e.Opts.UnusedCredentialDays
	var bad []string
	ev := map[string]any{}
	for _, u := range users {
		if rs := unusedReasons(u, e.At, limit); len(rs) > 0 {
			bad = append(bad, u.User)
			ev[u.User] = rs
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%s credentials unused for %d days or more: %s", textfmt.Count(len(bad), "user", "users")+" "+hasHave(len(bad)), limit, strings.Join(bad, ", ")),
			fmt.Sprintf("%d일 이상 사용하지 않은 자격 증명이 있는 사용자 %d명: %s", limit, len(bad), strings.Join(bad, ", ")), bad, ev)
	}
	return pass(fmt.Sprintf("every credential was used within %d days", limit), fmt.Sprintf("모든 자격 증명이 %d일 안에 사용됨", limit))
}

func checkSingleKey(e *Env) Result {
	_, users, ok := e.credentialReport()
	if !ok {
		return unknown(partCredReport)
	}
	var bad []string
	for _, u := range users {
		if u.AccessKey1Active && u.AccessKey2Active {
			bad = append(bad, u.User)
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%s two active access keys: %s", textfmt.Count(len(bad), "user", "users")+" "+hasHave(len(bad)), strings.Join(bad, ", ")),
			fmt.Sprintf("활성 액세스 키가 두 개인 사용자 %d명: %s", len(bad), strings.Join(bad, ", ")), bad, map[string]any{"users": bad})
	}
	return pass("no user has two active access keys", "활성 액세스 키가 두 개인 사용자가 없습니다")
}

func checkKeyRotation(e *Env) Result {
	_, users, ok := e.credentialReport()
	if !ok {
		return unknown(partCredReport)
	}
	limit := e.Opts.AccessKeyMaxAgeDays
	var bad []string
	ev := map[string]any{}
	for _, u := range users {
		var old []string
		for _, k := range []struct {
			n       int
			active  bool
			rotated time.Time
		}{{1, u.AccessKey1Active, u.AccessKey1LastRotated}, {2, u.AccessKey2Active, u.AccessKey2LastRotated}} {
			if k.active && !k.rotated.IsZero() && days(k.rotated, e.At) > limit {
				old = append(old, fmt.Sprintf("access key %d is %d days old", k.n, days(k.rotated, e.At)))
			}
		}
		if len(old) > 0 {
			bad = append(bad, u.User)
			ev[u.User] = old
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%s access keys older than %d days: %s", textfmt.Count(len(bad), "user", "users")+" "+hasHave(len(bad)), limit, strings.Join(bad, ", ")),
			fmt.Sprintf("%d일이 넘은 액세스 키가 있는 사용자 %d명: %s", limit, len(bad), strings.Join(bad, ", ")), bad, ev)
	}
	return pass(fmt.Sprintf("every active access key is at most %d days old", limit), fmt.Sprintf("모든 활성 액세스 키가 %d일 이내", limit))
}
