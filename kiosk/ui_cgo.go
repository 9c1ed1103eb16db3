//go:build cgo

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/onestop-station/onestop/kiosk/doctor"
	"github.com/onestop-station/onestop/kiosk/terminal"
	"github.com/onestop-station/onestop/kiosk/ui"
)

// memoryLimit is the kiosk's soft Go heap limit unless GOMEMLIMIT says otherwise: the UI's live
// heap is about 45 MB (mostly parsed fonts), and without a limit the GC lets it reach twice that
// at start-up (docs/performance.md, kiosk rows).
const memoryLimit = 64 << 20

// appID names the kiosk to Fyne (its preferences and cache folders).
const appID = "cn.gov.tengzhou.onestop.kiosk"

// runUI runs the touch UI. This file is the only one that makes a Fyne app (and so needs cgo).
func runUI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, font, code := uiSetup("run", args, stderr, false)
	if f == nil {
		return code
	}
	parts, err := terminal.Assemble(ctx, f.cfg, terminal.Opts{Simulate: f.simulate, Card: f.card, Stderr: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return 1
	}
	defer parts.Close()
	if parts.Sim != nil {
		fmt.Fprintf(stdout, "simulated devices: open %s in a browser to put a card down, scan a code or run out of paper\n", parts.Sim.ControlURL())
		fmt.Fprintln(stdout, "keys in the kiosk window: "+terminal.SimKeys)
		for card, code := range parts.DemoCodes(ctx) {
			fmt.Fprintf(stdout, "resident code (居民码) of the %s card, to scan instead of the card: %s\n", card, code)
		}
	}
	parts.Run(ctx, app.NewWithID(appID), font)
	return 0
}

// runTour runs the real app with the twins and saves every screen as PNG.
func runTour(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, font, code := uiSetup("tour", args, stderr, true)
	if f == nil {
		return code
	}
	f.cfg.DataDir = filepath.Join(f.out, "data")
	n, err := terminal.Tour(ctx, app.NewWithID(appID), font, f.cfg, f.out, f.quick, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk tour:", err)
		return 1
	}
	fmt.Fprintf(stdout, "kiosk tour: %d screens in %s\n", n, f.out)
	return 0
}

// uiSetup parses the flags, sets the heap limit and loads the font; a nil uiFlags means stop
// with the exit status returned (0 after --help).
func uiSetup(name string, args []string, stderr io.Writer, tour bool) (*uiFlags, fyne.Resource, int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	f, err := parseUIFlags(name, args, stderr, tour)
	if errors.Is(err, flag.ErrHelp) {
		return nil, nil, 0
	} else if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, nil, doctor.ExitUsage
	}
	font, err := ui.LoadFont(f.cfg.Font)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return nil, nil, 1
	}
	return f, font, 0
}
