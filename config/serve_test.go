package config

import (
	"strings"
	"testing"
	"time"
)

func TestServeDefaults(t *testing.T) {
	cfg, err := Parse("s.yaml", []byte(`source: {type: demo}
lease: {bucket: ops-leases}
jobs:
  - {name: morning, kind: daily-status, schedule: "0 8 * * *"}
  - {name: weekly, kind: capacity, schedule: "0 9 * * 1"}
  - {name: audit, kind: security, schedule: "@monthly"}
  - {name: hourly, kind: incident, schedule: "@every 1h", catch_up: {policy: grace, grace: 30m}}
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.History.Path != "cwreport-history.db" || cfg.Server.Listen != ":9108" || cfg.Server.LogFormat != "text" || cfg.Server.ShutdownTimeout.Duration != 2*time.Minute || cfg.Server.RetryInterval.Duration != 10*time.Minute || cfg.Lease.Prefix != "cwreport/leases/" {
		t.Errorf("server defaults: %+v %+v %+v", cfg.History, cfg.Server, cfg.Lease)
	}
	if cfg.History.Retain.Duration != 90*24*time.Hour || cfg.Lease.Margin.Duration != 5*time.Minute {
		t.Errorf("retain %s, lease margin %s; want 90d and 5m", cfg.History.Retain.Duration, cfg.Lease.Margin.Duration)
	}
	for name, want := range map[string]string{"morning": "grace 6h0m0s", "weekly": "always 6h0m0s", "audit": "always 6h0m0s", "hourly": "grace 30m0s"} {
		j := cfg.Job(name)
		if got := j.CatchUp.Policy + " " + j.CatchUp.Grace.Duration.String(); got != want {
			t.Errorf("%s catch-up %s, want %s", name, got, want)
		}
	}
}

func TestServeErrors(t *testing.T) {
	_, err := Parse("s.yaml", []byte(`source: {type: demo}
server: {listen: "9108", log_format: xml, shutdown_timeout: 0s, retry_interval: -5m}
lease: {prefix: x/, margin: 10s}
history: {retain: 12h}
jobs:
  - name: morning
    kind: daily-status
    schedule: "0 8 * * *"
    catch_up: {policy: sometimes, grace: -1h}
    deadline: 0s
  - name: adhoc
    kind: incident
    deadline: 2h
`), env(nil))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`server.listen: found "9108"`, "expected host:port",
		"server.log_format:", "server.shutdown_timeout:", "server.retry_interval:",
		"lease.bucket: missing",
		`lease.margin: found "10s"; expected a duration of at least 30s`,
		`history.retain: found "12h"; expected a duration of at least 1d such as 90d`,
		"jobs[0].catch_up.policy:", "jobs[0].catch_up.grace:", "jobs[0].deadline:",
		"jobs[1].deadline: set on a job without schedule",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}
