#!/usr/bin/env bash
# Benchmarks of the pre-test pipeline, printed as one table (see docs/performance.md).
#   bash bench/run.sh                 # about 2 s per benchmark
#   BENCHTIME=10s bash bench/run.sh
#   POLL_SECONDS=20 bash bench/run.sh # rig polling: seconds per master and baud (default 10; 0 skips it)
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
