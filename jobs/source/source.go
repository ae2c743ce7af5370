// Package source defines what a report is computed from: the Source interface
// and the dataset types every source (aws, demo, snapshot) fills in the same
// way. A source never formats and never judges; it collects.
package source

import (
	"context"
	"path"
	"slices"
	"time"
)

// Source collects the data a request asks for. A part that cannot be read is
// recorded in Dataset.Gaps and the rest is still returned: Collect returns an
// error only when nothing useful could be collected at all (no credentials,
// context cancelled).
type Source interface {
	Collect(ctx context.Context, req Request) (*Dataset, error)
}

// Window is the half-open interval [Start, End).
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration is End - Start.
func (w Window) Duration() time.Duration { return w.End.Sub(w.Start) }

// Contains reports whether t lies in [Start, End).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Shift returns the window moved by d (negative d: earlier).
func (w Window) Shift(d time.Duration) Window { return Window{w.Start.Add(d), w.End.Add(d)} }

// Need is a set of dataset parts a request asks for.
type Need uint32

// Dataset parts. Analyzers ask only for what they use, so a daily report does
// not pay for an IAM credential report.
const (
	NeedInstances    Need = 1 << iota // EC2 instances (always cheap, used for names)
	NeedMetrics                       // metric series for the scoped instances
	NeedAlarms                        // DescribeAlarms
	NeedAlarmHistory                  // state transitions within the window
	NeedLogGroups                     // DescribeLogGroups
	NeedLogStats                      // error counts, histogram, patterns
	NeedTrailEvents                   // CloudTrail events within the window
	NeedNetwork                       // security groups, VPCs, flow logs, NACLs
	NeedTrailConfig                   // trails, their status, bucket logging, AWS Config recorders
	NeedMonitoring                    // metric filters and SNS subscriptions (CIS 4.x)
	NeedIAM                           // credential report, password policy, account summary
	NeedPrices                        // on-demand prices of Request.PriceTypes (AWS Price List API)
)

// Has reports whether every part of o is in n.
func (n Need) Has(o Need) bool { return n&o == o }

// Request says what to collect.
type Request struct {
	Window Window
	// At is the scheduled instant; sources that synthesize data (demo) derive
	// everything from it, so the same At gives the same bytes.
	At    time.Time
	Needs Need
	Scope Scope
	// Metrics lists the metrics to fetch for every scoped instance. Metrics an
	// instance does not publish (CWAgent memory without the agent) are simply
	// absent from the dataset: absence is data, never a zero.
	Metrics []MetricSpec
	// History extends the metrics (and only the metrics) back before
	// Window.Start, for baselines: [Window.Start-History, Window.End).
	History time.Duration
	// Period is the metric resolution; 0 chooses from the age of the data
	// (60 s within 15 days, 300 s within 63 days, 3600 s beyond).
	Period time.Duration
	Logs   LogQuery
	// PriceTypes lists the instance types whose on-demand prices a
	// NeedPrices request wants, in the account's region.
	PriceTypes []string
	// Progress, when set, hears collection progress (a terminal shows it).
	Progress ProgressFunc `json:"-"`
}

// Scope narrows the instances a report looks at. Empty means all.
type Scope struct {
	InstanceIDs []string          `json:"instance_ids,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	NameGlobs   []string          `json:"name_globs,omitempty"`
}

// MetricSpec names one metric and the statistic to fetch.
type MetricSpec struct {
	Namespace string `json:"namespace"` // AWS/EC2, CWAgent
	Name      string `json:"name"`      // CPUUtilization, mem_used_percent
	Stat      string `json:"stat"`      // Average, Maximum, Sum, p99
	// Period is this metric's resolution; 0 means Request.Period (or its
	// default). A coarser period for metrics that do not need the fine one
	// cuts the points, the memory and the GetMetricData calls: a capacity
	// review needs 5-minute CPU maxima but hourly memory, disk and traffic.
	// Like Request.Period it is taken as given: CloudWatch keeps 1-minute
	// data 15 days and 5-minute data 63 days (see PeriodFor).
	Period time.Duration `json:"period,omitempty"`
}

// PeriodOf is the resolution a source fetches m at: m.Period, else the
// request's Period, else PeriodFor(start, now) where start is the oldest
// instant asked for (Window.Start - History).
func (r Request) PeriodOf(m MetricSpec, now time.Time) time.Duration {
	if m.Period > 0 {
		return m.Period
	}
	if r.Period > 0 {
		return r.Period
	}
	return PeriodFor(r.Window.Start.Add(-r.History), now)
}

// LogQuery says which log groups to scan and what counts as an error.
type LogQuery struct {
	// Groups are log group names or globs ("/aws/eks/*"); empty means all.
	Groups []string
	// ErrorTerms are the words that make a line an error line (case-sensitive
	// terms, matched as substrings), e.g. ERROR, Error, error, Exception, FATAL.
	ErrorTerms []string
	// Bin is the histogram resolution; 0 means one hour.
	Bin time.Duration
	// TopPatterns caps the patterns kept per group; 0 means 10.
	TopPatterns int
}

// Gap records a part of the dataset that could not be collected.
type Gap struct {
	Source string `json:"source"`           // aws | demo | snapshot
	Part   string `json:"part"`             // e.g. "alarm_history", "log_stats:/aws/eks/x"
	API    string `json:"api,omitempty"`    // e.g. "cloudwatch:DescribeAlarmHistory"
	Error  string `json:"error"`            // the error, secrets removed
	Action string `json:"action,omitempty"` // missing IAM action on AccessDenied
}

// ProgressFunc hears what a source is doing: stage (e.g. "metrics"), done
// of total units. Sources call it from any goroutine; it must be cheap.
type ProgressFunc func(stage string, done, total int)

// PeriodFor is the metric resolution CloudWatch still keeps for data that
// starts at start, seen at now: 60 s within 15 days, 300 s within 63 days,
// 3600 s beyond (CloudWatch's retention schedule). Every source uses it when
// a request leaves Period at 0, so demo and aws data have the same shape.
func PeriodFor(start, now time.Time) time.Duration {
	age := now.Sub(start)
	switch {
	case age <= 15*24*time.Hour:
		return time.Minute
	case age <= 63*24*time.Hour:
		return 5 * time.Minute
	default:
		return time.Hour
	}
}

// Matches reports whether the instance is in scope: every condition given
// must hold (ids, then each tag, then at least one name glob). An empty
// scope matches everything. Globs use path.Match syntax on the Name tag.
func (s Scope) Matches(in Instance) bool {
	if len(s.InstanceIDs) > 0 && !slices.Contains(s.InstanceIDs, in.ID) {
		return false
	}
	for k, v := range s.Tags {
		if got, ok := in.Tags[k]; !ok || (v != "*" && got != v) {
			return false
		}
	}
	if len(s.NameGlobs) == 0 {
		return true
	}
	for _, g := range s.NameGlobs {
		if ok, _ := path.Match(g, in.Name); ok {
			return true
		}
	}
	return false
}

// Empty reports whether the scope selects every instance.
func (s Scope) Empty() bool {
	return len(s.InstanceIDs) == 0 && len(s.Tags) == 0 && len(s.NameGlobs) == 0
}

// Selects reports whether the query covers log group name: every group
// when Groups is empty, else a group equal to one entry or matched by it as
// a glob, where * matches any run of characters including "/" (so
// "/aws/eks/*" selects "/aws/eks/eksworkshop/cluster") and ? one character.
func (q LogQuery) Selects(name string) bool {
	if len(q.Groups) == 0 {
		return true
	}
	for _, g := range q.Groups {
		if g == name || globMatch(g, name) {
			return true
		}
	}
	return false
}

// globMatch matches * (any run, "/" included) and ? (one byte); every
// other byte stands for itself. It backtracks only to the last *, so it is
// linear in practice and never blows up on hostile patterns.
func globMatch(pattern, name string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
