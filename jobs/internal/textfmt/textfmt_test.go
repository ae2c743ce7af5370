package textfmt

import (
	"math"
	"strings"
	"testing"
)

func TestTrim(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		dec  int
		want string
	}{
		{12.5, 2, "12.5"}, {3, 2, "3"}, {3.14159, 2, "3.14"}, {100, 0, "100"},
		{-0.001, 1, "0"}, {math.Copysign(0, -1), 2, "0"}, {-2.50, 1, "-2.5"}, {0.999, 2, "1"},
	} {
		if got := Trim(tc.v, tc.dec); got != tc.want {
			t.Errorf("Trim(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
}

func TestRound(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		dec  int
		want float64
	}{
		{12.345, 1, 12.3}, {12.35, 1, 12.4}, {-12.35, 1, -12.4}, {0.125, 2, 0.13}, {-0.125, 2, -0.13},
		{1234.5, 0, 1235}, {0.000123456, 5, 0.00012}, {-0.004, 2, 0},
	} {
		if got := Round(tc.v, tc.dec); got != tc.want {
			t.Errorf("Round(%v, %d) = %v, want %v", tc.v, tc.dec, got, tc.want)
		}
	}
	if got := Round(math.NaN(), 2); !math.IsNaN(got) {
		t.Errorf("Round(NaN) = %v", got)
	}
	if got := Round(math.Inf(-1), 2); !math.IsInf(got, -1) {
		t.Errorf("Round(-Inf) = %v", got)
	}
}

func TestNum(t *testing.T) {
	for _, tc := range []struct {
		v, kilo float64
		want    string
	}{
		{0, 1e3, "0"}, {1.234, 1e3, "1.23"}, {12.34, 1e3, "12.3"}, {123.4, 1e3, "123"},
		{1234, 1e3, "1.2k"}, {1234, 1e4, "1,234"}, {9999, 1e4, "9,999"}, {-5009, 1e4, "-5,009"},
		{12345, 1e3, "12k"}, {12345, 1e4, "12k"}, {-12345, 1e4, "-12k"},
		{2.5e6, 1e3, "2.5M"}, {3e9, 1e4, "3G"},
		{math.NaN(), 1e3, "-"}, {math.Inf(1), 1e3, "-"}, {math.Inf(-1), 1e4, "-"},
	} {
		if got := Num(tc.v, tc.kilo); got != tc.want {
			t.Errorf("Num(%v, %g) = %q, want %q", tc.v, tc.kilo, got, tc.want)
		}
	}
}

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0 B"}, {980, "980 B"}, {1536, "1.5 KiB"}, {12 << 20, "12 MiB"},
		{2.1 * (1 << 30), "2.1 GiB"}, {-2048, "-2 KiB"}, {5 << 40, "5120 GiB"},
	} {
		if got := Bytes(tc.v); got != tc.want {
			t.Errorf("Bytes(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		kilo float64
		want string
	}{
		{32.64, "%", 1e3, "32.6%"}, {100, "%", 1e4, "100%"},
		{1536, "Bytes", 1e3, "1.5 KiB"}, {3 << 30, "Bytes", 1e4, "3 GiB"},
		{1150.7, "Count", 1e4, "1,151"}, {1150.7, "Count", 1e3, "1.2k"}, {12.345, "", 1e3, "12.3"},
		{math.NaN(), "%", 1e3, "-"}, {math.NaN(), "Bytes", 1e3, "-"}, {math.Inf(1), "Count", 1e3, "-"},
	} {
		if got := Value(tc.v, tc.unit, tc.kilo); got != tc.want {
			t.Errorf("Value(%v, %q, %g) = %q, want %q", tc.v, tc.unit, tc.kilo, got, tc.want)
		}
	}
}

func TestInt(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {12345, "12,345"}, {-1000, "-1,000"},
		{-999, "-999"}, {1234567, "1,234,567"}, {math.MinInt64, "-9,223,372,036,854,775,808"},
	} {
		if got := Int(tc.n); got != tc.want {
			t.Errorf("Int(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"longer text", 6, "longer…"},
		{strings.Repeat("한", 10) + "\xff", 7, "한한…"}, // no half rune
		{"ok\xffok", 100, "ok\uFFFDok"},              // invalid UTF-8 replaced
		{"ok\xffokokok", 5, "ok\uFFFDok…"},           // and kept when cut
	} {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	// A megabyte line costs a bounded result.
	if got := Clip(strings.Repeat("x", 1<<20), 300); len(got) != 300+len("…") {
		t.Errorf("Clip of 1 MiB: %d bytes", len(got))
	}
}

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 events"}, {1, "1 event"}, {2, "2 events"}, {1234, "1,234 events"}, {-1, "-1 events"}} {
		if got := Count(tc.n, "event", "events"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestBytesSIAndGrouped(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0 B"}, {980, "980 B"}, {999.96, "1 kB"}, {1.2e6, "1.2 MB"}, {93998.6e6, "94 GB"}, {158249.0e6, "158.2 GB"},
		{1234.5e12, "1,234.5 TB"}, {-2048, "-2 kB"}, {math.NaN(), "-"}, {math.Inf(1), "-"},
	} {
		if got := BytesSI(tc.v); got != tc.want {
			t.Errorf("BytesSI(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    float64
		dec  int
		want string
	}{
		{14074.44, 1, "14,074.4"}, {908914902, 0, "908,914,902"}, {-1234.5, 1, "-1,234.5"}, {999, 1, "999"},
		{0.26, 1, "0.3"}, {-0.01, 1, "0"}, {1e30, 0, "1,000,000,000,000,000,019,884,624,838,656"}, {math.NaN(), 1, "-"},
	} {
		if got := Grouped(tc.v, tc.dec); got != tc.want {
			t.Errorf("Grouped(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
}
