package config

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// SecurityOptions tune the monthly security audit (kind security): the
// thresholds of the IAM and network checks, the score weights and the signing
// key of the audit pack. The checks, the score formula and the pack format
// are explained in docs/security.md.
type SecurityOptions struct {
	// SensitivePorts must not be open to 0.0.0.0/0 or ::/0, besides the
	// administration ports 22 and 3389 that CIS 5.3/5.4 cover; default 8888
	// (Jupyter), 1433 (SQL Server), 1521 (Oracle), 3306 (MySQL), 5432
	// (PostgreSQL), 6379 (Redis), 9200 (Elasticsearch), 11211 (memcached),
	// 27017 (MongoDB).
	SensitivePorts []int `yaml:"sensitive_ports"`
	// UnusedCredentialDays is how long a password or an access key may go
	// unused before CIS 1.11 fails; default 45.
	UnusedCredentialDays int `yaml:"unused_credential_days"`
	// AccessKeyMaxAgeDays is the age past which an active access key fails
	// CIS 1.13; default 90.
	AccessKeyMaxAgeDays int `yaml:"access_key_max_age_days"`
	// RootUseDays: a root password or key use within this many days fails
	// CIS 1.6; default 30.
	RootUseDays int `yaml:"root_use_days"`
	// PasswordMinLength is the shortest minimum password length that passes
	// CIS 1.7; default 14.
	PasswordMinLength int `yaml:"password_min_length"`
	// PasswordReuse is the smallest password reuse prevention that passes
	// CIS 1.8; default 24.
	PasswordReuse int `yaml:"password_reuse"`
	// BruteForceFailures failed console logins from one source IP (or for one
	// user) within BruteForceWindow are flagged as a brute-force burst;
	// default 10.
	BruteForceFailures int `yaml:"brute_force_failures"`
	// BruteForceWindow is the sliding window of BruteForceFailures; default 10m.
	BruteForceWindow Duration `yaml:"brute_force_window"`
	// Weights of the four score categories, in percent; when given, all
	// four must be set and add up to 100. Default authentication 25,
	// permissions 20, network 35, monitoring 20.
	Weights *SecurityWeights `yaml:"weights"`
	// Pack configures the signed audit pack (a zip of the report in every
	// format, evidence CSVs and a signed manifest). Without a signing key no
	// pack is made.
	Pack *PackOptions `yaml:"pack"`
}

// SecurityWeights are the score category weights, in percent.
type SecurityWeights struct {
	// Authentication covers root and console MFA and the password policy.
	Authentication float64 `yaml:"authentication"`
	// Permissions covers root keys and use, unused and old credentials.
	Permissions float64 `yaml:"permissions"`
	// Network covers security groups, network ACLs and flow logs.
	Network float64 `yaml:"network"`
	// Monitoring covers CloudTrail, AWS Config and the CIS 4.x alarms.
	Monitoring float64 `yaml:"monitoring"`
}

// PackOptions say how the audit pack's manifest is signed. Set exactly one
// of signing_key_file, signing_key, kms_key_id and demo_key.
type PackOptions struct {
	// SigningKeyFile is a PEM file holding an Ed25519 private key (PKCS #8),
	// as written by `cwreport keygen` or `openssl genpkey -algorithm ed25519`.
	SigningKeyFile string `yaml:"signing_key_file"`
	// SigningKey is the same PEM key (or the base64 of its 32-byte seed)
	// given inline, normally from the environment: ${CWREPORT_PACK_KEY}.
	SigningKey Secret `yaml:"signing_key"`
	// KMSKeyID signs with AWS KMS instead: a key id, key ARN or alias of an
	// asymmetric SIGN_VERIFY key of spec ECC_NIST_EDWARDS25519 or
	// ECC_NIST_P256/P384/P521, in source.region.
	KMSKeyID string `yaml:"kms_key_id"`
	// DemoKey signs with the built-in demo key, whose private half is public
	// (docs/security.md). It signs only reports of the demo account.
	DemoKey bool `yaml:"demo_key"`
}

// Defaults of the security options.
const (
	DefaultUnusedCredentialDays = 45
	DefaultAccessKeyMaxAgeDays  = 90
	DefaultRootUseDays          = 30
	DefaultPasswordMinLength    = 14
	DefaultPasswordReuse        = 24
	DefaultBruteForceFailures   = 10
	DefaultBruteForceWindow     = 10 * time.Minute
)

// DefaultSensitivePorts are the ports besides 22 and 3389 checked for
// exposure to the internet unless a job lists its own.
var DefaultSensitivePorts = []int{8888, 1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017}

// DefaultSecurityWeights are the score category weights unless configured.
var DefaultSecurityWeights = SecurityWeights{Authentication: 25, Permissions: 20, Network: 35, Monitoring: 20}

// WithDefaults returns the options with every unset field defaulted; a nil
// receiver (no security block) gives all defaults. Pack stays nil when not
// configured.
func (o *SecurityOptions) WithDefaults() SecurityOptions {
	var d SecurityOptions
	if o != nil {
		d = *o
	}
	if len(d.SensitivePorts) == 0 {
		d.SensitivePorts = slices.Clone(DefaultSensitivePorts)
	}
	if d.UnusedCredentialDays == 0 {
		d.UnusedCredentialDays = DefaultUnusedCredentialDays
	}
	if d.AccessKeyMaxAgeDays == 0 {
		d.AccessKeyMaxAgeDays = DefaultAccessKeyMaxAgeDays
	}
	if d.RootUseDays == 0 {
		d.RootUseDays = DefaultRootUseDays
	}
	if d.PasswordMinLength == 0 {
		d.PasswordMinLength = DefaultPasswordMinLength
	}
	if d.PasswordReuse == 0 {
		d.PasswordReuse = DefaultPasswordReuse
	}
	if d.BruteForceFailures == 0 {
		d.BruteForceFailures = DefaultBruteForceFailures
	}
	if !d.BruteForceWindow.IsSet() || d.BruteForceWindow.Duration <= 0 {
		d.BruteForceWindow = Duration{Duration: DefaultBruteForceWindow, Raw: "10m"}
	}
	if d.Weights == nil {
		w := DefaultSecurityWeights
		d.Weights = &w
	}
	return d
}

func (o *SecurityOptions) validate(v *validator, path string) {
	seen := map[int]bool{}
	for i, p := range o.SensitivePorts {
		at := fmt.Sprintf("%s.sensitive_ports[%d]", path, i)
		switch {
		case p < 1 || p > 65535:
			v.errorf(at, "found %d; a port is 1 to 65535", p)
		case seen[p]:
			v.errorf(at, "port %d is listed twice; list it once", p)
		}
		seen[p] = true
	}
	days := []struct {
		key      string
		val, max int
		def      int
	}{
		{"unused_credential_days", o.UnusedCredentialDays, 3650, DefaultUnusedCredentialDays},
		{"access_key_max_age_days", o.AccessKeyMaxAgeDays, 3650, DefaultAccessKeyMaxAgeDays},
		{"root_use_days", o.RootUseDays, 3650, DefaultRootUseDays},
		{"password_min_length", o.PasswordMinLength, 128, DefaultPasswordMinLength},
		{"password_reuse", o.PasswordReuse, 24, DefaultPasswordReuse},
		{"brute_force_failures", o.BruteForceFailures, 100000, DefaultBruteForceFailures},
	}
	for _, d := range days {
		if d.val < 0 || d.val > d.max {
			v.errorf(path+"."+d.key, "found %d; allowed 1 to %d (default %d)", d.val, d.max, d.def)
		}
	}
	if o.BruteForceWindow.IsSet() {
		d, err := ParseDuration(o.BruteForceWindow.Raw)
		switch {
		case err != nil:
			v.errorf(path+".brute_force_window", "%v", err)
		case d < time.Minute || d > 24*time.Hour:
			v.errorf(path+".brute_force_window", "found %s; allowed 1m to 24h (default 10m)", o.BruteForceWindow.Raw)
		}
	}
	if o.Weights != nil {
		o.Weights.validate(v, path+".weights")
	}
	if o.Pack != nil {
		o.Pack.validate(v, path+".pack")
	}
}

func (w *SecurityWeights) validate(v *validator, path string) {
	fields := []struct {
		key string
		val float64
	}{{"authentication", w.Authentication}, {"permissions", w.Permissions}, {"network", w.Network}, {"monitoring", w.Monitoring}}
	var missing []string
	sum := 0.0
	for _, f := range fields {
		if _, set := v.nodes[path+"."+f.key]; !set {
			missing = append(missing, f.key)
		}
		if f.val < 0 || f.val > 100 {
			v.errorf(path+"."+f.key, "found %g; a weight is 0 to 100 (percent)", f.val)
		}
		sum += f.val
	}
	if len(missing) > 0 {
		v.errorf(path, "missing %v; give all four weights (authentication, permissions, network, monitoring), in percent, adding up to 100 (default 25, 20, 35, 20)", missing)
		return
	}
	if math.Abs(sum-100) > 1e-6 {
		v.errorf(path, "weights add up to %g; they are percentages and must add up to 100 (default 25, 20, 35, 20)", sum)
	}
}

func (p *PackOptions) validate(v *validator, path string) {
	var set []string
	if p.SigningKeyFile != "" {
		set = append(set, "signing_key_file")
	}
	if p.SigningKey != "" {
		set = append(set, "signing_key")
	}
	if p.KMSKeyID != "" {
		set = append(set, "kms_key_id")
	}
	if p.DemoKey {
		set = append(set, "demo_key")
	}
	switch len(set) {
	case 0:
		v.errorf(path, "no signing key; set one of signing_key_file (an Ed25519 PEM file from `cwreport keygen`), signing_key (${CWREPORT_PACK_KEY}), kms_key_id or demo_key, or remove the pack block")
	case 1:
	default:
		v.errorf(path+"."+set[1], "%s and %s are both set; a pack is signed with exactly one key", set[0], set[1])
	}
}
