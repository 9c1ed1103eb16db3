// Package config reads the lab device agent's configuration: one TOML file, defaults that run on
// one machine (local embedded broker, one simulated rig), and command-line flags that override.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// Config is the whole agent configuration. Every key is explained by Keys (shown by --help).
type Config struct {
	Site    string  `toml:"site"`
	AgentID string  `toml:"agent_id"`
	Broker  Broker  `toml:"broker"`
	Outbox  Outbox  `toml:"outbox"`
	Publish Publish `toml:"publish"`
	Metrics Metrics `toml:"metrics"`
	Rigs    []Rig   `toml:"rig"`

	// CPUProfile is a file to write a CPU profile of the whole run to (flag --cpuprofile only):
	// how the benchmarks see where the agent's time goes.
	CPUProfile string `toml:"-"`
}

// Broker says where and as whom the agent connects.
type Broker struct {
	URL      string `toml:"url"`
	Username string `toml:"username"`
	Password string `toml:"password"`

	// TLS, for an ssl:// URL: the CAs to trust instead of the system's, the client certificate
	// a broker that requires one checks, and the name the broker's certificate must carry when
	// it is not the host in the URL.
	CAFile     string `toml:"ca_file"`
	CertFile   string `toml:"cert_file"`
	KeyFile    string `toml:"key_file"`
	ServerName string `toml:"server_name"`
}

// DefaultPassword is the password of the default account agent1: public, so the agent sends it
// only to a broker on this machine (the lab's broker refuses it anywhere else too).
const DefaultPassword = "agent1-secret"

// Outbox says where readings wait until the lab has stored them.
type Outbox struct {
	Path string `toml:"path"`
}

// Publish tunes the forwarder.
type Publish struct {
	BatchMax    int      `toml:"batch_max"`
	ReplayRate  int      `toml:"replay_rate"`
	AckTimeout  Duration `toml:"ack_timeout"`
	WaitTimeout Duration `toml:"wait_timeout"`
}

// Metrics says where /metrics is served; empty disables it.
type Metrics struct {
	Addr string `toml:"addr"`
}

// Rig is one test rig on a serial line.
type Rig struct {
	Name         string   `toml:"name"`
	Port         string   `toml:"port"`
	Baud         int      `toml:"baud"`
	Unit         int      `toml:"unit"`
	PollInterval Duration `toml:"poll_interval"`
	Timeout      Duration `toml:"timeout"`

	pollSet bool // poll_interval was given, so 0 means back to back rather than the default
}

// Duration is a time.Duration written as "250ms" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText reads "250ms", "2s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// MarshalText writes the Go duration form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default is the configuration used when no file is given.
func Default() Config {
	return Config{
		Site:    "tengzhou",
		AgentID: "agent1",
		Broker:  Broker{URL: "tcp://127.0.0.1:1883", Username: "agent1", Password: DefaultPassword},
		Outbox:  Outbox{Path: "onestop-data/agent-outbox.db"},
		Publish: Publish{BatchMax: 500, ReplayRate: 2000, AckTimeout: Duration{10 * time.Second}, WaitTimeout: Duration{5 * time.Second}},
		Metrics: Metrics{Addr: "127.0.0.1:9101"},
	}
}

// Keys documents every configuration key; --help prints it.
const Keys = `Configuration keys (TOML; flags override):
  site                    site name in MQTT topics (default "tengzhou")
  agent_id                this agent's id in topics and its MQTT client id; the broker account must have the same name (default "agent1")
  [broker] url            MQTT broker, tcp://host:port or ssl://host:port for TLS (default tcp://127.0.0.1:1883,
                          the lab's embedded broker)
  [broker] username       MQTT user name; the broker lets it publish only under its own agent topics of its site
  [broker] password       MQTT password (or set ONESTOP_AGENT_PASSWORD); the default agent1-secret is
                          refused for a broker that is not on this machine
  [broker] ca_file        with ssl://: PEM file of the CAs that signed the broker's certificate (default: the system's)
  [broker] cert_file      with ssl://: this agent's client certificate (PEM), for a broker that requires one
  [broker] key_file       with ssl://: the private key of cert_file (PEM)
  [broker] server_name    with ssl://: the name the broker's certificate carries, when it is not the URL's host
  [outbox] path           SQLite outbox file; readings wait here until the lab acknowledges them
  [publish] batch_max     most readings in one MQTT message (default 500)
  [publish] replay_rate   readings per second replayed after an outage, beside live data (default 2000)
  [publish] ack_timeout   resend unacknowledged readings when the lab's ack stalls this long (default 10s)
  [publish] wait_timeout  how long to wait for the broker to accept one message (default 5s)
  [metrics] addr          where /metrics (Prometheus text) is served; "" disables (default 127.0.0.1:9101)
  [[rig]] name            device id in topics (e.g. "rig0")
  [[rig]] port            serial port path; /dev/serial/by-id/... or a symlink kept by a twin is re-resolved on reopen
  [[rig]] baud            serial speed (default 115200, 8N1)
  [[rig]] unit            Modbus unit id (default 1)
  [[rig]] poll_interval   time between snapshots (default 200ms; 0 polls back to back, as fast as the line
                          allows); the lab can change it by command
  [[rig]] timeout         Modbus reply timeout (default 300ms)
`

// Parse reads the command line: --config FILE first, then every other flag given overrides the file.
func Parse(args []string, out io.Writer) (Config, error) {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(out)
	path := fs.String("config", "", "TOML configuration file (see keys below)")
	broker := fs.String("broker", "", "MQTT broker URL, overrides [broker] url")
	user := fs.String("username", "", "MQTT user, overrides [broker] username")
	pass := fs.String("password", "", "MQTT password, overrides [broker] password (or set ONESTOP_AGENT_PASSWORD)")
	site := fs.String("site", "", "site name, overrides site")
	agent := fs.String("agent", "", "agent id, overrides agent_id")
	outbox := fs.String("outbox", "", "outbox file, overrides [outbox] path")
	metrics := fs.String("metrics", "", "metrics listen address, overrides [metrics] addr (\"off\" disables)")
	poll := fs.Duration("poll", 0, "poll interval of every rig, overrides [[rig]] poll_interval (0: back to back)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (for benchmarks)")
	var rigs rigFlags
	fs.Var(&rigs, "rig", "NAME=PORT of a rig; repeat for more; replaces the file's [[rig]] list")
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: agent [--config agent.toml] [flags]\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(out, "\n"+Keys)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	c := Default()
	if *path != "" {
		if _, err := toml.DecodeFile(*path, &c); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", *path, err)
		}
		if err := markPollSet(*path, c.Rigs); err != nil {
			return Config{}, err
		}
	}
	c.Getenv()
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&c.Broker.URL, *broker)
	set(&c.Broker.Username, *user)
	set(&c.Broker.Password, *pass)
	set(&c.Site, *site)
	set(&c.AgentID, *agent)
	set(&c.Outbox.Path, *outbox)
	set(&c.Metrics.Addr, *metrics)
	c.CPUProfile = *cpuprofile
	if c.Metrics.Addr == "off" {
		c.Metrics.Addr = ""
	}
	if len(rigs) > 0 {
		c.Rigs = rigs
	}
	pollGiven := false
	fs.Visit(func(f *flag.Flag) { pollGiven = pollGiven || f.Name == "poll" })
	if pollGiven {
		for i := range c.Rigs {
			c.Rigs[i].PollInterval.Duration = *poll
			c.Rigs[i].pollSet = true
		}
	}
	return c, c.fill()
}

// markPollSet notes which [[rig]] tables of the file give poll_interval: a
// given 0 polls back to back, a missing one takes the default.
func markPollSet(path string, rigs []Rig) error {
	var given struct {
		Rigs []struct {
			PollInterval *Duration `toml:"poll_interval"`
		} `toml:"rig"`
	}
	if _, err := toml.DecodeFile(path, &given); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	for i := range min(len(given.Rigs), len(rigs)) {
		rigs[i].pollSet = given.Rigs[i].PollInterval != nil
	}
	return nil
}

type rigFlags []Rig

func (r *rigFlags) String() string { return fmt.Sprint(len(*r), " rigs") }

func (r *rigFlags) Set(v string) error {
	name, port, ok := strings.Cut(v, "=")
	if !ok || name == "" || port == "" {
		return fmt.Errorf("want NAME=PORT, got %q", v)
	}
	*r = append(*r, Rig{Name: name, Port: port})
	return nil
}

func (c *Config) fill() error {
	for i := range c.Rigs {
		r := &c.Rigs[i]
		if r.Name == "" {
			r.Name = fmt.Sprintf("rig%d", i)
		}
		if r.Baud == 0 {
			r.Baud = 115200
		}
		if r.Unit == 0 {
			r.Unit = 1
		}
		if r.PollInterval.Duration == 0 && !r.pollSet {
			r.PollInterval.Duration = 200 * time.Millisecond
		}
		if r.Timeout.Duration == 0 {
			r.Timeout.Duration = 300 * time.Millisecond
		}
	}
	return c.Validate()
}

// Validate reports the first key that cannot work.
func (c Config) Validate() error {
	switch {
	case !telemetry.ValidName(c.Site):
		return fmt.Errorf("config: site %q: must be one topic level", c.Site)
	case !telemetry.ValidName(c.AgentID):
		return fmt.Errorf("config: agent_id %q: must be one topic level", c.AgentID)
	case c.Outbox.Path == "":
		return fmt.Errorf("config: outbox path is empty")
	case c.Publish.BatchMax < 1 || c.Publish.BatchMax > telemetry.MaxBatch:
		return fmt.Errorf("config: batch_max %d: want 1..%d", c.Publish.BatchMax, telemetry.MaxBatch)
	case c.Publish.ReplayRate < 1:
		return fmt.Errorf("config: replay_rate %d: want > 0", c.Publish.ReplayRate)
	}
	if err := c.Broker.validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range c.Rigs {
		switch {
		case !telemetry.ValidName(r.Name) || seen[r.Name]:
			return fmt.Errorf("config: rig name %q: empty, repeated or not one topic level", r.Name)
		case r.Port == "":
			return fmt.Errorf("config: rig %s: port is empty", r.Name)
		case r.Unit < 1 || r.Unit > 247:
			return fmt.Errorf("config: rig %s: unit %d: want 1..247", r.Name, r.Unit)
		case r.PollInterval.Duration < 0:
			return fmt.Errorf("config: rig %s: poll_interval %v: want ≥ 0 (0 polls back to back)", r.Name, r.PollInterval)
		}
		seen[r.Name] = true
	}
	return nil
}

// Getenv fills the broker password from ONESTOP_AGENT_PASSWORD when set, so it need not be on a command line.
func (c *Config) Getenv() {
	if p := os.Getenv("ONESTOP_AGENT_PASSWORD"); p != "" {
		c.Broker.Password = p
	}
}

func (b Broker) validate() error {
	tlsKeys := b.CAFile != "" || b.CertFile != "" || b.KeyFile != "" || b.ServerName != ""
	u, err := url.Parse(b.URL)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("config: broker url %q: want tcp://host:port or ssl://host:port", b.URL)
	case tlsKeys && !isTLS(u.Scheme):
		return fmt.Errorf("config: broker ca_file, cert_file, key_file and server_name need an ssl:// url, not %q", b.URL)
	case (b.CertFile == "") != (b.KeyFile == ""):
		return fmt.Errorf("config: broker cert_file and key_file go together")
	case b.Password == DefaultPassword && !isLoopback(u.Hostname()):
		return fmt.Errorf("config: broker password: the default %q is public and %s is not this machine: "+
			"set [broker] password (or ONESTOP_AGENT_PASSWORD) to this agent's own", DefaultPassword, u.Host)
	}
	_, err = b.TLS()
	return err
}

// TLS is the MQTT client's TLS configuration: nil for a plain tcp:// URL.
func (b Broker) TLS() (*tls.Config, error) {
	if u, err := url.Parse(b.URL); err != nil || !isTLS(u.Scheme) {
		return nil, nil
	}
	c := &tls.Config{ServerName: b.ServerName, MinVersion: tls.VersionTLS12}
	if b.CAFile != "" {
		pem, err := os.ReadFile(b.CAFile)
		if err != nil {
			return nil, fmt.Errorf("config: broker ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("config: broker ca_file %s: no PEM certificate in it", b.CAFile)
		}
	}
	if b.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(b.CertFile, b.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("config: broker cert_file/key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// isTLS reports whether paho dials a URL of this scheme with TLS.
func isTLS(scheme string) bool {
	switch scheme {
	case "ssl", "tls", "mqtts", "mqtt+ssl", "tcps":
		return true
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
