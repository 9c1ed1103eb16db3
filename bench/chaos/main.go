// Command chaos runs the pre-test pipeline's failure scenarios against the real programs — the rig
// twin and the agent as child processes on pseudo-terminals, the lab's broker, ingest and store
// (in-process as `lab demo` runs them, or `lab serve` as a child, or mosquitto) — and prints what
// each scenario cost: readings the twin produced, readings the lab stored, lost, duplicated, and
// how long the pipeline took to recover. Every scenario states what the design promises; the
// command exits 1 when a promise is broken.
//
//	go run ./bench/chaos            # every scenario, full length (about 3½ minutes)
//	go run ./bench/chaos --short    # shorter outages (about 1¼ minutes; the test runs three)
//	go run ./bench/chaos --only broker-down,agent-kill --json
//
// docs/reliability.md holds the promises and the last table.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	short := flag.Bool("short", false, "shorter outages and fewer readings (what CI runs)")
	asJSON := flag.Bool("json", false, "print the results as JSON instead of a table")
	only := flag.String("only", "", "comma-separated scenario names to run (default all; see --list)")
	list := flag.Bool("list", false, "list the scenarios with their promises and exit")
	seed := flag.Int64("seed", 0, "seed of the random kill points (0: from the clock; printed)")
	keep := flag.Bool("keep", false, "keep every scenario's working folder (logs, databases); failed ones are always kept")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench/chaos [--short] [--json] [--only NAME,...]\n\n")
		flag.PrintDefaults()
		fmt.Fprintf(flag.CommandLine.Output(), "\nScenarios:\n")
		printList(flag.CommandLine.Output())
	}
	flag.Parse()
	if *list {
		printList(os.Stdout)
		return
	}
	picked, err := pick(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano() % 1_000_000
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e, err := newEnv(ctx, Opts{Short: *short, Seed: *seed, Keep: *keep, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	defer e.Close()
	loadBefore := loadAvg()
	results := e.RunAll(ctx, picked)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(results)
	} else {
		mode := "full"
		if *short {
			mode = "short"
		}
		fmt.Printf("chaos (%s, seed %d, %s; %d CPUs, load average %s at the start, %s at the end)\n", mode, *seed,
			time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), loadBefore, loadAvg())
		printTable(os.Stdout, results)
	}
	for _, r := range results {
		if r.Verdict == Fail {
			os.Exit(1)
		}
	}
}

// loadAvg is the machine's 1-minute load average: timeouts and recovery times depend on it.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// pick returns the named scenarios in the table's order.
func pick(only string) ([]Scenario, error) {
	if only == "" {
		return scenarios, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []Scenario
	for _, s := range scenarios {
		if want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("no scenario %q (see --list)", n)
	}
	return out, nil
}
