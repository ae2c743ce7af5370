package config

import (
	"strings"
	"testing"
)

func TestCapacityOptionsValidation(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		want        []string
	}{
		{"valid", "{preset: aggressive, cpu_ceiling: 85, group_target: 0.7, lookback_days: 21, low_days: 10}", nil},
		{"bad preset", "{preset: agressive}", []string{`jobs[0].capacity.preset: found "agressive"; allowed: conservative, balanced, aggressive (did you mean "aggressive"?)`}},
		{"target as percent", "{group_target: 65}", []string{"jobs[0].capacity.group_target: found 65; allowed 0.1 to 0.95 (default 0.65, a fraction, not a percentage)"}},
		{"ceiling as fraction", "{cpu_ceiling: 0.8}", []string{"jobs[0].capacity.cpu_ceiling: found 0.8; allowed 10 to 100 (default 80)"}},
		{"low days beyond lookback", "{low_days: 20}", []string{"jobs[0].capacity.low_days: found 20; allowed 1 to lookback_days (14) (default 4)"}},
		{"memory ceiling above limit", "{memory_ceiling: 95, memory_limit: 90}", []string{"jobs[0].capacity.memory_ceiling: found 95, above memory_limit 90"}},
		{"horizon", "{horizon_days: 3}", []string{"jobs[0].capacity.horizon_days: found 3; allowed 7 to 3650 (default 180)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := "source: {type: demo}\njobs:\n  - name: c\n    kind: capacity\n    capacity: " + tc.block + "\n"
			_, err := Parse("c.yaml", []byte(y), env(nil))
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestCapacityWithDefaults(t *testing.T) {
	var none *CapacityOptions
	d := none.WithDefaults()
	if d.Preset != "balanced" || d.CPUCeiling != 80 || d.SizingPercentile != 99.5 || d.GroupTarget != 0.65 || d.MemoryCeiling != 80 {
		t.Fatalf("balanced defaults wrong: %+v", d)
	}
	if d.IdleMaxCPU != 1 || d.LookbackDays != 14 || d.LowDays != 4 || d.MinHours != 30 || d.HorizonDays != 180 || d.TrendMinDays != 14 {
		t.Fatalf("fixed defaults wrong: %+v", d)
	}
	c := (&CapacityOptions{Preset: "conservative", CPUCeiling: 75}).WithDefaults()
	if c.CPUCeiling != 75 || c.MemoryCeiling != 70 || c.GroupTarget != 0.55 {
		t.Fatalf("conservative with override wrong: %+v", c)
	}
	a := (&CapacityOptions{Preset: "aggressive"}).WithDefaults()
	if a.SizingPercentile != 95 || a.CPUCeiling != 90 || a.GroupTarget != 0.75 {
		t.Fatalf("aggressive wrong: %+v", a)
	}
}
