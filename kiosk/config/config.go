// Package config reads the kiosk's configuration: one TOML file, defaults that run on one
// machine (embedded backend in the data directory, no devices), and flags that override. Keys
// lists every key with its meaning; `kiosk --help` prints it.
package config

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the whole kiosk configuration.
type Config struct {
	Site      string   `toml:"site"`
	Terminal  string   `toml:"terminal"`
	Center    string   `toml:"center"`
	Lang      string   `toml:"lang"`
	DataDir   string   `toml:"data_dir"`
	Catalogue string   `toml:"catalogue_dir"`
	Font      string   `toml:"font"`
	KeyFile   string   `toml:"key_file"`
	Backend   Backend  `toml:"backend"`
	Screen    Screen   `toml:"screen"`
	Admin     Admin    `toml:"admin"`
	Devices   Devices  `toml:"devices"`
	Fleet     Fleet    `toml:"fleet"`
	Retention int      `toml:"retention_days"`
	Spool     Duration `toml:"spool_ttl"`
}

// Backend says where applications go.
type Backend struct {
	URL       string `toml:"url"`   // "" = embedded store in data_dir
	Token     string `toml:"token"` // bearer token of this terminal
	PublicURL string `toml:"public_url"`
}

// Screen is the window.
type Screen struct {
	Width      int      `toml:"width"`
	Height     int      `toml:"height"`
	Fullscreen bool     `toml:"fullscreen"`
	IdleAfter  Duration `toml:"idle_after"`
	IdleGrace  Duration `toml:"idle_grace"`
}

// Admin guards the admin mode.
type Admin struct {
	PINHash string `toml:"pin_sha256"` // hex SHA-256 of the PIN; "" disables admin mode
}

// Devices are the serial ports; "" = not fitted.
type Devices struct {
	Reader         string `toml:"reader"`
	Printer        string `toml:"printer"`
	Scanner        string `toml:"scanner"`
	ScannerDialect string `toml:"scanner_dialect"`
}

// Fleet is terminal health over MQTT; no broker = off.
type Fleet struct {
	Broker   string `toml:"broker"`
	Username string `toml:"username"`
	Password string `toml:"password"`
}

// Duration is a time.Duration written as "90s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText reads "90s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// Default runs on one machine.
func Default() Config {
	return Config{
		Site: "tengzhou", Terminal: "T01", Center: "滕州市政务服务中心", Lang: "zh-Hans",
		DataDir: "kiosk-data", Retention: 180, Spool: Duration{72 * time.Hour},
		Backend: Backend{PublicURL: "http://127.0.0.1:8090"},
		Screen:  Screen{Width: 1080, Height: 1920, IdleAfter: Duration{90 * time.Second}, IdleGrace: Duration{30 * time.Second}},
	}
}

// Keys explains every key, for --help.
const Keys = `Configuration keys (TOML; flags override):
  site, terminal, center     where this terminal stands (center: the name printed on receipts)
  lang                       language a visit starts in: zh-Hans (default), zh-Hant, en
  data_dir                   embedded backend, offline spool, audit log and app log (kiosk-data)
  catalogue_dir              a directory of catalogue files replacing the embedded catalogue
  font                       a single-face .ttf/.otf with CJK glyphs (default: LXGW WenKai)
  key_file                   32-byte key for personal data at rest (or env ONESTOP_KIOSK_KEY,
                             64 hex chars); required except with --simulate
  retention_days             personal data of finished applications is erased after (180)
  spool_ttl                  how long a submission made offline is kept for sending (72h)
  [backend] url, token       the center's backend (kiosk backend serve); "" = embedded
            public_url       base of the progress URL in receipt QR codes
  [screen] width, height     window size when not full screen (1080×1920 portrait, or 1920×1080)
           fullscreen        full screen (a real terminal)
           idle_after, idle_grace   quiet time before the "more time?" warning, and its countdown
  [admin] pin_sha256         hex SHA-256 of the admin PIN; empty disables admin mode
  [devices] reader, printer, scanner   serial ports ("" = not fitted); scanner_dialect none|honeywell|newland
  [fleet] broker, username, password   MQTT broker for terminal health (empty = off)
`

// Load reads path over the defaults ("" = defaults only); unknown keys are an error.
func Load(path string) (Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return c, fmt.Errorf("config: %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		keys := make([]string, len(u))
		for i, k := range u {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("config: %s: unknown keys %s", path, strings.Join(keys, ", "))
	}
	return c, c.Validate()
}

// Validate checks values a typo would make silently wrong.
func (c Config) Validate() error {
	var errs []error
	if c.Terminal == "" {
		errs = append(errs, errors.New("terminal is empty"))
	}
	if c.Screen.IdleAfter.Duration < 20*time.Second || c.Screen.IdleGrace.Duration < 20*time.Second {
		errs = append(errs, errors.New("screen.idle_after and idle_grace must be ≥ 20s (WCAG 2.2.1)"))
	}
	if h := c.Admin.PINHash; h != "" {
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			errs = append(errs, errors.New("admin.pin_sha256 is not 64 hex characters"))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return nil
}

// PINHash is the pin_sha256 value for pin.
func PINHash(pin string) string {
	s := sha256.Sum256([]byte(pin))
	return hex.EncodeToString(s[:])
}

// CheckPIN compares pin with the configured hash in constant time; false when none is set.
func (a Admin) CheckPIN(pin string) bool {
	if a.PINHash == "" {
		return false
	}
	want, err := hex.DecodeString(a.PINHash)
	if err != nil {
		return false
	}
	got := sha256.Sum256([]byte(pin))
	return subtle.ConstantTimeCompare(want, got[:]) == 1
}

// ReadKeyEnv is the environment variable holding the data key.
const ReadKeyEnv = "ONESTOP_KIOSK_KEY"
