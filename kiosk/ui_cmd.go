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

	"github.com/onestop-station/onestop/kiosk/doctor"
	"github.com/onestop-station/onestop/kiosk/terminal"
	"github.com/onestop-station/onestop/kiosk/ui"
)

// memoryLimit is the kiosk's soft Go heap limit unless GOMEMLIMIT says otherwise: the UI's live
// heap is about 45 MB (mostly parsed fonts), and without a limit the GC lets it reach twice that
// at start-up (docs/performance.md, kiosk rows).
const memoryLimit = 64 << 20

// runUI runs the touch UI.
func runUI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, code := uiSetup("run", args, stderr, false)
	if s == nil {
		return code
	}
	parts, err := terminal.Assemble(ctx, s.cfg, terminal.Opts{Simulate: s.simulate, Card: s.card, Stderr: stderr})
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
	parts.Run(ctx, s.app, s.font)
	return 0
}

// runTour runs the real app with the twins and saves every screen as PNG.
func runTour(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, code := uiSetup("tour", args, stderr, true)
	if s == nil {
		return code
	}
	s.cfg.DataDir = filepath.Join(s.out, "data")
	n, err := terminal.Tour(ctx, s.app, s.font, s.cfg, s.out, s.quick, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk tour:", err)
		return 1
	}
	fmt.Fprintf(stdout, "kiosk tour: %d screens in %s\n", n, s.out)
	return 0
}

// uiRun is what both UI commands start from.
type uiRun struct {
	*uiFlags
	app  ui.App
	font ui.Font
}

// uiSetup parses the flags, sets the heap limit, loads the font and makes the app; nil means
// stop with the exit status returned (0 after --help).
func uiSetup(name string, args []string, stderr io.Writer, tour bool) (*uiRun, int) {
	f, err := parseUIFlags(name, args, stderr, tour)
	if errors.Is(err, flag.ErrHelp) {
		return nil, 0
	} else if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, doctor.ExitUsage
	}
	font, err := ui.LoadFont(f.cfg.Font)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return nil, 1
	}
	app, err := ui.NewApp()
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return nil, doctor.ExitUsage
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	return &uiRun{uiFlags: f, app: app, font: font}, 0
}
