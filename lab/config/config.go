// Package config reads the lab station's configuration: one TOML file over defaults that run on
// one machine (embedded broker on loopback, SQLite under onestop-data/), flags override.
package config

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/internal/passhash"
	"github.com/onestop-station/onestop/lab/broker"
)

// Config is the lab station's configuration; Keys explains every key.
type Config struct {
	Site   string `toml:"site"`
	DB     string `toml:"db"`
	HTTP   string `toml:"http"`
	Broker Broker `toml:"broker"`
	Users  []User `toml:"user"`
	Plans  string `toml:"plans"` // folder of plan files replacing the built-in ones; "" for those
	// Simulate names a rig-twin scenario: serve then also starts the twin on a pseudo-terminal
	// and an agent on it (flag only), so the console has a rig to run without hardware.
	Simulate string  `toml:"-"`
	Console  Console `toml:"console"`
}

// Console configures the web console, the reports and their verification page.
type Console struct {
	// PublicURL is where people reach this station: the QR code on every report carries
	// PublicURL/verify/{no}. Default http:// + the http address.
	PublicURL  string        `toml:"public_url"`
	LabNameZh  string        `toml:"lab_name_zh"` // the laboratory as reports name it
	LabNameEn  string        `toml:"lab_name_en"`
	LabAddress string        `toml:"lab_address"`
	Font       string        `toml:"font"` // report font (TTF with Latin and CJK); "" for the default
	Users      []ConsoleUser `toml:"user"`
}

// ConsoleUser is a technician's console account.
type ConsoleUser struct {
	Name         string `toml:"name"`
	Role         string `toml:"role"`          // "operator" or "reviewer"
	PasswordHash string `toml:"password_hash"` // from "lab hash-password"
	Password     string `toml:"password"`      // plain, for trials on one machine only
}

// Broker says whether the lab runs its own broker or joins one, and how the lab's own clients
// connect to it.
type Broker struct {
	Embedded bool   `toml:"embedded"`
	Listen   string `toml:"listen"`
	URL      string `toml:"url"`
	Username string `toml:"username"`
	Password string `toml:"password"`
	Shared   bool   `toml:"shared"`
	// Worker names this lab process among several sharing one site (Shared): it is added to
	// the lab's MQTT client ids, which must differ per worker and stay the same across its
	// restarts (the broker keeps each worker's session under its id).
	Worker string `toml:"worker"`

	// The embedded broker's TLS listener: its certificate and key, and the CA that must have
	// signed every client's certificate ("" accepts clients without one).
	TLSListen   string `toml:"tls_listen"`
	TLSCert     string `toml:"tls_cert"`
	TLSKey      string `toml:"tls_key"`
	TLSClientCA string `toml:"tls_client_ca"`

	// TLS of the lab's own clients, for an ssl:// url or an embedded broker with only tls_listen.
	CAFile     string `toml:"ca_file"`
	CertFile   string `toml:"cert_file"`
	KeyFile    string `toml:"key_file"`
	ServerName string `toml:"server_name"`
}

// User is an account of the embedded broker; give password_hash (or, for trials, password).
type User struct {
	Name         string `toml:"name"`
	Role         string `toml:"role"`
	Password     string `toml:"password"`
	PasswordHash string `toml:"password_hash"`
	// Site binds the account to one site's topics. Agents default to the station's site; lab
	// users to every site.
	Site string `toml:"site"`
}

// DemoAgentPassword is agent1's password in the defaults; the agent's defaults use the same.
const DemoAgentPassword = broker.DefaultAgentPassword

// PasswordEnv, when set, overrides [broker] password, so it need not be in a file.
const PasswordEnv = "ONESTOP_LAB_PASSWORD"

// Default runs everything on one machine.
func Default() Config {
	return Config{
		Site:   "tengzhou",
		DB:     "onestop-data/lab.db",
		HTTP:   "127.0.0.1:8080",
		Broker: Broker{Embedded: true, Listen: "127.0.0.1:1883", Username: "lab", Password: broker.DefaultLabPassword},
		Users: []User{
			{Name: "lab", Role: "lab", Password: broker.DefaultLabPassword},
			{Name: "agent1", Role: "agent", Password: DemoAgentPassword},
		},
		Console: Console{Users: []ConsoleUser{
			{Name: "operator", Role: "operator", Password: DemoConsolePasswords[0]},
			{Name: "reviewer", Role: "reviewer", Password: DemoConsolePasswords[1]},
		}},
	}
}

// Keys documents every configuration key; --help prints it.
const Keys = `Configuration keys (TOML; flags override):
  site                 site name in MQTT topics (default "tengzhou")
  db                   SQLite file of readings, agents, devices, jobs and reports (default onestop-data/lab.db);
                       its folder also holds the report signing key and reports/
  http                 HTTP address of the console, its API (docs/lab-api.md), GET /api/agents, GET /healthz
                       and the public /verify/{no}; "" disables (default 127.0.0.1:8080)
  plans                folder of test-plan files replacing the built-in ones (lab/plan/data/README.md)
  [broker] embedded    run the embedded MQTT broker (default true)
  [broker] listen      its plain TCP address (default 127.0.0.1:1883); "" or "off" with tls_listen for TLS only
  [broker] tls_listen  also listen for MQTT over TLS here, e.g. 0.0.0.0:8883 (agents use ssl://host:8883)
  [broker] tls_cert    PEM certificate of that listener (its names must be what agents dial or their server_name)
  [broker] tls_key     PEM private key of tls_cert
  [broker] tls_client_ca  PEM CA file: every TLS client must show a certificate it signed (on top of
                       its password); "" accepts clients without a certificate
  [broker] url         join this broker instead, e.g. tcp://mosquitto:1883 or ssl://mosquitto:8883
                       (sets embedded = false)
  [broker] username    the lab's own MQTT user (default "lab")
  [broker] password    its password (or set ONESTOP_LAB_PASSWORD); with the embedded broker it must be
                       the password of the [[user]] of that name
  [broker] ca_file / cert_file / key_file / server_name   TLS of the lab's own clients when they
                       connect over ssl:// (an ssl:// url, or an embedded broker with only tls_listen):
                       CAs to trust instead of the system's, a client certificate and its key, the
                       name the broker's certificate must carry when it is not the host dialled
  [broker] shared      subscribe the data topics with $share/lab/... so several lab workers on one
                       database split the load (status and meta reach every worker)
  [broker] worker      this worker's name among those (one topic level, e.g. "w1"): it is added to
                       the lab's MQTT client ids, which must differ per worker
  [[user]] name        an account of the embedded broker (a file that lists users replaces the demo
                       accounts lab/lab-secret and agent1/agent1-secret)
  [[user]] role        "lab" (everything under onestop/v1/lab/) or "agent" (only its own agent/{name}/ topics)
  [[user]] password_hash  from "lab hash-password" (pbkdf2-sha256$...), so no password is in the file
  [[user]] password    or its password in plain text, for trials; give exactly one of the two
  [[user]] site        the site the account may use; agents default to site above, lab users to every site
  The embedded broker refuses to start when it listens on anything but loopback (listen or tls_listen)
  and an account has a well-known default password (lab-secret, agent1-secret). Failed logins are
  limited per client address: after 5 in a minute that address is refused for 5 minutes.
  [console] public_url        base of the verification URL printed on reports (default http://HTTP)
  [console] lab_name_zh / lab_name_en / lab_address   the laboratory as reports name it
  [console] font              report font, a TTF with Latin and CJK (default: fonts-arphic-gbsn00lp)
  [[console.user]] name       a technician's console account (defaults: operator/operator-secret,
                              reviewer/reviewer-secret, refused when http is not on loopback;
                              a file that lists console users replaces them)
  [[console.user]] role       "operator" (registers, runs, submits) or "reviewer" (releases, reissues, invalidates)
  [[console.user]] password_hash   from "lab hash-password"; or password (plain) for trials
`

// Parse reads --config FILE over the defaults, then the other flags.
func Parse(name string, args []string, out io.Writer) (Config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	var simulate string
	path := fs.String("config", "", "TOML configuration file (keys below)")
	site := fs.String("site", "", "site name, overrides site")
	db := fs.String("db", "", "SQLite file, overrides db")
	httpAddr := fs.String("http", "", `HTTP API address, overrides http ("off" disables)`)
	listen := fs.String("listen", "", "embedded broker address, overrides [broker] listen")
	url := fs.String("broker", "", "external broker URL: join it instead of embedding one")
	user := fs.String("username", "", "lab MQTT user, overrides [broker] username")
	pass := fs.String("password", "", "lab MQTT password, overrides [broker] password (or set "+PasswordEnv+")")
	fs.StringVar(&simulate, "simulate", "", `also run a rig twin with this scenario (nominal, overvoltage, brake-failure, overtemp-handheld) and an agent on it`)
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: lab %s [flags]\n\nFlags:\n", name)
		fs.PrintDefaults()
		fmt.Fprint(out, "\n"+Keys)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	c := Default()
	if *path != "" {
		users, consoleUsers := c.Users, c.Console.Users
		c.Users = nil // a file that lists users replaces the demo accounts
		c.Console.Users = nil
		md, err := toml.DecodeFile(*path, &c)
		if err != nil {
			return Config{}, nil, fmt.Errorf("config: %s: %w", *path, err)
		}
		if !md.IsDefined("user") {
			c.Users = users // loopback only: the broker refuses their passwords anywhere else
		}
		if !md.IsDefined("console", "user") {
			c.Console.Users = consoleUsers // loopback only: serve refuses them anywhere else
		}
	}
	if p := os.Getenv(PasswordEnv); p != "" {
		c.Broker.Password = p
	}
	for dst, v := range map[*string]string{&c.Site: *site, &c.DB: *db, &c.HTTP: *httpAddr, &c.Broker.Listen: *listen,
		&c.Broker.URL: *url, &c.Broker.Username: *user, &c.Broker.Password: *pass} {
		if v != "" {
			*dst = v
		}
	}
	c.Simulate = simulate
	if c.HTTP == "off" {
		c.HTTP = ""
	}
	if c.Broker.Listen == "off" {
		c.Broker.Listen = ""
	}
	if c.Broker.URL != "" {
		c.Broker.Embedded = false
	}
	return c, fs.Args(), c.Validate()
}

// DemoConsolePasswords are the console's default passwords: fine on one machine, refused by
// serve when the console listens on anything but loopback.
var DemoConsolePasswords = []string{"operator-secret", "reviewer-secret"}

// DataDir is the folder of the database: the report signing key and reports/ live there too.
func (c Config) DataDir() string { return filepath.Dir(c.DB) }

// PublicURL is the base of the verification URL on reports.
func (c Config) PublicURL() string {
	if c.Console.PublicURL != "" {
		return strings.TrimRight(c.Console.PublicURL, "/")
	}
	if c.HTTP == "" {
		return "http://127.0.0.1:8080"
	}
	return "http://" + c.HTTP
}

// BrokerURL is where the lab's own clients connect: the embedded broker's plain listener, or
// its TLS listener when it has only that one.
func (c Config) BrokerURL() string {
	switch {
	case !c.Broker.Embedded:
		return c.Broker.URL
	case c.Broker.Listen == "":
		return "ssl://" + c.Broker.TLSListen
	}
	return "tcp://" + c.Broker.Listen
}

// ClientTLS is the TLS configuration of the lab's own clients: nil unless they connect over
// ssl:// or a client TLS key is set.
func (c Config) ClientTLS() (*tls.Config, error) {
	b := c.Broker
	if !isTLSURL(c.BrokerURL()) && b.CAFile == "" && b.CertFile == "" && b.KeyFile == "" && b.ServerName == "" {
		return nil, nil
	}
	t, err := broker.ClientTLS(b.CAFile, b.CertFile, b.KeyFile, b.ServerName)
	if err != nil {
		return nil, fmt.Errorf("config: [broker] ca_file/cert_file/key_file: %w", err)
	}
	return t, nil
}

// ServerTLS is the embedded broker's TLS listener configuration; nil without tls_listen.
func (c Config) ServerTLS() (*tls.Config, error) {
	b := c.Broker
	if !b.Embedded || b.TLSListen == "" {
		return nil, nil
	}
	t, err := broker.ServerTLS(b.TLSCert, b.TLSKey, b.TLSClientCA)
	if err != nil {
		return nil, fmt.Errorf("config: [broker] tls_cert/tls_key/tls_client_ca: %w", err)
	}
	return t, nil
}

// isTLSURL reports whether paho dials url with TLS.
func isTLSURL(url string) bool {
	scheme, _, _ := strings.Cut(url, "://")
	switch scheme {
	case "ssl", "tls", "mqtts", "mqtt+ssl", "tcps":
		return true
	}
	return false
}

// ClientID is the MQTT client id of the lab's client called name ("lab", "onestop-lab-cmd"):
// name-{site}, and -{worker} when the lab is one of several workers.
func (c Config) ClientID(name string) string {
	id := name + "-" + c.Site
	if c.Broker.Worker != "" {
		id += "-" + c.Broker.Worker
	}
	return id
}

// Validate reports the first key that cannot work.
func (c Config) Validate() error {
	switch {
	case !telemetry.ValidName(c.Site):
		return fmt.Errorf("config: site %q: must be one topic level", c.Site)
	case c.DB == "":
		return fmt.Errorf("config: db is empty")
	case !c.Broker.Embedded && !strings.Contains(c.Broker.URL, "://"):
		return fmt.Errorf("config: broker url %q: want tcp://host:port", c.Broker.URL)
	case c.Broker.Embedded && c.Broker.Listen == "" && c.Broker.TLSListen == "":
		return fmt.Errorf("config: broker listen and tls_listen are both empty")
	case c.Broker.Embedded && c.Broker.TLSListen != "" && (c.Broker.TLSCert == "" || c.Broker.TLSKey == ""):
		return fmt.Errorf("config: broker tls_listen needs tls_cert and tls_key")
	case (c.Broker.CertFile == "") != (c.Broker.KeyFile == ""):
		return fmt.Errorf("config: broker cert_file and key_file go together")
	case c.Broker.Worker != "" && !telemetry.ValidName(c.Broker.Worker):
		return fmt.Errorf("config: broker worker %q: must be one topic level", c.Broker.Worker)
	}
	if err := c.validateUsers(); err != nil {
		return err
	}
	for _, u := range c.Console.Users {
		if u.Role != "operator" && u.Role != "reviewer" {
			return fmt.Errorf("config: console user %q: role %q: want operator or reviewer", u.Name, u.Role)
		}
		if (u.Password == "") == (u.PasswordHash == "") {
			return fmt.Errorf("config: console user %q: give password_hash (or password), not both", u.Name)
		}
	}
	return nil
}

// validateUsers checks the embedded broker's accounts, and that the lab's own user is one of
// them with the password the lab's clients will give.
func (c Config) validateUsers() error {
	seen := map[string]User{}
	for _, u := range c.Users {
		switch {
		case !telemetry.ValidName(u.Name) || seen[u.Name].Name != "":
			return fmt.Errorf("config: user %q: empty, repeated or not one topic level", u.Name)
		case u.Role != "lab" && u.Role != "agent":
			return fmt.Errorf("config: user %q: role %q: want lab or agent", u.Name, u.Role)
		case (u.Password == "") == (u.PasswordHash == ""):
			return fmt.Errorf("config: user %q: give password_hash (from lab hash-password) or password, exactly one", u.Name)
		case u.Site != "" && !telemetry.ValidName(u.Site):
			return fmt.Errorf("config: user %q: site %q: must be one topic level", u.Name, u.Site)
		}
		if u.PasswordHash != "" {
			if err := passhash.Validate(u.PasswordHash); err != nil {
				return fmt.Errorf("config: user %q: password_hash: %w (make one with lab hash-password)", u.Name, err)
			}
		}
		seen[u.Name] = u
	}
	if !c.Broker.Embedded {
		return nil
	}
	lab, ok := seen[c.Broker.Username]
	switch {
	case !ok || lab.Role != "lab":
		return fmt.Errorf("config: [broker] username %q: no [[user]] of role lab with that name for the lab's own clients", c.Broker.Username)
	case lab.Password != "" && lab.Password != c.Broker.Password,
		lab.PasswordHash != "" && !passhash.Check(lab.PasswordHash, c.Broker.Password):
		return fmt.Errorf("config: [broker] password is not the password of [[user]] %q: set it (or %s) to the password you hashed", lab.Name, PasswordEnv)
	}
	return nil
}
