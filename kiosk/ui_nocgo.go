//go:build !cgo

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/onestop-station/onestop/kiosk/doctor"
)

const noUI = "kiosk: this binary was built without cgo, so it has no touch UI (Fyne needs cgo and the X11/GL headers in README); doctor and backend work\n"

func runUI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprint(stderr, noUI)
	return doctor.ExitUsage
}

func runTour(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runUI(ctx, args, stdout, stderr)
}
