#!/usr/bin/env bash
# Kiosk figures (docs/performance.md): card → screen (Go benchmark on the reader twin), cold
# start to the attract screen and resident memory of `kiosk --simulate` under Xvfb.
#   bash bench/kiosk.sh            # 5 cold starts, 30 card reads
set -uo pipefail
cd "$(dirname "$0")/.."
export LANG=zh_CN.UTF-8
runs="${RUNS:-5}"
bin=$(mktemp -d)/kiosk
CGO_ENABLED=1 go build -o "$bin" ./kiosk || exit 1

card=$(CGO_ENABLED=1 go test -run '^$' -bench CardToScreen -benchtime 30x ./kiosk/ui 2>/dev/null |
	awk '/^BenchmarkCardToScreen/ { for (i = 1; i < NF; i++) if ($(i+1) == "ms-beyond-wire/card") print $i }')

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1920x1920x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
sleep 1
starts=() rss=() gl=()
for i in $(seq "$runs"); do
	data=$(mktemp -d)
	start=$(date +%s%N)
	DISPLAY=$display "$bin" --simulate --data "$data" >"$data/out.log" 2>&1 &
	pid=$!
	until grep -q "attract screen shown" "$data/out.log" 2>/dev/null; do
		sleep 0.01
		if ! kill -0 $pid 2>/dev/null; then echo "kiosk exited:"; tail "$data/out.log"; exit 1; fi
	done
	starts+=($(( ($(date +%s%N) - start) / 1000000 )))
	sleep 3 # settle: twins serving, fonts loaded, first frames drawn
	rss+=($(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status))
	# What Xvfb's software OpenGL (Mesa llvmpipe: libLLVM, the swrast driver, its C heap, the X
	# shared-memory framebuffer) adds; a terminal's GPU driver replaces it.
	gl+=($(awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6} /^Rss:/{ if (name ~ /libLLVM|dri|SYSV|\[heap\]/) s+=$2 } END {print int(s/1024)}' /proc/$pid/smaps))
	kill $pid; wait $pid 2>/dev/null
	rm -rf "$data"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-34s %12s %10s\n' measure value goal
printf '%-34s %9s ms %10s\n' "card on reader → screen − wire" "$card" "≤ 100 ms"
printf '%-34s %9s ms %10s\n' "cold start → attract (median of $runs)" "$(median "${starts[@]}")" "≤ 2000 ms"
printf '%-34s %9s MB %10s\n' "RSS, --simulate (median)" "$(median "${rss[@]}")" "≤ 150 MB"
printf '%-34s %9s MB %10s\n' "  of which software GL (Xvfb)" "$(median "${gl[@]}")" ""
