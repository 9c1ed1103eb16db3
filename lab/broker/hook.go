package broker

import (
	"log/slog"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// authHook plugs the user table into mochi: authentication at CONNECT and an ACL check for
// every publish, subscribe and delivery.
type authHook struct {
	mqtt.HookBase
	users *users
	log   *slog.Logger
}

func (h *authHook) ID() string { return "onestop-auth" }

func (h *authHook) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	c := pk.Connect
	refuse := func(why string) bool {
		// The user name is not personal data here: it names a machine account.
		h.log.Warn("broker: connection refused", "reason", why, "user", string(c.Username),
			"client", c.ClientIdentifier, "remote", cl.Net.Remote)
		return false
	}
	if !c.UsernameFlag || !c.PasswordFlag || len(c.Username) == 0 {
		return refuse("no user name or password")
	}
	u, ok := h.users.get(string(c.Username))
	if !ok || !checkPassword(u.Hash, string(c.Password)) {
		return refuse("bad user name or password")
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
