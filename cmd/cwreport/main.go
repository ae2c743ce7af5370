// Command cwreport produces scheduled AWS operations reports (daily status,
// weekly capacity, monthly security audit, incident, benchmark) from what an
// account already records, and delivers them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand. run returns the process exit code.
type command struct {
	name    string
	summary string
	usage   string // synopsis, flags are appended by the flag set
	example string
	run     func(ctx context.Context, env *env, args []string) int
}

// env is what commands write to; tests swap it.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// isTerminal reports whether stderr is a terminal (progress is shown).
	isTerminal bool
}

func commands() []*command {
	return []*command{demoCommand(), runCommand(), validateCommand(), listCommand(), serveCommand(), historyCommand(), testSendCommand(), incidentCommand(), benchmarkCommand(), verifyCommand(), keygenCommand(), iamPolicyCommand()}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: stderrIsTerminal()}
	os.Exit(runMain(ctx, e, os.Args[1:]))
}

func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func runMain(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			if c := find(args[1]); c != nil {
				return c.run(ctx, e, []string{"--help"})
			}
		}
		mainUsage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintln(e.stdout, "cwreport", version())
		return 0
	}
	c := find(args[0])
	if c == nil {
		fmt.Fprintf(e.stderr, "cwreport: unknown command %q\n", args[0])
		if s := closest(args[0]); s != "" {
			fmt.Fprintf(e.stderr, "Did you mean %q?\n", s)
		}
		fmt.Fprintln(e.stderr, "Run 'cwreport --help' for the list of commands.")
		return 2
	}
	return c.run(ctx, e, args[1:])
}

func find(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func closest(name string) string {
	for _, c := range commands() {
		if strings.HasPrefix(c.name, name) || strings.HasPrefix(name, c.name) {
			return c.name
		}
	}
	return ""
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `cwreport turns what an AWS account already records (CloudWatch metrics,
alarms and logs, CloudTrail events, EC2 network and IAM configuration) into
scheduled operations reports in Markdown, HTML, PDF and JSON.

Usage:
  cwreport <command> [flags]

Commands:
`)
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprint(w, `
Start here:
  cwreport demo --out out             every report on the built-in demo account (no AWS needed)
  cwreport validate --config cwreport.yaml

Run 'cwreport <command> --help' for a command's flags and an example.
Exit codes: 0 ok, 1 the run failed, 2 usage or config error,
            3 report produced but degraded (a data gap or a failed delivery).
`)
}

// newFlags makes a flag set whose --help prints the command's synopsis,
// flags and example on stdout. A mistake (an unknown flag, a bad value) gets
// the error and a pointer to --help on stderr, not the whole help.
func newFlags(c *command, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	ew := &flagErrors{w: e.stderr}
	fs.SetOutput(ew)
	fs.Usage = func() {
		if ew.wrote {
			return // parse explains the mistake
		}
		w := e.stdout
		fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n\nFlags:\n", c.summary, c.usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(ew)
		if c.example != "" {
			fmt.Fprintf(w, "\nExample:\n%s\n", c.example)
		}
	}
	return fs
}

// flagErrors is a flag set's output: the flag package writes its error
// message there before calling Usage, which tells a mistake from --help.
type flagErrors struct {
	w     io.Writer
	wrote bool
}

func (f *flagErrors) Write(p []byte) (int, error) {
	f.wrote = true
	return f.w.Write(p)
}

// parse parses flags that may come before or after positional arguments
// ("run morning --config x" and "run --config x morning" both work). It
// returns the positional arguments, or an exit code when parsing ended the
// command (--help: 0, a bad flag: 2).
func parse(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var positional []string
	for {
		if ew, ok := fs.Output().(*flagErrors); ok {
			ew.wrote = false
		}
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0, false
			}
			out := fs.Output()
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
				if s := closestFlag(fs, strings.TrimLeft(name, "-")); s != "" {
					fmt.Fprintf(out, "Did you mean --%s?\n", s)
				}
			}
			fmt.Fprintf(out, "Run 'cwreport %s --help' for its flags and an example.\n", fs.Name())
			return nil, 2, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, true
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// closestFlag is the defined flag a mistyped name most likely meant: one
// edit away (a letter missing, extra, wrong or two swapped), or a prefix.
func closestFlag(fs *flag.FlagSet, name string) string {
	best := ""
	fs.VisitAll(func(f *flag.Flag) {
		if best == "" && (oneEdit(name, f.Name) || len(name) >= 3 && strings.HasPrefix(f.Name, name)) {
			best = f.Name
		}
	})
	return best
}

// oneEdit reports whether a and b differ by one insertion, deletion,
// substitution or transposition of adjacent letters.
func oneEdit(a, b string) bool {
	if a == b || len(a)-len(b) > 1 || len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b):
		return a[i+1:] == b[i+1:] || i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case len(a) < len(b):
		return a[i:] == b[i+1:]
	default:
		return a[i+1:] == b[i:]
	}
}

func version() string { return "0.1.0-dev" }
