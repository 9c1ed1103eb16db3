package labtest

import (
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/onestop-station/onestop/lab/broker"
)

// Site is the site the helpers' users and agents belong to.
const Site = "test"

// Embedded is an embedded broker started for a test, with one lab user.
type Embedded struct {
	Broker  *broker.Broker
	URL     string
	LabUser string
	LabPass string
	t       testing.TB
}

// StartEmbeddedBroker starts the embedded broker on a free loopback port with a lab user; it is
// closed at the end of the test. edit, if given, changes the options first (a TLS listener, a
// login limit, more users).
func StartEmbeddedBroker(t testing.TB, edit ...func(*broker.Opts)) *Embedded {
	t.Helper()
	lab, err := broker.NewUser("lab", broker.RoleLab, "", "lab-secret")
	if err != nil {
		t.Fatal(err)
	}
	opts := broker.Opts{Addr: "127.0.0.1:0", Users: []broker.User{lab}, Logger: Logger(t)}
	for _, e := range edit {
		e(&opts)
	}
	b, err := broker.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &Embedded{Broker: b, URL: b.URL(), LabUser: "lab", LabPass: "lab-secret", t: t}
}

// AddAgent adds an agent account bound to Site, as the lab station binds its agents.
func (e *Embedded) AddAgent(name, pass string) {
	e.t.Helper()
	u, err := broker.NewUser(name, broker.RoleAgent, Site, pass)
	if err == nil {
		err = e.Broker.AddUser(u)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// StartEmbedded is StartEmbeddedBroker in the shape most tests want.
func StartEmbedded(t testing.TB) (url, labUser, labPass string, addAgent func(name, pass string)) {
	t.Helper()
	e := StartEmbeddedBroker(t)
	return e.URL, e.LabUser, e.LabPass, e.AddAgent
}

// FreeAddr returns a loopback address with a port nobody listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Logger logs warnings and errors to the test log (and stays quiet after the test ends), or
// everything with LABTEST_VERBOSE=1.
func Logger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("LABTEST_VERBOSE") != "" {
		level = slog.LevelDebug
	}
	w := &tWriter{t: t}
	// Cleanup runs before the test is marked done: after it, lines go nowhere instead of racing
	// with the testing package (t.Log after the end is a data race, not just a panic).
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type tWriter struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *tWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}
