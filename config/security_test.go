package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSecurityOptionsDefaults(t *testing.T) {
	var nilOpts *SecurityOptions
	d := nilOpts.WithDefaults()
	if d.UnusedCredentialDays != 45 || d.AccessKeyMaxAgeDays != 90 || d.PasswordMinLength != 14 || d.PasswordReuse != 24 ||
		d.RootUseDays != 30 || d.BruteForceFailures != 10 || d.BruteForceWindow.Duration != 10*time.Minute {
		t.Errorf("defaults: %+v", d)
	}
	if *d.Weights != (SecurityWeights{25, 20, 35, 20}) {
		t.Errorf("default weights %+v", *d.Weights)
	}
	if len(d.SensitivePorts) == 0 || d.SensitivePorts[0] != 8888 || d.Pack != nil {
		t.Errorf("ports %v pack %v", d.SensitivePorts, d.Pack)
	}
	// The defaults are copies: changing them must not change the package's.
	d.SensitivePorts[0] = 1
	if DefaultSensitivePorts[0] != 8888 {
		t.Error("WithDefaults shares DefaultSensitivePorts")
	}
}

func TestSecurityOptionsParse(t *testing.T) {
	y := `source: {type: demo}
jobs:
  - name: audit
    kind: security
    security:
      sensitive_ports: [8888, 9000]
      brute_force_window: 5m
      weights: {authentication: 30, permissions: 20, network: 30, monitoring: 20}
      pack:
        signing_key: ${PACK_KEY}
`
	cfg, err := Parse("c.yaml", []byte(y), env(map[string]string{"PACK_KEY": "-----BEGIN PRIVATE KEY-----secret"}))
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Job("audit").Security.WithDefaults()
	if o.BruteForceWindow.Duration != 5*time.Minute || o.Weights.Authentication != 30 || len(o.SensitivePorts) != 2 {
		t.Errorf("parsed %+v", o)
	}
	if o.Pack.SigningKey.String() != "<secret>" || !strings.HasPrefix(o.Pack.SigningKey.Reveal(), "-----BEGIN") {
		t.Errorf("signing key %q", o.Pack.SigningKey.String())
	}
}

func TestSecurityOptionsErrors(t *testing.T) {
	cases := []struct {
		name, block string
		want        []string
	}{
		{"weights do not add up", "weights: {authentication: 25, permissions: 20, network: 35, monitoring: 25}",
			[]string{`jobs[0].security.weights: weights add up to 105; they are percentages and must add up to 100 (default 25, 20, 35, 20)`}},
		{"weights incomplete", "weights: {network: 100}",
			[]string{`jobs[0].security.weights: missing [authentication permissions monitoring]; give all four weights`}},
		{"negative weight", "weights: {authentication: -5, permissions: 40, network: 45, monitoring: 20}",
			[]string{`jobs[0].security.weights.authentication: found -5; a weight is 0 to 100 (percent)`}},
		{"bad port", "sensitive_ports: [8888, 70000, 8888]",
			[]string{`jobs[0].security.sensitive_ports[1]: found 70000; a port is 1 to 65535`, `jobs[0].security.sensitive_ports[2]: port 8888 is listed twice`}},
		{"bad window", "brute_force_window: 10s",
			[]string{`jobs[0].security.brute_force_window: found 10s; allowed 1m to 24h (default 10m)`}},
		{"reuse too high", "password_reuse: 30",
			[]string{`jobs[0].security.password_reuse: found 30; allowed 1 to 24 (default 24)`}},
		{"pack without key", "pack: {}",
			[]string{`jobs[0].security.pack: no signing key; set one of signing_key_file`}},
		{"pack with two keys", "pack: {signing_key_file: /k.pem, kms_key_id: alias/x}",
			[]string{`jobs[0].security.pack.kms_key_id: signing_key_file and kms_key_id are both set; a pack is signed with exactly one key`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := "jobs:\n  - name: a\n    kind: security\n    security:\n      " + c.block + "\n"
			_, err := Parse("c.yaml", []byte(y), env(nil))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			if len(errs) != len(c.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(c.want), err)
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), c.want[i]) {
					t.Errorf("error %d:\n%s\nwant it to contain:\n%s", i, e.Error(), c.want[i])
				}
			}
		})
	}
}
