// Package i18n holds the two report languages side by side. Analyzers write
// every sentence as a Text with both languages, so a translation can never be
// missing and the pair is reviewed together.
package i18n

import (
	"fmt"
	"time"
)

// Text is one message in English and Korean.
type Text struct {
	En string
	Ko string
}

// In returns the message in lang (ko or en); Korean is the default.
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.En
	}
	return t.Ko
}

// F formats the message in lang with args (fmt verbs, same order in both).
func (t Text) F(lang string, args ...any) string { return fmt.Sprintf(t.In(lang), args...) }

// Pick returns en or ko by lang.
func Pick(lang, en, ko string) string { return Text{En: en, Ko: ko}.In(lang) }

// Duration renders d for a reader: "2h 5m" / "2시간 5분", "3d 4h" / "3일 4시간".
func Duration(d time.Duration, lang string) string {
	if d < 0 {
		d = -d
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	unit := func(n int, en, ko string) string {
		if lang == "en" {
			return fmt.Sprintf("%d%s", n, en)
		}
		return fmt.Sprintf("%d%s", n, ko)
	}
	switch {
	case days > 0 && hours > 0:
		return unit(days, "d", "일") + " " + unit(hours, "h", "시간")
	case days > 0:
		return unit(days, "d", "일")
	case hours > 0 && mins > 0:
		return unit(hours, "h", "시간") + " " + unit(mins, "m", "분")
	case hours > 0:
		return unit(hours, "h", "시간")
	case mins > 0:
		return unit(mins, "m", "분")
	default:
		return unit(int(d/time.Second), "s", "초")
	}
}

// Layouts for times shown in reports, in the report's time zone.
const (
	DateTime = "2006-01-02 15:04"
	Date     = "2006-01-02"
	Clock    = "15:04"
)
