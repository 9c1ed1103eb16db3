package console_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/onestop-station/onestop/internal/syncbuf"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/internal/passhash"
	"github.com/onestop-station/onestop/lab/console"
)

// Test accounts: ana runs jobs, rui and rosa review them.
var users = sync.OnceValue(func() []console.User {
	hash := func(pw string) string {
		h, err := passhash.Hash(pw)
		if err != nil {
			panic(err)
		}
		return h
	}
	return []console.User{
		{Name: "ana", Role: console.RoleOperator, Hash: hash("ana-pw")},
		{Name: "rui", Role: console.RoleReviewer, Hash: hash("rui-pw")},
		{Name: "rosa", Role: console.RoleReviewer, Hash: hash("rosa-pw")},
	}
})

var passwords = map[string]string{"ana": "ana-pw", "rui": "rui-pw", "rosa": "rosa-pw"}

type env struct {
	t    testing.TB
	fake *fakeService
	h    http.Handler
	logs *syncbuf.Buffer

	mu  sync.Mutex
	now time.Time
}

func newEnv(t testing.TB, edit ...func(*console.Opts)) *env {
	t.Helper()
	e := &env{t: t, fake: newFake(), logs: &syncbuf.Buffer{}, now: now0}
	o := console.Opts{
		Service: e.fake,
		Users:   users(),
		Logger:  slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:     e.clock,
	}
	for _, f := range edit {
		f(&o)
	}
	h, err := console.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// client is a logged-in browser: its cookie and CSRF token.
type client struct {
	cookie *http.Cookie
	csrf   string
}

type req struct {
	method, path string
	body         any // JSON-encoded unless []byte or string
	ctype        string
	addr         string
	noCSRF       bool
	csrf         string
}

func (e *env) do(c *client, r req) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.doT(e.t, c, r)
}

// doT is do reporting to t (inside a fuzz function, the env's F must not be used).
func (e *env) doT(t testing.TB, c *client, r req) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	ctype := r.ctype
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
		if ctype == "" {
			ctype = "application/json"
		}
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if r.addr != "" {
		hr.RemoteAddr = r.addr
	}
	if c != nil {
		hr.AddCookie(c.cookie)
		if !r.noCSRF {
			hr.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	if r.csrf != "" {
		hr.Header.Set("X-CSRF-Token", r.csrf)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	return w
}

func (e *env) login(name string) *client {
	e.t.Helper()
	w := e.do(nil, req{method: "POST", path: "/api/login", body: map[string]string{"name": name, "password": passwords[name]}, addr: "198.51.100.7:4000"})
	if w.Code != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", name, w.Code, w.Body)
	}
	var me console.Me
	decode(e.t, w, &me)
	for _, ck := range w.Result().Cookies() {
		if ck.Name == console.CookieName {
			return &client{cookie: ck, csrf: me.CSRF}
		}
	}
	e.t.Fatal("login: no session cookie")
	return nil
}

func decode(t testing.TB, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, body %s", ct, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
}

func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, code string) console.APIError {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	var e console.APIError
	decode(t, w, &e)
	if e.Code != code || e.Error == "" {
		t.Fatalf("error %+v, want code %q", e, code)
	}
	return e
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestNewRefuses(t *testing.T) {
	u := users()
	good := u[0]
	for name, o := range map[string]console.Opts{
		"no service":   {Users: u},
		"empty name":   {Service: newFake(), Users: []console.User{{Name: " ", Role: "operator", Hash: good.Hash}}},
		"duplicate":    {Service: newFake(), Users: []console.User{good, good}},
		"unknown role": {Service: newFake(), Users: []console.User{{Name: "x", Role: "admin", Hash: good.Hash}}},
		"plain text":   {Service: newFake(), Users: []console.User{{Name: "x", Role: "operator", Hash: "ana-pw"}}},
		"weak hash":    {Service: newFake(), Users: []console.User{{Name: "x", Role: "operator", Hash: "pbkdf2-sha256$1$AA$AA"}}},
		"control char": {Service: newFake(), Users: []console.User{{Name: "a\nb", Role: "operator", Hash: good.Hash}}},
	} {
		if _, err := console.New(o); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name != "no service" && !errors.Is(err, console.ErrUser) {
			t.Errorf("%s: %v is not ErrUser", name, err)
		}
	}
}

func TestLogin(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, func(o *console.Opts) { o.Secure = secure })
		w := e.do(nil, req{method: "POST", path: "/api/login", body: map[string]string{"name": "ana", "password": "ana-pw"}})
		if w.Code != http.StatusOK {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		var me console.Me
		decode(t, w, &me)
		if me.Name != "ana" || me.Role != "operator" || !hex64.MatchString(me.CSRF) {
			t.Errorf("login answer %+v", me)
		}
		cks := w.Result().Cookies()
		if len(cks) != 1 {
			t.Fatalf("cookies %v", cks)
		}
		ck := cks[0]
		if ck.Name != "onestop_session" || !hex64.MatchString(ck.Value) || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure != secure {
			t.Errorf("cookie %+v", ck)
		}
		if ck.Value == me.CSRF {
			t.Error("CSRF token is the session token")
		}
		c := &client{cookie: ck, csrf: me.CSRF}
		w = e.do(c, req{method: "GET", path: "/api/me"})
		var me2 console.Me
		decode(t, w, &me2)
		if me2 != me {
			t.Errorf("/api/me %+v, login %+v", me2, me)
		}
	}
}

func TestLoginRefused(t *testing.T) {
	e := newEnv(t)
	login := func(name, pw, addr string) (*httptest.ResponseRecorder, time.Duration) {
		start := time.Now()
		w := e.do(nil, req{method: "POST", path: "/api/login", body: map[string]string{"name": name, "password": pw}, addr: addr})
		return w, time.Since(start)
	}
	wrong, _ := login("ana", "nope", "192.0.2.1:1")
	unknown, _ := login("nobody", "ana-pw", "192.0.2.2:1")
	for _, w := range []*httptest.ResponseRecorder{wrong, unknown} {
		wantError(t, w, http.StatusUnauthorized, "unauthorized")
		if len(w.Result().Cookies()) != 0 {
			t.Error("refused login set a cookie")
		}
	}
	if wrong.Body.String() != unknown.Body.String() {
		t.Errorf("answers differ: %s / %s", wrong.Body, unknown.Body)
	}
	// An unknown name costs a hash check like a wrong password (without it, it would be
	// a thousand times faster). Compare the fastest of a few tries of each.
	fastest := func(name, pw string) time.Duration {
		best := time.Hour
		for i := range 3 {
			_, d := login(name, pw, "192.0.2."+string(rune('3'+i))+":1")
			best = min(best, d)
		}
		return best
	}
	dw, du := fastest("ana", "nope"), fastest("nobody", "nope")
	if du < dw/10 {
		t.Errorf("unknown user answered in %v, wrong password in %v", du, dw)
	}
	if strings.Contains(e.logs.String(), "nope") {
		t.Error("a password reached the log")
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	try := func(pw, addr string) *httptest.ResponseRecorder {
		return e.do(nil, req{method: "POST", path: "/api/login", body: map[string]string{"name": "ana", "password": pw}, addr: addr})
	}
	for i := range 5 {
		if w := try("wrong", "203.0.113.9:5000"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, w.Code)
		}
		e.advance(time.Second)
	}
	w := try("ana-pw", "203.0.113.9:5001") // even the right password, from the same address
	wantError(t, w, http.StatusTooManyRequests, "rate_limited")
	if ra := w.Header().Get("Retry-After"); ra != "55" {
		t.Errorf("Retry-After %q, want 55", ra)
	}
	if w := try("ana-pw", "203.0.113.10:5000"); w.Code != http.StatusOK {
		t.Errorf("another address: %d", w.Code)
	}
	e.advance(55 * time.Second) // the first failure leaves the window
	if w := try("ana-pw", "203.0.113.9:5000"); w.Code != http.StatusOK {
		t.Errorf("after the window: %d %s", w.Code, w.Body)
	}

	// An IPv6 client is counted by its /64.
	for i := range 5 {
		try("wrong", "[2001:db8:1:2::"+string(rune('a'+i))+"]:443")
	}
	if w := try("ana-pw", "[2001:db8:1:2:ffff::1]:443"); w.Code != http.StatusTooManyRequests {
		t.Errorf("same /64: %d", w.Code)
	}
	if w := try("ana-pw", "[2001:db8:1:3::1]:443"); w.Code != http.StatusOK {
		t.Errorf("other /64: %d", w.Code)
	}
}

func TestLoginBadRequests(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name   string
		r      req
		status int
	}{
		{"form post", req{body: "name=ana&password=ana-pw", ctype: "application/x-www-form-urlencoded"}, 415},
		{"no type", req{body: `{"name":"ana","password":"ana-pw"}`}, 415},
		{"bad json", req{body: `{"name":`, ctype: "application/json"}, 400},
		{"unknown field", req{body: `{"name":"ana","password":"ana-pw","admin":true}`, ctype: "application/json"}, 400},
		{"two values", req{body: `{"name":"ana","password":"ana-pw"}{}`, ctype: "application/json"}, 400},
		{"too large", req{body: `{"name":"ana","password":"` + strings.Repeat("x", 5000) + `"}`, ctype: "application/json"}, 413},
		{"wrong method", req{method: "GET"}, 405},
	} {
		r := tc.r
		if r.method == "" {
			r.method = "POST"
		}
		r.path = "/api/login"
		if w := e.do(nil, r); w.Code != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, w.Code, tc.status, w.Body)
		}
	}
	// JSON with a charset is JSON.
	if w := e.do(nil, req{method: "POST", path: "/api/login", body: `{"name":"ana","password":"ana-pw"}`, ctype: "application/json; charset=utf-8"}); w.Code != 200 {
		t.Errorf("charset: %d", w.Code)
	}
}

// apiRoutes are every session-only endpoint.
var apiRoutes = []struct{ method, path string }{
	{"POST", "/api/logout"}, {"GET", "/api/me"}, {"GET", "/api/plans"}, {"GET", "/api/jobs"},
	{"POST", "/api/jobs"}, {"GET", "/api/jobs/J1"}, {"POST", "/api/jobs/J1/start"},
	{"POST", "/api/jobs/J1/manual"}, {"POST", "/api/jobs/J1/submit"}, {"POST", "/api/jobs/J1/release"},
	{"POST", "/api/jobs/J1/invalidate"}, {"POST", "/api/jobs/J1/reissue"},
	{"GET", "/api/reports/R-J1/pdf"}, {"GET", "/api/jobs/J1/events"}, {"GET", "/api/events"},
}

func TestNeedsSession(t *testing.T) {
	e := newEnv(t)
	e.fake.addJob("J1", "registered", "ana", "rui")
	bogus := &client{cookie: &http.Cookie{Name: console.CookieName, Value: strings.Repeat("ab", 32)}, csrf: "x"}
	for _, rt := range apiRoutes {
		for _, c := range []*client{nil, bogus} {
			w := e.do(c, req{method: rt.method, path: rt.path, body: map[string]string{}})
			wantError(t, w, http.StatusUnauthorized, "unauthorized")
		}
	}
	if e.fake.subscribers() != 0 || len(e.fake.actions) != 0 {
		t.Error("the service was reached without a session")
	}
}

func TestSessionExpires(t *testing.T) {
	e := newEnv(t, func(o *console.Opts) { o.SessionIdle = time.Hour })
	c := e.login("ana")
	e.advance(59 * time.Minute)
	if w := e.do(c, req{method: "GET", path: "/api/me"}); w.Code != 200 {
		t.Fatalf("within idle time: %d", w.Code)
	}
	e.advance(59 * time.Minute) // idle time counts from the last request
	if w := e.do(c, req{method: "GET", path: "/api/me"}); w.Code != 200 {
		t.Fatalf("used again within idle time: %d", w.Code)
	}
	e.advance(61 * time.Minute)
	wantError(t, e.do(c, req{method: "GET", path: "/api/me"}), 401, "unauthorized")
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	c := e.login("ana")
	wantError(t, e.do(c, req{method: "POST", path: "/api/logout", noCSRF: true}), 403, "csrf")
	w := e.do(c, req{method: "POST", path: "/api/logout"})
	if w.Code != http.StatusNoContent {
		t.Fatalf("logout: %d", w.Code)
	}
	if cks := w.Result().Cookies(); len(cks) != 1 || cks[0].MaxAge >= 0 || cks[0].Value != "" {
		t.Errorf("cookie not cleared: %v", cks)
	}
	wantError(t, e.do(c, req{method: "GET", path: "/api/me"}), 401, "unauthorized")
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.fake.addJob("J1", "registered", "ana", "rui")
	ana := e.login("ana")
	other := e.login("rui")
	for name, r := range map[string]req{
		"missing":         {noCSRF: true},
		"wrong":           {noCSRF: true, csrf: strings.Repeat("0", 64)},
		"another session": {noCSRF: true, csrf: other.csrf},
		"short":           {noCSRF: true, csrf: ana.csrf[:10]},
	} {
		t.Run(name, func(t *testing.T) {
			r.method, r.path = "POST", "/api/jobs/J1/start"
			wantError(t, e.do(ana, r), http.StatusForbidden, "csrf")
		})
	}
	if len(e.fake.actions) != 0 {
		t.Fatalf("the service was reached: %v", e.fake.actions)
	}
	if w := e.do(ana, req{method: "POST", path: "/api/jobs/J1/start"}); w.Code != http.StatusOK {
		t.Fatalf("with the token: %d %s", w.Code, w.Body)
	}
	// Reading needs no token.
	if w := e.do(ana, req{method: "GET", path: "/api/jobs/J1", noCSRF: true}); w.Code != http.StatusOK {
		t.Errorf("GET without token: %d", w.Code)
	}
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	e.fake.addJob("J1", "to be verified", "ana", "rui")
	e.fake.addJob("J2", "registered", "ana", "rui")
	ana, rui, rosa := e.login("ana"), e.login("rui"), e.login("rosa")

	for _, p := range []string{"/api/jobs/J1/release", "/api/jobs/J1/invalidate", "/api/jobs/J1/reissue"} {
		wantError(t, e.do(ana, req{method: "POST", path: p, body: console.ReasonRequest{Reason: "r"}}), 403, "role")
	}
	for _, p := range []string{"/api/jobs/J2/start", "/api/jobs/J2/submit", "/api/jobs"} {
		wantError(t, e.do(rui, req{method: "POST", path: p, body: console.NewJob{}}), 403, "role")
	}
	wantError(t, e.do(rui, req{method: "POST", path: "/api/jobs/J2/manual", body: console.ManualRequest{Item: "x"}}), 403, "role")
	if len(e.fake.actions) != 0 {
		t.Fatalf("refused roles reached the service: %v", e.fake.actions)
	}
	// The service's own refusal: rosa is not J1's reviewer.
	wantError(t, e.do(rosa, req{method: "POST", path: "/api/jobs/J1/release"}), 403, "forbidden")

	w := e.do(rui, req{method: "POST", path: "/api/jobs/J1/release"})
	if w.Code != http.StatusOK {
		t.Fatalf("reviewer release: %d %s", w.Code, w.Body)
	}
	var j console.JobView
	decode(t, w, &j)
	if j.State != "released" || j.Report != "R-J1" {
		t.Errorf("after release: %+v", j.JobSummary)
	}
	// Both roles read everything.
	for _, c := range []*client{ana, rui} {
		for _, p := range []string{"/api/jobs", "/api/jobs/J1", "/api/plans", "/api/reports/R-J1/pdf"} {
			if w := e.do(c, req{method: "GET", path: p}); w.Code != 200 {
				t.Errorf("GET %s: %d", p, w.Code)
			}
		}
	}
}

func TestServiceErrors(t *testing.T) {
	e := newEnv(t)
	f := e.fake
	f.errs["Jnf"] = errors.Join(errors.New("desk: job Jnf"), console.ErrNotFound)
	f.errs["Jinv"] = errors.Join(errors.New("desk: bad id"), console.ErrInvalid)
	f.errs["Jconf"] = errors.Join(errors.New("desk: busy"), console.ErrConflict)
	f.errs["Jforb"] = errors.Join(errors.New("desk: not yours"), console.ErrForbidden)
	f.errs["Jboom"] = errors.New("sqlite: disk I/O error at /var/lib/secret.db")
	c := e.login("ana")
	for id, want := range map[string]struct {
		status int
		code   string
	}{
		"Jnf": {404, "not_found"}, "Jinv": {400, "invalid"}, "Jconf": {409, "conflict"},
		"Jforb": {403, "forbidden"}, "Jboom": {500, "internal"},
		"no-such": {404, "not_found"}, "bad%20id!": {404, "not_found"},
	} {
		ae := wantError(t, e.do(c, req{method: "GET", path: "/api/jobs/" + id}), want.status, want.code)
		if want.status == 500 && strings.Contains(ae.Error, "secret") {
			t.Errorf("500 shows the real error: %s", ae.Error)
		}
		if want.status < 500 && want.code != "not_found" && !strings.Contains(ae.Error, "desk:") {
			t.Errorf("%s: the service's message is lost: %s", id, ae.Error)
		}
	}
	if !strings.Contains(e.logs.String(), "secret.db") {
		t.Error("the real error is not logged")
	}
	// A workflow conflict through an action.
	f.addJob("J9", "released", "ana", "rui")
	wantError(t, e.do(c, req{method: "POST", path: "/api/jobs/J9/start"}), 409, "conflict")
	wantError(t, e.do(c, req{method: "POST", path: "/api/jobs", body: console.NewJob{}}), 400, "invalid")
	wantError(t, e.do(c, req{method: "GET", path: "/api/reports/R-none/pdf"}), 404, "not_found")
	wantError(t, e.do(c, req{method: "GET", path: "/api/reports/a..b%20c/pdf"}), 404, "not_found")
}

func TestJobWorkflow(t *testing.T) {
	e := newEnv(t)
	ana, rui := e.login("ana"), e.login("rui")

	var nj console.NewJob
	nj.Customer.Name = "滕州童车有限公司"
	nj.Product.Type, nj.Product.Model = "electric_ride_on_car", "TC-1"
	nj.Agent, nj.Dev, nj.Reviewer, nj.Mode, nj.Rule = "agent1", "rig1", "rui", "pre-test", "simple"
	w := e.do(ana, req{method: "POST", path: "/api/jobs", body: nj})
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	var j console.JobView
	decode(t, w, &j)
	if j.ID != "J1" || j.Operator != "ana" || j.Customer != nj.Customer.Name || w.Header().Get("Location") != "/api/jobs/J1" {
		t.Fatalf("created %+v, Location %q", j.JobSummary, w.Header().Get("Location"))
	}

	var list []console.JobSummary
	decode(t, e.do(rui, req{method: "GET", path: "/api/jobs"}), &list)
	if len(list) != 1 || list[0].ID != "J1" {
		t.Fatalf("list %+v", list)
	}
	var plans []console.PlanView
	decode(t, e.do(ana, req{method: "GET", path: "/api/plans"}), &plans)
	if len(plans) != 1 || plans[0].ProductType != "electric_ride_on_car" {
		t.Fatalf("plans %+v", plans)
	}

	step := func(c *client, action string, body any, want string) {
		t.Helper()
		w := e.do(c, req{method: "POST", path: "/api/jobs/J1/" + action, body: body})
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", action, w.Code, w.Body)
		}
		var j console.JobView
		decode(t, w, &j)
		if j.State != want {
			t.Fatalf("after %s: %s", action, j.State)
		}
	}
	step(ana, "start", nil, "testing")
	wantError(t, e.do(ana, req{method: "POST", path: "/api/jobs/J1/manual", body: map[string]any{"item": "marking"}}), 400, "invalid")
	step(ana, "manual", map[string]any{"item": "marking", "value": 1}, "testing")
	step(ana, "submit", nil, "to be verified")
	step(rui, "release", nil, "released")
	wantError(t, e.do(rui, req{method: "POST", path: "/api/jobs/J1/reissue", body: map[string]string{}}), 400, "invalid")
	step(rui, "reissue", console.ReasonRequest{Reason: "typo in model"}, "released")

	w = e.do(ana, req{method: "GET", path: "/api/reports/R-J1/pdf"})
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="R-J1.pdf"` || !strings.HasPrefix(w.Body.String(), "%PDF") {
		t.Errorf("pdf: %d %v", w.Code, w.Header())
	}
	step(rui, "invalidate", console.ReasonRequest{Reason: "probe out of calibration"}, "invalid")

	want := []string{"start J1 by ana", "manual marking=1 J1 by ana", "submit J1 by ana", "release J1 by rui", "reissue J1 by rui", "invalidate J1 by rui"}
	if strings.Join(e.fake.actions, "|") != strings.Join(want, "|") {
		t.Errorf("actions %q", e.fake.actions)
	}
}
