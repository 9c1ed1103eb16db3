// Package probe is what the benchmark programs (bench/e2e, bench/ingest) read off the machine and
// the lab's database: a process's CPU time and resident memory from /proc, the load average, CPU
// profiles, and the latency of every stored reading.
package probe

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the lab store's driver, to read its readings table
)

// clkTck is USER_HZ, the unit of utime and stime in /proc/PID/stat; 100 on every Linux Go runs on.
const clkTck = 100

// CPUTime returns the CPU time (user + system) pid has used so far.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("probe: cpu of %d: %w", pid, err)
	}
	// The command name may hold spaces; the fields after its ")" are fixed: utime is the 14th
	// field of the line, the 12th after ")".
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("probe: cpu of %d: short stat line", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("probe: cpu of %d: bad utime/stime %q %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clkTck, nil
}

// Pct is cpu as a percentage of span (100 % = one core).
func Pct(cpu, span time.Duration) float64 { return 100 * cpu.Seconds() / span.Seconds() }

// RSSMB returns pid's resident set size (VmRSS) in MiB.
func RSSMB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("probe: rss of %d: %w", pid, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("probe: rss of %d: %q: %w", pid, l, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("probe: rss of %d: no VmRSS", pid)
}

// LoadAvg is the machine's 1-minute load average as /proc/loadavg gives it, "?" if unreadable.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f, _, _ := strings.Cut(string(b), " ")
	return f
}

// StartCPUProfile writes a CPU profile of this process to path until stop; "" does nothing.
func StartCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// Latencies returns, for every reading the lab store at dbPath stored within [from, to), the
// time from its sample (t_ns) to its storing (received_ns), sorted; live only leaves out the
// replayed ones.
func Latencies(ctx context.Context, dbPath string, from, to time.Time, liveOnly bool) ([]time.Duration, error) {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	q := `SELECT received_ns - t_ns FROM readings WHERE received_ns >= ? AND received_ns < ?`
	if liveOnly {
		q += ` AND replay = 0`
	}
	rows, err := db.QueryContext(ctx, q, from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("probe: latencies: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("probe: latencies: %w", err)
		}
		out = append(out, time.Duration(d))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("probe: latencies: %w", err)
	}
	slices.Sort(out)
	return out, nil
}

// Percentile of sorted, nearest rank; sorted must not be empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
