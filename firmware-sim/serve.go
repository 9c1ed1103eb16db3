package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// console is what every twin's command shares: the stdout lines a script
// reads (the port, then the control API), logs on stderr, and the control
// API served while the twin runs. Each twin's file keeps its own flags and
// builds its twin with Logger and OnPath from here.
type console struct {
	name   string       // the twin, as stdout lines start
	link   string       // as printed: "none" without --link
	ln     net.Listener // nil with --control off
	out    io.Writer    // stdout; safe for the twin, HTTP and stdin goroutines at once
	logger *slog.Logger // to stderr
	once   sync.Once
}

// newConsole opens the control listener unless control is "off". Call close
// if the twin then cannot be made; run closes it otherwise.
func newConsole(name, control, link string, stdout, stderr io.Writer) (*console, error) {
	c := &console{name: name, link: link, out: &lineWriter{w: stdout}, logger: slog.New(slog.NewTextHandler(stderr, nil))}
	if c.link == "" {
		c.link = "none"
	}
	if control != "off" {
		ln, err := net.Listen("tcp", control)
		if err != nil {
			return nil, fmt.Errorf("control listener: %w", err)
		}
		c.ln = ln
	}
	return c, nil
}

// onPath is the twin's OnPath. Every new port gets a "serving on" line (a
// hang-up brings another), and the first is followed by the control line,
// so a script can read both before talking to the twin. A port going away
// ("") prints nothing.
func (c *console) onPath(path string) {
	if path == "" {
		return
	}
	fmt.Fprintf(c.out, "%s: serving on %s (link %s)\n", c.name, path, c.link)
	c.once.Do(func() {
		if c.ln != nil {
			fmt.Fprintf(c.out, "%s: control http://%s\n", c.name, c.ln.Addr())
		}
	})
}

// run serves api on the control listener while twin runs; both stop together.
func (c *console) run(ctx context.Context, api http.Handler, twin func(context.Context) error) error {
	defer c.close()
	if c.ln != nil {
		srv := &http.Server{Handler: api, ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(c.ln)
		defer srv.Close()
	}
	return twin(ctx)
}

func (c *console) close() {
	if c.ln != nil {
		c.ln.Close()
	}
}

// runUntilSignal runs serve until it returns or Ctrl-C / SIGTERM stops it,
// and turns a failure into exit status 1.
func runUntilSignal(name string, stderr io.Writer, serve func(context.Context) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx); err != nil {
		fmt.Fprintf(stderr, "firmware-sim %s: %v\n", name, err)
		return 1
	}
	return 0
}

// lineWriter serialises writes, so a script reading stdout never sees two
// lines mixed when the twin, the HTTP server and a stdin reader all print.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// twinFlags is a twin's flag set with what every twin's command line
// shares: --control, the help text around the flag list, and help going to
// stdout (asked for) but usage errors to stderr.
type twinFlags struct {
	*flag.FlagSet
	msg strings.Builder
}

func newTwinFlags(name, help, controlHelp string, control *string) *twinFlags {
	f := &twinFlags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.SetOutput(&f.msg)
	f.StringVar(control, "control", "127.0.0.1:0", `HTTP control API (and its page for a browser, at /) listen address, port 0 = any free port; "off" disables it`)
	f.Usage = func() {
		fmt.Fprint(&f.msg, help)
		f.PrintDefaults()
		fmt.Fprint(&f.msg, controlHelp)
	}
	return f
}

// parse reports ok=false with the exit code when the program should stop:
// 0 after --help, 2 after a usage error.
func (f *twinFlags) parse(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, f.msg.String())
			return 0, false
		}
		fmt.Fprint(stderr, f.msg.String())
		return 2, false
	}
	return 0, true
}
