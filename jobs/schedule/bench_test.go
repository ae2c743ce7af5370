package schedule

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/report"
)

// BenchmarkNext is one DST-aware fire-time computation of a daily job.
func BenchmarkNext(b *testing.B) {
	ny, _ := time.LoadLocation("America/New_York")
	s, _ := Parse("30 2 * * *", ny)
	t := time.Date(2026, 3, 7, 12, 0, 0, 0, ny)
	b.ReportAllocs()
	for b.Loop() {
		s.Next(t)
	}
}

// BenchmarkFindMissedDay walks a day of a minutely job's missed fires.
func BenchmarkFindMissedDay(b *testing.B) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	j := &jobConfig{}
	job := j.make("m", "* * * * *", "run", "grace", seoul)
	s, _ := Parse(job.Schedule, seoul)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, seoul)
	b.ReportAllocs()
	for b.Loop() {
		FindMissed(job, s, now.Add(-24*time.Hour), now)
	}
}

// BenchmarkFireOfDonePeriod is what a fire costs when its period already
// ran and was delivered (every fire but the first of a period): one read
// of the period's state and one skip record.
func BenchmarkFireOfDonePeriod(b *testing.B) {
	ctx := context.Background()
	x, f := benchExecutor(b)
	key := RunKey(f)
	id, _ := x.Store.StartRun(ctx, history.Run{Key: key, Job: f.Job.Name, ScheduledAt: f.At, Started: f.At})
	x.Store.FinishRun(ctx, id, f.At, history.StatusOK, "", nil, nil)
	x.Store.RecordDelivery(ctx, history.Delivery{RunKey: key, Target: "files", Status: history.DeliveryOK, At: f.At})
	b.ReportAllocs()
	for b.Loop() {
		err := x.Run(ctx, f)
		var skip *SkipError
		if !asSkip(err, &skip) || skip.Kind != SkipDone {
			b.Fatal(err)
		}
		x.Skipped(ctx, f, skip)
	}
}

// BenchmarkRunBookkeeping is what serve adds to a run besides rendering and
// delivering: the run record, spooling a 200 KB report (write, fsync,
// manifest), the delivery record and removing the spool.
func BenchmarkRunBookkeeping(b *testing.B) {
	ctx := context.Background()
	x, f := benchExecutor(b)
	run := jobs.NewRun(f.Job, f.At)
	rep := &report.Report{Job: "m", Kind: "daily-status", Status: report.StatusOK}
	arts := []report.Artifact{{Name: run.Base() + ".pdf", Format: "pdf", Role: report.RoleReport, Data: bytes.Repeat([]byte("x"), 200<<10)}}
	b.ReportAllocs()
	for b.Loop() {
		id, err := x.Store.StartRun(ctx, history.Run{Key: run.Key(), Job: "m", Period: run.Period, ScheduledAt: f.At, Started: f.At})
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Spool.Save(run.Key(), rep, arts); err != nil {
			b.Fatal(err)
		}
		x.Store.RecordDelivery(ctx, history.Delivery{RunKey: run.Key(), Target: "files", Status: history.DeliveryOK, At: f.At})
		x.Store.FinishRun(ctx, id, f.At, history.StatusOK, "", nil, historyArtifacts(arts))
		if err := x.Spool.Remove(run.Key()); err != nil {
			b.Fatal(err)
		}
	}
}

type jobConfig struct{}

func (jobConfig) make(name, sched, period, policy string, loc *time.Location) *configJob {
	j := &configJob{Name: name, Schedule: sched, Period: period, Location: loc}
	j.CatchUp.Policy = policy
	j.CatchUp.Grace.Duration = 6 * time.Hour
	j.Deliver = []string{"files"}
	return j
}

func asSkip(err error, skip **SkipError) bool {
	s, ok := err.(*SkipError)
	*skip = s
	return ok
}

func benchExecutor(b *testing.B) (*Executor, Fire) {
	b.Helper()
	dir := b.TempDir()
	path := filepath.Join(dir, "history.db")
	st, err := history.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	seoul, _ := time.LoadLocation("Asia/Seoul")
	job := jobConfig{}.make("m", "* * * * * *", "day", "grace", seoul)
	x := &Executor{Store: st, Spool: Spool{Dir: SpoolDir(path)}, Log: quietLog()}
	return x, Fire{Job: job, At: time.Date(2026, 11, 24, 8, 0, 0, 0, seoul), Trigger: TriggerSchedule}
}

type configJob = config.Job
