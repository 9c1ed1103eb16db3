#!/usr/bin/env bash
# Go benchmarks of the hot paths (frame codecs, payload encoding, outbox writes, store batches),
# saved as raw `go test` output, which benchstat compares (docs/performance.md, "Comparing runs").
#   bash bench/gobench.sh                          # writes bench/out/gobench-YYYYMMDD-HHMMSS.txt
#   bash bench/gobench.sh new.txt                  # writes new.txt
#   bash bench/gobench.sh new.txt old.txt          # then: benchstat old.txt new.txt
#   COUNT=10 BENCHTIME=2s bash bench/gobench.sh    # samples per benchmark (default 6), -benchtime (default 1s)
set -uo pipefail

abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
out=$(abs "${1:-$(dirname "$0")/out/gobench-$(date +%Y%m%d-%H%M%S).txt}")
old=""
if [ $# -ge 2 ]; then
	old=$(abs "$2")
	if [ ! -r "$old" ]; then
		echo "gobench: cannot read $old" >&2
		exit 2
	fi
fi
cd "$(dirname "$0")/.."
mkdir -p "$(dirname "$out")"

# The benchmarks by name, per package; the regexp is anchored, so one added later is not run by surprise.
benchmarks=(
	'EncodeBatch|DecodeBatch'                              # agent/telemetry: a snapshot (11) and a replay page (500)
	'(Encode|Decode)Snapshot(Request|Reply)'               # drivers/modbus: a rig poll
	'EncodeReadBasicCommand|(Encode|Decode)ReadBasicReply' # drivers/idcard: a GA 467 card read
	'EncodeReceipt|ParseStatusStream'                      # drivers/escpos: a receipt; status replies and ASB
	'ParseQRLine'                                          # drivers/scanner: one scanned line
	'Append13|AppendRigs|PendingAck'                       # agent/outbox
	'BacklogDrain'                                         # agent/publish
	'StoreBatch|StoreSnapshots'                            # lab/store
	'IngestEmbedded'                                       # lab/ingest
)
packages=(./agent/telemetry/ ./drivers/modbus/ ./drivers/idcard/ ./drivers/escpos/ ./drivers/scanner/
	./agent/outbox/ ./agent/publish/ ./lab/store/ ./lab/ingest/)
regexp="^Benchmark($(
	IFS='|'
	echo "${benchmarks[*]}"
))\$"

# -p 1: one package at a time, so benchmarks do not share the CPU with each other or a build.
echo "gobench: writing $out" >&2
CGO_ENABLED=0 go test -p 1 -run '^$' -bench "$regexp" -benchmem -count "${COUNT:-6}" \
	-benchtime "${BENCHTIME:-1s}" "${packages[@]}" 2>&1 | tee "$out"
status=$?
if [ $status -ne 0 ]; then
	echo "gobench: go test failed (exit $status); output kept in $out" >&2
	exit $status
fi

if [ -n "$old" ]; then
	echo >&2
	go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$old" "$out"
fi
