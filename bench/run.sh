#!/usr/bin/env bash
# Benchmarks of the pre-test pipeline, printed as one table (see docs/performance.md).
#   bash bench/run.sh                 # about 2 s per benchmark
#   BENCHTIME=10s bash bench/run.sh
#   POLL_SECONDS=20 bash bench/run.sh # rig polling: seconds per master and baud (default 10; 0 skips it)
#   E2E_SECONDS=0 bash bench/run.sh   # skip end to end + backlog drain (default 10 s windows, ~3 min)
#   INGEST=0 bash bench/run.sh        # skip lab ingest (embedded broker, mosquitto, $share; ~2 min)
#   REPORT=0 bash bench/run.sh        # skip last reading → signed PDF
#   KIOSK=1 bash bench/run.sh         # also the kiosk rows (cgo build of the Fyne app, Xvfb: bench/kiosk.sh)
# Every step prints its rows against their goal or reference, measured in the same run.
# To compare two runs with benchstat (raw go test output, more benchmarks), use bench/gobench.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
benchtime="${BENCHTIME:-2s}"
raw=$(CGO_ENABLED=0 go test -run '^$' -benchmem -benchtime "$benchtime" \
	-bench 'BenchmarkAppend13|BenchmarkPendingAck|BenchmarkBacklogDrain|BenchmarkStoreBatch|BenchmarkIngestEmbedded' \
	./agent/outbox/ ./agent/publish/ ./lab/store/ ./lab/ingest/ 2>&1)
status=$?
printf '%-28s %12s %22s %10s\n' benchmark ns/op rate B/op
grep -E '^Benchmark' <<<"$raw" | awk '{
	rate = ""; bop = ""
	for (i = 4; i < NF; i++) {
		if ($(i+1) ~ /\/s$/) rate = $i " " $(i+1)
		if ($(i+1) == "B/op") bop = $i
	}
	printf "%-28s %12s %22s %10s\n", $1, $3, rate, bop
}'
if [ $status -ne 0 ]; then
	echo "bench: go test failed:"; grep -E 'FAIL|Error|error' <<<"$raw" | head -20
	exit $status
fi

# Rig polling: the twin at 115200 and 9600 baud, our driver stack back to back against the line
# limit and mbpoll, in the same run (bench/polling; scripts/test.sh installs mbpoll).
poll_seconds="${POLL_SECONDS:-10}"
if [ "$poll_seconds" != 0 ]; then
	echo
	if ! go run ./bench/polling --seconds "$poll_seconds"; then
		echo "bench: rig polling failed"; exit 1
	fi
fi

# End to end (rig → outbox → broker → lab store) at 1k and 10k readings/s and 64 rigs at line rate,
# then the drain of 360 000 buffered readings beside live data (bench/e2e; it ends with its rows
# against the goals).
e2e_seconds="${E2E_SECONDS:-10}"
if [ "$e2e_seconds" != 0 ]; then
	echo
	if ! go run ./bench/e2e --source synthetic --rates 1000,10000,max --rigs 64 --poll 7.6ms \
		--seconds "$e2e_seconds" --drain 360000 2> >(grep -v 'level=' >&2); then
		echo "bench: end to end failed"; exit 1
	fi
fi

# Lab ingest: several agents into one lab, embedded broker and mosquitto, two workers via $share.
if [ "${INGEST:-1}" != 0 ]; then
	echo
	if ! go run ./bench/ingest; then
		echo "bench: lab ingest failed"; exit 1
	fi
fi

# Last reading of a plan → signed PDF on disk (goal 1 s) and its size (goal 300 KB).
if [ "${REPORT:-1}" != 0 ]; then
	echo
	if ! bash bench/report.sh; then
		echo "bench: report failed"; exit 1
	fi
fi

if [ "${KIOSK:-0}" != 0 ]; then
	echo
	if ! bash bench/kiosk.sh; then
		echo "bench: kiosk failed"; exit 1
	fi
fi
