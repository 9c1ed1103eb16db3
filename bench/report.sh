#!/usr/bin/env bash
# Lab report figures (docs/performance.md): last reading of a plan → signed PDF on disk, and the
# PDF's size, on the real pipeline (rig twin on a PTY, agent, embedded broker, lab store), with
# submit and release sent as soon as the run ends; plus render + sign alone.
#   bash bench/report.sh            # 5 jobs
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
raw=$(go test -run '^$' -bench LastReadingToSignedPDF -benchtime "${runs}x" ./lab/desk)
grep -E '^Benchmark|^cpu' <<<"$raw"
# The rows against their goals (issue 9, row 6; docs/performance.md).
awk '/^BenchmarkLastReadingToSignedPDF/ {
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ms-last-reading-to-pdf") ms = $i
		if ($(i+1) == "KB/report") kb = $i
	}
	print "| row | goal | measured | met |"
	print "|---|---|---|---|"
	printf "| last reading → signed PDF on disk | ≤ 1000 ms | %s ms | %s |\n", ms, (ms <= 1000 ? "yes" : "NO")
	printf "| PDF size of that report | ≤ 300 KB | %s KB | %s |\n", kb, (kb <= 300 ? "yes" : "NO")
}' <<<"$raw"
go test -run '^$' -bench RenderSign -benchtime 20x ./lab/report | grep -E '^Benchmark'
