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

	"fyne.io/fyne/v2/app"

	"github.com/onestop-station/onestop/kiosk/doctor"
	"github.com/onestop-station/onestop/kiosk/terminal"
	"github.com/onestop-station/onestop/kiosk/ui"
)

// memoryLimit is the kiosk's soft Go heap limit unless GOMEMLIMIT says otherwise: the UI's live
// heap is about 45 MB (mostly parsed fonts), and without a limit the GC lets it reach twice that
// at start-up (docs/performance.md, kiosk rows).
const memoryLimit = 64 << 20

// runUI runs the touch UI. This file is the only one that makes a Fyne app (and so needs cgo).
func runUI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	f, err := parseUIFlags("run", args, stderr, false)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, err)
		return doctor.ExitUsage
	}
	font, err := ui.LoadFont(f.cfg.Font)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return 1
	}
	parts, err := terminal.Assemble(ctx, f.cfg, terminal.Opts{Simulate: f.simulate, Card: f.card, Stderr: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return 1
	}
	defer parts.Close()
	if parts.Sim != nil {
		fmt.Fprintf(stdout, "simulated devices: open %s in a browser to put a card down, scan a code or run out of paper\n", parts.Sim.ControlURL())
	}
	parts.Run(ctx, app.NewWithID("cn.gov.tengzhou.onestop.kiosk"), font)
	return 0
}

// runTour runs the real app with the twins and saves every screen as PNG.
func runTour(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseUIFlags("tour", args, stderr, true)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, err)
		return doctor.ExitUsage
	}
	font, err := ui.LoadFont(f.cfg.Font)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return 1
	}
	f.cfg.DataDir = filepath.Join(f.out, "data")
	n, err := terminal.Tour(ctx, app.NewWithID("cn.gov.tengzhou.onestop.kiosk"), font, f.cfg, f.out, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk tour:", err)
		return 1
	}
	fmt.Fprintf(stdout, "kiosk tour: %d screens in %s\n", n, f.out)
	return 0
}
