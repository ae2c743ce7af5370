package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// Namespaces and metrics the demo account publishes. Every instance has
// detailed monitoring (one sample a minute); the CloudWatch agent runs only
// where host.mem or host.disks say so.
const (
	nsEC2   = "AWS/EC2"
	nsAgent = "CWAgent"

	mCPU       = "CPUUtilization"
	mNetIn     = "NetworkIn"
	mNetOut    = "NetworkOut"
	mEBSRead   = "EBSReadOps"
	mEBSWrite  = "EBSWriteOps"
	mStatus    = "StatusCheckFailed"
	mMem       = "mem_used_percent"
	mDisk      = "disk_used_percent"
	unitPct    = "Percent"
	unitBytes  = "Bytes"
	unitCount  = "Count"
	mb         = 1 << 20
	kb         = 1 << 10
	eksFlapper = "eks-node-03"
)

// load is how busy a role is: CPU percent at the busiest hour and at night
// (as a fraction), and per-minute network bytes and EBS operations at the
// busiest hour.
type load struct {
	shape         shape
	cpu, night    float64
	netIn, netOut float64
	ebsR, ebsW    float64
	memPct        float64
	lastWeek      float64 // level before At-7d relative to now (0: unchanged)
	vary          bool    // members of a fleet differ by ±10 %
}

var loads = map[string]load{
	roleWeb:     {shape: business, cpu: 2.0, night: 0.45, netIn: 400 * kb, netOut: 1.2 * mb, ebsR: 20, ebsW: 150, memPct: 30, vary: true},
	roleEKS:     {shape: business, cpu: 18, night: 0.55, netIn: 40 * mb, netOut: 32 * mb, ebsR: 600, ebsW: 2500, memPct: 35, vary: true},
	roleDB:      {shape: business, cpu: 36, night: 0.35, netIn: 80 * mb, netOut: 150 * mb, ebsR: 12000, ebsW: 30000, memPct: 78},
	roleDMZ:     {shape: business, cpu: 8, night: 0.6, netIn: 3 * mb, netOut: 2.5 * mb, ebsR: 30, ebsW: 200},
	roleBastion: {shape: business, cpu: 1.5, night: 0.5, netIn: 60 * kb, netOut: 90 * kb, ebsR: 5, ebsW: 40},
	// Batch: the nightly window is the peak (~36 % now, ~60 % last week:
	// this week is ~40 % lighter); ~2-3 % CPU the rest of the day.
	roleBatch:   {shape: nightly, cpu: 36, night: 0.07, netIn: 150 * mb, netOut: 20 * mb, ebsR: 8000, ebsW: 6000, lastWeek: 1 / 0.6, vary: true},
	roleOrder:   {shape: business, cpu: 30, night: 0.65, netIn: 25 * mb, netOut: 40 * mb, ebsR: 200, ebsW: 900, lastWeek: 1 / 1.3, vary: true},
	roleLegacy:  {shape: business, cpu: 0.5, night: 0.8, netIn: 30 * kb, netOut: 20 * kb, ebsR: 2, ebsW: 30},
	roleJenkins: {shape: business, cpu: 6, night: 0.35, netIn: 1.3 * kb, netOut: 1.0 * kb, ebsR: 10, ebsW: 60},
	roleAPIGW:   {shape: business, cpu: 88, night: 0.5, netIn: 90 * mb, netOut: 110 * mb, ebsR: 50, ebsW: 400},
	roleJupyter: {shape: business, cpu: 6, night: 0.2, netIn: 800 * kb, netOut: 300 * kb, ebsR: 40, ebsW: 150},
	roleKafka:   {shape: business, cpu: 45, night: 0.55, netIn: 60 * mb, netOut: 60 * mb, ebsR: 300, ebsW: 9000, memPct: 62, vary: true},
}

// metricUnit is the unit of a metric the demo publishes, "" for one it
// does not.
func metricUnit(ns, name string) string {
	switch ns + "/" + name {
	case nsEC2 + "/" + mCPU, nsAgent + "/" + mMem, nsAgent + "/" + mDisk:
		return unitPct
	case nsEC2 + "/" + mNetIn, nsEC2 + "/" + mNetOut:
		return unitBytes
	case nsEC2 + "/" + mEBSRead, nsEC2 + "/" + mEBSWrite, nsEC2 + "/" + mStatus:
		return unitCount
	}
	return ""
}

// modelFor is the model of metric ns/name of h (of file system d for disk
// usage) for a run at at; nil when h does not publish it.
func modelFor(h *host, ns, name string, d *disk, at int64) *model {
	l := loads[h.role]
	key := h.name + "|" + ns + "|" + name
	if d != nil {
		key += "|" + d.path
	}
	vary := 1.0
	if l.vary {
		vary = 0.9 + 0.2*unit(seedOf(h.name), 0)
	}
	m := &model{seed: seedOf(key), at: at, shape: l.shape, night: l.night, lastWeek: l.lastWeek}
	m.initStreams()
	ago := func(d time.Duration) int64 { return at - int64(d/time.Second) }
	switch ns + "/" + name {
	case nsEC2 + "/" + mCPU:
		m.peak, m.hi = l.cpu*vary, 100
		m.wobble, m.jitter, m.spread, m.abs = 0.12, 0.08, 0.35, 0.2
		switch h.role {
		case roleLegacy: // idle: the maximum never reaches 1 %
			m.jitter, m.spread, m.abs, m.hi = 0.12, 0.25, 0.03, 0.98
		case roleAPIGW: // under-provisioned: pinned near the top every afternoon
			m.wobble, m.jitter, m.spread, m.abs = 0.06, 0.03, 0.06, 1
		case roleDB: // growing load: peak 36 % a month ago, 61 % now
			m.spread = 0.2
			m.trend = []knot{{90, 0.9}, {30, 1}, {0, 1.7}}
		case roleBatch: // CPU-bound jobs: steady within a period
			m.spread = 0.12
		case roleDMZ:
			m.eps = []episode{{start: ago(dmzSpikeStart), end: at, level: 95, noise: 0.03}}
		case roleOrder:
			if h.name == "order-api-02" {
				m.eps = []episode{{start: ago(incidentCPU), end: at, level: 85, noise: 0.05}}
			}
		}
	case nsEC2 + "/" + mNetIn, nsEC2 + "/" + mNetOut:
		m.peak = l.netIn
		if name == mNetOut {
			m.peak = l.netOut
		}
		m.peak *= vary
		m.wobble, m.jitter, m.spread, m.integer = 0.2, 0.15, 0.6, true
		if h.role == roleDB {
			m.trend = []knot{{30, 1}, {0, 1.3}}
		}
		if h.name == eksFlapper && name == mNetIn {
			for _, b := range flapBursts {
				m.eps = append(m.eps, episode{start: ago(b.ago), end: ago(b.ago - b.length), level: 230 * mb, noise: 0.08})
			}
		}
	case nsEC2 + "/" + mEBSRead, nsEC2 + "/" + mEBSWrite:
		m.peak = l.ebsR
		if name == mEBSWrite {
			m.peak = l.ebsW
		}
		m.peak *= vary
		m.wobble, m.jitter, m.spread, m.abs, m.integer = 0.2, 0.15, 0.6, 1, true
		if h.role == roleDB {
			m.trend = []knot{{30, 1}, {0, 1.3}}
		}
	case nsEC2 + "/" + mStatus:
		m.shape = binary
		if h.name == "batch-worker-03" {
			m.eps = []episode{{start: ago(statusCheckStart), end: ago(statusCheckStart - statusCheckLen), level: 1}}
		}
	case nsAgent + "/" + mMem:
		if !h.mem {
			return nil
		}
		m.shape, m.peak, m.night, m.lastWeek, m.hi = business, l.memPct, 0.92, 0, 100
		m.wobble, m.jitter, m.spread, m.abs = 0.03, 0.01, 0.03, 0.1
		if h.role == roleDB { // 55 % a month ago, 78 % now
			m.night = 0.96
			m.trend = []knot{{90, 52.0 / 78}, {30, 55.0 / 78}, {0, 1}}
		}
	case nsAgent + "/" + mDisk:
		if d == nil {
			return nil
		}
		m.shape, m.peak, m.lastWeek, m.hi = steady, 1, 0, 100
		m.wobble, m.jitter, m.spread, m.abs = 0.002, 0.0005, 0.001, 0.02
		switch {
		case h.role == roleDB && d.path == "/data": // → exhaustion forecast
			m.trend = []knot{{90, 48}, {30, 60}, {0, 76}}
		case h.role == roleDB && d.path == "/var/log": // grows, cleaned up, grows again
			c := varLogCleanup.Hours() / 24
			m.trend = []knot{{60, 41}, {c + 2.0/1440, 71}, {c, 29}, {0, 51}} // rm -rf in two minutes
		case h.role == roleDB:
			m.trend = []knot{{90, 40}, {0, 44}}
		default:
			m.trend = imageGC(h.name)
		}
	default:
		return nil
	}
	return m
}

// grid is the time axis of a request's metrics.
type grid struct {
	start, end int64 // [start, end), Unix seconds
	period     int64
}

// metricGrid is [Window.Start-History, min(Window.End, At)) at the
// metric's period (its own, else the request's, else source.PeriodFor), in
// whole minutes because the demo's samples are one a minute.
func metricGrid(req source.Request, m source.MetricSpec, at time.Time) grid {
	start := req.Window.Start.Add(-req.History)
	end := req.Window.End
	if at.Before(end) {
		end = at
	}
	p := req.PeriodOf(m, at)
	ps := int64(p / time.Second)
	ps = max(60, (ps+59)/60*60)
	return grid{start: start.Unix(), end: end.Unix(), period: ps}
}

// metrics adds one series per scoped instance, requested metric and
// published dimension set. Unsupported statistics are gaps.
func metrics(ctx context.Context, ds *source.Dataset, req source.Request, hosts []*host, at time.Time) error {
	type spec struct {
		source.MetricSpec
		st   stat
		unit string
		g    grid
	}
	var specs []spec
	for _, s := range req.Metrics {
		st, ok := parseStat(s.Stat)
		if !ok {
			ds.Gaps = append(ds.Gaps, source.Gap{Source: "demo", Part: "metrics:" + s.Namespace + "/" + s.Name + "/" + s.Stat,
				API:   "cloudwatch:GetMetricData",
				Error: fmt.Sprintf("statistic %q is not supported by the demo account (use Average, Maximum, Minimum, Sum, SampleCount or pNN)", s.Stat)})
			continue
		}
		if u := metricUnit(s.Namespace, s.Name); u != "" {
			specs = append(specs, spec{s, st, u, metricGrid(req, s, at)})
		}
	}
	for i, h := range hosts {
		if err := ctx.Err(); err != nil {
			return err
		}
		if req.Progress != nil {
			req.Progress("metrics", i, len(hosts))
		}
		for _, s := range specs {
			first := max(s.g.start, h.launch(at).Unix())
			if s.Name == mDisk {
				for di := range h.disks {
					d := &h.disks[di]
					if m := modelFor(h, s.Namespace, s.Name, d, at.Unix()); m != nil {
						ds.Series = append(ds.Series, m.series(h, s.MetricSpec, s.st, s.unit, d, first, s.g))
					}
				}
				continue
			}
			if m := modelFor(h, s.Namespace, s.Name, nil, at.Unix()); m != nil {
				ds.Series = append(ds.Series, m.series(h, s.MetricSpec, s.st, s.unit, nil, first, s.g))
			}
		}
	}
	if req.Progress != nil {
		req.Progress("metrics", len(hosts), len(hosts))
	}
	return nil
}

// series renders the model on the grid from first on.
func (m *model) series(h *host, spec source.MetricSpec, st stat, unit string, d *disk, first int64, g grid) source.Series {
	dims := []source.Dimension{{Name: "InstanceId", Value: h.id}}
	if d != nil {
		dims = append(dims, source.Dimension{Name: "path", Value: d.path},
			source.Dimension{Name: "device", Value: d.device}, source.Dimension{Name: "fstype", Value: d.fstype})
	}
	s := source.Series{Namespace: spec.Namespace, Metric: spec.Name, Dimensions: dims, InstanceID: h.id,
		Stat: spec.Stat, Unit: unit, Period: int32(g.period)}
	t0 := (first + g.period - 1) / g.period * g.period
	if t0 < g.end {
		n := int((g.end - t0 + g.period - 1) / g.period)
		s.Times = make([]int64, 0, n)
		s.Values = make([]float64, 0, n)
	}
	full := scaleFor(g.period)
	for t := t0; t < g.end; t += g.period {
		var p pt
		if t+g.period <= g.end {
			p = m.pointScaled(t, t+g.period, full)
		} else {
			p = m.point(t, g.end)
		}
		s.Times = append(s.Times, t)
		s.Values = append(s.Values, m.value(st, p))
	}
	return s
}

// imageGC is an EKS node's root file system: container images pile up
// about 1.2 % a day until the kubelet's image garbage collection frees them
// every week or so, a sawtooth with no long-term growth.
func imageGC(name string) []knot {
	seed := seedOf("gc/" + name)
	low := 46 + 4*signed(seed, 0)
	const rate = 1.2 // % a day
	ago := 90.0
	level := low + rate*3*unit(seed, 1)
	ks := []knot{{ago, level}}
	for i := int64(2); ; i++ {
		gap := 5 + 3*unit(seed, i) // days to the next collection
		next := ago - gap
		if next <= 0 {
			return append(ks, knot{0, level + rate*ago})
		}
		level, ago = low+2*unit(seed, -i), next
		ks = append(ks, knot{next + 1.0/1440, ks[len(ks)-1].v + rate*gap}, knot{next, level})
	}
}
