// Command firmware-sim runs device twins: simulated devices that speak their
// real wire protocol on a pseudo-terminal, for development, demos and tests
// without hardware.
//
//	go run ./firmware-sim rig [flags]
//	go run ./firmware-sim help [twin]
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// twin is one subcommand. Add new twins (idreader, printer, scanner) to
// twins below, each in its own file here and package under sim/.
type twin struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var twins = map[string]twin{
	"rig": {"ride-on car electrical safety rig, Modbus RTU (docs/rig-modbus.md)", runRig},
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 {
			if t, ok := twins[rest[0]]; ok {
				return t.run([]string{"--help"}, stdout, stderr)
			}
		}
		usage(stdout)
		return 0
	}
	t, ok := twins[name]
	if !ok {
		fmt.Fprintf(stderr, "firmware-sim: unknown twin %q\n\n", name)
		usage(stderr)
		return 2
	}
	return t.run(rest, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: firmware-sim TWIN [flags]      (firmware-sim TWIN --help for its flags)")
	fmt.Fprintln(w, "\ntwins:")
	names := make([]string, 0, len(twins))
	for n := range twins {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, twins[n].summary)
	}
	fmt.Fprintln(w, "\nEach twin prints its control URL (\"TWIN: control http://ADDR\"): open it in a browser for")
	fmt.Fprintln(w, "a page with the twin's state and controls, or call its JSON API (firmware-sim TWIN --help).")
}
