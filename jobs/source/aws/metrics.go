package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/cwreport/cwreport/jobs/source"
)

// knownUnits are the units of the metrics reports use; GetMetricData does
// not return units, and a chart needs them.
var knownUnits = map[string]string{
	"AWS/EC2/CPUUtilization":             "Percent",
	"AWS/EC2/NetworkIn":                  "Bytes",
	"AWS/EC2/NetworkOut":                 "Bytes",
	"AWS/EC2/NetworkPacketsIn":           "Count",
	"AWS/EC2/NetworkPacketsOut":          "Count",
	"AWS/EC2/EBSReadOps":                 "Count",
	"AWS/EC2/EBSWriteOps":                "Count",
	"AWS/EC2/EBSReadBytes":               "Bytes",
	"AWS/EC2/EBSWriteBytes":              "Bytes",
	"AWS/EC2/DiskReadOps":                "Count",
	"AWS/EC2/DiskWriteOps":               "Count",
	"AWS/EC2/StatusCheckFailed":          "Count",
	"AWS/EC2/StatusCheckFailed_Instance": "Count",
	"AWS/EC2/StatusCheckFailed_System":   "Count",
	"AWS/EC2/CPUCreditBalance":           "Count",
	"CWAgent/mem_used_percent":           "Percent",
	"CWAgent/disk_used_percent":          "Percent",
	"CWAgent/swap_used_percent":          "Percent",
}

// metricQuery is one series to fetch: a metric with its exact dimension
// set (as ListMetrics returned it) and one statistic.
type metricQuery struct {
	namespace, name string
	dims            []source.Dimension
	stat            string
	period          time.Duration
	instanceID      string
	key             string // for sorting and de-duplication
}

// metrics discovers the scoped instances' series with ListMetrics and
// fetches them with the fewest GetMetricData calls.
func (r *run) metrics(ctx context.Context) {
	if len(r.req.Metrics) == 0 {
		return
	}
	allowed, ok := r.scopedInstanceIDs()
	if !ok {
		r.addGap(source.Gap{Source: SourceName, Part: "metrics", Error: "the instance inventory could not be read, so the scope cannot be applied"})
		return
	}
	now := r.s.opts.Now()
	if r.req.At.After(now) {
		now = r.req.At
	}
	queries := r.discover(ctx, allowed, now)
	if len(queries) == 0 {
		return
	}
	start := r.req.Window.Start.Add(-r.req.History)
	end := r.req.Window.End
	series := r.fetchSeries(ctx, queries, start, end)
	r.mu.Lock()
	r.ds.Series = series
	r.mu.Unlock()
}

// scopedInstanceIDs is the set of instance ids metrics are fetched for; ok
// is false when the inventory failed (nil set with an empty scope means
// every instance).
func (r *run) scopedInstanceIDs() (map[string]bool, bool) {
	if r.inventoryFailed {
		if r.req.Scope.Empty() {
			return nil, true
		}
		return nil, false
	}
	ids := make(map[string]bool, len(r.instances))
	for _, in := range r.instances {
		ids[in.ID] = true
	}
	return ids, true
}

// discover lists the series of each requested metric that carry an
// InstanceId dimension of a scoped instance. ListMetrics returns exact
// dimension sets (CWAgent disk_used_percent has InstanceId, path, device,
// fstype, and often ImageId and InstanceType too); GetMetricData only
// answers for an exact set, so discovery is what makes CWAgent metrics work.
func (r *run) discover(ctx context.Context, allowed map[string]bool, now time.Time) []metricQuery {
	type metricName struct{ ns, name string }
	type statPeriod struct {
		stat   string
		period time.Duration
	}
	stats := map[metricName][]statPeriod{}
	var order []metricName
	for _, m := range r.req.Metrics {
		k := metricName{m.Namespace, m.Name}
		if _, ok := stats[k]; !ok {
			order = append(order, k)
		}
		stat := m.Stat
		if stat == "" {
			stat = "Average"
		}
		stats[k] = append(stats[k], statPeriod{stat, r.req.PeriodOf(m, now)})
	}
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		queries []metricQuery
		seen    = map[string]bool{}
	)
	for _, k := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var token *string
			for {
				out, err := r.s.clients.cloudwatch.ListMetrics(ctx, &cloudwatch.ListMetricsInput{
					Namespace:  sdkaws.String(k.ns),
					MetricName: sdkaws.String(k.name),
					Dimensions: []cwtypes.DimensionFilter{{Name: sdkaws.String("InstanceId")}},
					NextToken:  token,
				})
				if err != nil {
					r.fail("metrics:"+k.ns+"/"+k.name, err)
					return
				}
				mu.Lock()
				for _, m := range out.Metrics {
					dims := make([]source.Dimension, 0, len(m.Dimensions))
					id := ""
					for _, d := range m.Dimensions {
						dims = append(dims, source.Dimension{Name: sdkaws.ToString(d.Name), Value: sdkaws.ToString(d.Value)})
						if sdkaws.ToString(d.Name) == "InstanceId" {
							id = sdkaws.ToString(d.Value)
						}
					}
					if id == "" || (allowed != nil && !allowed[id]) {
						continue
					}
					sort.Slice(dims, func(i, j int) bool { return dims[i].Name < dims[j].Name })
					for _, sp := range stats[k] {
						q := metricQuery{namespace: k.ns, name: k.name, dims: dims, stat: sp.stat, period: sp.period, instanceID: id}
						q.key = queryKey(q)
						if !seen[q.key] {
							seen[q.key] = true
							queries = append(queries, q)
						}
					}
				}
				mu.Unlock()
				if out.NextToken == nil || *out.NextToken == "" {
					return
				}
				token = out.NextToken
			}
		}()
	}
	wg.Wait()
	sort.Slice(queries, func(i, j int) bool { return queries[i].key < queries[j].key })
	return queries
}

func queryKey(q metricQuery) string {
	var b strings.Builder
	b.WriteString(q.instanceID)
	b.WriteByte('\x00')
	b.WriteString(q.namespace)
	b.WriteByte('\x00')
	b.WriteString(q.name)
	for _, d := range q.dims {
		b.WriteByte('\x00')
		b.WriteString(d.Name)
		b.WriteByte('=')
		b.WriteString(d.Value)
	}
	b.WriteByte('\x00')
	b.WriteString(q.stat)
	b.WriteByte('\x00')
	b.WriteString(strconv.FormatInt(int64(q.period/time.Second), 10))
	return b.String()
}

// fetchSeries runs the planned GetMetricData calls, at most Concurrency at
// once (the transport also holds them to the rate limit), and returns the
// series in key order. Queries are planned per period: each period's
// series are aligned and chunked to that period and packed to the limits
// on their own, so the calls are the sum over periods of MinCalls (see
// MinCallsByPeriod). Series without a point in the window are left out:
// absence is data.
func (r *run) fetchSeries(ctx context.Context, queries []metricQuery, start, end time.Time) []source.Series {
	// Contiguous period groups, key order within each.
	sort.SliceStable(queries, func(i, j int) bool { return queries[i].period < queries[j].period })
	out := make([]source.Series, len(queries))
	for i, q := range queries {
		out[i] = source.Series{Namespace: q.namespace, Metric: q.name, Dimensions: q.dims, InstanceID: q.instanceID,
			Stat: q.stat, Unit: knownUnits[q.namespace+"/"+q.name], Period: int32(q.period / time.Second)}
	}
	type job struct {
		chunk  TimeChunk
		batch  Batch // absolute query indexes
		period time.Duration
	}
	var jobs []job
	for lo := 0; lo < len(queries); {
		period := queries[lo].period
		hi := lo
		for hi < len(queries) && queries[hi].period == period {
			hi++
		}
		for _, c := range TimeChunks(start, end, period) {
			for _, b := range PlanBatches(hi-lo, c.Points) {
				jobs = append(jobs, job{c, Batch{lo + b.Start, lo + b.End}, period})
			}
		}
		lo = hi
	}
	var (
		wg   sync.WaitGroup
		next = make(chan job)
		done int
		dmu  sync.Mutex
	)
	r.progress("metrics", 0, len(jobs))
	workers := min(r.s.cfg.Concurrency, len(jobs))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				r.fetchBatch(ctx, queries[j.batch.Start:j.batch.End], out[j.batch.Start:j.batch.End], j.chunk, j.period, start, end)
				dmu.Lock()
				done++
				r.progress("metrics", done, len(jobs))
				dmu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		select {
		case next <- j:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	r.metricGaps(len(jobs))
	idx := make([]int, 0, len(out))
	for i := range out {
		if len(out[i].Times) > 0 {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return queries[idx[a]].key < queries[idx[b]].key })
	kept := make([]source.Series, len(idx))
	for k, i := range idx {
		kept[k] = out[i]
	}
	return kept
}

// fetchBatch is one planned call, following NextToken until CloudWatch has
// returned everything. PartialData on the last page, or an error status,
// becomes a gap for that series.
func (r *run) fetchBatch(ctx context.Context, qs []metricQuery, dst []source.Series, chunk TimeChunk, period time.Duration, start, end time.Time) {
	in := &cloudwatch.GetMetricDataInput{
		StartTime:     sdkaws.Time(chunk.Start),
		EndTime:       sdkaws.Time(chunk.End),
		ScanBy:        cwtypes.ScanByTimestampAscending,
		MaxDatapoints: sdkaws.Int32(MaxDatapointsPerCall),
	}
	byID := make(map[string]int, len(qs))
	for i, q := range qs {
		id := "q" + strconv.Itoa(i)
		byID[id] = i
		dims := make([]cwtypes.Dimension, len(q.dims))
		for k, d := range q.dims {
			dims[k] = cwtypes.Dimension{Name: sdkaws.String(d.Name), Value: sdkaws.String(d.Value)}
		}
		in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
			Id: sdkaws.String(id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: sdkaws.String(q.namespace), MetricName: sdkaws.String(q.name), Dimensions: dims},
				Period: sdkaws.Int32(int32(period / time.Second)),
				Stat:   sdkaws.String(q.stat),
			},
			ReturnData: sdkaws.Bool(true),
		})
	}
	status := make([]cwtypes.StatusCode, len(qs))
	lo, hi := start.Unix(), end.Unix()
	for {
		resp, err := r.s.clients.cloudwatch.GetMetricData(ctx, in)
		if err != nil {
			r.batchFailed(qs, err)
			return
		}
		for _, res := range resp.MetricDataResults {
			i, ok := byID[sdkaws.ToString(res.Id)]
			if !ok {
				continue
			}
			status[i] = res.StatusCode
			s := &dst[i]
			if s.Times == nil {
				s.Times = make([]int64, 0, len(res.Timestamps))
				s.Values = make([]float64, 0, len(res.Values))
			}
			for k, t := range res.Timestamps {
				if k >= len(res.Values) {
					break
				}
				if u := t.Unix(); u >= lo && u < hi {
					s.Times = append(s.Times, u)
					s.Values = append(s.Values, res.Values[k])
				}
			}
		}
		// A response-level message leaves the rest of the response good
		// ("as much of the operation as possible is still executed"): a
		// partial gap, never the whole-collection "metrics" one.
		for _, m := range resp.Messages {
			r.addGap(source.Gap{Source: SourceName, Part: "metrics:messages", API: "cloudwatch:GetMetricData",
				Error: sdkaws.ToString(m.Code) + ": " + sdkaws.ToString(m.Value)})
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	for i := range dst {
		sortSeries(&dst[i])
		switch status[i] {
		case cwtypes.StatusCodeComplete, "":
		default:
			r.addGap(source.Gap{Source: SourceName, Part: "metrics:" + qs[i].instanceID + ":" + qs[i].namespace + "/" + qs[i].name + ":" + qs[i].stat, API: "cloudwatch:GetMetricData",
				Error: fmt.Sprintf("status %s after the last page: the series may be incomplete", status[i])})
		}
	}
}

// batchFailed notes a GetMetricData call that failed after its retries.
func (r *run) batchFailed(qs []metricQuery, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metricFailures = append(r.metricFailures, metricFailure{qs, err})
}

// metricFailure is a planned call that failed.
type metricFailure struct {
	qs  []metricQuery
	err error
}

// metricGaps turns failed calls into gaps analyzers can look up: when
// every call failed (a missing permission, most often) one "metrics" gap;
// otherwise one "metrics:<instance>" gap per instance that lost a series,
// so Missing("metrics:<id>") tells "no data" from "not read".
func (r *run) metricGaps(calls int) {
	if len(r.metricFailures) == 0 {
		return
	}
	if len(r.metricFailures) == calls {
		r.fail("metrics", r.metricFailures[0].err)
		return
	}
	seen := map[string]bool{}
	for _, f := range r.metricFailures {
		for _, q := range f.qs {
			if !seen[q.instanceID] {
				seen[q.instanceID] = true
				r.fail("metrics:"+q.instanceID, f.err)
			}
		}
	}
}

// sortSeries orders the points by time and drops duplicate timestamps
// (pages and chunks never overlap, but an emulator or a retry might).
func sortSeries(s *source.Series) {
	sorted := true
	for i := 1; i < len(s.Times); i++ {
		if s.Times[i] <= s.Times[i-1] {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	idx := make([]int, len(s.Times))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.Times[idx[a]] < s.Times[idx[b]] })
	times := make([]int64, 0, len(idx))
	values := make([]float64, 0, len(idx))
	for _, i := range idx {
		if n := len(times); n > 0 && times[n-1] == s.Times[i] {
			continue
		}
		times = append(times, s.Times[i])
		values = append(values, s.Values[i])
	}
	s.Times, s.Values = times, values
}
