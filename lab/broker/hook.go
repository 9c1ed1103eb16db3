package broker

import (
	"log/slog"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/onestop-station/onestop/internal/passhash"
)

// authHook plugs the user table into mochi: authentication at CONNECT and an ACL check for
// every publish, subscribe and delivery.
type authHook struct {
	mqtt.HookBase
	users *users
	limit *limiter
	log   *slog.Logger
}

func newAuthHook(us *users, l *limiter, log *slog.Logger) *authHook {
	passhash.Dummy() // made now, so the first unknown user does not cost twice
	return &authHook{users: us, limit: l, log: log}
}

func (h *authHook) ID() string { return "onestop-auth" }

func (h *authHook) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	c := pk.Connect
	addr := hostOf(cl.Net.Remote)
	refuse := func(why string) bool {
		// The user name is not personal data here: it names a machine account.
		h.log.Warn("broker: connection refused", "reason", why, "user", string(c.Username),
			"client", c.ClientIdentifier, "remote", cl.Net.Remote)
		return false
	}
	failed := func(why string) bool {
		if h.limit.fail(addr) {
			h.log.Warn("broker: too many failed logins; address locked out", "remote", addr,
				"failures", h.limit.Failures, "within", h.limit.Window, "for", h.limit.Lockout)
		}
		return refuse(why)
	}
	if h.limit.locked(addr) {
		return refuse("address locked out after failed logins")
	}
	if !c.UsernameFlag || !c.PasswordFlag || len(c.Username) == 0 {
		return failed("no user name or password")
	}
	u, known := h.users.get(string(c.Username))
	hash := u.Hash
	if !known {
		hash = passhash.Dummy() // the same work as a known name, so timing does not tell names apart
	}
	if !checkPassword(hash, string(c.Password)) || !known {
		return failed("bad user name or password")
	}
	if !u.clientIDOK(c.ClientIdentifier) {
		return refuse("client id not allowed for this user")
	}
	if c.WillFlag && !u.CanWrite(c.WillTopic) {
		return refuse("last will topic not allowed")
	}
	return true
}

func (h *authHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	u, ok := h.users.get(string(cl.Properties.Username))
	if !ok {
		return false // the user was removed after it connected
	}
	if write {
		return u.CanWrite(topic)
	}
	return u.CanRead(topic)
}
