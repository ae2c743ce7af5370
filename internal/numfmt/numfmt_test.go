package numfmt

import "testing"

func TestGroup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0"},
		{"999", "999"},
		{"1000", "1,000"},
		{"3756", "3,756"},
		{"12345", "12,345"},
		{"908914902", "908,914,902"},
		{"-1000", "-1,000"},
		{"-999", "-999"},
		{"+12345", "+12,345"},
		{"1234.5678", "1,234.5678"}, // decimals are not grouped
		{"0.12345", "0.12345"},
		{"2024 건", "2,024 건"},
		{"9223372036854775807", "9,223,372,036,854,775,807"},
		{"65k", "65k"},
		{"", ""},
		{"-", "-"},
		{"abc1234", "abc1234"}, // not a number at the start: as written
		{"1,234", "1,234"},     // already grouped
	} {
		if got := Group(tc.in); got != tc.want {
			t.Errorf("Group(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkGroup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Group("908914902")
	}
}

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0 B"}, {980, "980 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{3 << 30, "3.0 GiB"}, {-2048, "-2.0 KiB"}, {2 << 40, "2.0 TiB"}, {5 << 60, "5120.0 PiB"},
	} {
		if got := Bytes(tc.v); got != tc.want {
			t.Errorf("Bytes(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
