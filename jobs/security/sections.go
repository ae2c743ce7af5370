package security

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Section, table and chart ids the templates and the audit pack use.
const (
	SectionScore    = "score"
	SectionChecks   = "checks"
	SectionNetwork  = "network"
	SectionIAM      = "iam"
	SectionActivity = "activity"

	TableCategories   = "score_categories"
	TableHistory      = "score_history"
	TableChecks       = "checks"
	TableUnknown      = "unknown_checks"
	TableOpenRules    = "open_sg_rules"
	TableCredentials  = "credentials"
	TableLoginUser    = "login_failures_by_user"
	TableLoginIP      = "login_failures_by_ip"
	TableLoginHour    = "login_failures_by_hour"
	TableBursts       = "brute_force"
	TableDenied       = "access_denied"
	TableRoot         = "root_usage"
	TableAssume       = "assume_role_new"
	TableSGChanges    = "sg_changes"
	TablePolicyChange = "iam_policy_changes"

	ChartGauge      = "score_gauge"
	ChartCategories = "score_categories"
	ChartTrend      = "score_trend"
	ChartLogins     = "login_failures"
)

// EvidenceTables are the tables the audit pack writes as CSV evidence.
var EvidenceTables = []string{TableChecks, TableOpenRules, TableCredentials, TableLoginUser, TableLoginIP, TableLoginHour,
	TableBursts, TableDenied, TableRoot, TableAssume, TableSGChanges, TablePolicyChange, TableCategories}

// maxRows bounds every table so hostile or huge accounts cannot blow up a
// report; rows past it are counted in Table.Omitted. Templates show fewer.
const maxRows = 5000

type tb struct {
	t    report.Table
	lang string
}

func newTable(id string, title i18n.Text, lang string, cols ...report.Column) *tb {
	return &tb{t: report.Table{ID: id, Title: title.In(lang), Columns: cols, Rows: [][]report.Cell{}}, lang: lang}
}

// maxCell bounds the text of a cell: names, descriptions and messages come
// from the account and may be hostile (a megabyte user agent); the cut
// happens here so the JSON report and the evidence CSVs stay bounded too.
const maxCell = 1024

func (b *tb) add(cells ...report.Cell) {
	if len(b.t.Rows) >= maxRows {
		b.t.Omitted++
		return
	}
	for i := range cells {
		cells[i].Text = textfmt.Clip(cells[i].Text, maxCell)
		if v, ok := cells[i].Value.(string); ok {
			cells[i].Value = textfmt.Clip(v, maxCell)
		}
	}
	b.t.Rows = append(b.t.Rows, cells)
}

func col(key string, title i18n.Text, lang string) report.Column {
	return report.Column{Key: key, Title: title.In(lang)}
}

func num(key string, title i18n.Text, lang string) report.Column {
	return report.Column{Key: key, Title: title.In(lang), Align: report.AlignRight}
}

var statusText = map[Status]i18n.Text{
	Pass:    {En: "✅ pass", Ko: "✅ 통과"},
	Fail:    {En: "❌ fail", Ko: "❌ 실패"},
	Unknown: {En: "❔ unknown", Ko: "❔ 알 수 없음"},
}

func statusCell(s Status, lang string) report.Cell {
	return report.Cell{Text: statusText[s].In(lang), Value: string(s)}
}

func boolCell(v bool, lang string) report.Cell {
	t := i18n.Pick(lang, "no", "아니요")
	if v {
		t = i18n.Pick(lang, "yes", "예")
	}
	return report.Cell{Text: t, Value: v}
}

func listCell(xs []string) report.Cell {
	return report.Cell{Text: strings.Join(xs, ", "), Value: strings.Join(xs, " ")}
}

// userCell shows the hidden user name CloudTrail writes for unknown names
// with a note, keeping the raw value for machines.
func userCell(u, lang string) report.Cell {
	if u == HiddenUser {
		return report.Cell{Text: i18n.Pick(lang, "(hidden by AWS: not an IAM user name)", "(AWS가 숨김: IAM 사용자 이름 아님)"), Value: u}
	}
	if u == "" {
		return report.Cell{Text: "-", Value: ""}
	}
	return report.Text(u)
}

func usersText(us []string, lang string) string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = userCell(u, lang).Text
	}
	return strings.Join(out, ", ")
}

func scoreSection(s *report.Score, lang string, loc *time.Location, w report.Window) report.Section {
	sec := report.Section{ID: SectionScore, Title: i18n.Pick(lang, "Security score", "보안 점수")}
	sec.Facts = append(sec.Facts, report.Fact{Key: "score", Label: i18n.Pick(lang, "Score", "점수"), Value: report.Num(s.Value, 1)})
	if n := len(s.History); n > 0 {
		prev := s.History[n-1]
		sec.Facts = append(sec.Facts,
			report.Fact{Key: "previous", Label: i18n.Pick(lang, "Previous ("+prev.Period+")", "이전 ("+prev.Period+")"), Value: report.Num(prev.Value, 1)},
			report.Fact{Key: "change", Label: i18n.Pick(lang, "Change", "변화"), Value: report.Num(textfmt.Round(s.Value-prev.Value, 1), 1)})
	}
	sec.Facts = append(sec.Facts, report.Fact{Key: "unknown_checks", Label: i18n.Pick(lang, "Checks not evaluated", "평가하지 못한 점검"), Value: report.Count(int64(len(s.Unknown)))})

	t := newTable(TableCategories, i18n.Text{En: "Score by category", Ko: "분류별 점수"}, lang,
		col("category", i18n.Text{En: "Category", Ko: "분류"}, lang), num("weight", i18n.Text{En: "Weight (%)", Ko: "가중치(%)"}, lang),
		num("score", i18n.Text{En: "Score", Ko: "점수"}, lang), num("passed", i18n.Text{En: "Passed", Ko: "통과"}, lang),
		num("failed", i18n.Text{En: "Failed", Ko: "실패"}, lang), num("unknown", i18n.Text{En: "Unknown", Ko: "알 수 없음"}, lang))
	gauge := report.Chart{ID: ChartGauge, Kind: report.ChartGauge, Title: i18n.Pick(lang, "Security score", "보안 점수"),
		Gauge: &report.Gauge{Value: s.Value, Max: s.Max, Label: strconv.FormatFloat(s.Value, 'f', 1, 64) + " / 100"}}
	bars := report.Chart{ID: ChartCategories, Kind: report.ChartBars, Title: i18n.Pick(lang, "Score by category", "분류별 점수"), Unit: "%", YMax: 100}
	for _, c := range s.Categories {
		label := CategoryTitle[Category(c.ID)].In(lang)
		sc := report.Num(c.Score, 1)
		if c.Passed+c.Failed == 0 {
			sc = report.Cell{Text: i18n.Pick(lang, "unknown", "알 수 없음")}
		}
		t.add(report.Cell{Text: label, Value: c.ID}, report.Num(c.Weight, 0), sc, report.Count(int64(c.Passed)), report.Count(int64(c.Failed)), report.Count(int64(c.Unknown)))
		bar := report.Bar{Label: label, Value: c.Score, Max: 100, Severity: scoreSeverity(c.Score)}
		if c.Passed+c.Failed == 0 {
			bar.Severity = report.SeverityInfo
		}
		bars.Bars = append(bars.Bars, bar)
	}
	sec.Tables = append(sec.Tables, t.t)
	sec.Charts = append(sec.Charts, gauge, bars)
	if len(s.History) > 0 {
		h := newTable(TableHistory, i18n.Text{En: "Score history", Ko: "점수 추이"}, lang,
			col("period", i18n.Text{En: "Period", Ko: "기간"}, lang), num("score", i18n.Text{En: "Score", Ko: "점수"}, lang))
		for _, p := range s.History {
			h.add(report.Text(p.Period), report.Num(p.Value, 1))
		}
		h.add(report.Text(i18n.Pick(lang, "this report", "이번 보고서")), report.Num(s.Value, 1))
		sec.Tables = append(sec.Tables, h.t)
		trend := report.Chart{ID: ChartTrend, Kind: report.ChartBars, Title: i18n.Pick(lang, "Score history", "점수 추이"), YMax: 100}
		for _, p := range s.History {
			trend.Bars = append(trend.Bars, report.Bar{Label: p.Period, Value: p.Value, Max: 100, Severity: scoreSeverity(p.Value)})
		}
		trend.Bars = append(trend.Bars, report.Bar{Label: i18n.Pick(lang, "now", "이번"), Value: s.Value, Max: 100, Severity: scoreSeverity(s.Value)})
		sec.Charts = append(sec.Charts, trend)
	}
	return sec
}

// scoreSeverity colours a score: below 50 high, below 80 medium.
func scoreSeverity(v float64) report.Severity {
	switch {
	case v < 50:
		return report.SeverityHigh
	case v < 80:
		return report.SeverityMedium
	}
	return report.SeverityLow
}

func checksSection(cs []Check, rs []Result, lang string) report.Section {
	sec := report.Section{ID: SectionChecks, Title: i18n.Pick(lang, "Checks", "점검 결과")}
	t := newTable(TableChecks, i18n.Text{En: "Check results (" + Benchmark + ")", Ko: "점검 결과 (" + Benchmark + ")"}, lang,
		col("id", i18n.Text{En: "Check", Ko: "점검"}, lang), col("cis", i18n.Text{En: "CIS", Ko: "CIS"}, lang),
		col("title", i18n.Text{En: "Title", Ko: "항목"}, lang), col("category", i18n.Text{En: "Category", Ko: "분류"}, lang),
		col("severity", i18n.Text{En: "Severity", Ko: "심각도"}, lang), col("status", i18n.Text{En: "Status", Ko: "상태"}, lang),
		col("evidence", i18n.Text{En: "Evidence", Ko: "근거"}, lang))
	u := newTable(TableUnknown, i18n.Text{En: "Checks not evaluated (left out of the score)", Ko: "평가하지 못한 점검 (점수에서 제외)"}, lang,
		col("id", i18n.Text{En: "Check", Ko: "점검"}, lang), col("cis", i18n.Text{En: "CIS", Ko: "CIS"}, lang),
		col("title", i18n.Text{En: "Title", Ko: "항목"}, lang), col("reason", i18n.Text{En: "Why", Ko: "이유"}, lang))
	pass, fail := 0, 0
	for i, c := range cs {
		r := rs[i]
		t.add(report.Text(c.ID), report.Text(c.CIS), report.Text(c.Title.In(lang)),
			report.Cell{Text: CategoryTitle[c.Category].In(lang), Value: string(c.Category)},
			report.Sev(c.Severity, string(c.Severity)), statusCell(r.Status, lang), report.Text(r.Summary.In(lang)))
		switch r.Status {
		case Pass:
			pass++
		case Fail:
			fail++
		default:
			u.add(report.Text(c.ID), report.Text(c.CIS), report.Text(c.Title.In(lang)), report.Text(r.Summary.In(lang)))
		}
	}
	sec.Facts = []report.Fact{
		{Key: "passed", Label: i18n.Pick(lang, "Passed", "통과"), Value: report.Count(int64(pass))},
		{Key: "failed", Label: i18n.Pick(lang, "Failed", "실패"), Value: report.Count(int64(fail))},
		{Key: "unknown", Label: i18n.Pick(lang, "Unknown", "알 수 없음"), Value: report.Count(int64(len(cs) - pass - fail))},
	}
	sec.Tables = []report.Table{t.t, u.t}
	return sec
}

func networkSection(e *Env, lang string) report.Section {
	sec := report.Section{ID: SectionNetwork, Title: i18n.Pick(lang, "Network exposure", "네트워크 노출")}
	t := newTable(TableOpenRules, i18n.Text{En: "Inbound rules open to the internet", Ko: "인터넷에 열린 인바운드 규칙"}, lang,
		col("group_id", i18n.Text{En: "Group", Ko: "보안 그룹"}, lang), col("group_name", i18n.Text{En: "Name", Ko: "이름"}, lang),
		col("vpc", i18n.Text{En: "VPC", Ko: "VPC"}, lang), col("protocol", i18n.Text{En: "Protocol", Ko: "프로토콜"}, lang),
		col("ports", i18n.Text{En: "Ports", Ko: "포트"}, lang), col("source", i18n.Text{En: "Source", Ko: "출발지"}, lang),
		col("sensitive", i18n.Text{En: "Sensitive ports", Ko: "민감 포트"}, lang), num("instances", i18n.Text{En: "Instances", Ko: "인스턴스"}, lang),
		col("public_instances", i18n.Text{En: "With public IP", Ko: "공인 IP 인스턴스"}, lang), col("description", i18n.Text{En: "Rule description", Ko: "규칙 설명"}, lang))
	if e.Data == nil || e.unread(partGroups) {
		sec.Notes = append(sec.Notes, i18n.Pick(lang, "Security groups could not be read: exposure is unknown.", "보안 그룹을 읽지 못해 노출 여부를 알 수 없습니다."))
		sec.Tables = append(sec.Tables, t.t)
		return sec
	}
	public := map[string]bool{}
	for _, in := range e.Data.Instances {
		if in.PublicIP != "" {
			public[in.ID] = true
		}
	}
	checked := append(slices.Clone(AdminPorts), e.Opts.SensitivePorts...)
	rules := WorldOpenRules(e.Data.SecurityGroups, checked)
	slices.SortStableFunc(rules, func(a, b OpenRule) int {
		// Exposed sensitive ports first, then by group.
		if (len(a.Exposed) > 0) != (len(b.Exposed) > 0) {
			if len(a.Exposed) > 0 {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Group.ID+a.Source+a.Ports, b.Group.ID+b.Source+b.Ports)
	})
	for _, o := range rules {
		var pub []string
		for _, id := range o.Group.AttachedTo {
			if public[id] {
				pub = append(pub, id)
			}
		}
		exp := make([]string, len(o.Exposed))
		for i, p := range o.Exposed {
			exp[i] = strconv.Itoa(p)
		}
		sens := listCell(exp)
		t.add(report.Text(o.Group.ID), report.Text(o.Group.Name), report.Text(o.Group.VPCID), report.Text(o.Protocol),
			report.Text(o.Ports), report.Text(o.Source), sens, report.Count(int64(len(o.Group.AttachedTo))), listCell(pub), report.Text(o.Rule.Description))
	}
	sec.Tables = append(sec.Tables, t.t)
	return sec
}

// credentialsSection shows the credential report in the report's time zone,
// like every other time in it (the report's own dates are UTC).
func credentialsSection(e *Env, lang string, loc *time.Location) report.Section {
	sec := report.Section{ID: SectionIAM, Title: i18n.Pick(lang, "Credentials", "자격 증명")}
	t := newTable(TableCredentials, i18n.Text{En: "IAM credential report (subset)", Ko: "IAM 자격 증명 보고서 (발췌)"}, lang,
		col("user", i18n.Text{En: "User", Ko: "사용자"}, lang), col("password_enabled", i18n.Text{En: "Console", Ko: "콘솔"}, lang),
		col("password_last_used", i18n.Text{En: "Password last used", Ko: "암호 마지막 사용"}, lang), col("mfa_active", i18n.Text{En: "MFA", Ko: "MFA"}, lang),
		col("access_key_1_active", i18n.Text{En: "Key 1", Ko: "키 1"}, lang), num("access_key_1_age_days", i18n.Text{En: "Key 1 age (days)", Ko: "키 1 경과(일)"}, lang),
		col("access_key_1_last_used", i18n.Text{En: "Key 1 last used", Ko: "키 1 마지막 사용"}, lang),
		col("access_key_2_active", i18n.Text{En: "Key 2", Ko: "키 2"}, lang), num("access_key_2_age_days", i18n.Text{En: "Key 2 age (days)", Ko: "키 2 경과(일)"}, lang),
		col("access_key_2_last_used", i18n.Text{En: "Key 2 last used", Ko: "키 2 마지막 사용"}, lang))
	if e.Data == nil || e.Data.IAM == nil || e.unread(partCredReport) {
		sec.Notes = append(sec.Notes, i18n.Pick(lang, "The credential report could not be read.", "자격 증명 보고서를 읽지 못했습니다."))
		sec.Tables = append(sec.Tables, t.t)
		return sec
	}
	when := func(tm time.Time) report.Cell { return report.Time(tm, loc, "2006-01-02") }
	age := func(active bool, tm time.Time) report.Cell {
		if !active || tm.IsZero() {
			return report.Cell{Text: "-"}
		}
		return report.Count(int64(days(tm, e.At)))
	}
	rows := slices.Clone(e.Data.IAM.CredentialReport)
	slices.SortStableFunc(rows, func(a, b source.CredentialReportRow) int {
		if (a.User == RootUser) != (b.User == RootUser) {
			if a.User == RootUser {
				return -1
			}
			return 1
		}
		return strings.Compare(a.User, b.User)
	})
	for _, r := range rows {
		t.add(report.Text(r.User), boolCell(r.PasswordEnabled, lang), when(r.PasswordLastUsed), boolCell(r.MFAActive, lang),
			boolCell(r.AccessKey1Active, lang), age(r.AccessKey1Active, r.AccessKey1LastRotated), when(r.AccessKey1LastUsed),
			boolCell(r.AccessKey2Active, lang), age(r.AccessKey2Active, r.AccessKey2LastRotated), when(r.AccessKey2LastUsed))
	}
	if !e.Data.IAM.ReportGenerated.IsZero() {
		sec.Notes = append(sec.Notes, i18n.Text{En: "Credential report generated %s (%s).", Ko: "자격 증명 보고서 생성 시각 %s (%s)."}.F(lang, e.Data.IAM.ReportGenerated.In(loc).Format(i18n.DateTime), loc))
	}
	sec.Tables = append(sec.Tables, t.t)
	return sec
}

func activitySection(a Activity, lang string, loc *time.Location, w source.Window) report.Section {
	sec := report.Section{ID: SectionActivity, Title: i18n.Pick(lang, "Activity (CloudTrail)", "활동 (CloudTrail)")}
	dt := func(t time.Time) report.Cell { return report.Time(t, loc, i18n.DateTime) }
	if !a.Known {
		sec.Notes = append(sec.Notes, i18n.Pick(lang, "CloudTrail events could not be read: activity is unknown, not quiet.",
			"CloudTrail 이벤트를 읽지 못했습니다. 활동이 없었던 것이 아니라 알 수 없는 상태입니다."))
	} else if a.Partial {
		sec.Notes = append(sec.Notes, i18n.Pick(lang, "Some CloudTrail events could not be read (see data gaps): counts are lower bounds.",
			"일부 CloudTrail 이벤트를 읽지 못했습니다(수집하지 못한 데이터 참조). 건수는 최솟값입니다."))
	}
	sec.Facts = []report.Fact{
		{Key: "events", Label: i18n.Pick(lang, "Events read", "읽은 이벤트"), Value: report.Count(int64(a.Events))},
		{Key: "failed_logins", Label: i18n.Pick(lang, "Failed console logins", "콘솔 로그인 실패"), Value: report.Count(int64(a.FailedLogins))},
		{Key: "bursts", Label: i18n.Pick(lang, "Brute-force bursts", "무차별 대입 의심"), Value: report.Count(int64(len(a.Bursts)))},
		{Key: "access_denied", Label: i18n.Pick(lang, "Denied API calls", "거부된 API 호출"), Value: report.Count(int64(a.DeniedTotal))},
		{Key: "root_events", Label: i18n.Pick(lang, "Root events", "루트 사용"), Value: report.Count(int64(len(a.Root)))},
		{Key: "sg_changes", Label: i18n.Pick(lang, "Security group changes", "보안 그룹 변경"), Value: report.Count(int64(len(a.SGChanges)))},
		{Key: "policy_changes", Label: i18n.Pick(lang, "IAM policy changes", "IAM 정책 변경"), Value: report.Count(int64(len(a.PolicyChanges)))},
	}
	// Badges are text: a severity cell would replace it with the severity name.
	burstCell := func(b bool) report.Cell {
		if b {
			return report.Cell{Text: i18n.Pick(lang, "⚠️ burst", "⚠️ 집중 공격"), Value: true}
		}
		return report.Cell{Text: "", Value: false}
	}
	// by is "user", "ip" or "hour": the key's own column is not repeated.
	lg := func(id, by string, title i18n.Text, keyCol report.Column, groups []LoginGroup, key func(LoginGroup) report.Cell) report.Table {
		cols := []report.Column{keyCol, num("failures", i18n.Text{En: "Failures", Ko: "실패"}, lang)}
		if by != "user" {
			cols = append(cols, col("users", i18n.Text{En: "Users", Ko: "사용자"}, lang))
		}
		if by != "ip" {
			cols = append(cols, col("source_ips", i18n.Text{En: "Source IPs", Ko: "출발지 IP"}, lang))
		}
		cols = append(cols, col("first", i18n.Text{En: "First", Ko: "처음"}, lang), col("last", i18n.Text{En: "Last", Ko: "마지막"}, lang),
			col("burst", i18n.Text{En: "Brute force", Ko: "무차별 대입"}, lang))
		t := newTable(id, title, lang, cols...)
		for _, g := range groups {
			row := []report.Cell{key(g), report.Count(int64(g.Count))}
			if by != "user" {
				row = append(row, report.Cell{Text: usersText(g.Users, lang), Value: strings.Join(g.Users, " ")})
			}
			if by != "ip" {
				row = append(row, listCell(g.IPs))
			}
			t.add(append(row, dt(g.First), dt(g.Last), burstCell(g.Burst))...)
		}
		return t.t
	}
	sec.Tables = append(sec.Tables,
		lg(TableLoginUser, "user", i18n.Text{En: "Failed console logins by user", Ko: "사용자별 콘솔 로그인 실패"}, col("user", i18n.Text{En: "User", Ko: "사용자"}, lang),
			a.LoginByUser, func(g LoginGroup) report.Cell { return userCell(g.Key, lang) }),
		lg(TableLoginIP, "ip", i18n.Text{En: "Failed console logins by source IP", Ko: "출발지 IP별 콘솔 로그인 실패"}, col("source_ip", i18n.Text{En: "Source IP", Ko: "출발지 IP"}, lang),
			a.LoginByIP, func(g LoginGroup) report.Cell { return report.Text(g.Key) }),
		lg(TableLoginHour, "hour", i18n.Text{En: "Failed console logins by hour", Ko: "시간대별 콘솔 로그인 실패"}, col("hour", i18n.Text{En: "Hour", Ko: "시간"}, lang),
			a.LoginByHour, func(g LoginGroup) report.Cell {
				t, _ := time.Parse(time.RFC3339, g.Key)
				return dt(t)
			}))
	bt := newTable(TableBursts, i18n.Text{En: "Brute-force bursts", Ko: "무차별 대입 의심 구간"}, lang,
		col("by", i18n.Text{En: "By", Ko: "기준"}, lang), col("key", i18n.Text{En: "Source IP / user", Ko: "출발지 IP / 사용자"}, lang),
		num("failures", i18n.Text{En: "Failures", Ko: "실패"}, lang), col("start", i18n.Text{En: "Start", Ko: "시작"}, lang),
		col("end", i18n.Text{En: "End", Ko: "끝"}, lang), col("others", i18n.Text{En: "Users / IPs", Ko: "사용자 / IP"}, lang))
	for _, b := range a.Bursts {
		by := i18n.Pick(lang, "source IP", "출발지 IP")
		others := report.Cell{Text: usersText(b.Others, lang), Value: strings.Join(b.Others, " ")}
		if b.By == "user" {
			by = i18n.Pick(lang, "user", "사용자")
			others = listCell(b.Others)
		}
		bt.add(report.Cell{Text: by, Value: b.By}, report.Text(b.Key), report.Count(int64(b.Count)), dt(b.Start), dt(b.End), others)
	}
	dtab := newTable(TableDenied, i18n.Text{En: "AccessDenied / UnauthorizedOperation by principal and API", Ko: "주체·API별 AccessDenied / UnauthorizedOperation"}, lang,
		col("principal", i18n.Text{En: "Principal", Ko: "주체"}, lang), col("type", i18n.Text{En: "Type", Ko: "유형"}, lang),
		col("api", i18n.Text{En: "API", Ko: "API"}, lang), num("count", i18n.Text{En: "Count", Ko: "건수"}, lang),
		col("codes", i18n.Text{En: "Error codes", Ko: "오류 코드"}, lang), col("first", i18n.Text{En: "First", Ko: "처음"}, lang),
		col("last", i18n.Text{En: "Last", Ko: "마지막"}, lang), col("message", i18n.Text{En: "Example message", Ko: "메시지 예"}, lang))
	for _, d := range a.Denied {
		dtab.add(report.Text(d.Principal), report.Text(d.Type), report.Text(d.API), report.Count(int64(d.Count)), listCell(d.Codes), dt(d.First), dt(d.Last), report.Text(d.Message))
	}
	rt := newTable(TableRoot, i18n.Text{En: "Root user events", Ko: "루트 사용자 이벤트"}, lang,
		col("time", i18n.Text{En: "Time", Ko: "시각"}, lang), col("event", i18n.Text{En: "Event", Ko: "이벤트"}, lang),
		col("source_ip", i18n.Text{En: "Source IP", Ko: "출발지 IP"}, lang), col("result", i18n.Text{En: "Result", Ko: "결과"}, lang),
		col("mfa", i18n.Text{En: "MFA", Ko: "MFA"}, lang), col("user_agent", i18n.Text{En: "User agent", Ko: "사용자 에이전트"}, lang))
	for _, ev := range a.Root {
		res := ev.LoginResult
		if ev.ErrorCode != "" {
			res = ev.ErrorCode
		}
		rt.add(dt(ev.Time), report.Text(ev.Name), report.Text(ev.SourceIP), report.Text(res), report.Text(ev.MFAUsed), report.Text(textfmt.Clip(ev.UserAgent, 200)))
	}
	at := newTable(TableAssume, i18n.Text{En: "AssumeRole by new principals or from new source IPs (vs the previous window)", Ko: "새 주체·새 출발지 IP의 AssumeRole (이전 기간 대비)"}, lang,
		col("kind", i18n.Text{En: "What is new", Ko: "새로운 것"}, lang), col("principal", i18n.Text{En: "Principal", Ko: "주체"}, lang),
		col("source_ip", i18n.Text{En: "Source IP", Ko: "출발지 IP"}, lang), col("roles", i18n.Text{En: "Roles", Ko: "역할"}, lang),
		num("count", i18n.Text{En: "Calls", Ko: "호출"}, lang), col("first", i18n.Text{En: "First", Ko: "처음"}, lang))
	if a.Known && !a.CompareKnown {
		sec.Notes = append(sec.Notes, i18n.Pick(lang, "The previous window's events could not be read: new AssumeRole callers and source IPs are unknown.",
			"이전 기간의 이벤트를 읽지 못해 새 AssumeRole 호출자·출발지 IP를 알 수 없습니다."))
	}
	for _, n := range a.AssumeNew {
		kind := i18n.Pick(lang, "new source IP", "새 출발지 IP")
		if n.Kind == "new_principal" {
			kind = i18n.Pick(lang, "new principal", "새 주체")
		}
		at.add(report.Cell{Text: kind, Value: n.Kind}, report.Text(n.Principal), report.Text(n.SourceIP), listCell(n.Roles), report.Count(int64(n.Count)), dt(n.First))
	}
	changes := func(id string, title i18n.Text, cs []Change, withDetail bool) report.Table {
		cols := []report.Column{col("time", i18n.Text{En: "Time", Ko: "시각"}, lang), col("who", i18n.Text{En: "Who", Ko: "누가"}, lang),
			col("source_ip", i18n.Text{En: "Source IP", Ko: "출발지 IP"}, lang), col("event", i18n.Text{En: "Event", Ko: "이벤트"}, lang),
			col("target", i18n.Text{En: "Target", Ko: "대상"}, lang), col("error", i18n.Text{En: "Error", Ko: "오류"}, lang)}
		if withDetail {
			cols = append(cols, col("detail", i18n.Text{En: "Rules", Ko: "규칙"}, lang), col("world_ports", i18n.Text{En: "Opened to internet", Ko: "인터넷 개방 포트"}, lang))
		}
		t := newTable(id, title, lang, cols...)
		for _, c := range cs {
			row := []report.Cell{dt(c.Time), report.Text(c.Who), report.Text(c.IP), report.Text(c.Event), report.Text(c.Target), report.Text(c.Error)}
			if withDetail {
				wp := listCell(c.WorldPorts)
				if len(c.WorldPorts) > 0 {
					wp.Text = "⚠️ " + wp.Text
				}
				row = append(row, report.Text(c.Detail), wp)
			}
			t.add(row...)
		}
		return t.t
	}
	sec.Tables = append(sec.Tables, bt.t, dtab.t, rt.t, at.t,
		changes(TableSGChanges, i18n.Text{En: "Security group changes", Ko: "보안 그룹 변경"}, a.SGChanges, true),
		changes(TablePolicyChange, i18n.Text{En: "IAM policy changes", Ko: "IAM 정책 변경"}, a.PolicyChanges, false))
	if a.Known {
		sec.Charts = append(sec.Charts, loginChart(a, lang, w))
	}
	return sec
}

// loginChart bins failed logins per hour for windows up to three days and
// per day beyond, so a month stays readable.
func loginChart(a Activity, lang string, w source.Window) report.Chart {
	bin := time.Hour
	if w.Duration() > 72*time.Hour {
		bin = 24 * time.Hour
	}
	c := report.Chart{ID: ChartLogins, Kind: report.ChartHistogram, Title: i18n.Pick(lang, "Failed console logins", "콘솔 로그인 실패"),
		YLabel: i18n.Pick(lang, "failures", "실패"), Start: w.Start, End: w.End}
	counts := map[time.Time]float64{}
	for _, g := range a.LoginByHour {
		t, err := time.Parse(time.RFC3339, g.Key)
		if err != nil {
			continue
		}
		start := w.Start.Add(t.Sub(w.Start).Truncate(bin))
		counts[start] += float64(g.Count)
	}
	for s := w.Start; s.Before(w.End); s = s.Add(bin) {
		c.Bins = append(c.Bins, report.Bin{Start: s, End: s.Add(bin), Count: counts[s]})
	}
	return c
}

// headline is the one line a reader sees first.
func headline(s *report.Score, cs []Check, rs []Result, a Activity, lang string) string {
	fail := 0
	for _, r := range rs {
		if r.Status == Fail {
			fail++
		}
	}
	trend := ""
	if n := len(s.History); n > 0 {
		d := textfmt.Round(s.Value-s.History[n-1].Value, 1)
		switch {
		case d > 0:
			trend = fmt.Sprintf(" (▲%.1f)", d)
		case d < 0:
			trend = fmt.Sprintf(" (▼%.1f)", -d)
		default:
			trend = " (=)"
		}
	}
	parts := []string{i18n.Text{En: "Security score %.1f/100%s", Ko: "보안 점수 %.1f/100%s"}.F(lang, s.Value, trend),
		i18n.Text{En: "%d checks failed", Ko: "점검 실패 %d개"}.F(lang, fail)}
	if len(s.Unknown) > 0 {
		parts = append(parts, i18n.Text{En: "%d not evaluated", Ko: "평가 불가 %d개"}.F(lang, len(s.Unknown)))
	}
	if a.Known && a.FailedLogins > 0 {
		parts = append(parts, i18n.Text{En: "%s failed logins", Ko: "로그인 실패 %s회"}.F(lang, textfmt.Int(int64(a.FailedLogins))))
	}
	// Whenever root.usage is raised: root events in the window, or the
	// credential report's recent use.
	if len(rootFindings(lang, cs, rs, a, time.UTC)) > 0 {
		parts = append(parts, i18n.Text{En: "root used", Ko: "루트 사용"}.In(lang))
	}
	return strings.Join(parts, " · ")
}
