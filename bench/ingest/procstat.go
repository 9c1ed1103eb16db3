package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

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
