package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestIncidentAndBenchmarkDefaults(t *testing.T) {
	y := "jobs:\n  - name: inc\n    kind: incident\n  - name: wide\n    kind: incident\n    window: 3h\n    incident: {after: 0m}\n  - name: wow\n    kind: benchmark\n"
	cfg, err := Parse("c.yaml", []byte(y), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	inc := cfg.Job("inc").Incident.WithDefaults(time.Hour)
	if inc.Before.Duration != 30*time.Minute || inc.After.Duration != 30*time.Minute || inc.Baseline.Duration != time.Hour ||
		inc.LogBaseline.Duration != 6*time.Hour || inc.MinShift != 5 || inc.Candidates != 3 || len(inc.ChangeTerms) == 0 {
		t.Errorf("incident defaults: %+v", inc)
	}
	wide := cfg.Job("wide").Incident.WithDefaults(3 * time.Hour)
	if wide.Before.Duration != 90*time.Minute || wide.After.Duration != 0 || !wide.After.IsSet() {
		t.Errorf("window 3h, after 0m: before %v after %v", wide.Before, wide.After)
	}
	b := cfg.Job("wow").Benchmark.WithDefaults()
	if b.Offset.Duration != 7*24*time.Hour || b.GroupBy != "group" || b.NoiseDays != 7 || b.NoiseK != 3 || b.MinChangePct != 10 || b.Resolution.Duration != 5*time.Minute {
		t.Errorf("benchmark defaults: %+v", b)
	}
}

func TestBrokenIncidentAndBenchmarkOptions(t *testing.T) {
	for _, c := range []struct {
		name, yaml string
		want       []string
	}{
		{"incident spans", "jobs:\n  - name: i\n    kind: incident\n    incident: {before: 1m, after: 2d, baseline: soon, resolution: 90s}\n",
			[]string{
				`c.yaml:4:24: jobs[0].incident.before: found "1m"; allowed 5m to 24h (default half the job window, 30m)`,
				`c.yaml:4:35: jobs[0].incident.after: found "2d"; allowed 0m to 24h (default half the job window, 30m)`,
				`c.yaml:4:49: jobs[0].incident.baseline: "soon" is not a duration like 90m, 24h or 7d (default 1h)`,
				`c.yaml:4:67: jobs[0].incident.resolution: found "90s"; use whole minutes (1m, 5m), as CloudWatch periods are multiples of 60s`,
			}},
		{"incident numbers", "jobs:\n  - name: i\n    kind: incident\n    incident:\n      min_shift: 1\n      candidates: 20\n      change_terms: [deploy, x]\n",
			[]string{
				`c.yaml:5:18: jobs[0].incident.min_shift: found 1; allowed 2 to 50 (default 5)`,
				`c.yaml:6:19: jobs[0].incident.candidates: found 20; allowed 1 to 10 (default 3)`,
				`c.yaml:7:30: jobs[0].incident.change_terms[1]: found "x"; a term needs at least 3 characters, or every line would match`,
			}},
		{"benchmark", "jobs:\n  - name: b\n    kind: benchmark\n    benchmark: {offset: 36h, group_by: asg, noise_days: 2, noise_k: 0.5, min_change_pct: 900, resolution: 2h}\n",
			[]string{
				`c.yaml:4:25: jobs[0].benchmark.offset: found "36h"; allowed whole days from 1d to 28d, so both windows cover the same hours of the day (default 7d)`,
				`c.yaml:4:40: jobs[0].benchmark.group_by: found "asg"; allowed: group, instance`,
				`c.yaml:4:57: jobs[0].benchmark.noise_days: found 2; allowed 3 to 14 (default 7)`,
				`c.yaml:4:69: jobs[0].benchmark.noise_k: found 0.5; allowed 1 to 10 (default 3)`,
				`c.yaml:4:90: jobs[0].benchmark.min_change_pct: found 900; allowed 1 to 500 (default 10)`,
				`c.yaml:4:107: jobs[0].benchmark.resolution: found "2h"; allowed whole minutes from 1m to 1h (default 5m)`,
			}},
		{"block of the other kind", "jobs:\n  - name: b\n    kind: benchmark\n    incident: {before: 10m}\n",
			[]string{`c.yaml:4:15: jobs[0].incident: options for kind incident on a job of kind benchmark; remove the block or change kind`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(c.yaml), env(nil))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
