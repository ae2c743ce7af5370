package i18n

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	cases := []struct {
		d      time.Duration
		en, ko string
	}{
		{30 * time.Second, "30s", "30초"},
		{5 * time.Minute, "5m", "5분"},
		{2*time.Hour + 5*time.Minute, "2h 5m", "2시간 5분"},
		{3 * time.Hour, "3h", "3시간"},
		{76 * time.Hour, "3d 4h", "3일 4시간"},
		{48 * time.Hour, "2d", "2일"},
	}
	for _, c := range cases {
		if got := Duration(c.d, "en"); got != c.en {
			t.Errorf("Duration(%v, en) = %q, want %q", c.d, got, c.en)
		}
		if got := Duration(c.d, "ko"); got != c.ko {
			t.Errorf("Duration(%v, ko) = %q, want %q", c.d, got, c.ko)
		}
	}
}

func TestTextIn(t *testing.T) {
	m := Text{En: "%d alarms", Ko: "알람 %d개"}
	if got := m.F("en", 3); got != "3 alarms" {
		t.Errorf("en: %q", got)
	}
	if got := m.F("ko", 3); got != "알람 3개" {
		t.Errorf("ko: %q", got)
	}
	if got := m.In("fr"); got != m.Ko {
		t.Errorf("unknown language should fall back to Korean, got %q", got)
	}
}
