package console

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/onestop-station/onestop/internal/passhash"
)

// Roles of console users. Both read everything; the console refuses the other role's actions
// before the Service sees them.
const (
	RoleOperator = "operator" // registers jobs, runs them, enters manual results, submits
	RoleReviewer = "reviewer" // releases, invalidates and reissues
)

// Defaults of Opts.
const (
	DefaultSessionIdle = 8 * time.Hour
	DefaultHeartbeat   = 15 * time.Second
)

// ErrUser marks a console account New refuses.
var ErrUser = errors.New("console: bad user")

// User is one console account.
type User struct {
	Name string `toml:"name" json:"name"`
	Role string `toml:"role" json:"role"` // RoleOperator or RoleReviewer
	// Hash is a passhash hash (lab broker's HashPassword makes the same); plain passwords are
	// never stored.
	Hash string `toml:"password_hash" json:"-"`
}

// Opts configures the console.
type Opts struct {
	Service Service
	Users   []User
	Logger  *slog.Logger // nil: slog.Default()
	// Secure marks the session cookie Secure; set it when the console is served over TLS.
	Secure bool
	Now    func() time.Time // nil: time.Now; sessions and the login limit use it
	// SessionIdle ends a session that made no request for so long; 0: DefaultSessionIdle.
	SessionIdle time.Duration
	// Heartbeat is the interval of the comment lines that keep event streams open through
	// proxies; 0: DefaultHeartbeat.
	Heartbeat time.Duration
}

//go:embed static
var staticFiles embed.FS

type console struct {
	svc       Service
	users     map[string]User
	log       *slog.Logger
	secure    bool
	now       func() time.Time
	heartbeat time.Duration
	sessions  *sessions
	limit     *limiter
	index     []byte
	static    fs.FS
}

// New returns the console's handler: the page, its static files, the JSON API, the event
// streams and the public verification page (docs/lab-api.md). Mount it at the root; the
// station's own routes (GET /api/agents, GET /healthz) are more specific and win.
func New(o Opts) (http.Handler, error) {
	if o.Service == nil {
		return nil, errors.New("console: no Service")
	}
	users := make(map[string]User, len(o.Users))
	for _, u := range o.Users {
		if err := u.validate(); err != nil {
			return nil, err
		}
		if _, dup := users[u.Name]; dup {
			return nil, fmt.Errorf("%w: %q defined twice", ErrUser, u.Name)
		}
		users[u.Name] = u
	}
	c := &console{
		svc: o.Service, users: users, log: o.Logger, secure: o.Secure, now: o.Now,
		heartbeat: o.Heartbeat,
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.heartbeat <= 0 {
		c.heartbeat = DefaultHeartbeat
	}
	idle := o.SessionIdle
	if idle <= 0 {
		idle = DefaultSessionIdle
	}
	c.sessions = newSessions(idle, c.now)
	c.limit = newLimiter(loginFailures, loginWindow)
	var err error
	if c.index, err = staticFiles.ReadFile("static/index.html"); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if c.static, err = fs.Sub(staticFiles, "static"); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if len(users) == 0 {
		c.log.Warn("console: no users; only the verification page is of use")
	}
	return securityHeaders(c.routes()), nil
}

func (u User) validate() error {
	switch {
	case strings.TrimSpace(u.Name) == "" || len(u.Name) > 64 || strings.ContainsFunc(u.Name, isControl):
		return fmt.Errorf("%w: name %q", ErrUser, u.Name)
	case u.Role != RoleOperator && u.Role != RoleReviewer:
		return fmt.Errorf("%w: %s: role %q (want %s or %s)", ErrUser, u.Name, u.Role, RoleOperator, RoleReviewer)
	}
	if err := passhash.Validate(u.Hash); err != nil {
		return fmt.Errorf("%w: %s: password_hash: %v", ErrUser, u.Name, err)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func (c *console) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.page)
	mux.Handle("GET /static/", staticHandler(c.static))

	mux.HandleFunc("POST /api/login", c.login)
	mux.Handle("POST /api/logout", c.auth("", c.logout))
	mux.Handle("GET /api/me", c.auth("", c.me))

	mux.Handle("GET /api/plans", c.auth("", c.plans))
	mux.Handle("GET /api/jobs", c.auth("", c.jobs))
	mux.Handle("POST /api/jobs", c.auth(RoleOperator, c.createJob))
	mux.Handle("GET /api/jobs/{id}", c.auth("", c.job))
	mux.Handle("POST /api/jobs/{id}/start", c.auth(RoleOperator, c.start))
	mux.Handle("POST /api/jobs/{id}/manual", c.auth(RoleOperator, c.manual))
	mux.Handle("POST /api/jobs/{id}/submit", c.auth(RoleOperator, c.submit))
	mux.Handle("POST /api/jobs/{id}/release", c.auth(RoleReviewer, c.release))
	mux.Handle("POST /api/jobs/{id}/invalidate", c.auth(RoleReviewer, c.invalidate))
	mux.Handle("POST /api/jobs/{id}/reissue", c.auth(RoleReviewer, c.reissue))
	mux.Handle("GET /api/reports/{no}/pdf", c.auth("", c.reportPDF))

	mux.Handle("GET /api/jobs/{id}/events", c.auth("", c.jobEvents))
	mux.Handle("GET /api/events", c.auth("", c.allEvents))

	mux.HandleFunc("GET /verify/{no}", c.verifyPage)
	mux.HandleFunc("POST /verify/{no}", c.verifyUpload)
	mux.HandleFunc("GET /api/verify/{no}", c.verifyJSON)
	return mux
}

// securityHeaders sets what every answer carries: scripts and styles from this origin only
// (the page has no inline script), no MIME sniffing, no referrer (verify URLs carry the
// report hash), no framing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func (c *console) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(c.index)
}

// staticHandler serves the embedded CSS and JavaScript; no directory listings.
func staticHandler(sub fs.FS) http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		// Revalidate each time so a new station binary's page is picked up at once.
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
