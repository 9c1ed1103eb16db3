// Package doctor is `kiosk doctor`: one command per device for a technician at a terminal,
// each ending with a one-line verdict and an exit status a script can act on. Personal data
// read from an ID card is masked unless --unmask is given, and never logged.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit statuses, the same for every device.
const (
	ExitOK       = 0 // the device works
	ExitFailed   = 1 // anything else went wrong
	ExitUsage    = 2 // bad flags or arguments
	ExitNothing  = 3 // the device works but nothing came: no card put down, no code scanned in time
	ExitNoAnswer = 4 // no answer on the port, or not the expected protocol
	ExitDevice   = 5 // the device answered with an error: SAM failure, paper out, cover open, read failure
	ExitNoPort   = 6 // the port cannot be opened: missing, busy, no permission
)

const usage = `usage: kiosk doctor DEVICE [flags]

Devices:
  ports     list serial ports with USB vendor/product ids and serial numbers
  idcard    wait for an ID card on the reader and print its fields (masked unless --unmask)
  printer   report paper and cover status; --test-page prints a receipt with Chinese text and a QR code
  scanner   print codes as they are scanned

Run "kiosk doctor DEVICE --help" for its flags.

Exit status:
  0  the device works
  1  other failure
  2  bad usage
  3  nothing came in time (no card put down, no code scanned)
  4  no answer from the device, or it does not speak the expected protocol
  5  the device reported an error (SAM failure, paper out, cover open, card read failure)
  6  the port cannot be opened (missing, busy, no permission)
`

type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error

var commands = map[string]command{
	"ports":   ports,
	"scanner": scannerCmd,
	"idcard":  idcardCmd,
	"printer": printerCmd,
}

// Run runs one doctor command and returns the exit status.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kiosk doctor: unknown device %q\n\n%s", args[0], usage)
		return ExitUsage
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiosk doctor %s: %v\n", args[0], err)
	}
	return exitCode(err)
}

// failure carries the exit status chosen where the error is best understood.
type failure struct {
	code int
	err  error
}

func (f failure) Error() string { return f.err.Error() }
func (f failure) Unwrap() error { return f.err }

func fail(code int, format string, a ...any) error {
	return failure{code, fmt.Errorf(format, a...)}
}

func exitCode(err error) int {
	var f failure
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &f):
		return f.code
	}
	return ExitFailed
}

func newFlags(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kiosk doctor %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nExit status: 0 works, 2 usage, 3 nothing in time, 4 no answer / wrong protocol,\n5 device error, 6 port cannot be opened, 1 other.\n")
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return failure{ExitUsage, err}
	}
	if fs.NArg() > 0 {
		return fail(ExitUsage, "unexpected arguments %q", fs.Args())
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
