package status

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/analyze"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
	"github.com/cwreport/cwreport/report"
)

// fixedAt is the run instant of every crafted dataset: 08:00 in Seoul.
var fixedAt = time.Date(2026, 11, 24, 8, 0, 0, 0, seoul)

var seoul = func() *time.Location {
	l, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return l
}()

// builder makes small datasets whose answers are known.
type builder struct {
	ds     *source.Dataset
	at     time.Time
	win    source.Window
	period int64
	days   int
	rng    *rand.Rand
}

func newBuilder(at time.Time) *builder {
	w := source.Window{Start: at.Add(-24 * time.Hour), End: at}
	return &builder{
		ds: &source.Dataset{Account: source.Account{ID: "111122223333", Alias: "test", Region: "ap-northeast-2"}, Window: w},
		at: at, win: w, period: 300, days: 7,
		rng: rand.New(rand.NewPCG(1, 2)),
	}
}

func (b *builder) instance(id, name, typ string) {
	b.ds.Instances = append(b.ds.Instances, source.Instance{ID: id, Name: name, Type: typ, State: "running"})
}

// series adds a metric over [start-days, end) with f(t) giving each value
// (NaN: no point).
func (b *builder) series(id, ns, metric, stat string, f func(t time.Time) float64, dims ...source.Dimension) {
	s := source.Series{Namespace: ns, Metric: metric, InstanceID: id, Stat: stat, Period: int32(b.period),
		Dimensions: append([]source.Dimension{{Name: "InstanceId", Value: id}}, dims...)}
	for t := b.win.Start.Add(-time.Duration(b.days) * 24 * time.Hour).Unix(); t < b.win.End.Unix(); t += b.period {
		v := f(time.Unix(t, 0))
		if math.IsNaN(v) {
			continue
		}
		s.Times = append(s.Times, t)
		s.Values = append(s.Values, v)
	}
	b.ds.Series = append(b.ds.Series, s)
}

// noisy is a daily-seasonal level with gaussian noise, never flat.
func (b *builder) noisy(level, amp, noise float64) func(time.Time) float64 {
	return func(t time.Time) float64 {
		h := float64(t.In(seoul).Hour()) + float64(t.Minute())/60
		season := amp * math.Max(0, math.Sin((h-8)/12*math.Pi)) // busier 08-20
		return math.Max(0, level+season+noise*b.rng.NormFloat64())
	}
}

func (b *builder) alarm(al source.Alarm, history ...source.AlarmTransition) {
	b.ds.Alarms = append(b.ds.Alarms, al)
	b.ds.AlarmHistory = append(b.ds.AlarmHistory, history...)
}

func (b *builder) logs(group string, lines func(add func(t time.Time, line string))) {
	b.ds.LogGroups = append(b.ds.LogGroups, source.LogGroup{Name: group})
	sc := logscan.New(group, b.win, config.DefaultErrorTerms, time.Hour, 10)
	lines(sc.Add)
	b.ds.LogStats = append(b.ds.LogStats, sc.Stats())
}

func (b *builder) job() *config.Job {
	return &config.Job{Name: "morning", Kind: Kind, Language: "ko", Location: seoul,
		Logs: config.LogsScope{ErrorTerms: config.DefaultErrorTerms}}
}

func (b *builder) analyze(t testing.TB, job *config.Job) *report.Report {
	t.Helper()
	if job == nil {
		job = b.job()
	}
	in := analyze.Input{Job: job, At: b.at, Window: b.win, Location: seoul, Lang: job.Language, Data: b.ds}
	r, err := New().Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	r.GeneratedAt = b.at.UTC()
	return r
}

func tr(alarm string, t time.Time, from, to source.AlarmState, reason string) source.AlarmTransition {
	return source.AlarmTransition{Alarm: alarm, Time: t, From: from, To: to, Reason: reason}
}

// crafted is the reference dataset of the golden files and the hostile test:
// one of everything the morning report must notice, and some things it
// must not.
func crafted(at time.Time) *builder {
	b := newBuilder(at)
	// A flat-ish idle web server: never an anomaly.
	b.instance("i-0web000000000001", "web-01", "t3.small")
	b.series("i-0web000000000001", "AWS/EC2", "CPUUtilization", "Average", b.noisy(1.5, 0.5, 0.2))
	b.series("i-0web000000000001", "AWS/EC2", "NetworkIn", "Sum", b.noisy(2e6, 1e6, 2e5))
	b.series("i-0web000000000001", "AWS/EC2", "StatusCheckFailed", "Maximum", func(time.Time) float64 { return 0 })
	b.series("i-0web000000000001", "CWAgent", "mem_used_percent", "Average", b.noisy(30, 2, 0.5))
	// A DMZ box at ~8% whose CPU jumps to ~95% for the last 3 hours.
	b.instance("i-0dmz000000000002", "dmz-private-a", "t3.medium")
	base := b.noisy(8, 4, 1)
	b.series("i-0dmz000000000002", "AWS/EC2", "CPUUtilization", "Average", func(t time.Time) float64 {
		if !t.Before(at.Add(-3 * time.Hour)) {
			return 95 + b.rng.Float64()*3
		}
		return base(t)
	})
	b.series("i-0dmz000000000002", "AWS/EC2", "StatusCheckFailed", "Maximum", func(time.Time) float64 { return 0 })
	// A batch worker with a nightly burst every day (seasonal, not an
	// anomaly) and one failed status check at 03:10-03:20.
	b.instance("i-0bat000000000003", "batch-03", "c6i.large")
	b.series("i-0bat000000000003", "AWS/EC2", "CPUUtilization", "Average", func(t time.Time) float64 {
		if h := t.In(seoul).Hour(); h >= 1 && h < 3 {
			return 75 + 5*b.rng.NormFloat64()
		}
		return 5 + b.rng.NormFloat64()
	})
	fail := time.Date(2026, 11, 24, 3, 10, 0, 0, seoul)
	b.series("i-0bat000000000003", "AWS/EC2", "StatusCheckFailed", "Maximum", func(t time.Time) float64 {
		if !t.Before(fail) && t.Before(fail.Add(10*time.Minute)) {
			return 1
		}
		return 0
	})
	// A database with the agent: memory and disk.
	b.instance("i-0db0000000000004", "db-01", "r6i.2xlarge")
	b.series("i-0db0000000000004", "AWS/EC2", "CPUUtilization", "Average", b.noisy(35, 15, 3))
	b.series("i-0db0000000000004", "CWAgent", "mem_used_percent", "Average", b.noisy(70, 3, 1))
	b.series("i-0db0000000000004", "CWAgent", "disk_used_percent", "Average", func(time.Time) float64 { return 88.4 },
		source.Dimension{Name: "path", Value: "/data"}, source.Dimension{Name: "device", Value: "nvme1n1"}, source.Dimension{Name: "fstype", Value: "xfs"})

	w := b.win
	b.alarm(source.Alarm{Name: "High-CPU-Usage", State: source.StateAlarm, StateUpdated: at.Add(-170 * time.Minute),
		StateReason: "Threshold Crossed: 3 datapoints [96.1, 95.8, 97.0] were greater than the threshold (80.0).",
		Namespace:   "AWS/EC2", Metric: "CPUUtilization", Dimensions: []source.Dimension{{Name: "InstanceId", Value: "i-0dmz000000000002"}},
		Threshold: 80, Comparison: "GreaterThanThreshold", ActionsEnabled: true, AlarmActions: []string{"arn:aws:sns:ap-northeast-2:111122223333:ops"}},
		tr("High-CPU-Usage", at.Add(-170*time.Minute), source.StateOK, source.StateAlarm, "Threshold Crossed"))
	b.alarm(source.Alarm{Name: "Low-CPU-Usage", State: source.StateAlarm, StateUpdated: at.Add(-12 * 24 * time.Hour),
		StateReason: "Threshold Crossed: 1 datapoint [0.4] was less than the threshold (1.0).", Namespace: "AWS/EC2", Metric: "CPUUtilization",
		Threshold: 1, Comparison: "LessThanThreshold"})
	var flaps []source.AlarmTransition
	state := source.StateOK
	for i := 0; i < 7; i++ {
		next := source.StateAlarm
		if state == source.StateAlarm {
			next = source.StateOK
		}
		flaps = append(flaps, tr("High-Network-In", w.Start.Add(time.Duration(2+3*i)*time.Hour), state, next, "Threshold Crossed"))
		state = next
	}
	b.alarm(source.Alarm{Name: "High-Network-In", State: state, StateUpdated: flaps[len(flaps)-1].Time,
		Namespace: "AWS/EC2", Metric: "NetworkIn", Threshold: 5e8, Comparison: "GreaterThanThreshold", EvaluationPeriods: 1, ActionsEnabled: true}, flaps...)
	b.alarm(source.Alarm{Name: "Disk-Space-Low-db-01", State: source.StateInsufficientData, StateUpdated: at.Add(-72 * time.Hour),
		StateReason: "Insufficient Data: 1 datapoint was unknown.", Namespace: "CWAgent", Metric: "disk_used_percent",
		Dimensions: []source.Dimension{{Name: "InstanceId", Value: "i-0db0000000000004"}, {Name: "path", Value: "/data"}, {Name: "device", Value: "xvdf"}},
		Threshold:  90, Comparison: "GreaterThanThreshold"})
	b.alarm(source.Alarm{Name: "Status-Check-Failed", State: source.StateOK, StateUpdated: fail.Add(15 * time.Minute),
		Namespace: "AWS/EC2", Metric: "StatusCheckFailed", Dimensions: []source.Dimension{{Name: "InstanceId", Value: "i-0bat000000000003"}},
		Threshold: 1, Comparison: "GreaterThanOrEqualToThreshold", ActionsEnabled: true},
		tr("Status-Check-Failed", fail.Add(5*time.Minute), source.StateOK, source.StateAlarm, "Threshold Crossed"),
		tr("Status-Check-Failed", fail.Add(15*time.Minute), source.StateAlarm, source.StateOK, "Threshold Crossed"))
	b.alarm(source.Alarm{Name: "Web-Service-Health", Composite: true, Rule: `ALARM("High-CPU-Usage") AND ALARM("High-Network-In")`,
		State: source.StateOK, StateUpdated: at.Add(-30 * 24 * time.Hour)})

	// 43 error lines among 1,000 in the app group, all in the last 90 minutes.
	b.logs("/aws/ec2/app", func(add func(time.Time, string)) {
		for i := 0; i < 1000; i++ {
			t := at.Add(-90 * time.Minute).Add(time.Duration(i) * 5 * time.Second)
			switch {
			case i%25 == 0 && i/25 < 30:
				add(t, fmt.Sprintf("2026-11-24T07:%02d:00Z ERROR java.lang.OutOfMemoryError: Java heap space (request %d)", i%60, 1000+i))
			case i%77 == 1:
				add(t, fmt.Sprintf("ERROR NullPointerException at OrderService.place order=%d", i))
			default:
				add(t, fmt.Sprintf("INFO request %d served in %dms", i, i%97))
			}
		}
	})
	b.logs("/aws/lambda/quiet", func(add func(time.Time, string)) {
		for i := 0; i < 200; i++ {
			add(at.Add(-time.Duration(i)*time.Minute), "INFO ok")
		}
	})
	return b
}

// countErrors is the ground truth for the app group above.
func countErrors() int {
	n := 0
	for i := 0; i < 1000; i++ {
		if (i%25 == 0 && i/25 < 30) || i%77 == 1 {
			n++
		}
	}
	return n
}

func TestCraftedErrorCountIs43(t *testing.T) {
	if n := countErrors(); n != 43 {
		t.Fatalf("fixture has %d error lines, the tests assume 43", n)
	}
	_ = strings.TrimSpace
}
