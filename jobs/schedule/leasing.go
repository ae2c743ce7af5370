package schedule

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/schedule/lease"
	"github.com/cwreport/cwreport/report/deliver"
)

// Locker hands out one lease per run key across replicas
// (jobs/schedule/lease keeps them in S3). A lease expires unless its holder
// renews it, so a period whose replica died is taken over by another.
type Locker interface {
	// Acquire takes the lease on key for owner for ttl (creating it,
	// renewing owner's own, or taking over an expired one) or returns the
	// holder's lease with Held false.
	Acquire(ctx context.Context, key, owner string, ttl time.Duration) (lease.Lease, error)
	// Update writes a held lease (renewed, released or done); an error
	// wrapping lease.ErrLost means another replica took it over.
	Update(ctx context.Context, l lease.Lease, u lease.Update) (lease.Lease, error)
}

// DefaultLeaseMargin is added to a job's timeout to make its lease's
// lifetime when Executor.LeaseMargin is zero.
const DefaultLeaseMargin = 5 * time.Minute

// leaseTTL is how long a lease taken for job lasts without renewal: the
// run cannot outlive its timeout, and the margin covers the clock
// difference between replicas and the lease's own requests.
func (x *Executor) leaseTTL(job *config.Job) time.Duration {
	m := x.LeaseMargin
	if m <= 0 {
		m = DefaultLeaseMargin
	}
	return job.Timeout.Duration + m
}

// heldLease is a lease this replica holds while it runs a period: it is
// renewed every third of its lifetime, checked right before delivering,
// and written when the run ends.
type heldLease struct {
	x       *Executor
	key     string
	targets []string
	ttl     time.Duration

	mu sync.Mutex
	l  lease.Lease

	cancel  context.CancelCauseFunc
	stop    chan struct{}
	stopped chan struct{}
}

type heldKey struct{}

// withLease carries the held lease to the delivery ledger.
func withLease(ctx context.Context, h *heldLease) context.Context {
	return context.WithValue(ctx, heldKey{}, h)
}

// leaseLedger is the delivery ledger of a serve with leases: after each
// target that got the run it writes the lease, so a replica that takes the
// period over after this one died knows that target has it and does not
// send it again.
type leaseLedger struct {
	deliver.Ledger
}

// Record implements deliver.Ledger.
func (l leaseLedger) Record(ctx context.Context, r deliver.Result) error {
	if err := l.Ledger.Record(ctx, r); err != nil {
		return err
	}
	h, _ := ctx.Value(heldKey{}).(*heldLease)
	if h == nil || r.Status != deliver.StatusOK {
		return nil
	}
	if err := h.renew(context.WithoutCancel(ctx)); err != nil {
		if errors.Is(err, lease.ErrLost) && h.cancel != nil {
			h.cancel(err)
		}
		h.x.log().Warn("could not record the delivery in the lease", "run", h.key, "target", r.Target, "err", err)
	}
	return nil
}

// takeLease takes the lease on key (a run or a notice) for this replica. A
// lease another replica holds is a skip: leased while it may still run it,
// elsewhere once it finished. A replica that takes over another's expired
// lease records the targets the other one delivered to, so the delivery
// ledger does not send them the period again.
func (x *Executor) takeLease(ctx context.Context, job *config.Job, key string) (*heldLease, error) {
	ttl := x.leaseTTL(job)
	l, err := x.Locker.Acquire(ctx, key, x.Replica, ttl)
	if err != nil {
		return nil, fmt.Errorf("take the lease on %s: %w", key, err)
	}
	if !l.Held {
		if l.Done {
			return nil, &SkipError{Kind: SkipElsewhere, Reason: fmt.Sprintf("replica %q finished %s and every target has it", l.Holder, key)}
		}
		if l.Permanent {
			// Not revisited: this lease never expires.
			return nil, &SkipError{Kind: SkipElsewhere, Reason: fmt.Sprintf("replica %q holds the lease on %s for good (a lease without expiry, written by an earlier version, or not a cwreport lease)", l.Holder, key)}
		}
		return nil, &SkipError{Kind: SkipLeased, Reason: fmt.Sprintf("replica %q holds the lease on %s and runs it", l.Holder, key)}
	}
	if l.TakenFrom != "" {
		x.log().Warn("took over an expired lease", "run", key, "from", l.TakenFrom, "delivered_by_it", l.Delivered)
	}
	for _, t := range l.Delivered {
		if !slices.Contains(job.Deliver, t) {
			continue
		}
		ok, err := x.Store.Delivered(ctx, key, t)
		if err != nil {
			return nil, err
		}
		if ok {
			continue
		}
		by := l.TakenFrom
		if by == "" {
			by = l.Holder
		}
		if err := x.Store.RecordDelivery(ctx, history.Delivery{RunKey: key, Target: t, Status: history.DeliveryOK,
			Detail: map[string]string{"delivered_by": by + " (lease)"}, At: x.clock().Now()}); err != nil {
			return nil, err
		}
	}
	return &heldLease{x: x, key: key, targets: job.Deliver, ttl: ttl, l: l}, nil
}

// keep renews the lease every third of its lifetime until release, and
// cancels the run (cause: the lease.LostError) if another replica took it
// over. The renewals run on real time, as the run's timeout does.
func (h *heldLease) keep(cancel context.CancelCauseFunc) {
	h.cancel = cancel
	h.stop, h.stopped = make(chan struct{}), make(chan struct{})
	every := h.x.renewEvery
	if every <= 0 {
		every = h.ttl / 3
	}
	go func() {
		defer close(h.stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
			if err := h.renew(context.Background()); err != nil {
				if errors.Is(err, lease.ErrLost) {
					h.x.log().Error("lease lost while running: stopping the run", "run", h.key, "err", err)
					cancel(err)
					return
				}
				h.x.log().Warn("could not renew the lease; trying again", "run", h.key, "err", err)
			}
		}
	}()
}

// delivered lists the targets history says have key.
func (h *heldLease) delivered(ctx context.Context) []string {
	p, err := h.x.Store.PeriodOf(ctx, h.key)
	if err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(p.Delivered))
}

// renew extends the lease by its lifetime from now and records the
// targets delivered so far. Called right before delivering, it is the
// check that this replica still holds the period: after it, no other
// replica can take the lease before the run's timeout has passed.
func (h *heldLease) renew(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, err := h.x.Locker.Update(ctx, h.l, lease.Update{TTL: h.ttl, Delivered: h.delivered(ctx)})
	if err != nil {
		return err
	}
	h.l = l
	return nil
}

// release stops the renewals and writes how the run left the period: done
// when every target has it (the lease never expires), released at once
// when the run failed without a report (another replica may try), and
// otherwise held for the retry interval and a lifetime more, for this
// replica's retries; a replica that stops retrying lets it lapse then.
func (h *heldLease) release(ctx context.Context, done, failed bool) {
	h.halt()
	u := lease.Update{Done: done, Delivered: h.delivered(ctx)}
	switch {
	case done:
	case failed:
		u.TTL = 0
	default:
		u.TTL = h.ttl + h.x.RetryInterval
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	l, err := h.x.Locker.Update(ctx, h.l, u)
	if err != nil {
		h.x.log().Warn("could not write the lease at the end of the run", "run", h.key, "done", done, "err", err)
		return
	}
	h.l = l
}

// halt stops the renewals (once).
func (h *heldLease) halt() {
	if h.stop != nil {
		close(h.stop)
		<-h.stopped
		h.stop = nil
	}
}

// leaseLost reports whether ctx ended because another replica took the
// run's lease over, and says so.
func leaseLost(ctx context.Context) (string, bool) {
	if err := context.Cause(ctx); errors.Is(err, lease.ErrLost) {
		return "stopped: " + err.Error() + "; that replica runs the period", true
	}
	return "", false
}
