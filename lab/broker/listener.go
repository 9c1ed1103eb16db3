package broker

import (
	"net"
	"time"

	"github.com/mochi-mqtt/server/v2/listeners"
)

// DefaultConnectTimeout is how long a new connection has for its TLS handshake and CONNECT.
const DefaultConnectTimeout = 10 * time.Second

// connectDeadline is a mochi TCP listener that gives each new connection a deadline for its
// handshake and CONNECT packet. mochi sets none until CONNECT arrives, so a client that opens a
// connection and stays silent would hold it for ever, and Close waits for every connection.
// After CONNECT mochi replaces the deadline with the client's keepalive.
type connectDeadline struct {
	*listeners.TCP
	timeout time.Duration
}

func (l connectDeadline) Serve(establish listeners.EstablishFn) {
	l.TCP.Serve(func(id string, c net.Conn) error {
		_ = c.SetDeadline(time.Now().Add(l.timeout))
		return establish(id, c)
	})
}
