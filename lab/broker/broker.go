package broker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// DefaultAddr is where the embedded broker listens unless told otherwise.
const DefaultAddr = "127.0.0.1:1883"

// Opts configures the embedded broker.
type Opts struct {
	// Addr is the plain TCP address; "127.0.0.1:0" picks a free port (see Broker.Addr). Empty
	// means DefaultAddr, or no plain listener at all when TLSAddr is set.
	Addr string
	// TLSAddr, if set, is a second listener that speaks MQTT over TLS with the certificate in
	// TLS; set TLS.ClientAuth and ClientCAs to require client certificates (see ServerTLS).
	TLSAddr string
	TLS     *tls.Config
	Users   []User       // accounts; anonymous clients are always refused
	Logger  *slog.Logger // nil: slog.Default()
	// MessageExpiry is how long, in seconds, undelivered messages wait for an offline persistent
	// session; 0 means 7 days (mochi's own default is 24 h).
	MessageExpiry int64
	// ConnectTimeout bounds a new connection's TLS handshake and CONNECT; 0 means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// LoginLimit bounds failed logins per client address; zero means DefaultLoginLimit.
	LoginLimit LoginLimit
	Now        func() time.Time // the login limit's clock; nil: time.Now
}

// DefaultOpts listens on DefaultAddr with no users yet.
var DefaultOpts = Opts{Addr: DefaultAddr}

// ErrStopped is returned by operations that need a running broker.
var ErrStopped = errors.New("broker: stopped")

// Broker is a running embedded broker. It can be stopped and started again on the same address,
// which tests use to simulate a lab restart; its sessions and retained messages do not survive.
type Broker struct {
	opts  Opts
	users *users
	limit *limiter // kept across restarts, so a restart does not forgive a guesser
	log   *slog.Logger

	mu        sync.Mutex
	srv       *mqtt.Server // nil while stopped
	addr      string       // the real addresses, fixed at the first start
	tlsAddr   string
	closed    bool
	inline    []inlineSub // in-process subscriptions, made again at each start
	inlineIDs int         // the last id of an inline subscription or start hook
	onStart   []startHook
}

// Start listens on opts.Addr (and opts.TLSAddr) and serves until Close. ctx only bounds the
// start itself. It refuses accounts with a well-known password unless every listener is on
// loopback (see WellKnownPasswords).
func Start(ctx context.Context, opts Opts) (*Broker, error) {
	if opts.Addr == "" && opts.TLSAddr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.TLSAddr != "" && (opts.TLS == nil || len(opts.TLS.Certificates) == 0 && opts.TLS.GetCertificate == nil) {
		return nil, fmt.Errorf("broker: TLS listener %s without a certificate", opts.TLSAddr)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MessageExpiry <= 0 {
		opts.MessageExpiry = 7 * 24 * 3600
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	us, err := newUsers(opts.Users)
	if err != nil {
		return nil, err
	}
	b := &Broker{opts: opts, users: us, limit: newLimiter(opts.LoginLimit, opts.Now), log: opts.Logger,
		addr: opts.Addr, tlsAddr: opts.TLSAddr}
	for _, u := range opts.Users {
		if err := b.checkWellKnown(u); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("broker: start: %w", err)
	}
	if err := b.startLocked(); err != nil {
		return nil, err
	}
	return b, nil
}

// startLocked creates and serves a fresh mochi server on b.addr; b.mu is held or b is unshared.
func (b *Broker) startLocked() error {
	srv := mqtt.New(&mqtt.Options{
		Capabilities: b.capabilities(),
		Logger:       slog.New(quiet{b.log.Handler()}).With("component", "mochi"),
		InlineClient: true, // SubscribeInline, PublishInline
	})
	if err := srv.AddHook(newAuthHook(b.users, b.limit, b.log), nil); err != nil {
		return fmt.Errorf("broker: add auth hook: %w", err)
	}
	for _, s := range b.inline { // before any client can connect and publish
		if err := subscribeInline(srv, s); err != nil {
			_ = srv.Close()
			return err
		}
	}
	var tcp, secure *listeners.TCP
	if b.addr != "" {
		tcp = listeners.NewTCP(listeners.Config{ID: "tcp", Address: b.addr})
		if err := srv.AddListener(connectDeadline{tcp, b.opts.ConnectTimeout}); err != nil {
			_ = srv.Close()
			return fmt.Errorf("broker: listen on %s: %w", b.addr, err)
		}
	}
	if b.tlsAddr != "" {
		secure = listeners.NewTCP(listeners.Config{ID: "tls", Address: b.tlsAddr, TLSConfig: b.opts.TLS})
		if err := srv.AddListener(connectDeadline{secure, b.opts.ConnectTimeout}); err != nil {
			_ = srv.Close()
			return fmt.Errorf("broker: listen (TLS) on %s: %w", b.tlsAddr, err)
		}
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return fmt.Errorf("broker: serve: %w", err)
	}
	// Keep the ports a ":0" start picked, so a restart reuses them.
	if tcp != nil {
		b.addr = tcp.Address()
	}
	if secure != nil {
		b.tlsAddr = secure.Address()
	}
	b.srv = srv
	for _, h := range b.onStart {
		go h.f()
	}
	b.log.Info("broker: listening", "addr", b.addr, "tls_addr", b.tlsAddr,
		"client_certs", b.opts.TLS != nil && b.opts.TLS.ClientAuth == tls.RequireAndVerifyClientCert,
		"users", b.users.count())
	return nil
}

// capabilities raises mochi's limits that silently drop QoS 1 messages (inflight quota, write
// queue) and its 24 h message expiry, which is shorter than an agent outage may last.
func (b *Broker) capabilities() *mqtt.Capabilities {
	c := mqtt.NewDefaultServerCapabilities()
	c.MaximumInflight = 65535
	c.MaximumClientWritesPending = 64 * 1024
	c.ReceiveMaximum = 65535
	c.MaximumMessageExpiryInterval = b.opts.MessageExpiry
	return c
}

// Addr is the plain TCP address the broker listens on, with the real port after a ":0" start;
// "" when it has only a TLS listener.
func (b *Broker) Addr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// TLSAddr is the TLS listener's address, with the real port after a ":0" start; "" without one.
func (b *Broker) TLSAddr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tlsAddr
}

// URL is a paho broker URL of the plain listener, or of the TLS listener when there is no
// plain one.
func (b *Broker) URL() string {
	if a := b.Addr(); a != "" {
		return "tcp://" + a
	}
	return b.TLSURL()
}

// TLSURL is the TLS listener as a paho broker URL; "" without one.
func (b *Broker) TLSURL() string {
	if a := b.TLSAddr(); a != "" {
		return "ssl://" + a
	}
	return ""
}

// AddUser adds or replaces an account; it applies to the next connection and the next ACL check.
// Like Start, it refuses a well-known password unless the broker listens on loopback only.
func (b *Broker) AddUser(u User) error {
	if err := b.checkWellKnown(u); err != nil {
		return err
	}
	return b.users.put(u)
}

// RemoveUser deletes an account; its connected clients lose all topic rights at once.
func (b *Broker) RemoveUser(name string) { b.users.remove(name) }

// Stop closes the listener and every client connection, as a broker restart would: clients see
// their connection end and must reconnect and subscribe again.
func (b *Broker) Stop() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv == nil {
		return nil
	}
	err := b.srv.Close()
	b.srv = nil
	b.log.Info("broker: stopped", "addr", b.addr)
	if err != nil {
		return fmt.Errorf("broker: stop: %w", err)
	}
	return nil
}

// Restart starts a stopped broker again on the same address, with empty sessions.
func (b *Broker) Restart() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return ErrStopped
	case b.srv != nil:
		return nil
	}
	return b.startLocked()
}

// Close stops the broker for good.
func (b *Broker) Close() error {
	err := b.Stop()
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	return err
}
