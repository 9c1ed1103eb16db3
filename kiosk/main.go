// Command kiosk is the self-service terminal program:
//
//	kiosk [--config FILE] [--simulate]       the touch UI (Fyne; needs cgo)
//	kiosk tour --out DIR                     every screen as PNG, in three languages and elder mode
//	kiosk backend serve [flags]              the center's shared backend (HTTP JSON API)
//	kiosk doctor ports|idcard|printer|scanner [flags]   technicians' device checks
//
// Only kiosk/ui imports Fyne, and only its app_cgo.go needs cgo (it makes the Fyne app); built
// with CGO_ENABLED=0 the program keeps doctor and backend and says the UI is missing.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	backendcmd "github.com/onestop-station/onestop/kiosk/backend/cmd"
	"github.com/onestop-station/onestop/kiosk/doctor"
)

const usage = `usage: kiosk [COMMAND] [flags]

Commands:
  (none)   run the touch UI: kiosk [--config FILE] [--simulate] [--card NAME] (kiosk run --help)
  tour     run the UI with simulated devices and save every screen as PNG (kiosk tour --help)
  backend  serve the center's shared backend: kiosk backend serve --help
  doctor   test the terminal's devices on site: serial ports, ID-card reader, receipt printer,
           QR scanner (kiosk doctor --help)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" && args[0] != "-help" {
		return runUI(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "run":
		return runUI(ctx, args[1:], stdout, stderr)
	case "tour":
		return runTour(ctx, args[1:], stdout, stderr)
	case "backend":
		if len(args) < 2 || args[1] != "serve" {
			fmt.Fprint(stderr, "usage: kiosk backend serve [flags] (kiosk backend serve --help)\n")
			return doctor.ExitUsage
		}
		return backendcmd.Serve(ctx, args[2:], stdout, stderr)
	case "doctor":
		return doctor.Run(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "kiosk: unknown command %q\n\n%s", args[0], usage)
	return doctor.ExitUsage
}
