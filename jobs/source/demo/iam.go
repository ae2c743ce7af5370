package demo

import (
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// IAM of the demo account: the credential report, the password policy and
// the account summary. The security report finds: bob with a console
// password and no MFA, ci-deployer-user's access key unrotated for 200
// days, old-contractor unused for 120 days without MFA, root used 3 days
// ago (with MFA, no access keys), and a weak password policy (length 8, no
// reuse prevention).

func iam(at time.Time) *source.IAM {
	ago := func(d time.Duration) time.Time { return at.Add(-d).UTC().Truncate(time.Second) }
	return &source.IAM{
		ReportGenerated: ago(2*time.Hour + 13*time.Minute),
		CredentialReport: []source.CredentialReportRow{
			{User: "<root_account>", ARN: "arn:aws:iam::" + accountID + ":root", Created: ago(1100 * day),
				PasswordLastUsed: ago(rootLoginAt), PasswordLastChanged: ago(700 * day), MFAActive: true},
			{User: "alice", ARN: userARN("alice"), Created: ago(720 * day), PasswordEnabled: true,
				PasswordLastUsed: ago(aliceFailedLogins - 5*time.Minute), PasswordLastChanged: ago(64 * day), MFAActive: true},
			{User: "bob", ARN: userARN("bob"), Created: ago(410 * day), PasswordEnabled: true,
				PasswordLastUsed: ago(bobDeniedAt + 40*time.Minute), PasswordLastChanged: ago(410 * day)},
			{User: ciUser, ARN: userARN(ciUser), Created: ago(530 * day),
				AccessKey1Active: true, AccessKey1LastRotated: ago(200 * day), AccessKey1LastUsed: ago(newIPAssumeRoleAt)},
			{User: "old-contractor", ARN: userARN("old-contractor"), Created: ago(480 * day), PasswordEnabled: true,
				PasswordLastUsed: ago(120 * day), PasswordLastChanged: ago(480 * day)},
		},
		PasswordPolicy: &source.PasswordPolicy{MinimumLength: 8, RequireNumbers: true, RequireLowercase: true,
			RequireUppercase: true, ReusePrevention: 0, MaxAgeDays: 0, AllowUsersToChange: true},
		Summary: map[string]int{
			"AccountMFAEnabled":                 1,
			"AccountAccessKeysPresent":          0,
			"AccountSigningCertificatesPresent": 0,
			"Users":                             4,
			"UsersQuota":                        5000,
			"Groups":                            3,
			"Roles":                             17,
			"Policies":                          9,
			"MFADevices":                        2,
			"MFADevicesInUse":                   2,
			"AccessKeysPerUserQuota":            2,
		},
	}
}
