package aws

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
)

// logGroupInfo is a log group with what the engines need beyond the
// dataset's LogGroup.
type logGroupInfo struct {
	source.LogGroup
	infrequent bool // Infrequent Access: Insights has no pattern command there
}

// logs reads the log groups (paginated) and, when asked, their error
// statistics with the configured engine.
func (r *run) logs(ctx context.Context) {
	groups, ok := r.logGroups(ctx)
	if !ok || !r.req.Needs.Has(source.NeedLogStats) {
		return
	}
	var stats []source.LogStats
	switch r.s.cfg.Logs.Engine {
	case "filter":
		stats = r.filterEngine(ctx, groups)
	case "insights":
		stats, _ = r.insightsEngine(ctx, groups, false)
	default:
		var fallback bool
		stats, fallback = r.insightsEngine(ctx, groups, true)
		if fallback {
			stats = r.filterEngine(ctx, groups)
		}
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].Group < stats[j].Group })
	r.mu.Lock()
	r.ds.LogStats = stats
	r.mu.Unlock()
}

// logGroups lists the groups that match the request's names and globs.
func (r *run) logGroups(ctx context.Context) ([]logGroupInfo, bool) {
	in := &cloudwatchlogs.DescribeLogGroupsInput{Limit: sdkaws.Int32(50)}
	// One literal group (no glob) is read with a prefix, not the whole list.
	if p := literalPrefix(r.req.Logs.Groups); p != "" {
		in.LogGroupNamePrefix = sdkaws.String(p)
	}
	var out []logGroupInfo
	for {
		resp, err := r.s.clients.logs.DescribeLogGroups(ctx, in)
		if err != nil {
			r.fail("log_groups", err)
			return nil, false
		}
		for _, g := range resp.LogGroups {
			name := sdkaws.ToString(g.LogGroupName)
			if !r.req.Logs.Selects(name) {
				continue
			}
			lg := source.LogGroup{
				Name:          name,
				ARN:           strings.TrimSuffix(sdkaws.ToString(g.Arn), ":*"),
				RetentionDays: sdkaws.ToInt32(g.RetentionInDays),
				KMSKeyID:      sdkaws.ToString(g.KmsKeyId),
				StoredBytes:   sdkaws.ToInt64(g.StoredBytes),
			}
			if a := sdkaws.ToString(g.LogGroupArn); a != "" {
				lg.ARN = a
			}
			if ms := sdkaws.ToInt64(g.CreationTime); ms > 0 {
				lg.Created = time.UnixMilli(ms).UTC()
			}
			out = append(out, logGroupInfo{LogGroup: lg, infrequent: g.LogGroupClass == logtypes.LogGroupClassInfrequentAccess})
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if r.req.Needs.Has(source.NeedLogGroups) {
		list := make([]source.LogGroup, len(out))
		for i, g := range out {
			list[i] = g.LogGroup
		}
		r.mu.Lock()
		r.ds.LogGroups = list
		r.mu.Unlock()
	}
	return out, true
}

// literalPrefix is the common literal prefix of the patterns when there is
// exactly one pattern, so DescribeLogGroups can narrow server-side.
func literalPrefix(patterns []string) string {
	if len(patterns) != 1 {
		return ""
	}
	p := patterns[0]
	if i := strings.IndexAny(p, "*?"); i >= 0 {
		p = p[:i]
	}
	return p
}

// errorTerms are the request's error terms, or the defaults.
func (r *run) errorTerms() []string {
	if len(r.req.Logs.ErrorTerms) > 0 {
		return r.req.Logs.ErrorTerms
	}
	return []string{"ERROR", "Error", "error", "Exception", "FATAL"}
}

func (r *run) logBin() time.Duration {
	if r.req.Logs.Bin > 0 {
		return r.req.Logs.Bin
	}
	return time.Hour
}

func (r *run) topPatterns() int {
	if r.req.Logs.TopPatterns > 0 {
		return r.req.Logs.TopPatterns
	}
	return 10
}

// filterEngine reads every event of each group in the window with
// FilterLogEvents (paginated) and streams the lines into logscan, so memory
// is bounded by the patterns, not the events. It reads whole groups rather
// than asking the server to filter: a filter pattern matches terms, not the
// substrings logscan and Insights match, and the counts must agree.
func (r *run) filterEngine(ctx context.Context, groups []logGroupInfo) []source.LogStats {
	out := make([]source.LogStats, len(groups))
	var (
		wg   sync.WaitGroup
		next = make(chan int)
		done int
		dmu  sync.Mutex
	)
	r.progress("logs", 0, len(groups))
	for w := 0; w < min(r.s.cfg.Concurrency, max(len(groups), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = r.filterGroup(ctx, groups[i].Name)
				dmu.Lock()
				done++
				r.progress("logs", done, len(groups))
				dmu.Unlock()
			}
		}()
	}
	for i := range groups {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	kept := out[:0]
	for _, s := range out {
		if s.Group != "" {
			kept = append(kept, s)
		}
	}
	return kept
}

func (r *run) filterGroup(ctx context.Context, group string) source.LogStats {
	w := r.req.Window
	sc := logscan.New(group, w, r.errorTerms(), r.logBin(), r.topPatterns())
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: sdkaws.String(group),
		StartTime:    sdkaws.Int64(w.Start.UnixMilli()),
		EndTime:      sdkaws.Int64(w.End.UnixMilli() - 1), // the API's end is inclusive
		Limit:        sdkaws.Int32(10000),
	}
	read := 0
	truncated := false
	for {
		resp, err := r.s.clients.logs.FilterLogEvents(ctx, in)
		if err != nil {
			r.fail("log_stats:"+group, err)
			return source.LogStats{}
		}
		for _, e := range resp.Events {
			sc.Add(time.UnixMilli(sdkaws.ToInt64(e.Timestamp)).UTC(), sdkaws.ToString(e.Message))
			read++
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		if read >= r.s.cfg.Logs.MaxEvents {
			truncated = true
			break
		}
		in.NextToken = resp.NextToken
	}
	st := sc.Stats()
	st.Truncated = truncated
	return st
}

// insightsEngine computes the statistics with Logs Insights: one histogram
// query (error count by group and bin) per batch of up to 50 groups, packed
// so that a query's rows stay under 10,000, then one `pattern` query per
// group that had errors. Queries run at most logs.max_queries at once.
// With probe set, a failing first StartQuery (Insights unavailable, not
// permitted, or an emulator without it) returns fallback=true instead of
// gaps, so the caller can use the filter engine.
func (r *run) insightsEngine(ctx context.Context, groups []logGroupInfo, probe bool) (stats []source.LogStats, fallback bool) {
	if len(groups) == 0 {
		return nil, false
	}
	w := r.req.Window
	bin := r.logBin()
	bins := int((w.Duration() + bin - 1) / bin)
	per := InsightsGroupsPerQuery(bins)
	terms := r.errorTerms()
	filter := insightsFilter(terms)
	histQuery := fmt.Sprintf("filter %s\n| stats count(*) as errors by @log, bin(%s)\n| limit %d", filter, insightsDuration(bin), insightsMaxRows)

	byName := make(map[string]*source.LogStats, len(groups))
	stats = make([]source.LogStats, len(groups))
	for i, g := range groups {
		stats[i] = emptyStats(g.Name, w, bin)
		byName[g.Name] = &stats[i]
	}
	var batches [][]string
	for i := 0; i < len(groups); i += per {
		var names []string
		for _, g := range groups[i:min(i+per, len(groups))] {
			names = append(names, g.Name)
		}
		batches = append(batches, names)
	}
	q := &insights{r: r, slots: make(chan struct{}, r.s.cfg.Logs.MaxQueries)}

	// The first batch runs alone: it tells whether Insights works at all.
	total := len(batches)
	r.progress("logs", 0, total)
	rows, err := q.run(ctx, batches[0], histQuery)
	if err != nil {
		if probe && q.startFailed.Load() {
			return nil, true
		}
		for _, name := range batches[0] {
			r.fail("log_stats:"+name, err) // per group, so Missing("log_stats:<group>") holds
			delete(byName, name)
		}
	} else {
		addHistogram(byName, rows, w, bin)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done = 1
	)
	r.progress("logs", done, total)
	for _, names := range batches[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows, err := q.run(ctx, names, histQuery)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				for _, name := range names {
					r.fail("log_stats:"+name, err)
					delete(byName, name)
				}
			} else {
				addHistogram(byName, rows, w, bin)
			}
			done++
			r.progress("logs", done, total)
		}()
	}
	wg.Wait()

	// Patterns, for the groups with errors (Infrequent Access groups have no
	// pattern command; their counts stand without patterns): the pattern
	// query, and beside it the sample query that gives the patterns their
	// examples and time ranges (patterns.go). A failed sample query leaves
	// the patterns without them, as Insights alone gives them: no gap, the
	// counts are whole.
	patternQuery := fmt.Sprintf("filter %s\n| pattern @message\n| sort @sampleCount desc\n| limit %d", filter, r.topPatterns())
	samplesQuery := sampleQuery(filter)
	for _, g := range groups {
		st := byName[g.Name]
		if st == nil || st.ErrorEvents == 0 || g.infrequent {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				samples []sample
				sdone   = make(chan struct{})
			)
			go func() {
				defer close(sdone)
				if rows, err := q.run(ctx, []string{g.Name}, samplesQuery); err == nil {
					samples = samplesFrom(rows)
				}
			}()
			rows, err := q.run(ctx, []string{g.Name}, patternQuery)
			<-sdone
			if err != nil {
				mu.Lock()
				r.fail("log_patterns:"+g.Name, err)
				mu.Unlock()
				return
			}
			ps := normalizePatterns(patternsFrom(rows), samples, r.topPatterns())
			mu.Lock()
			st.Patterns = ps
			mu.Unlock()
		}()
	}
	wg.Wait()
	kept := stats[:0]
	for _, s := range stats {
		if byName[s.Group] != nil {
			kept = append(kept, s)
		}
	}
	return kept, false
}

// Logs Insights limits: 50 log groups per query, 10,000 rows per result.
const (
	insightsMaxGroups = 50
	insightsMaxRows   = 10000
)

// InsightsGroupsPerQuery is how many groups one histogram query covers so
// that groups x bins rows fit in one result: min(50, floor(10000/bins)),
// at least 1.
func InsightsGroupsPerQuery(bins int) int {
	if bins < 1 {
		bins = 1
	}
	return max(1, min(insightsMaxGroups, insightsMaxRows/bins))
}

// insightsFilter is the Insights condition for "the message contains one
// of the terms" as case-sensitive substrings, as logscan matches them.
func insightsFilter(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = "@message like " + insightsString(t)
	}
	return strings.Join(parts, " or ")
}

// insightsString quotes s as an Insights string literal.
func insightsString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// insightsDuration spells d for bin(): 1h, 5m, 30s.
func insightsDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return fmt.Sprintf("%ds", max(1, d/time.Second))
	}
}

// emptyStats is a group with no error in any bin of the window.
func emptyStats(group string, w source.Window, bin time.Duration) source.LogStats {
	st := source.LogStats{Group: group, Bin: int32(bin / time.Second), Histogram: []source.BinCount{}, Patterns: []source.LogPattern{}}
	for t := w.Start; t.Before(w.End); t = t.Add(bin) {
		st.Histogram = append(st.Histogram, source.BinCount{Start: t.UTC()})
	}
	return st
}

// addHistogram adds rows {@log, bin(..), errors} to the groups' bins. Insights
// bins start on multiples of the bin since the epoch; a window that starts
// elsewhere gets each Insights bin in the window bin holding its start.
func addHistogram(byName map[string]*source.LogStats, rows []map[string]string, w source.Window, bin time.Duration) {
	for _, row := range rows {
		group := row["@log"]
		if i := strings.IndexByte(group, ':'); i >= 0 {
			group = group[i+1:] // "123456789012:/aws/lambda/x"
		}
		st := byName[group]
		if st == nil {
			continue
		}
		var count int64
		fmt.Sscan(row["errors"], &count)
		var start time.Time
		for k, v := range row {
			if strings.HasPrefix(k, "bin(") {
				start, _ = time.Parse("2006-01-02 15:04:05.000", v)
			}
		}
		st.ErrorEvents += count
		if len(st.Histogram) == 0 || start.IsZero() {
			continue
		}
		i := int(start.Sub(w.Start) / bin)
		i = max(0, min(i, len(st.Histogram)-1))
		st.Histogram[i].Count += count
	}
}

// patternsFrom reads rows {@pattern, @sampleCount} as Insights writes
// them; normalizePatterns makes logscan's patterns of them.
func patternsFrom(rows []map[string]string) []source.LogPattern {
	out := []source.LogPattern{}
	for _, row := range rows {
		p := row["@pattern"]
		if p == "" {
			continue
		}
		var n int64
		fmt.Sscan(row["@sampleCount"], &n)
		if len(p) > logscan.MaxLineBytes {
			p = p[:logscan.MaxLineBytes]
		}
		out = append(out, source.LogPattern{Pattern: strings.ToValidUTF8(p, "?"), Count: n})
	}
	return out
}

// insights runs queries under the concurrency bound.
type insights struct {
	r     *run
	slots chan struct{}
	// startFailed is set when StartQuery itself failed (as opposed to the
	// query failing later).
	startFailed atomic.Bool
}

// run starts a query over groups for the run's window, polls its results
// with backoff until it ends, and returns the rows as field maps.
func (q *insights) run(ctx context.Context, groups []string, query string) ([]map[string]string, error) {
	select {
	case q.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-q.slots }()
	r := q.r
	w := r.req.Window
	start, err := r.s.clients.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupNames: groups,
		StartTime:     sdkaws.Int64(w.Start.Unix()),
		EndTime:       sdkaws.Int64(w.End.Unix() - 1), // inclusive end
		QueryString:   sdkaws.String(query),
		Limit:         sdkaws.Int32(insightsMaxRows),
	})
	if err != nil {
		q.startFailed.Store(true)
		return nil, err
	}
	id := start.QueryId
	// A query left running holds one of the account's concurrent query
	// slots until it times out: stop it whenever we leave before it ended.
	ended := false
	defer func() {
		if !ended {
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			r.s.clients.logs.StopQuery(stopCtx, &cloudwatchlogs.StopQueryInput{QueryId: id})
			cancel()
		}
	}()
	wait := r.s.opts.PollInterval
	deadline := time.Now().Add(r.s.opts.PollTimeout)
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
		wait = min(wait*3/2, r.s.opts.MaxPollInterval)
		res, err := r.s.clients.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: id})
		if err != nil {
			return nil, err
		}
		switch res.Status {
		case logtypes.QueryStatusComplete:
			ended = true
			rows := fieldRows(res.Results)
			token := res.NextToken
			for token != nil && *token != "" {
				more, err := r.s.clients.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: id, NextToken: token})
				if err != nil {
					return nil, err
				}
				rows = append(rows, fieldRows(more.Results)...)
				token = more.NextToken
			}
			return rows, nil
		case logtypes.QueryStatusFailed, logtypes.QueryStatusCancelled, logtypes.QueryStatusTimeout:
			ended = true
			return nil, &callError{api: "logs:GetQueryResults", msg: fmt.Sprintf("query %s ended %s", sdkaws.ToString(id), res.Status)}
		}
		if time.Now().After(deadline) {
			return nil, &callError{api: "logs:GetQueryResults", msg: fmt.Sprintf("query %s still %s after %s; stopped", sdkaws.ToString(id), res.Status, r.s.opts.PollTimeout)}
		}
	}
}

func fieldRows(results [][]logtypes.ResultField) []map[string]string {
	rows := make([]map[string]string, 0, len(results))
	for _, fs := range results {
		row := make(map[string]string, len(fs))
		for _, f := range fs {
			row[sdkaws.ToString(f.Field)] = sdkaws.ToString(f.Value)
		}
		rows = append(rows, row)
	}
	return rows
}
