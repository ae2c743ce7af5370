package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Secret is a value that must never be printed: fmt, logs and JSON see
// "<secret>". Call Reveal to use it.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<secret>"
}

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return s.String() }

// MarshalJSON hides the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalYAML hides the value.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// Duration is a Go duration ("90m", "24h") that also accepts days ("7d").
// It keeps the raw text so that validation, not decoding, reports a bad value
// with its position.
type Duration struct {
	time.Duration
	Raw string
}

// UnmarshalYAML stores the text; Validate reports parse errors.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	d.Raw = n.Value
	d.Duration, _ = ParseDuration(n.Value)
	return nil
}

// IsSet reports whether the field was given.
func (d Duration) IsSet() bool { return d.Raw != "" }

// ParseDuration parses Go durations plus a "d" (24h) unit: "7d", "1d12h".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total time.Duration
	if i := strings.Index(s, "d"); i > 0 {
		days, err := strconv.Atoi(s[:i])
		if err != nil || days < 0 {
			return 0, fmt.Errorf("%q is not a duration like 90m, 24h or 7d", s)
		}
		total = time.Duration(days) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return total, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration like 90m, 24h or 7d", s)
	}
	return total + d, nil
}

// Window is how far back a report looks: a duration ending at the run
// instant ("24h", "7d", "30d") or a calendar period in the job's time zone
// ("today", "yesterday", "last-week", "last-month").
type Window struct {
	Raw string
}

// UnmarshalYAML stores the text; Validate reports bad values.
func (w *Window) UnmarshalYAML(n *yaml.Node) error {
	w.Raw = n.Value
	return nil
}

// Calendar windows.
var calendarWindows = []string{"today", "yesterday", "last-week", "last-month"}

// Check reports whether the window text is valid.
func (w Window) Check() error {
	for _, c := range calendarWindows {
		if w.Raw == c {
			return nil
		}
	}
	d, err := ParseDuration(w.Raw)
	if err != nil {
		return err
	}
	if d < time.Minute {
		return fmt.Errorf("window %q is shorter than a minute", w.Raw)
	}
	return nil
}

// Resolve turns the window into [start, end) for a run at instant at, using
// loc for calendar windows. Weeks start on Monday (ISO 8601).
func (w Window) Resolve(at time.Time, loc *time.Location) (time.Time, time.Time) {
	local := at.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	switch w.Raw {
	case "today":
		return midnight, at
	case "yesterday":
		return midnight.AddDate(0, 0, -1), midnight
	case "last-week":
		offset := (int(midnight.Weekday()) + 6) % 7 // days since Monday
		thisMonday := midnight.AddDate(0, 0, -offset)
		return thisMonday.AddDate(0, 0, -7), thisMonday
	case "last-month":
		first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
		return first.AddDate(0, -1, 0), first
	}
	d, _ := ParseDuration(w.Raw)
	return at.Add(-d), at
}

// String returns the raw text.
func (w Window) String() string { return w.Raw }
