// Command polling measures how fast the agent's driver stack polls a rig:
// snapshot polls a second over the rig twin on a PTY, back to back, against
// the line's physical limit and against mbpoll on the same twin, in one run.
//
//	go run ./bench/polling                 # 115200 and 9600 baud, 10 s each
//	go run ./bench/polling --seconds 3 --baud 115200 --cpuprofile cpu.out
//
// The limit per poll is the FC04 request (8 bytes), the reply (39 bytes) at
// 10 bits a character, two t3.5 silences and the twin's measured turnaround
// beyond t3.5 (docs/performance.md, "Rig polling").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/polling:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("polling", flag.ContinueOnError)
	seconds := fs.Float64("seconds", 10, "how long each master polls each twin, in all rounds")
	rounds := fs.Int("rounds", 4, "rounds per baud; each probes the turnaround, then our stack and mbpoll poll in turn, so a changing load hits both alike")
	bauds := fs.String("baud", "115200,9600", "comma-separated line speeds")
	noMbpoll := fs.Bool("no-mbpoll", false, "skip the mbpoll reference rows")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	verbose := fs.Bool("v", false, "print the details behind each row (turnaround, errors, twin counts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	speeds, err := parseBauds(*bauds)
	if err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "bench-polling-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	d := time.Duration(*seconds * float64(time.Second))
	load := loadAverage()
	var rows []row
	for _, baud := range speeds {
		m, err := measure(ctx, dir, baud, d, max(*rounds, 1), !*noMbpoll)
		if err != nil {
			return err
		}
		if *verbose {
			fmt.Fprintln(out, m.details())
		}
		rows = append(rows, m.rows()...)
	}
	printRows(out, rows)
	fmt.Fprintf(out, "(%d CPUs, load average %s at start, %s at end; mbpoll polls no faster than every 10 ms)\n",
		runtime.NumCPU(), load, loadAverage())
	return nil
}

// loadAverage is the 1-minute load average, which the rates depend on: the
// twin and the masters wait on timers and wake-ups a busy machine delays.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

func parseBauds(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		b, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || b <= 0 {
			return nil, fmt.Errorf("--baud %q: want positive numbers separated by commas", s)
		}
		out = append(out, b)
	}
	return out, nil
}

// measurement is everything measured at one baud rate, on one twin.
type measurement struct {
	Baud     int
	Exchange time.Duration // median lone exchange on the PTY (the limit takes the fastest)
	Limit    Limit
	Ours     pollResult
	Mbpoll   *pollResult // nil when mbpoll was skipped or is missing
	Note     string
}

// measure starts a twin at baud and, in each of rounds rounds, probes its
// turnaround, then lets our stack and mbpoll poll it for d/rounds each.
func measure(ctx context.Context, dir string, baud int, d time.Duration, rounds int, withMbpoll bool) (m measurement, err error) {
	t, err := startTwin(ctx, dir, baud)
	if err != nil {
		return m, err
	}
	defer func() {
		if serr := t.stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	m.Baud = baud
	slice := d / time.Duration(rounds)
	var took []time.Duration
	var mb pollResult
	for range rounds {
		probe, err := exchanges(ctx, t, 10)
		if err != nil {
			return m, err
		}
		took = append(took, probe...)
		ours, err := pollOurs(ctx, t, slice)
		if err != nil {
			return m, err
		}
		m.Ours.add(ours)
		if !withMbpoll || m.Note != "" {
			continue
		}
		r, err := pollMbpoll(ctx, t, slice)
		switch {
		case errors.Is(err, errNoMbpoll):
			m.Note = err.Error()
		case err != nil:
			return m, err
		default:
			mb.add(r)
		}
	}
	var turn time.Duration
	m.Exchange, turn = turnaround(baud, took)
	m.Limit = LineLimit(baud, turn)
	if withMbpoll && m.Note == "" {
		m.Mbpoll = &mb
	}
	return m, nil
}

func (m measurement) details() string {
	s := fmt.Sprintf("%d baud: lone exchange %v median, turnaround (fastest exchange) beyond t3.5 %v, limit cycle %v (PTY %v); ours %d polls in %v (twin counted %d, %d errors; a poll took %v median, %v p90, %v p99)",
		m.Baud, m.Exchange.Round(time.Microsecond), m.Limit.Turnaround.Round(time.Microsecond),
		m.Limit.Cycle().Round(time.Microsecond), m.Limit.PTYCycle().Round(time.Microsecond),
		m.Ours.Polls, m.Ours.Elapsed.Round(time.Millisecond), m.Ours.Twin, m.Ours.Errors,
		m.Ours.Percentile(50).Round(time.Microsecond), m.Ours.Percentile(90).Round(time.Microsecond), m.Ours.Percentile(99).Round(time.Microsecond))
	if m.Mbpoll != nil {
		s += fmt.Sprintf("; mbpoll %d polls in %v", m.Mbpoll.Polls, m.Mbpoll.Elapsed.Round(time.Millisecond))
	}
	if m.Note != "" {
		s += "; " + m.Note
	}
	return s
}

// row is one line of the table.
type row struct {
	Measure, Goal    string
	Measured         float64
	Reference        string
	Ratio, GoalRatio float64
}

// Met compares the ratio as printed, so a row never shows 1.00 and MISSED.
func (r row) Met() bool { return math.Round(r.Ratio*100) >= math.Round(r.GoalRatio*100) }

func (m measurement) rows() []row {
	ours := m.Ours.PerSecond()
	name := fmt.Sprintf("rig polls/s at %d", m.Baud)
	rows := []row{
		{Measure: name, Goal: "≥0.95×limit", Measured: ours,
			Reference: fmt.Sprintf("limit %.1f", m.Limit.PerSecond()), Ratio: ours / m.Limit.PerSecond(), GoalRatio: 0.95},
		// Diagnostic, no goal: a PTY carries the request in no time, so
		// a perfect master beats the line limit by the request's wire time.
		{Measure: name + " (PTY)", Goal: "— (a perfect master)", Measured: ours,
			Reference: fmt.Sprintf("PTY ceiling %.1f", m.Limit.PTYPerSecond()), Ratio: ours / m.Limit.PTYPerSecond()},
	}
	// The median poll shows the stack's own cycle; the mean above also carries
	// every stall a busy machine puts between a wake-up and the CPU.
	if med := m.Ours.Percentile(50); med > 0 {
		rate := float64(time.Second) / float64(med)
		rows = append(rows, row{Measure: name + " (median poll)", Goal: "≥0.95×limit", Measured: rate,
			Reference: fmt.Sprintf("limit %.1f", m.Limit.PerSecond()), Ratio: rate / m.Limit.PerSecond(), GoalRatio: 0.95})
	}
	if m.Mbpoll != nil {
		mb := m.Mbpoll.PerSecond()
		rows = append(rows, row{Measure: name + " vs mbpoll", Goal: "≥1.0×mbpoll", Measured: ours,
			Reference: fmt.Sprintf("mbpoll -l 10 %.1f", mb), Ratio: ours / mb, GoalRatio: 1.0})
	}
	return rows
}

func printRows(w io.Writer, rows []row) {
	fmt.Fprintf(w, "%-36s | %-20s | %9s | %-20s | %5s\n", "measure", "goal", "measured", "reference", "ratio")
	for _, r := range rows {
		mark := ""
		if !r.Met() {
			mark = "  MISSED"
		}
		fmt.Fprintf(w, "%-36s | %-20s | %9.1f | %-20s | %5.2f%s\n", r.Measure, r.Goal, r.Measured, r.Reference, r.Ratio, mark)
	}
}
