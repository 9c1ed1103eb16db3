// Command ingest measures several agents into one lab (issue 9, item 5) and prints one markdown
// table (see docs/performance.md, "Lab ingest (issue 9, row 5)").
//
// The load is K synthetic agents in this process, each a real agent/outbox (its own SQLite file)
// and agent/publish.Publisher, fed by a goroutine that appends 11-reading snapshots as a rig
// poller does, at --rate/K readings/s or, for the max rows, back to back. The lab side is one or
// two child processes (copies of this program), each lab/store + lab/ingest on one database file,
// so their CPU is measured apart from the load's:
//
//	embedded   one lab process with the embedded broker (lab/broker, mochi) inside it, reached in process
//	mosquitto  Debian's mosquitto and one lab process
//	shared     mosquitto and two lab processes sharing the data through $share/lab/…
//
//	go run ./bench/ingest                                # every row, 10k/s and max, 4 agents
//	go run ./bench/ingest --rows shared --loads max --seconds 20 --cpuprofile /tmp/lab.pprof
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

var agentLogLevel = new(slog.LevelVar)

type benchFlags struct {
	seconds, warmup float64
	rate            float64
	agents          int
	rows            []setup
	loads           []float64 // 0 is max
	cpuprofile      string
	keep            bool
}

func main() {
	maybeWorker()
	// The agents' own log: warnings while measuring, nothing while they are stopped (a stop
	// cancels their outbox work, which they log).
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: agentLogLevel})))
	f, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, f, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ingest bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (benchFlags, error) {
	var f benchFlags
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Float64Var(&f.seconds, "seconds", 8, "measured window of each row, in seconds")
	fs.Float64Var(&f.warmup, "warmup", 2, "traffic before the window, in seconds")
	fs.Float64Var(&f.rate, "rate", 10000, "offered readings/s of the rated rows, all agents together")
	fs.IntVar(&f.agents, "agents", 4, "synthetic agents")
	rows := fs.String("rows", "embedded,mosquitto,shared", "setups to run: embedded, mosquitto, shared")
	loads := fs.String("loads", "rate,max", "loads of each setup: rate (--rate) and max (back to back)")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "CPU profile of each lab worker in the max rows: FILE becomes FILE-{setup}-w1… (whole run of the row)")
	fs.BoolVar(&f.keep, "keep", false, "keep each row's folder (databases, logs)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	for _, r := range strings.Split(*rows, ",") {
		s, ok := setups[strings.TrimSpace(r)]
		if !ok {
			fmt.Fprintf(stderr, "unknown row %q\n", r)
			return f, errors.New("bad --rows")
		}
		f.rows = append(f.rows, s)
	}
	for _, l := range strings.Split(*loads, ",") {
		switch strings.TrimSpace(l) {
		case "rate":
			f.loads = append(f.loads, f.rate)
		case "max":
			f.loads = append(f.loads, 0)
		default:
			fmt.Fprintf(stderr, "unknown load %q\n", l)
			return f, errors.New("bad --loads")
		}
	}
	if f.agents < 1 || f.seconds <= 0 || f.rate <= 0 {
		fmt.Fprintln(stderr, "--agents, --seconds and --rate must be positive")
		return f, errors.New("bad flags")
	}
	return f, nil
}

func run(ctx context.Context, f benchFlags, out io.Writer) error {
	var results []result
	for _, s := range f.rows {
		for _, rate := range f.loads {
			o := rowOpts{setup: s, agents: f.agents, rate: rate,
				window: seconds(f.seconds), warmup: seconds(f.warmup)}
			if rate == 0 && f.cpuprofile != "" {
				ext := ""
				if i := strings.LastIndexByte(f.cpuprofile, '.'); i > 0 {
					ext = f.cpuprofile[i:]
				}
				o.cpuprofile = strings.TrimSuffix(f.cpuprofile, ext) + "-" + s.name + ext
			}
			r, err := measureIn(ctx, o, f.keep)
			if err != nil {
				if errors.Is(err, errNoMosquitto) {
					fmt.Fprintf(os.Stderr, "ingest bench: row %s skipped: %v\n", s.name, err)
					break
				}
				return fmt.Errorf("row %s %s: %w", s.name, loadName(rate), err)
			}
			fmt.Fprintf(os.Stderr, "ingest bench: %s %s: %.0f offered, %.0f stored/s\n", s.name, r.load, r.offered, r.stored)
			results = append(results, r)
		}
	}
	printTable(out, results)
	return nil
}

func measureIn(ctx context.Context, o rowOpts, keep bool) (result, error) {
	dir, err := os.MkdirTemp("", "onestop-ingest-bench-")
	if err != nil {
		return result{}, err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "ingest bench: row folder", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	o.dir = dir
	return measure(ctx, o)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func printTable(w io.Writer, rs []result) {
	fmt.Fprintln(w, "| broker | lab workers | agents | load | offered/s | stored/s | p50 ms | p99 ms | lab CPU % | lab CPU µs/reading | broker CPU % | agents CPU % | lab RSS MB | broker RSS MB | batches/s | readings/batch | batches per worker | unacked at end | unstored at end | dropped | machine idle % | load avg |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		broker, brokerCPU, brokerRSS := "mosquitto", fmt.Sprintf("%.0f", r.brokerCPU), fmt.Sprintf("%.0f", r.brokerRSS)
		if r.brokerCPU < 0 {
			broker, brokerCPU, brokerRSS = "embedded", "in lab", "in lab"
		}
		var cpu []string
		total := 0.0
		for _, c := range r.labCPU {
			cpu = append(cpu, fmt.Sprintf("%.0f", c))
			total += c
		}
		labCPU := cpu[0]
		if len(cpu) > 1 {
			labCPU = fmt.Sprintf("%.0f (%s)", total, strings.Join(cpu, "+"))
		}
		var share []string
		for _, n := range r.share {
			share = append(share, fmt.Sprint(n))
		}
		perReading := 0.0 // 1 % of a core is 10 ms a second
		if r.stored > 0 {
			perReading = total * 1e4 / r.stored
		}
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %.0f | %s | %.0f | %.0f | %s | %.0f | %.1f | %s | %s | %s | %d | %.0f | %s |\n",
			broker, len(r.labCPU), r.agents, r.load, thousands(r.offered), thousands(r.stored),
			ms(r.p50), ms(r.p99), labCPU, perReading, brokerCPU, r.agentsCPU, r.labRSS, brokerRSS,
			r.batches, r.perBatch, strings.Join(share, "/"), thousands(float64(r.backlog)), thousands(float64(r.unstored)), r.dropped, r.idle, r.loadAvg)
	}
}

func ms(d time.Duration) string {
	v := d.Seconds() * 1000
	if v >= 100 {
		return thousands(v)
	}
	return fmt.Sprintf("%.1f", v)
}

// thousands formats a count with a thin space every three digits, as docs/performance.md does.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	if len(s) <= 4 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
