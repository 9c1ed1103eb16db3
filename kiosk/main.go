// Command kiosk is the self-service terminal program. Today it holds the technicians' tools:
//
//	kiosk doctor ports|idcard|printer|scanner [flags]
//
// The touch UI (Fyne) comes with a later issue; doctor stays free of cgo so it builds anywhere.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/onestop-station/onestop/kiosk/doctor"
)

const usage = `usage: kiosk COMMAND [flags]

Commands:
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
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return doctor.ExitUsage
	}
	switch args[0] {
	case "doctor":
		return doctor.Run(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "kiosk: unknown command %q\n\n%s", args[0], usage)
	return doctor.ExitUsage
}
