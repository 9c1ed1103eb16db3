package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/onestop-station/onestop/internal/passhash"
)

// CookieName is the session cookie.
const CookieName = "onestop_session"

// Login limit: this many failed logins per client address within the window, then 429.
const (
	loginFailures = 5
	loginWindow   = time.Minute
)

// maxSessions bounds the table; the oldest idle session goes first when it is full.
const maxSessions = 10000

// session is one logged-in user. Token is the cookie value; CSRF goes in X-CSRF-Token.
type session struct {
	token, csrf string
	name, role  string
	used        time.Time
}

type sessions struct {
	mu   sync.Mutex
	m    map[string]*session
	idle time.Duration
	now  func() time.Time
	max  int
}

func newSessions(idle time.Duration, now func() time.Time) *sessions {
	return &sessions{m: make(map[string]*session), idle: idle, now: now, max: maxSessions}
}

func randomHex() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func (ss *sessions) create(name, role string) (session, error) {
	token, err := randomHex()
	if err != nil {
		return session{}, err
	}
	csrf, err := randomHex()
	if err != nil {
		return session{}, err
	}
	now := ss.now()
	s := &session{token: token, csrf: csrf, name: name, role: role, used: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	ss.m[token] = s
	return *s, nil
}

// sweep drops expired sessions and, when the table is full, the least recently used one; the
// caller holds mu. Logins are rare, so a walk over the table on each is cheap.
func (ss *sessions) sweep(now time.Time) {
	var oldest *session
	for t, s := range ss.m {
		if now.Sub(s.used) > ss.idle {
			delete(ss.m, t)
		} else if oldest == nil || s.used.Before(oldest.used) {
			oldest = s
		}
	}
	if len(ss.m) >= ss.max && oldest != nil {
		delete(ss.m, oldest.token)
	}
}

// lookup returns the live session of token and marks it used.
func (ss *sessions) lookup(token string) (session, bool) {
	if len(token) != 64 {
		return session{}, false
	}
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[token]
	if !ok {
		return session{}, false
	}
	if now.Sub(s.used) > ss.idle {
		delete(ss.m, token)
		return session{}, false
	}
	s.used = now
	return *s, true
}

// alive reports whether token's session still lives, without counting this as use: an open
// event stream alone does not keep an unattended console logged in.
func (ss *sessions) alive(token string) bool {
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[token]
	return ok && now.Sub(s.used) <= ss.idle
}

func (ss *sessions) remove(token string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, token)
}

func (s session) csrfOK(token string) bool {
	return len(token) == len(s.csrf) && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) == 1
}

// limiter counts login attempts per client address in a sliding window. An attempt counts from
// its start, so a burst of parallel guesses cannot slip past the limit while the hashes are
// being checked; a successful login takes its own attempt back.
type limiter struct {
	mu     sync.Mutex
	m      map[string][]time.Time
	max    int
	window time.Duration
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{m: make(map[string][]time.Time), max: max, window: window}
}

// begin records an attempt at now, or refuses it with how long to wait.
func (l *limiter) begin(addr string, now time.Time) (wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) > 10000 {
		for a, ts := range l.m {
			if len(l.recent(ts, now)) == 0 {
				delete(l.m, a)
			}
		}
	}
	ts := l.recent(l.m[addr], now)
	if len(ts) >= l.max {
		l.m[addr] = ts
		return ts[0].Add(l.window).Sub(now)
	}
	l.m[addr] = append(ts, now)
	return 0
}

// succeeded takes back the attempt begun at at.
func (l *limiter) succeeded(addr string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.m[addr]
	for i, t := range ts {
		if t.Equal(at) {
			l.m[addr] = append(ts[:i:i], ts[i+1:]...)
			break
		}
	}
	if len(l.m[addr]) == 0 {
		delete(l.m, addr)
	}
}

func (l *limiter) recent(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	return ts[i:]
}

// clientKey is whom the login limit counts: the peer's address, an IPv6 peer by its /64 (one
// host usually holds the whole prefix). Forwarded-for headers are not trusted.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Me is the answer of login and GET /api/me.
type Me struct {
	Name string `json:"name"`
	Role string `json:"role"`
	CSRF string `json:"csrf"` // send it as X-CSRF-Token on every POST
}

func (c *console) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !decodeJSON(w, r, &req, 4<<10) {
		return
	}
	addr, now := clientKey(r), c.now()
	if wait := c.limit.begin(addr, now); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "登录失败次数过多，请稍后再试 Too many failed logins; try again later")
		c.log.Warn("console: login limited", "addr", addr)
		return
	}
	u, known := c.users[req.Name]
	hash := u.Hash
	if !known {
		hash = passhash.Dummy() // the same work as a wrong password: timing tells no names
	}
	if !passhash.Check(hash, req.Password) || !known {
		c.log.Warn("console: login refused", "addr", addr, "known_user", known)
		writeError(w, http.StatusUnauthorized, "unauthorized", "用户名或密码错误 Wrong name or password")
		return
	}
	c.limit.succeeded(addr, now)
	if old, err := r.Cookie(CookieName); err == nil {
		c.sessions.remove(old.Value)
	}
	s, err := c.sessions.create(u.Name, u.Role)
	if err != nil {
		c.internal(w, "login", err)
		return
	}
	http.SetCookie(w, c.cookie(s.token, 0))
	c.log.Info("console: login", "user", u.Name, "role", u.Role, "addr", addr)
	writeJSON(w, http.StatusOK, Me{Name: s.name, Role: s.role, CSRF: s.csrf})
}

// cookie is the session cookie; maxAge < 0 deletes it. Without Max-Age it ends with the
// browser; the server ends it after SessionIdle anyway.
func (c *console) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode,
	}
}

func (c *console) logout(w http.ResponseWriter, r *http.Request, s session) {
	c.sessions.remove(s.token)
	http.SetCookie(w, c.cookie("", -1))
	c.log.Info("console: logout", "user", s.name)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (c *console) me(w http.ResponseWriter, r *http.Request, s session) {
	writeJSON(w, http.StatusOK, Me{Name: s.name, Role: s.role, CSRF: s.csrf})
}

// auth runs h for a live session: 401 without one, 403 when a POST lacks the session's CSRF
// token or when role is set and is not the user's.
func (c *console) auth(role string, h func(http.ResponseWriter, *http.Request, session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s session
		ck, err := r.Cookie(CookieName)
		ok := err == nil
		if ok {
			s, ok = c.sessions.lookup(ck.Value)
		}
		if !ok {
			writeError(w, http.StatusUnauthorized, "unauthorized", "请先登录 Log in first")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !s.csrfOK(r.Header.Get("X-CSRF-Token")) {
			writeError(w, http.StatusForbidden, "csrf", "缺少或错误的 CSRF 令牌 Missing or wrong CSRF token")
			return
		}
		if role != "" && s.role != role {
			writeError(w, http.StatusForbidden, "role", roleText(role))
			return
		}
		h(w, r, s)
	})
}

func roleText(role string) string {
	if role == RoleReviewer {
		return "此操作仅限审核员 Only a reviewer may do this"
	}
	return "此操作仅限检测员 Only an operator may do this"
}
