package broker

import (
	"io"
	"log/slog"
	"sort"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// testHook is an auth hook over one agent account a1/pw1, without a network.
func testHook(t *testing.T, limit LoginLimit, now func() time.Time) *authHook {
	t.Helper()
	u, err := NewUser("a1", RoleAgent, "", "pw1")
	if err != nil {
		t.Fatal(err)
	}
	us, err := newUsers([]User{u})
	if err != nil {
		t.Fatal(err)
	}
	return newAuthHook(us, newLimiter(limit, now), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// login runs the hook's CONNECT check for user/pass from addr.
func login(h *authHook, addr, user, pass string) bool {
	cl := &mqtt.Client{Net: mqtt.ClientConnection{Remote: addr}}
	pk := packets.Packet{Connect: packets.ConnectParams{UsernameFlag: true, PasswordFlag: true,
		Username: []byte(user), Password: []byte(pass), ClientIdentifier: user}}
	return h.OnConnectAuthenticate(cl, pk)
}

func medianLogin(h *authHook, user, pass string) time.Duration {
	var d []time.Duration
	for range 15 {
		start := time.Now()
		login(h, "10.0.0.1:4000", user, pass)
		d = append(d, time.Since(start))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

// An unknown user name must cost what a wrong password costs, so that timing does not tell
// which accounts exist.
func TestUnknownUserCostsAHashCheck(t *testing.T) {
	h := testHook(t, LoginLimit{Failures: 1000, Window: time.Minute, Lockout: time.Minute}, nil)
	login(h, "10.0.0.1:4000", "ghost", "x") // warm up (the dummy hash is made once)
	wrong := medianLogin(h, "a1", "nope")
	unknown := medianLogin(h, "ghost", "nope")
	t.Logf("median login: wrong password %v, unknown user %v", wrong, unknown)
	if unknown < wrong/2 {
		t.Errorf("an unknown user is answered in %v, a wrong password in %v: timing tells names apart", unknown, wrong)
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) add(d time.Duration)     { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock               { return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }
func (c *fakeClock) String() string          { return c.t.Format(time.TimeOnly) }
func loginOK(h *authHook, addr string) bool  { return login(h, addr, "a1", "pw1") }
func loginBad(h *authHook, addr string) bool { return login(h, addr, "a1", "bad") }

func TestLoginLimitPerAddress(t *testing.T) {
	clock := newFakeClock()
	h := testHook(t, DefaultLoginLimit, clock.now)
	const attacker, other = "10.0.0.66:5000", "10.0.0.7:5000"
	for i := range DefaultLoginLimit.Failures {
		if loginBad(h, attacker) {
			t.Fatalf("wrong password %d accepted", i)
		}
		clock.add(time.Second)
	}
	if loginOK(h, "10.0.0.66:5001") { // same host, another port
		t.Error("right password accepted from a locked-out address")
	}
	if !loginOK(h, other) {
		t.Error("another address is locked out too")
	}
	clock.add(DefaultLoginLimit.Lockout - 10*time.Second)
	if loginOK(h, attacker) {
		t.Errorf("locked-out address accepted before the lockout ended (%v)", clock)
	}
	clock.add(10 * time.Second)
	if !loginOK(h, attacker) {
		t.Errorf("address still locked out after %v", DefaultLoginLimit.Lockout)
	}
}

func TestLoginLimitWindowSlides(t *testing.T) {
	clock := newFakeClock()
	h := testHook(t, DefaultLoginLimit, clock.now)
	const addr = "[2001:db8::5]:4000"
	// Four failures a minute, for ten minutes: never five inside one window.
	for i := range 40 {
		loginBad(h, addr)
		clock.add(DefaultLoginLimit.Window/4 + time.Second)
		if !loginOK(h, addr) {
			t.Fatalf("locked out after %d failures spread over %v", i+1, time.Duration(i+1)*(DefaultLoginLimit.Window/4))
		}
	}
	// Anonymous and password-less attempts count as failures too.
	for range DefaultLoginLimit.Failures {
		cl := &mqtt.Client{Net: mqtt.ClientConnection{Remote: "10.1.1.1:1"}}
		h.OnConnectAuthenticate(cl, packets.Packet{Connect: packets.ConnectParams{ClientIdentifier: "anon"}})
	}
	if loginOK(h, "10.1.1.1:2") {
		t.Error("anonymous attempts do not count towards the limit")
	}
}

func TestLimiterForgetsOldAddresses(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(DefaultLoginLimit, clock.now)
	for i := range 3 * limiterPrune {
		l.fail(time.Duration(i).String())
		clock.add(time.Second)
	}
	if n := l.size(); n > limiterPrune+int(DefaultLoginLimit.Lockout/time.Second)+1 {
		t.Errorf("limiter holds %d addresses; old ones are never forgotten", n)
	}
}
