#!/usr/bin/env bash
# The whole test suite: installs the Debian packages the tests use (idempotent), then runs
# gofmt, go vet and every test with the race detector. README's test command; .ci/run runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real peers the tests talk to: mosquitto (an external MQTT broker), mbpoll (a Modbus master
# no one here wrote), socat (serial bridging in manual checks), fonts-arphic-gbsn00lp (the one
# plain-TTF CJK font the receipt renderer pins), zbar-tools (zbarimg, a second QR decoder).
# The kiosk UI (Fyne, cgo): the X11/GL headers it builds against, Xvfb, ImageMagick and xdotool
# for a real window and its screenshots in the tour test, and fonts-droid-fallback (the
# single-face sans-serif TTF with Simplified and Traditional glyphs the kiosk pins; it refuses
# to start without a CJK font). chromium: the lab console's browser test drives it (chromedp).
packages=(chromium mosquitto mosquitto-clients mbpoll socat fonts-arphic-gbsn00lp zbar-tools poppler-utils
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
	xvfb xauth libgl1-mesa-dri imagemagick xdotool fonts-droid-fallback)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "test.sh: installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

go mod download
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "test.sh: not gofmt-ed:"; echo "$unformatted"; exit 1
fi
go vet ./...
# -race needs cgo; gcc comes with the Go image. -p 2 matches the machine's two cores.
# With the peers installed above, a test that would skip for want of one fails instead.
export ONESTOP_REQUIRE_PEERS=1
# Everything but the UI builds and tests without cgo (the kiosk's flows, drivers, agent, lab).
CGO_ENABLED=0 go build ./... >/dev/null
# Fyne logs a locale error under LANG=C; the kiosk's own language does not depend on it.
export LANG=zh_CN.UTF-8
# The kiosk tour test opens a real window: the suite runs inside a virtual X display.
xvfb-run -a -s "-screen 0 1920x1920x24" env CGO_ENABLED=1 go test -race -p 2 -timeout 40m -count=1 ./...
bash scripts/fuzz.sh --brief # every fuzz target for 2 s each, after the unit tests (issue 8)
