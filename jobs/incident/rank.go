package incident

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// signalKind says what a timeline signal is.
type signalKind string

const (
	sigMetric signalKind = "metric" // a metric changed (change point + shift)
	sigLog    signalKind = "log"    // a log group's error rate rose or new error patterns appeared
	sigChange signalKind = "change" // a deploy, restart or similar change event in the logs
	sigAlarm  signalKind = "alarm"  // an alarm went to ALARM
)

// Weights of the candidate score; they sum to 1 (see docs/incident.md).
const (
	weightPrecedence    = 0.5
	weightStrength      = 0.3
	weightCorroboration = 0.2
)

// changeFollowWindow: a change event counts as followed by its consequence
// when a related metric or log change starts within this time after it.
const changeFollowWindow = 15 * time.Minute

// signal is one significant event on the timeline.
type signal struct {
	Kind     signalKind
	Time     time.Time
	Resource string // instance id, log group or alarm name
	// Keys relate signals to each other: "i:<instance id>" and
	// "svc:<service>" (name stem, Auto Scaling group, cluster, log group
	// path segment).
	Keys []string

	Metric *metricRow
	Log    *logRow
	Change *changeEvent
	Alarm  *source.AlarmTransition

	// Strength is the size of the change on a 0..1 scale.
	Strength float64
	// Precedence is the share of the other signals that came later (ties
	// count half); Corroboration the share of the later ones that are
	// related to this one.
	Precedence, Corroboration, Score float64
	// Later lists the later related signals: the evidence chain.
	Later []*signal
	Rank  int
}

// candidate reports whether a signal may be a root cause: alarms are
// consequences; a change event must be followed by a related change.
func (s *signal) candidate() bool {
	switch s.Kind {
	case sigMetric, sigLog:
		return true
	case sigChange:
		for _, l := range s.Later {
			if l.Kind == sigMetric || l.Kind == sigLog {
				return true
			}
		}
	}
	return false
}

var trailingNumber = regexp.MustCompile(`[-_.]?[0-9]+$`)

// stem is a name without its trailing ordinal: order-api-02 → order-api.
func stem(name string) string {
	return strings.ToLower(trailingNumber.ReplaceAllString(name, ""))
}

// instanceKeys relates an instance to its service: its id, its name stem,
// its Auto Scaling group (with and without an -asg suffix), its EKS
// cluster and node group.
func instanceKeys(in *source.Instance) []string {
	keys := []string{"i:" + in.ID}
	add := func(s string) {
		s = strings.ToLower(s)
		if len(s) >= 3 {
			keys = append(keys, "svc:"+s)
		}
	}
	if in.Name != "" {
		add(stem(in.Name))
	}
	if in.AutoScalingGroup != "" {
		add(in.AutoScalingGroup)
		add(strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(in.AutoScalingGroup), "-asg"), "asg"))
	}
	add(in.Cluster)
	add(in.NodeGroup)
	return dedupe(keys)
}

// genericSegments are log group path parts that name a platform, not a
// service.
var genericSegments = map[string]bool{
	"aws": true, "ec2": true, "eks": true, "ecs": true, "lambda": true, "rds": true, "app": true, "application": true,
	"logs": true, "log": true, "cluster": true, "system": true, "system-logs": true, "var": true, "messages": true,
	"syslog": true, "prod": true, "production": true, "alerts": true, "cloudtrail": true, "management": true,
	"firewall": true, "containerinsights": true, "performance": true, "dataplane": true, "host": true,
}

// groupKeys relates a log group to services by its path segments, and to
// instances whose id or name it (or one of its error examples) contains.
func (a *run) groupKeys(group string, examples []string) []string {
	var keys []string
	for _, seg := range strings.FieldsFunc(strings.ToLower(group), func(r rune) bool { return r == '/' || r == ':' }) {
		if len(seg) >= 3 && !genericSegments[seg] {
			keys = append(keys, "svc:"+seg, "svc:"+stem(seg))
		}
	}
	for _, id := range a.order {
		in := a.instances[id]
		for _, key := range []string{in.ID, in.Name} {
			if key == "" {
				continue
			}
			hit := containsWord(group, key)
			for _, ex := range examples {
				hit = hit || containsWord(ex, key)
			}
			if hit {
				keys = append(keys, "i:"+in.ID)
			}
		}
	}
	return dedupe(keys)
}

func dedupe(keys []string) []string {
	sort.Strings(keys)
	out := keys[:0]
	for i, k := range keys {
		if i == 0 || k != keys[i-1] {
			out = append(out, k)
		}
	}
	return out
}

func related(x, y *signal) bool {
	for _, a := range x.Keys {
		for _, b := range y.Keys {
			if a == b {
				return true
			}
		}
	}
	return false
}

// strengthOf puts a z-score on 0..1: min_shift gives 0.25, four times
// min_shift or more gives 1; a drift counts half.
func (a *run) strengthOf(z float64, step bool) float64 {
	s := math.Min(1, math.Abs(z)/(4*a.opts.MinShift))
	if !step {
		s /= 2
	}
	return s
}

// collectSignals turns the significant changes into signals.
func (a *run) collectSignals() {
	for _, m := range a.metricRows {
		if !m.Changed {
			continue
		}
		s := &signal{Kind: sigMetric, Time: m.Shift.Time, Resource: m.InstanceID, Metric: m,
			Strength: a.strengthOf(m.Shift.Z, m.Shift.Step)}
		if in := a.instances[m.InstanceID]; in != nil {
			s.Keys = instanceKeys(in)
		}
		m.sig = s
		a.signals = append(a.signals, s)
	}
	for _, l := range a.logRows {
		var first time.Time
		strength := 0.0
		var examples []string
		for _, p := range l.New {
			examples = append(examples, p.Example)
			if p.Count < int64(a.opts.MinNewEvents) {
				continue
			}
			if first.IsZero() || p.FirstSeen.Before(first) {
				first = p.FirstSeen
			}
			// New patterns: 0.25 for a few events, 1 for a thousand.
			strength = math.Max(strength, math.Min(1, 0.25+math.Log10(float64(p.Count))/4))
		}
		if l.RateChanged {
			if first.IsZero() || l.Shift.Time.Before(first) {
				first = l.Shift.Time
			}
			strength = math.Max(strength, a.strengthOf(l.Shift.Z, true))
		}
		if first.IsZero() {
			continue
		}
		s := &signal{Kind: sigLog, Time: first, Resource: l.Group, Log: l, Strength: strength, Keys: a.groupKeys(l.Group, examples)}
		l.sig = s
		a.signals = append(a.signals, s)
	}
	for _, c := range a.changes {
		s := &signal{Kind: sigChange, Time: c.Time, Resource: c.Group, Change: c, Strength: 0.5,
			Keys: a.groupKeys(c.Group, []string{c.Pattern.Example})}
		c.sig = s
		a.signals = append(a.signals, s)
	}
	for i := range a.alarmTrans {
		t := &a.alarmTrans[i]
		if t.To != source.StateAlarm {
			continue
		}
		s := &signal{Kind: sigAlarm, Time: t.Time, Resource: t.Alarm, Alarm: t}
		if id := a.alarmInstance(t.Alarm); id != "" {
			if in := a.instances[id]; in != nil {
				s.Keys = instanceKeys(in)
			} else {
				s.Keys = []string{"i:" + id}
			}
		}
		a.signals = append(a.signals, s)
	}
	sort.SliceStable(a.signals, func(i, j int) bool {
		x, y := a.signals[i], a.signals[j]
		if !x.Time.Equal(y.Time) {
			return x.Time.Before(y.Time)
		}
		if kindOrder(x.Kind) != kindOrder(y.Kind) {
			return kindOrder(x.Kind) < kindOrder(y.Kind)
		}
		if x.Strength != y.Strength {
			return x.Strength > y.Strength
		}
		return x.Resource < y.Resource
	})
}

func kindOrder(k signalKind) int {
	switch k {
	case sigChange:
		return 0
	case sigMetric:
		return 1
	case sigLog:
		return 2
	}
	return 3
}

// rank scores every candidate signal:
//
//	score = 0.5·precedence + 0.3·strength + 0.2·corroboration
//
// precedence: share of the other significant signals that started later
// (within one metric period counts as simultaneous, half); strength: the
// size of the change on 0..1; corroboration: share of the later signals
// related to this one (same instance or service). A change event followed
// within 15 minutes by a related metric or log change has strength 1.
func (a *run) rank() {
	a.collectSignals()
	tol := a.opts.Resolution.Duration
	for _, s := range a.signals {
		later, ties, others := 0.0, 0.0, 0.0
		var rel []*signal
		for _, o := range a.signals {
			if o == s {
				continue
			}
			others++
			switch {
			case o.Time.Sub(s.Time) > tol:
				later++
				if related(s, o) {
					rel = append(rel, o)
				}
			case s.Time.Sub(o.Time) <= tol:
				ties++
			}
		}
		s.Precedence = 1
		if others > 0 {
			s.Precedence = (later + ties/2) / others
		}
		if later > 0 {
			s.Corroboration = float64(len(rel)) / later
		}
		s.Later = rel
		if s.Kind == sigChange {
			for _, o := range rel {
				if (o.Kind == sigMetric || o.Kind == sigLog) && o.Time.Sub(s.Time) <= changeFollowWindow {
					s.Strength = 1
					break
				}
			}
		}
		s.Score = weightPrecedence*s.Precedence + weightStrength*s.Strength + weightCorroboration*s.Corroboration
	}
	for _, s := range a.signals {
		if s.candidate() {
			a.candidates = append(a.candidates, s)
		}
	}
	sort.SliceStable(a.candidates, func(i, j int) bool {
		x, y := a.candidates[i], a.candidates[j]
		if math.Abs(x.Score-y.Score) > 1e-9 {
			return x.Score > y.Score
		}
		return x.Time.Before(y.Time)
	})
	for i, c := range a.candidates {
		c.Rank = i + 1
	}
}

// firstChange is the earliest metric or log change: the first symptom.
func (a *run) firstChange() *signal {
	for _, s := range a.signals {
		if s.Kind == sigMetric || s.Kind == sigLog {
			return s
		}
	}
	return nil
}
