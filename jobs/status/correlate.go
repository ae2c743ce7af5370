package status

import (
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report/i18n"
)

// maxMentions bounds the log mentions an anomaly's detail quotes.
const maxMentions = 2

// mention is an error-log pattern whose text names an instance.
type mention struct {
	group, pattern string
	count          int64
	first, last    time.Time
	// by is what named the instance: its id, IP, DNS name or Name tag.
	by string
	// inPattern is set when the masked pattern itself names the instance,
	// so every line counted names it, not only the example.
	inPattern bool
}

// needles are the strings that identify an instance in a log line without
// guessing: its id, its private and public IPs, its EC2 private DNS host
// name (ip-10-11-20-101) and its Name tag when that is specific enough
// (at least 6 characters: "web" or "db" would match unrelated words).
func needles(in *source.Instance, id string) []string {
	out := []string{id}
	if in == nil {
		return out
	}
	if in.PrivateIP != "" {
		out = append(out, in.PrivateIP, "ip-"+strings.ReplaceAll(in.PrivateIP, ".", "-"))
	}
	if in.PublicIP != "" {
		out = append(out, in.PublicIP)
	}
	if len(in.Name) >= 6 && in.Name != id {
		out = append(out, in.Name)
	}
	return out
}

// identChar is a character that continues a name, id or IP: a needle that
// is followed or preceded by one is part of something longer (10.1.1.1 in
// 10.1.1.10, web-01 in web-010), not a mention.
func identChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' ||
		c == '.' // a trailing dot followed by a digit continues an IP; at a sentence end it does not (checked below)
}

// names reports whether s contains needle as a whole token.
func names(s, needle string) bool {
	if needle == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(s[from:], needle)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(needle)
		before := i == 0 || !identChar(s[i-1])
		after := end == len(s) || !identChar(s[end]) || (s[end] == '.' && (end+1 == len(s) || !(s[end+1] >= '0' && s[end+1] <= '9')))
		if before && after {
			return true
		}
		from = i + 1
	}
}

// logMentions finds the error patterns of the window whose pattern or
// example line names the instance, most lines first.
func (a *run) logMentions(in *source.Instance, id string) []mention {
	ns := needles(in, id)
	var out []mention
	for i := range a.in.Data.LogStats {
		ls := &a.in.Data.LogStats[i]
		for _, p := range ls.Patterns {
			for _, n := range ns {
				inPat := names(p.Pattern, n)
				if inPat || names(p.Example, n) {
					out = append(out, mention{group: ls.Group, pattern: p.Pattern, count: p.Count, first: p.FirstSeen, last: p.LastSeen, by: n, inPattern: inPat})
					break
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		if out[i].group != out[j].group {
			return out[i].group < out[j].group
		}
		return out[i].pattern < out[j].pattern
	})
	return out
}

// mentionText is one sentence per mention for an anomaly's detail. It says
// what the count belongs to: the pattern's lines name the instance only
// when the pattern itself does; otherwise only its example line is known to.
func (a *run) mentionText(ms []mention) string {
	if len(ms) == 0 {
		return ""
	}
	loc := a.in.Location
	var parts []string
	for _, m := range ms[:min(len(ms), maxMentions)] {
		pat := textfmt.Clip(m.pattern, 80)
		if m.inPattern {
			parts = append(parts, a.t(i18n.Text{
				En: "%[1]s has %[2]s naming %[3]s (\"%[4]s\", %[5]s–%[6]s)",
				Ko: "%[1]s에 %[3]s 포함 오류 %[2]s (\"%[4]s\", %[5]s~%[6]s)",
			}, m.group, a.lines(m.count), m.by, pat, fmtHour(m.first, loc), fmtClock(m.last, loc)))
		} else {
			parts = append(parts, a.t(i18n.Text{
				En: "in %[1]s the pattern \"%[4]s\" (%[2]s, %[5]s–%[6]s) has an example line naming %[3]s",
				Ko: "%[1]s의 패턴 \"%[4]s\" (%[2]s, %[5]s~%[6]s): 예시 줄에 %[3]s 포함",
			}, m.group, a.lines(m.count), m.by, pat, fmtHour(m.first, loc), fmtClock(m.last, loc)))
		}
	}
	s := a.t(i18n.Text{En: " Error logs in the window name this instance: %s.", Ko: " 기간 중 오류 로그에 이 인스턴스가 나옵니다: %s."}, strings.Join(parts, "; "))
	if len(ms) > maxMentions {
		s += a.t(i18n.Text{En: " (%d more patterns in the log section.)", Ko: " (로그 절에 패턴 %d개 더 있음)"}, len(ms)-maxMentions)
	}
	return s
}

// lines is "7 lines" / "7줄".
func (a *run) lines(n int64) string {
	if a.lang != "en" {
		return textfmt.Int(n) + "줄"
	}
	if n == 1 {
		return "1 line"
	}
	return textfmt.Int(n) + " lines"
}
