// Command awsbench measures the aws source's metric collection against
// kumo (the in-process AWS emulator) with the emulator in another process,
// so the collector's wall time and peak memory are its own.
//
//	awsbench serve -instances 1000 -days 30 -period 5m -shapes capacity-5m,capacity -fleet FILE
//	    start kumo behind fleet.Aggregator (CloudWatch's aggregation by
//	    period and statistic), seed the metrics the shapes read at period,
//	    write FILE, serve until stdin closes
//	awsbench collect -fleet FILE -shape capacity -mode cwreport|script|mcp
//	    fetch every series of the shape one way; print one JSON line of figures
//
// bench/aws/run.sh runs both and prints the comparison.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
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
	period := fs.Duration("period", 5*time.Minute, "resolution of the seeded metrics (the finest any shape reads)")
	shapes := fs.String("shapes", "capacity-5m,capacity", "comma-separated `shapes` the fleet will be read in (uniform, capacity, capacity-5m): their metrics are seeded")
	out := fs.String("fleet", "fleet.json", "write the fleet description to `FILE`")
	fs.Parse(args)
	srv := kumo.NewServer()
	defer srv.Close()
	agg := httptest.NewServer(fleet.Aggregator(srv.URL))
	defer agg.Close()
	end := time.Now().UTC()
	window := time.Duration(*days) * 24 * time.Hour
	var specs []source.MetricSpec
	for _, name := range strings.Split(*shapes, ",") {
		s, _, err := fleet.Shape(name, source.Window{Start: end.Add(-window), End: end}, end, *period)
		if err != nil {
			return err
		}
		specs = append(specs, s...)
	}
	start := time.Now()
	f, err := fleet.Seed(context.Background(), srv.URL, *n, end, window, *period, specs)
	if err != nil {
		return err
	}
	f.URL = agg.URL // every read goes through the aggregation
	fmt.Fprintf(os.Stderr, "seeded %d instances, metrics of %s, %d points per series at %s, in %s\n", len(f.IDs), *shapes,
		int(f.End.Sub(f.Start) / *period), *period, time.Since(start).Round(time.Millisecond))
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
	Mode   string `json:"mode"`
	Shape  string `json:"shape"`
	Series int    `json:"series"`
	// Points are all the datapoints read; DatasetMB their size as the
	// dataset holds them (a Unix second and a float64 each).
	Points     int     `json:"points"`
	DatasetMB  float64 `json:"dataset_points_mb"`
	Groups     string  `json:"groups"` // series x points per period
	Calls      int     `json:"metric_calls"`
	FormulaMin int     `json:"formula_min,omitempty"`
	// ScriptCalls and MCPCalls are what the other two ways make for the
	// same shape (computed, whatever the mode).
	ScriptCalls int     `json:"script_calls"`
	MCPCalls    int     `json:"mcp_calls"`
	WallSec     float64 `json:"wall_s"`
	// CPUSec is the collector's own CPU time (user + system): the wall
	// time also waits for the emulator.
	CPUSec    float64 `json:"cpu_s"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	AllCalls  int     `json:"all_calls,omitempty"`
}

func collect(args []string) error {
	fs := flag.NewFlagSet("collect", flag.ExitOnError)
	path := fs.String("fleet", "fleet.json", "the fleet `FILE` serve wrote")
	mode := fs.String("mode", "cwreport", "cwreport, script or mcp")
	shape := fs.String("shape", fleet.ShapeCapacity, "how the fleet is read: uniform, capacity or capacity-5m")
	fs.Parse(args)
	b, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	var seeded fleet.Fleet
	if err := json.Unmarshal(b, &seeded); err != nil {
		return err
	}
	w := source.Window{Start: seeded.Start, End: seeded.End}
	specs, period, err := fleet.Shape(*shape, w, seeded.End, seeded.Seeded)
	if err != nil {
		return err
	}
	f := seeded.Reading(specs, period)
	var shapes []aws.Shape
	var groups []string
	for _, g := range f.Groups() {
		shapes = append(shapes, aws.Shape{Series: g.Series, Points: g.Points})
		groups = append(groups, fmt.Sprintf("%d x %d at %s", g.Series, g.Points, g.Period))
	}
	ctx := context.Background()
	res := result{Mode: *mode, Shape: *shape, Series: f.Series(), Points: f.Points(), DatasetMB: float64(f.Points()) * 16 / 1e6,
		Groups: strings.Join(groups, " + "), ScriptCalls: f.ScriptCalls(), MCPCalls: f.MCPCalls()}
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
		ds, err := src.Collect(ctx, source.Request{Window: w, At: f.End,
			Needs: source.NeedInstances | source.NeedMetrics, Metrics: specs, Period: period})
		if err != nil {
			return err
		}
		points := 0
		for _, s := range ds.Series {
			points += len(s.Times)
		}
		if len(ds.Series) != f.Series() || points != f.Points() {
			return fmt.Errorf("collected %d series of %d points, the fleet has %d of %d (gaps %v)", len(ds.Series), points, f.Series(), f.Points(), ds.Gaps)
		}
		res.Calls = ds.Stats["cloudwatch:GetMetricData"]
		res.FormulaMin = aws.MinCallsByPeriod(shapes...)
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
	res.CPUSec = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	return json.NewEncoder(os.Stdout).Encode(res)
}
