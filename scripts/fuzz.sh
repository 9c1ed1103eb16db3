#!/usr/bin/env bash
# Runs every fuzz target of the module for a set time and prints one table: package, target,
# executions, new interesting inputs, crashers, PASS/FAIL. Exits non-zero if any target failed.
#
#   bash scripts/fuzz.sh                 every target, 30s each
#   bash scripts/fuzz.sh --time 10s      every target, 10s each (any go test -fuzztime value)
#   bash scripts/fuzz.sh --brief         every target, 2s each: what CI runs after the unit tests
#   bash scripts/fuzz.sh --only modbus   targets whose "package/Target" matches an extended regexp
#   bash scripts/fuzz.sh --minimize 60s  how long go test may minimize each new input (-fuzzminimizetime)
#   bash scripts/fuzz.sh --list          print the targets and stop
#
# Minimizing defaults to 1000 tries, not go test's 60 s: every new interesting input is minimized
# too, and with real frames as seeds (GA 467 replies of 3-6 KB) that took most of a 30 s run
# (FuzzDecodeResponse: 86 executions in 30 s; 200 000 with 1000 tries). A crasher is minimized
# within the same limit; it fails either way. A bare "context deadline exceeded" when the time is
# up, with no input written, is go test's own race (go.dev/issue/75804, fixed in Go 1.27): PASS,
# with a note. EXECS reads "baseline only N/M" when the time ran out replaying the corpus.
#
# A crasher is a file go test wrote under <pkg>/testdata/fuzz/<Target>/ when an input failed.
# The script leaves it there: committed, it makes plain `go test` replay the input from then on.
# Targets are found with grep, so a new `func FuzzX(f *testing.F)` in any *_test.go runs without
# editing this file. A package whose tests link cgo (the Fyne UI) runs with CGO_ENABLED=1, under
# Xvfb when there is no display; everything else runs with CGO_ENABLED=0, as test.sh builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=30s
minimize=1000x
only=""
list=false
while (($#)); do
	case "$1" in
	--time) fuzztime="${2:?--time needs a value, e.g. 10s}"; shift 2 ;;
	--time=*) fuzztime="${1#--time=}"; shift ;;
	--brief) fuzztime=2s; shift ;;
	--minimize) minimize="${2:?--minimize needs a value, e.g. 60s or 1000x}"; shift 2 ;;
	--minimize=*) minimize="${1#--minimize=}"; shift ;;
	--only) only="${2:?--only needs a pattern}"; shift 2 ;;
	--only=*) only="${1#--only=}"; shift ;;
	--list) list=true; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "fuzz.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

# A hung target must not hang CI: give go test the fuzz time plus ten minutes for building,
# the seed corpus and the cached corpus. Iteration counts (-fuzztime 1000x) get an hour.
timeout_for() {
	local t=$1 n unit
	if [[ $t =~ ^([0-9]+)(s|m|h)$ ]]; then
		n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
		case $unit in m) n=$((n * 60)) ;; h) n=$((n * 3600)) ;; esac
		echo "$((n + 600))s"
	else
		echo 60m
	fi
}

# deadline_race NAME LOG: the only failure in LOG is the bare "context deadline exceeded" that
# go test prints right under "--- FAIL: NAME (…)" when fuzzing stops, with no input written. A
# failing input prints "Failing input written to …" and the test's own message, with file:line.
deadline_race() {
	! grep -qE 'Failing input written to|failure while testing seed corpus' "$2" &&
		awk -v want="--- FAIL: $1 (" 'index($0, want) == 1 { getline; if ($0 == "    context deadline exceeded") hit = 1 }
			END { exit !hit }' "$2"
}

# "dir Target" per line, sorted; testdata and hidden folders are not code.
targets=$(grep -rE --include='*_test.go' --exclude-dir=testdata --exclude-dir='.?*' \
	-o '^func Fuzz[A-Za-z0-9_]*\(' . |
	sed -E 's#^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u)
if [ -n "$only" ]; then
	targets=$(awk '{print $1 "/" $2 "\t" $0}' <<<"$targets" | grep -E -- "$only" | cut -f2- || true)
fi
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz target${only:+ matches $only}" >&2
	exit 2
fi
if $list; then
	echo "$targets"
	exit 0
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rows=()
failed=()
count=0
while read -r dir name; do
	count=$((count + 1))
	corpus="$dir/testdata/fuzz/$name"
	before=$(ls "$corpus" 2>/dev/null | sort || true)
	log="$logs/$count.log"
	env=(CGO_ENABLED=0)
	wrap=()
	if [ -n "$(CGO_ENABLED=1 go list -deps -test -f '{{if and .CgoFiles (not .Standard)}}x{{end}}' "./$dir" 2>/dev/null)" ]; then
		env=(CGO_ENABLED=1)
		[ -n "${DISPLAY:-}" ] || wrap=(xvfb-run -a -s "-screen 0 1920x1080x24")
	fi
	rc=0
	"${wrap[@]}" env "${env[@]}" go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" \
		-fuzzminimizetime "$minimize" -timeout "$(timeout_for "$fuzztime")" "./$dir" </dev/null >"$log" 2>&1 || rc=$?

	# The last progress line holds the totals:
	# "fuzz: elapsed: 31s, execs: 123456 (3982/sec), new interesting: 4 (total: 27)".
	last=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -n 1 || true)
	execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
	interesting=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
	after=$(ls "$corpus" 2>/dev/null | sort || true)
	crashers=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
	ncrash=$(grep -c . <<<"$crashers" || true)

	result=PASS note=""
	if ((rc != 0 && ncrash == 0)) && deadline_race "$name" "$log"; then
		# Go 1.26's coordinator can report its own -fuzztime deadline as a failure when a worker
		# is mid-call (go.dev/issue/75804, fixed in Go 1.27): no input failed, none was written.
		rc=0 note="go test reported its own deadline (go.dev/issue/75804); no input failed"
	fi
	if ((rc != 0 || ncrash > 0)); then
		result=FAIL
		if ((ncrash > 0)); then
			note=$(sed "s#^#$corpus/#" <<<"$crashers" | paste -sd' ')
		elif grep -q 'failure while testing seed corpus' "$log"; then
			note="a seed input fails"
		elif grep -qE '^(FAIL|ok) .*\[(build failed|setup failed)\]|cannot find package|^# ' "$log"; then
			note="does not build"
		elif grep -q 'panic: test timed out' "$log"; then
			note="timed out"
		else
			note="go test exit $rc"
		fi
		failed+=("$count")
	fi
	if [ -z "$execs" ] && [ "$result" = PASS ]; then
		# The time ran out while go test replayed the seeds and the cached corpus.
		execs=$(grep -oE 'baseline coverage: [0-9]+/[0-9]+' "$log" | tail -n 1 | sed 's/ coverage:/ only/')
	fi
	echo "fuzz.sh: $dir $name: execs ${execs:--}, crashers $ncrash, $result${note:+ ($note)}" >&2
	rows+=("$dir	$name	${execs:--}	${interesting:--}	$ncrash	$result	$note")
done <<<"$targets"

echo
echo "fuzz.sh: $count targets, $fuzztime each ($(go version | cut -d' ' -f3), GOMAXPROCS ${GOMAXPROCS:-$(nproc)})"
{
	printf 'PACKAGE\tTARGET\tEXECS\tNEW INTERESTING\tCRASHERS\tRESULT\tNOTE\n'
	printf '%s\n' "${rows[@]}"
} | column -t -s $'\t'

if ((${#failed[@]})); then
	for i in "${failed[@]}"; do
		echo
		echo "---- $(sed -n "${i}p" <<<"$targets"): last lines of go test's output"
		tail -n 40 "$logs/$i.log"
	done
	echo
	echo "fuzz.sh: ${#failed[@]} of $count targets FAILED. Crashers stay under testdata/fuzz/<Target>/:"
	echo "commit them with a fix so that go test replays them (go test -run '<Target>/<file>' ./<pkg>)."
	exit 1
fi
