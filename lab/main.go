// Command lab is the lab station: an embedded MQTT broker (or an external one), ingest of the
// agents' readings into SQLite exactly once, acknowledgements, and the list of agents.
//
//	lab [serve] [--config lab.toml]   run the station (default)
//	lab agents [--url URL] [--json]   list agents of a running station
//	lab demo [--json]                 the whole pipeline on this machine, checked end to end
//	lab verify [--data DIR] REPORT.pdf  check a report's signature and its record
//	lab hash-password < pw            a password_hash for lab.toml
package main

import (
	"bufio"
	"strings"

	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/onestop-station/onestop/internal/passhash"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: lab [command] [flags]

Commands:
  serve    run the lab station (the default): broker, ingest, HTTP API
  agents   list the agents a running station knows, with online state and counts
  demo     start broker, rig twin, agent and lab on this machine, run a short test sequence,
           and check that every reading the twin served was stored exactly once
  verify   check a signed report: genuine, or altered / unsigned / another key / superseded (exit 1)
  hash-password   read a password on stdin, print its hash for password_hash in lab.toml

Run "lab COMMAND --help" for the flags of a command.

Exit status: 0 success; 1 failure (for demo: produced != stored, or an error); 2 bad usage.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stderr)
	case "agents":
		err = agents(ctx, args, stdout, stderr)
	case "demo":
		return demoCmd(ctx, args, stdout, stderr)
	case "verify":
		err = verify(args, stdout, stderr)
	case "hash-password":
		err = hashPassword(os.Stdin, stdout)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "lab: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "lab:", err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "lab:", err)
		return 1
	}
	return 0
}

type usageError struct{ error }

// hashPassword prints the hash of the first line of r, for password_hash in the configuration.
func hashPassword(r io.Reader, w io.Writer) error {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return usageError{errors.New("hash-password: give the password on stdin")}
	}
	h, err := passhash.Hash(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, h)
	return nil
}
