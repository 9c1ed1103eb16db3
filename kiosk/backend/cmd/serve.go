// Package backendcmd is `kiosk backend serve`: one center's backend (the Store behind the
// HTTP JSON API of docs/kiosk-backend-api.md) that every terminal of the center shares.
package backendcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/seal"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the server could not start or failed
	ExitUsage = 2 // bad flags
)

// KeyEnv is the environment variable holding the sealing key as 64 hex characters.
const KeyEnv = "ONESTOP_KIOSK_KEY"

// DemoToken is the terminal token used when none is given; only on a loopback address.
const DemoToken = "kiosk-demo-token"

const usage = `usage: kiosk backend serve [flags]

Serves one center's kiosk backend: e-licences, applications and their progress, the window
queue, helper calls and ratings, as the HTTP JSON API of docs/kiosk-backend-api.md, plus the
public progress page (GET /progress/{tracking}) that receipts' QR codes open.

Personal data (names, ID numbers, form fields, licence contents) is stored encrypted with
AES-256-GCM; ID numbers are looked up by keyed hash. The key is 32 bytes from --key-file or
$ONESTOP_KIOSK_KEY. Keep it apart from the database: without it the data is lost, with it
the data can be read.

Flags:
  --listen ADDR          address to serve on (default 127.0.0.1:8090)
  --db PATH              SQLite database file, created when missing (default ./kiosk-backend.db)
  --key-file PATH        file holding the key: 64 hex characters or 32 raw bytes. Without it
                         the key comes from $ONESTOP_KIOSK_KEY (64 hex characters)
  --gen-key PATH         write a new random key to PATH (mode 0600, never overwrites) and exit
  --token TERMINAL=TOKEN a terminal's name and its bearer token; repeat for each terminal.
                         Without any, terminal T01 gets the demo token "kiosk-demo-token",
                         allowed on a loopback --listen address only
  --staff-token TOKEN    bearer token for staff operations (advancing an application); none
                         disables them
  --public-url URL       base of the progress URLs printed on receipts, as phones reach this
                         server (default http://LISTEN)
  --seed-demo            load the synthetic demo e-licences of the simulator's test cards and
                         print a resident code (居民码, valid 24 h) for each card's person
  --retention DURATION   erase the personal data of applications finished this long ago;
                         checked hourly. Days ("180d") or a Go duration ("4320h"). Default 180d
  --help                 this text
`

type tokenFlags map[string]string // token → terminal

func (t tokenFlags) String() string { return fmt.Sprintf("%d tokens", len(t)) }

func (t tokenFlags) Set(v string) error {
	name, tok, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(name) == "" || tok == "" {
		return errors.New("want TERMINAL=TOKEN")
	}
	if _, dup := t[tok]; dup {
		return errors.New("the same token is given to two terminals")
	}
	t[tok] = strings.TrimSpace(name)
	return nil
}

type daysFlag struct{ d *time.Duration }

func (f daysFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f daysFlag) Set(v string) error {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return errors.New("want a whole number of days, e.g. 180d")
		}
		*f.d = time.Duration(days) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return errors.New("want days (180d) or a duration (4320h)")
	}
	*f.d = d
	return nil
}

type config struct {
	listen, db, keyFile, genKey, staff, publicURL string
	tokens                                        tokenFlags
	seedDemo                                      bool
	retention                                     time.Duration
}

func parse(args []string) (config, error) {
	c := config{tokens: tokenFlags{}, retention: 180 * 24 * time.Hour}
	fs := flag.NewFlagSet("kiosk backend serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8090", "")
	fs.StringVar(&c.db, "db", "./kiosk-backend.db", "")
	fs.StringVar(&c.keyFile, "key-file", "", "")
	fs.StringVar(&c.genKey, "gen-key", "", "")
	fs.Var(c.tokens, "token", "")
	fs.StringVar(&c.staff, "staff-token", "", "")
	fs.StringVar(&c.publicURL, "public-url", "", "")
	fs.BoolVar(&c.seedDemo, "seed-demo", false, "")
	fs.Var(daysFlag{&c.retention}, "retention", "")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, isTerminal := c.tokens[c.staff]; c.staff != "" && isTerminal {
		return c, errors.New("--staff-token must differ from every terminal token")
	}
	if c.publicURL == "" {
		c.publicURL = "http://" + c.listen
	}
	return c, nil
}

// loopback reports whether a listen address accepts local connections only.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Serve runs `kiosk backend serve` until ctx ends and returns the exit code.
func Serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiosk backend serve: %v\n\n%s", err, usage)
		return ExitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if c.genKey != "" {
		if err := seal.GenerateKeyFile(c.genKey); err != nil {
			fmt.Fprintf(stderr, "kiosk backend serve: %v\n", err)
			return ExitError
		}
		fmt.Fprintf(stdout, "key written to %s; start with --key-file %s\n", c.genKey, c.genKey)
		return ExitOK
	}
	if len(c.tokens) == 0 {
		if !loopback(c.listen) {
			fmt.Fprintf(stderr, "kiosk backend serve: --listen %s is not a loopback address: give each terminal its own --token TERMINAL=TOKEN (the demo token is for loopback only)\n", c.listen)
			return ExitUsage
		}
		c.tokens[DemoToken] = "T01"
		log.Warn("no --token given: terminal T01 uses the demo token; give real tokens before any real use", "token", DemoToken)
	}
	key, err := seal.LoadKey(c.keyFile, KeyEnv)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk backend serve: %v (create one with --gen-key FILE)\n", err)
		return ExitError
	}
	sealer, err := seal.New(key)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk backend serve: %v\n", err)
		return ExitError
	}
	if err := run(ctx, c, sealer, log, stdout); err != nil {
		log.Error("kiosk backend stopped", "err", err)
		return ExitError
	}
	return ExitOK
}

func run(ctx context.Context, c config, sealer *seal.Sealer, log *slog.Logger, stdout io.Writer) error {
	st, err := backend.OpenStore(c.db, sealer, backend.StoreOpts{PublicURL: c.publicURL, Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	if c.seedDemo {
		if err := st.SeedLicences(ctx, backend.DemoSeed); err != nil {
			return err
		}
		if err := printDemoCodes(ctx, st, stdout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           backend.NewServer(st, backend.ServerOpts{Tokens: c.tokens, StaffToken: c.staff, Logger: log}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	purged := make(chan struct{})
	go func() { defer close(purged); purgeLoop(ctx, st, c.retention, log) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "kiosk backend: listening on http://%s (%d terminal tokens, db %s)\n", ln.Addr(), len(c.tokens), c.db)
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	cancel()
	shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer shutCancel()
	if serr := srv.Shutdown(shutCtx); serr != nil && err == nil {
		err = serr
	}
	<-purged
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// demoCodeTTL is how long the demo resident codes stay valid: a day of demonstrations.
const demoCodeTTL = 24 * time.Hour

// printDemoCodes prints a resident code for each demo person, named by the simulator's card
// file only: the codes carry the name and ID number sealed, the output neither in clear.
func printDemoCodes(ctx context.Context, st *backend.Store, stdout io.Writer) error {
	for _, p := range backend.DemoResidents {
		code, err := st.IssueResidentCode(ctx, p.Name, p.IDNumber, demoCodeTTL)
		if err != nil {
			return fmt.Errorf("demo resident code %s: %w", p.Card, err)
		}
		fmt.Fprintf(stdout, "demo resident code %s: %s\n", p.Card, code)
	}
	return nil
}

// purgeLoop erases personal data past the retention period now and every hour.
func purgeLoop(ctx context.Context, st *backend.Store, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := st.Purge(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
			log.Error("retention purge failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
