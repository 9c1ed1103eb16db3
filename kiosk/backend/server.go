package backend

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// ServerOpts configures the HTTP API.
type ServerOpts struct {
	// Tokens maps a terminal's bearer token to the terminal's name. A terminal's name from
	// its token replaces the terminal named in request bodies.
	Tokens map[string]string
	// StaffToken authorises staff operations (advance); empty disables them.
	StaffToken string
	// Location is the time zone of the public progress page; nil means time.Local.
	Location *time.Location
	// Logger receives one line per request (never a body); nil means slog.Default().
	Logger *slog.Logger
}

// maxBody bounds request bodies: an application is a few KiB.
const maxBody = 64 << 10

// Error codes of the JSON error body.
const (
	CodeNotFound     = "not_found"
	CodeInvalid      = "invalid"
	CodeUnauthorized = "unauthorized"
	CodeInternal     = "internal"
)

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

type server struct {
	st     *Store
	tokens []token // terminals
	staff  []token
	loc    *time.Location
	log    *slog.Logger
}

// token is a bearer token kept as its SHA-256, so comparisons take the same time whatever
// the length and content of the presented token.
type token struct {
	sum  [sha256.Size]byte
	name string
}

func hashTokens(m map[string]string) []token {
	var out []token
	for t, name := range m {
		if t != "" {
			out = append(out, token{sum: sha256.Sum256([]byte(t)), name: name})
		}
	}
	return out
}

// NewServer returns the HTTP JSON API of docs/kiosk-backend-api.md over st.
func NewServer(st *Store, opts ServerOpts) http.Handler {
	s := &server{st: st, tokens: hashTokens(opts.Tokens), loc: opts.Location, log: opts.Logger}
	if opts.StaffToken != "" {
		s.staff = hashTokens(map[string]string{opts.StaffToken: "staff"})
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", s.health)
	mux.Handle("POST /v1/licences/query", s.terminal(s.licences))
	mux.Handle("POST /v1/applications", s.terminal(s.submit))
	mux.Handle("GET /v1/applications/{tracking}", s.terminal(s.progress))
	mux.Handle("POST /v1/applications/{tracking}/advance", s.staffOnly(s.advance))
	mux.Handle("POST /v1/tickets", s.terminal(s.ticket))
	mux.Handle("POST /v1/helpers", s.terminal(s.helper))
	mux.Handle("POST /v1/ratings", s.terminal(s.rate))
	mux.Handle("GET /v1/popular", s.terminal(s.popular))
	mux.Handle("POST /v1/identity/resolve", s.terminal(s.resolveCode))
	mux.HandleFunc("GET /progress/{tracking}", s.progressPage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, CodeNotFound, "no such endpoint")
	})
	return s.logged(mux)
}

// terminalKey is the request context key of the authenticated terminal's name.
type terminalKey struct{}

// authHandler is a handler that knows who called.
type authHandler func(w http.ResponseWriter, r *http.Request, who string)

func (s *server) terminal(h authHandler) http.Handler  { return s.auth(s.tokens, h) }
func (s *server) staffOnly(h authHandler) http.Handler { return s.auth(s.staff, h) }

func (s *server) auth(allowed []token, h authHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := match(allowed, r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="onestop-kiosk"`)
			writeError(w, http.StatusUnauthorized, CodeUnauthorized, "missing or wrong bearer token")
			return
		}
		if lw, ok := w.(*statusWriter); ok {
			lw.who = who
		}
		h(w, r, who)
	})
}

// match compares the presented token with every allowed one in constant time, without
// stopping at the first match.
func match(allowed []token, header string) (string, bool) {
	presented, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || presented == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(presented))
	who, found := "", 0
	for _, t := range allowed {
		eq := subtle.ConstantTimeCompare(sum[:], t.sum[:])
		if eq == 1 {
			who = t.name
		}
		found |= eq
	}
	return who, found == 1
}

// errBody marks a request body that fails to decode.
var errBody = errors.New("bad request body")

// decodeBody decodes exactly one JSON value, in at most maxBody bytes, into v, refusing
// unknown fields.
func decodeBody(body io.Reader, v any) error {
	lr := &io.LimitedReader{R: body, N: maxBody + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err = dec.Token(); errors.Is(err, io.EOF) {
			err = nil
		} else if err == nil {
			err = errors.New("more than one JSON value")
		}
	}
	if lr.N <= 0 { // the body did not end within maxBody bytes
		return fmt.Errorf("%w: larger than %d bytes", errBody, maxBody)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", errBody, err)
	}
	return nil
}

func (s *server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeBody(http.MaxBytesReader(w, r.Body, maxBody+1), v); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalid, err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, ErrorBody{Error: msg, Code: code})
}

// fail answers err with the status its sentinel calls for. Internal errors are logged and
// answered without detail.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, CodeNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusBadRequest, CodeInvalid, err.Error())
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, CodeInternal, "internal error")
	}
}

// statusWriter remembers the status and the caller for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	who    string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logged writes one line per request: method, path (tracking numbers are not personal),
// status, caller and duration. Bodies and queries are never logged.
func (s *server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.log.Info("http", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"terminal", sw.who, "ms", time.Since(start).Milliseconds())
	})
}
