// Package demo is the built-in synthetic account "demo-ops" (123456789012,
// ap-northeast-2): about forty EC2 instances with CloudWatch metrics,
// alarms with histories, log groups scanned by logscan, CloudTrail, the
// network, CIS monitoring and IAM, generated on request for any instant.
//
// Everything is a pure function of the request: the same Request.At gives
// byte-identical datasets, and the stories (a CPU spike in the DMZ, an
// incident on order-api-02, a flapping alarm, a database filling up, a
// brute-force login burst ...) are placed relative to At, so they are
// always "recent" whenever the demo runs. docs/demo.md lists what each
// report kind finds here.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// Source is the demo account. It has no state and is safe for concurrent
// use.
type Source struct{}

// New returns the demo source.
func New() *Source { return &Source{} }

// Account is the identity the demo reports.
var Account = source.Account{ID: accountID, Alias: accountAlias, Region: region, Demo: true}

// Collect implements source.Source: it generates every part req.Needs asks
// for, for the instances in req.Scope, over req.Window (metrics also over
// req.History), as seen at req.At (Window.End when At is zero). Nothing
// after At exists yet.
func (s *Source) Collect(ctx context.Context, req source.Request) (*source.Dataset, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if req.Window.Start.IsZero() || req.Window.End.IsZero() {
		return nil, errors.New("demo: the request has no window")
	}
	if !req.Window.Start.Before(req.Window.End) {
		return nil, fmt.Errorf("demo: empty window [%s, %s)", req.Window.Start.Format(time.RFC3339), req.Window.End.Format(time.RFC3339))
	}
	at := req.At
	if at.IsZero() {
		at = req.Window.End
	}
	// Whole seconds keep every derived time on the same grid as CloudWatch's.
	at = at.UTC().Truncate(time.Second)

	// Times in the dataset are UTC, so the same instant written in another
	// zone gives the same bytes.
	ds := &source.Dataset{Account: Account, Window: source.Window{Start: req.Window.Start.UTC(), End: req.Window.End.UTC()}, CollectedAt: at}
	// progress reports a one-step stage as done (metrics and logs report
	// per instance and per group themselves).
	progress := func(stage string) {
		if req.Progress != nil {
			req.Progress(stage, 1, 1)
		}
	}

	var hosts []*host
	ids := map[string]bool{}
	for _, h := range fleet {
		in := h.instance(at)
		if !req.Scope.Matches(in) {
			continue
		}
		hosts = append(hosts, h)
		ids[h.id] = true
		if req.Needs.Has(source.NeedInstances) {
			ds.Instances = append(ds.Instances, in)
		}
	}
	if req.Needs.Has(source.NeedMetrics) {
		if err := metrics(ctx, ds, req, hosts, at); err != nil {
			return nil, fmt.Errorf("demo: generate metrics: %w", err)
		}
	}
	if req.Needs&(source.NeedAlarms|source.NeedAlarmHistory) != 0 {
		alarms(ds, req, at, ids)
		progress("alarms")
	}
	if req.Needs.Has(source.NeedLogGroups) {
		logGroupList(ds, req.Logs, at)
	}
	if req.Needs.Has(source.NeedLogStats) {
		if err := logStats(ctx, ds, req, at); err != nil {
			return nil, fmt.Errorf("demo: generate logs: %w", err)
		}
	}
	if req.Needs.Has(source.NeedTrailEvents) {
		ds.TrailEvents = trailEvents(req, at)
		progress("cloudtrail")
	}
	if req.Needs.Has(source.NeedNetwork) {
		network(ds)
	}
	if req.Needs.Has(source.NeedTrailConfig) {
		trailConfig(ds)
	}
	if req.Needs.Has(source.NeedMonitoring) {
		monitoring(ds)
	}
	if req.Needs.Has(source.NeedIAM) {
		ds.IAM = iam(at)
	}
	return ds, nil
}
