package broker

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/onestop-station/onestop/internal/passhash"
)

// testHook is an auth hook over one agent account a1/pw1, without a network. Its hash has the
// least work passhash accepts, so that tests of many logins stay quick under -race.
func testHook(t *testing.T, limit LoginLimit, now func() time.Time) *authHook {
	t.Helper()
	return hookFor(t, User{Name: "a1", Role: RoleAgent, Hash: cheapHash(t, "pw1")}, limit, now)
}

func cheapHash(t *testing.T, pw string) string {
	t.Helper()
	salt := []byte("0123456789abcdef")
	key, err := pbkdf2.Key(sha256.New, pw, salt, 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$1000$%s$%s", passhash.Scheme, enc.EncodeToString(salt), enc.EncodeToString(key))
}

func hookFor(t *testing.T, u User, limit LoginLimit, now func() time.Time) *authHook {
	t.Helper()
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

// fastestLogins times logins for user/pass alternately with each other pair, so that a load
// change on the machine weighs on both, and keeps each one's fastest: load only adds time.
func fastestLogins(h *authHook, users ...[2]string) []time.Duration {
	best := make([]time.Duration, len(users))
	for range 5 {
		for i, u := range users {
			start := time.Now()
			login(h, "10.0.0.1:4000", u[0], u[1])
			if d := time.Since(start); best[i] == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	return best
}

// An unknown user name must cost what a wrong password costs, so that timing does not tell
// which accounts exist.
func TestUnknownUserCostsAHashCheck(t *testing.T) {
	u, err := NewUser("a1", RoleAgent, "", "pw1") // the work factor of real accounts, as the dummy's
	if err != nil {
		t.Fatal(err)
	}
	h := hookFor(t, u, LoginLimit{Failures: 1000, Window: time.Minute, Lockout: time.Minute}, nil)
	login(h, "10.0.0.1:4000", "ghost", "x") // warm up (the dummy hash is made once)
	d := fastestLogins(h, [2]string{"a1", "nope"}, [2]string{"ghost", "nope"})
	wrong, unknown := d[0], d[1]
	t.Logf("fastest login: wrong password %v, unknown user %v", wrong, unknown)
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
	// Four failures a minute, for five minutes: never five inside one window.
	for i := range 20 {
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
