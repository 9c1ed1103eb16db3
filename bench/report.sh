#!/usr/bin/env bash
# Lab report figures (docs/performance.md): last reading of a plan → signed PDF on disk, and the
# PDF's size, on the real pipeline (rig twin on a PTY, agent, embedded broker, lab store), with
# submit and release sent as soon as the run ends; plus render + sign alone.
#   bash bench/report.sh            # 5 jobs
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
go test -run '^$' -bench LastReadingToSignedPDF -benchtime "${runs}x" ./lab/desk | grep -E '^Benchmark|^cpu'
go test -run '^$' -bench RenderSign -benchtime 20x ./lab/report | grep -E '^Benchmark'
