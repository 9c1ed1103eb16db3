// Package config reads the lab station's configuration: one TOML file over defaults that run on
// one machine (embedded broker on loopback, SQLite under onestop-data/), flags override.
package config

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/onestop-station/onestop/agent/telemetry"
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

// Broker says whether the lab runs its own broker or joins one.
type Broker struct {
	Embedded bool   `toml:"embedded"`
	Listen   string `toml:"listen"`
	URL      string `toml:"url"`
	Username string `toml:"username"`
	Password string `toml:"password"`
	Shared   bool   `toml:"shared"`
}

// User is an account of the embedded broker.
type User struct {
	Name     string `toml:"name"`
	Role     string `toml:"role"`
	Password string `toml:"password"`
}

// DemoAgentPassword is agent1's password in the defaults; the agent's defaults use the same.
const DemoAgentPassword = "agent1-secret"

// Default runs everything on one machine.
func Default() Config {
	return Config{
		Site:   "tengzhou",
		DB:     "onestop-data/lab.db",
		HTTP:   "127.0.0.1:8080",
		Broker: Broker{Embedded: true, Listen: "127.0.0.1:1883", Username: "lab", Password: "lab-secret"},
		Users: []User{
			{Name: "lab", Role: "lab", Password: "lab-secret"},
			{Name: "agent1", Role: "agent", Password: DemoAgentPassword},
		},
		Console: Console{Users: []ConsoleUser{
			{Name: "operator", Role: "operator", Password: "operator-secret"},
			{Name: "reviewer", Role: "reviewer", Password: "reviewer-secret"},
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
  [broker] listen      its TCP address (default 127.0.0.1:1883)
  [broker] url         join this broker instead, e.g. tcp://mosquitto:1883 (sets embedded = false)
  [broker] username    the lab's own MQTT user (default "lab")
  [broker] password    its password
  [broker] shared      subscribe with $share/lab/... so several lab workers split the load
  [[user]] name        an account of the embedded broker
  [[user]] role        "lab" (everything under onestop/v1/lab/) or "agent" (only its own agent/{name}/ topics)
  [[user]] password    its password (kept in memory as a salted hash)
  [console] public_url        base of the verification URL printed on reports (default http://HTTP)
  [console] lab_name_zh / lab_name_en / lab_address   the laboratory as reports name it
  [console] font              report font, a TTF with Latin and CJK (default: fonts-arphic-gbsn00lp)
  [[console.user]] name       a technician's console account (defaults: operator/operator-secret,
                              reviewer/reviewer-secret; a file that lists users replaces them)
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
	pass := fs.String("password", "", "lab MQTT password, overrides [broker] password")
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
		c.Users = nil // a file that lists users replaces the demo accounts
		c.Console.Users = nil
		if _, err := toml.DecodeFile(*path, &c); err != nil {
			return Config{}, nil, fmt.Errorf("config: %s: %w", *path, err)
		}
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
	if c.Broker.URL != "" {
		c.Broker.Embedded = false
	}
	return c, fs.Args(), c.Validate()
}

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

// BrokerURL is where the lab's own clients connect.
func (c Config) BrokerURL() string {
	if c.Broker.Embedded {
		return "tcp://" + c.Broker.Listen
	}
	return c.Broker.URL
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
	case c.Broker.Embedded && c.Broker.Listen == "":
		return fmt.Errorf("config: broker listen is empty")
	}
	for _, u := range c.Console.Users {
		if u.Role != "operator" && u.Role != "reviewer" {
			return fmt.Errorf("config: console user %q: role %q: want operator or reviewer", u.Name, u.Role)
		}
		if (u.Password == "") == (u.PasswordHash == "") {
			return fmt.Errorf("config: console user %q: give password_hash (or password), not both", u.Name)
		}
	}
	for _, u := range c.Users {
		if u.Role != "lab" && u.Role != "agent" {
			return fmt.Errorf("config: user %q: role %q: want lab or agent", u.Name, u.Role)
		}
	}
	return nil
}
