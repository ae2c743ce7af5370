package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs"
	"github.com/cwreport/cwreport/jobs/history"
	"github.com/cwreport/cwreport/jobs/schedule"
	"github.com/cwreport/cwreport/jobs/schedule/lease"
)

func serveCommand() *command {
	c := &command{
		name:    "serve",
		summary: "Run every scheduled job as a daemon (history, catch-up, /healthz and /metrics)",
		usage:   "cwreport serve --config FILE [--listen ADDR] [--log-format text|json]",
		example: `  cwreport serve --config cwreport.yaml
  cwreport serve --config cwreport.yaml --listen 127.0.0.1:9108 --log-format json
  # SIGTERM/SIGINT: no new runs; running ones get server.shutdown_timeout, then are recorded interrupted; exit 0
  # see docs/operations.md (catch-up, run keys, history, leases, metrics, Kubernetes)`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(c, e)
		cfgPath := fs.String("config", "", "configuration `FILE` (YAML)")
		listen := fs.String("listen", "", "address of /healthz and /metrics, or off (default server.listen, :9108)")
		logFormat := fs.String("log-format", "", "text or json (default server.log_format)")
		pos, code, ok := parse(fs, args)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			fmt.Fprintf(e.stderr, "cwreport serve: unexpected argument %q\n", pos[0])
			return 2
		}
		cfg, ok := loadConfig(e, *cfgPath)
		if !ok {
			return 2
		}
		if *listen != "" {
			cfg.Server.Listen = *listen
		}
		if *logFormat != "" {
			if *logFormat != "text" && *logFormat != "json" {
				fmt.Fprintf(e.stderr, "cwreport serve: --log-format %q: use text or json\n", *logFormat)
				return 2
			}
			cfg.Server.LogFormat = *logFormat
		}
		return serve(ctx, e, cfg)
	}
	return c
}

// newLogger writes structured logs to w, as text or JSON.
func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func serve(ctx context.Context, e *env, cfg *config.Config) int {
	log := newLogger(e.stderr, cfg.Server.LogFormat)
	scheduled := 0
	for _, j := range cfg.Jobs {
		if j.Schedule != "" {
			scheduled++
		}
	}
	if scheduled == 0 {
		fmt.Fprintf(e.stderr, "cwreport serve: no job in %s has a schedule; add schedule: to a job, or run on-demand jobs with cwreport run\n", cfg.File)
		return 2
	}
	replica := cfg.Server.Replica
	if replica == "" {
		replica, _ = os.Hostname()
	}

	unlock, err := lockHistory(cfg.History.Path)
	if err != nil {
		fmt.Fprintf(e.stderr, "cwreport serve: %v\n", err)
		return 1
	}
	defer unlock()
	// Startup is not cut short by a signal (a pod stopped while starting):
	// it completes, then the daemon sees the signal and exits 0.
	setup := context.WithoutCancel(ctx)
	store, err := history.Open(setup, cfg.History.Path)
	if err != nil {
		fmt.Fprintf(e.stderr, "cwreport serve: %v\n", err)
		return 1
	}
	defer store.Close()

	runner, err := newRunner(setup, &env{stdout: e.stdout, stderr: e.stderr, getenv: e.getenv}, cfg) // no progress line in a daemon's log
	if err != nil {
		fmt.Fprintf(e.stderr, "cwreport serve: %v\n", err)
		return 1
	}
	x := schedule.NewExecutor(runner, jobs.NewDeliverer(cfg), store, cfg.History.Path)
	x.Log, x.Replica, x.Metrics = log, replica, schedule.NewMetrics()
	x.RetryInterval, x.Retain = cfg.Server.RetryInterval.Duration, cfg.History.Retain.Duration
	if cfg.Lease != nil {
		l, err := lease.Open(setup, cfg.Lease, cfg.Source.Region)
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport serve: %v\n", err)
			return 1
		}
		x.Locker, x.LeaseMargin = l, cfg.Lease.Margin.Duration
	}
	d := &schedule.Daemon{
		Jobs: cfg.Jobs, Task: schedule.Chain(x.Run, schedule.Recover(), schedule.SkipIfRunning(), schedule.Timeout()), Clock: schedule.RealClock{},
		Recorder: x, Deadline: x.Deadline, Log: log, ShutdownTimeout: cfg.Server.ShutdownTimeout.Duration,
		RetryEvery: cfg.Server.RetryInterval.Duration,
		Maintain:   func(ctx context.Context) { x.Maintain(ctx, cfg.Jobs) },
	}

	var stopping atomic.Bool
	if cfg.Server.Listen != "off" {
		ln, err := net.Listen("tcp", cfg.Server.Listen)
		if err != nil {
			fmt.Fprintf(e.stderr, "cwreport serve: listen for /healthz and /metrics: %v (set server.listen, --listen ADDR, or off)\n", err)
			return 1
		}
		srv := &http.Server{Handler: serveMux(cfg, store, x.Metrics, replica, &stopping), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		}()
		log.Info("listening", "addr", ln.Addr().String(), "paths", "/healthz /metrics")
	}
	now := time.Now()
	for _, j := range cfg.Jobs {
		if j.Schedule == "" {
			continue
		}
		next := schedule.NextRuns(j, now, 1)
		attrs := []any{"job", j.Name, "kind", j.Kind, "schedule", j.Schedule, "timezone", j.Location.String(), "catch_up", j.CatchUp.Policy, "targets", j.Deliver}
		if len(next) > 0 {
			attrs = append(attrs, "next", next[0].In(j.Location).Format(time.RFC3339))
		}
		log.Info("scheduled", attrs...)
	}
	log.Info("serving", "replica", replica, "history", cfg.History.Path, "retain", cfg.History.Retain.Duration, "spool", x.Spool.Dir, "lease", cfg.Lease != nil, "shutdown_timeout", cfg.Server.ShutdownTimeout.Duration)

	go func() { <-ctx.Done(); stopping.Store(true) }()
	if err := d.Run(ctx); err != nil {
		log.Error("serve stopped", "err", err)
		return 1
	}
	// Runs abandoned at the shutdown deadline never recorded an end.
	if n, err := store.InterruptRunning(context.Background(), time.Now(), "serve stopped before the run finished (shutdown timeout)"); err != nil {
		log.Error("could not record abandoned runs", "err", err)
	} else if n > 0 {
		log.Warn("runs abandoned at shutdown recorded as interrupted", "count", n)
	}
	log.Info("stopped")
	return 0
}

// serveMux serves /healthz (200 while history answers, 503 when it does
// not) and /metrics.
func serveMux(cfg *config.Config, store *history.Store, m *schedule.Metrics, replica string, stopping *atomic.Bool) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		type jobNext struct {
			Job  string `json:"job"`
			Next string `json:"next,omitempty"`
		}
		body := struct {
			Status  string    `json:"status"`
			Error   string    `json:"error,omitempty"`
			Replica string    `json:"replica"`
			Jobs    []jobNext `json:"jobs"`
		}{Status: "ok", Replica: replica, Jobs: []jobNext{}}
		code := http.StatusOK
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			body.Status, body.Error, code = "unhealthy", err.Error(), http.StatusServiceUnavailable
		} else if stopping.Load() {
			// Still 200: a liveness probe must not kill serve while it
			// lets running jobs finish.
			body.Status = "stopping"
		}
		now := time.Now()
		for _, j := range cfg.Jobs {
			if j.Schedule == "" {
				continue
			}
			jn := jobNext{Job: j.Name}
			if next := schedule.NextRuns(j, now, 1); len(next) > 0 {
				jn.Next = next[0].In(j.Location).Format(time.RFC3339)
			}
			body.Jobs = append(body.Jobs, jn)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(body)
	})
	return mux
}

// errLocked means another serve uses the same history database.
var errLocked = errors.New("another cwreport serve is using this history database")
