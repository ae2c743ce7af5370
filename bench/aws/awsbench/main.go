// Command awsbench measures the aws source's metric collection against
// kumo (the in-process AWS emulator) with the emulator in another process,
// so the collector's wall time and peak memory are its own.
//
//	awsbench serve -instances 1000 -days 30 -period 1h -fleet FILE
//	    start kumo, seed the fleet, write FILE, serve until stdin closes
//	awsbench collect -fleet FILE -mode cwreport|script|mcp
//	    fetch every series one way; print one JSON line of figures
//
// bench/aws/run.sh runs both and prints the comparison.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/sivchari/kumo"

	"github.com/cwreport/cwreport/bench/aws/fleet"
	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/aws"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: awsbench serve|collect [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "collect":
		err = collect(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "awsbench:", err)
		os.Exit(1)
	}
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	n := fs.Int("instances", 1000, "instances in the fleet")
	days := fs.Int("days", 30, "days of metrics")
	period := fs.Duration("period", time.Hour, "metric period (seeded at the period read)")
	out := fs.String("fleet", "fleet.json", "write the fleet description to `FILE`")
	fs.Parse(args)
	srv := kumo.NewServer()
	defer srv.Close()
	start := time.Now()
	f, err := fleet.Seed(context.Background(), srv.URL, *n, time.Now().UTC(), time.Duration(*days)*24*time.Hour, *period)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded %d instances x %d metrics x %d points in %s\n", len(f.IDs), len(fleet.Metrics), f.Points(), time.Since(start).Round(time.Millisecond))
	b, _ := json.Marshal(f)
	if err := os.WriteFile(*out+".tmp", b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(*out+".tmp", *out); err != nil {
		return err
	}
	io.Copy(io.Discard, os.Stdin) // serve until the caller closes stdin
	return nil
}

// result is one line of figures.
type result struct {
	Mode       string  `json:"mode"`
	Series     int     `json:"series"`
	Points     int     `json:"points_per_series"`
	Calls      int     `json:"metric_calls"`
	FormulaMin int     `json:"formula_min,omitempty"`
	WallSec    float64 `json:"wall_s"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	AllCalls   int     `json:"all_calls,omitempty"`
}

func collect(args []string) error {
	fs := flag.NewFlagSet("collect", flag.ExitOnError)
	path := fs.String("fleet", "fleet.json", "the fleet `FILE` serve wrote")
	mode := fs.String("mode", "cwreport", "cwreport, script or mcp")
	fs.Parse(args)
	b, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	var f fleet.Fleet
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	ctx := context.Background()
	res := result{Mode: *mode, Series: f.Series(), Points: f.Points()}
	runtime.GC()
	start := time.Now()
	switch *mode {
	case "cwreport":
		// The aws source as configured by default: concurrency 4, 25 calls/s.
		for _, k := range []string{"AWS_CA_BUNDLE", "AWS_PROFILE"} {
			os.Unsetenv(k)
		}
		os.Setenv("AWS_ACCESS_KEY_ID", "AKIDBENCH")
		os.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETBENCH")
		src, err := aws.New(ctx, aws.Options{Config: config.Source{Type: "aws", Region: fleet.Region, EndpointURL: f.URL}})
		if err != nil {
			return err
		}
		ds, err := src.Collect(ctx, source.Request{Window: source.Window{Start: f.Start, End: f.End}, At: f.End,
			Needs: source.NeedInstances | source.NeedMetrics, Metrics: fleet.Metrics, Period: f.Period})
		if err != nil {
			return err
		}
		if len(ds.Series) != f.Series() {
			return fmt.Errorf("collected %d series, the fleet has %d (gaps %v)", len(ds.Series), f.Series(), ds.Gaps)
		}
		res.Calls = ds.Stats["cloudwatch:GetMetricData"]
		res.FormulaMin = aws.MinCalls(f.Series(), f.Points())
		for _, v := range ds.Stats {
			res.AllCalls += v
		}
		runtime.KeepAlive(ds)
	case "script":
		res.Calls, err = f.Script(ctx)
	case "mcp":
		res.Calls, err = f.MCP(ctx)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		return err
	}
	res.WallSec = time.Since(start).Seconds()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	res.PeakRSSMB = float64(ru.Maxrss) / 1024 // Linux reports KiB
	return json.NewEncoder(os.Stdout).Encode(res)
}
