package deliver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Policy is how hard the pipeline tries one target.
type Policy struct {
	// MaxAttempts bounds the calls per target and run; default 4.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles per
	// attempt up to MaxDelay. Defaults 2s and 1m.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter caps a peer's Retry-After: a longer wait fails the
	// target rather than stalling the run. Default 5m.
	MaxRetryAfter time.Duration
	// AttemptTimeout bounds one attempt; default 2m.
	AttemptTimeout time.Duration
	// Sleep waits d or until ctx ends; nil sleeps on a timer. Tests inject
	// one that records the delays and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1); nil uses math/rand/v2.
	Jitter func() float64
}

// DefaultPolicy is what a run uses unless told otherwise.
var DefaultPolicy = Policy{MaxAttempts: 4, BaseDelay: 2 * time.Second, MaxDelay: time.Minute, MaxRetryAfter: 5 * time.Minute, AttemptTimeout: 2 * time.Minute}

func (p Policy) withDefaults() Policy {
	d := DefaultPolicy
	if p.MaxAttempts > 0 {
		d.MaxAttempts = p.MaxAttempts
	}
	if p.BaseDelay > 0 {
		d.BaseDelay = p.BaseDelay
	}
	if p.MaxDelay > 0 {
		d.MaxDelay = p.MaxDelay
	}
	if p.MaxRetryAfter > 0 {
		d.MaxRetryAfter = p.MaxRetryAfter
	}
	if p.AttemptTimeout > 0 {
		d.AttemptTimeout = p.AttemptTimeout
	}
	d.Sleep, d.Jitter = p.Sleep, p.Jitter
	if d.Sleep == nil {
		d.Sleep = sleep
	}
	if d.Jitter == nil {
		d.Jitter = rand.Float64
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Backoff is the wait before attempt n+1 after attempt n failed: "equal
// jitter" exponential backoff (half fixed, half random, so retries of many
// runs spread out but never come back at once), at least retryAfter.
func (p Policy) Backoff(n int, retryAfter time.Duration) time.Duration {
	p = p.withDefaults()
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	d = d/2 + time.Duration(p.Jitter()*float64(d/2))
	return max(d, retryAfter)
}

// Entry is one target of a run, as the pipeline sees it.
type Entry struct {
	// Name is the target's configured name; Type its kind (s3, email, ...).
	Name, Type string
	Target     Target
	// First marks targets whose published links the others put in their
	// messages (S3): they run, in parallel, before the rest.
	First bool
	// Secrets are values (tokens, passwords, webhook URLs) removed from
	// this target's error messages, whatever an SDK put in them.
	Secrets []string
}

// Pipeline delivers a run to its targets. The zero value works: default
// policy, no ledger, wall clock.
type Pipeline struct {
	Policy Policy
	// Ledger, when set, skips targets that already have this run and
	// records every outcome.
	Ledger Ledger
	// Now stamps results; nil means time.Now.
	Now func() time.Time
}

// Deliver sends req to every entry and returns one result per entry, in
// entry order. Entries marked First run before the others; within a group
// targets run in parallel, and one failing never stops another.
func (p *Pipeline) Deliver(ctx context.Context, req Request, entries []Entry) []Result {
	results := make([]Result, len(entries))
	links := map[string]string{}
	for _, first := range []bool{true, false} {
		var wg sync.WaitGroup
		shared := maps.Clone(links) // the second group reads the first group's links
		for i, e := range entries {
			if e.First != first {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = p.one(ctx, req, e, shared)
			}()
		}
		wg.Wait()
		for i, e := range entries {
			if e.First == first && results[i].OK() {
				maps.Copy(links, results[i].Links)
			}
		}
	}
	return results
}

// one is the whole life of one target for one run, in one place: skip if
// already delivered, then retry, then record.
func (p *Pipeline) one(ctx context.Context, req Request, e Entry, links map[string]string) (res Result) {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	pol := p.Policy.withDefaults()
	res = Result{RunKey: req.RunKey, Target: e.Name, Type: e.Type, Started: now()}

	if p.Ledger != nil {
		prev, ok, err := p.Ledger.Delivered(ctx, req.RunKey, e.Name)
		switch {
		case err != nil:
			// Delivering twice beats not delivering: go on, and say so.
			res.Warning = redact(fmt.Sprintf("could not read delivery history, delivering anyway: %v", err), e.Secrets)
		case ok:
			res.Status = StatusSkipped
			res.Receipt, res.Links = prev.Receipt, prev.Links
			res.Finished = now()
			return res
		}
	}

	d := NewDelivery(req, e.Name, links)
	var err error
	for {
		res.Attempts++
		err = p.attempt(ctx, pol, e.Target, d)
		if err == nil {
			break
		}
		retry, after := Retryable(err)
		res.Retryable = retry
		if !retry || res.Attempts >= pol.MaxAttempts || ctx.Err() != nil {
			break
		}
		if after > pol.MaxRetryAfter {
			err = fmt.Errorf("%w; the destination asked to wait %s, longer than the %s this run waits", err, after, pol.MaxRetryAfter)
			break
		}
		if serr := pol.Sleep(ctx, pol.Backoff(res.Attempts, after)); serr != nil {
			err = errors.Join(err, serr)
			break
		}
	}
	if len(d.receipt) > 0 {
		res.Receipt = maps.Clone(d.receipt)
	}
	if len(d.links) > 0 {
		res.Links = maps.Clone(d.links)
	}
	if err != nil {
		res.Status = StatusFailed
		res.Error = redact(err.Error(), e.Secrets)
		if res.Attempts > 1 {
			res.Error = fmt.Sprintf("after %d attempts: %s", res.Attempts, res.Error)
		}
	} else {
		res.Status = StatusOK
		res.Retryable = false
	}
	res.Finished = now()
	if p.Ledger != nil {
		if rerr := p.Ledger.Record(context.WithoutCancel(ctx), res); rerr != nil {
			res.Warning = strings.TrimPrefix(res.Warning+"; ", "; ") + redact(fmt.Sprintf("could not record the delivery: %v", rerr), e.Secrets)
		}
	}
	return res
}

// attempt calls the target once under the attempt timeout; a panic in a
// target becomes that target's failure instead of ending the run.
func (p *Pipeline) attempt(ctx context.Context, pol Policy, t Target, d *Delivery) (err error) {
	actx, cancel := context.WithTimeout(ctx, pol.AttemptTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = Final("deliver", fmt.Errorf("target panicked: %v", r), "report this as a bug")
		}
	}()
	return t.Deliver(actx, d)
}

// redact removes every secret value from s.
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 4 { // shorter values would blank ordinary words
			s = strings.ReplaceAll(s, v, "<secret>")
		}
	}
	return s
}
