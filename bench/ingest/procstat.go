package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTime and rssMB are copied from bench/e2e/procstat.go (a main package cannot be imported).

// clkTck is USER_HZ, the unit of utime and stime in /proc/PID/stat; 100 on every Linux Go runs on.
const clkTck = 100

// cpuTime returns the CPU time (user + system) pid has used so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("ingest bench: cpu of %d: %w", pid, err)
	}
	// The command name may hold spaces; the fields after its ")" are fixed: utime is the 14th
	// field of the line, the 12th after ")".
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("ingest bench: cpu of %d: short stat line", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("ingest bench: cpu of %d: bad utime/stime %q %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clkTck, nil
}

// rssMB returns pid's resident set size (VmRSS) in MiB.
func rssMB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("ingest bench: rss of %d: %w", pid, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("ingest bench: rss of %d: %q: %w", pid, l, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("ingest bench: rss of %d: no VmRSS", pid)
}

// machineIdle returns the idle and total time of every CPU so far (/proc/stat's first line, in
// USER_HZ ticks): the window's idle share says whether the machine, not one process, ran out.
func machineIdle() (idle, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("ingest bench: /proc/stat: unexpected first line %q", line)
	}
	for i, s := range f[1:] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("ingest bench: /proc/stat: %w", err)
		}
		if i < 8 { // user nice system idle iowait irq softirq steal; guest is inside user
			total += v
		}
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	return idle, total, nil
}
