// Package terminal assembles a running kiosk from its configuration: the catalogue, the
// backend (the embedded store, or the center's backend behind an offline spool), the flow, the
// devices (or, with --simulate, the three twins in-process), the audit and app logs, the
// retention purge and fleet health; then hands them to kiosk/ui. It imports no Fyne package:
// kiosk/ui names the types it needs (ui.App, ui.Font, ui.Size) and makes the app (ui.NewApp).
package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/onestop-station/onestop/drivers/scanner"
	"github.com/onestop-station/onestop/drivers/serialport"
	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/config"
	"github.com/onestop-station/onestop/kiosk/devices"
	"github.com/onestop-station/onestop/kiosk/fleet"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
	"github.com/onestop-station/onestop/kiosk/seal"
	"github.com/onestop-station/onestop/kiosk/simulate"
)

// Opts are the run-time choices beside the configuration file.
type Opts struct {
	Simulate bool      // start the reader, printer and scanner twins in-process
	Card     string    // with Simulate: a card already on the reader ("" none)
	Stderr   io.Writer // app log copy; nil: os.Stderr
}

// Parts is an assembled kiosk, before the UI.
type Parts struct {
	Cfg       config.Config
	Catalogue *catalogue.Catalogue
	Backend   backend.Backend // what the flow talks to
	Store     *backend.Store  // the embedded store; nil with a remote backend
	Spool     *backend.Spool  // offline submissions; nil with the embedded store
	Flow      *flow.Flow
	Devices   *devices.Devices // nil when no device is configured
	Sim       *simulate.Sim    // with Opts.Simulate
	Log       *slog.Logger     // app log: data_dir/kiosk.log and stderr; never personal data
	LogPath   string
	reporter  *fleet.Reporter
	closers   []func() error
}

// Assemble builds every part. ctx owns the goroutines it starts (twins, purge, spool).
func Assemble(ctx context.Context, cfg config.Config, o Opts) (p *Parts, err error) {
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	p = &Parts{Cfg: cfg}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("terminal: data dir: %w", err)
	}
	p.LogPath = filepath.Join(cfg.DataDir, "kiosk.log")
	lf, err := os.OpenFile(p.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("terminal: log: %w", err)
	}
	p.closers = append(p.closers, lf.Close)
	p.Log = slog.New(slog.NewTextHandler(io.MultiWriter(lf, o.Stderr), nil))

	if p.Catalogue, err = catalogue.Load(cfg.Catalogue); err != nil {
		return nil, fmt.Errorf("terminal: %w", err)
	}
	sealer, err := loadSealer(cfg, o.Simulate)
	if err != nil {
		return nil, err
	}
	if err := p.openBackend(ctx, cfg, sealer, o.Simulate); err != nil {
		return nil, err
	}
	audit, err := openAudit(filepath.Join(cfg.DataDir, "audit.log"))
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, audit.close)
	fc := flow.Config{Catalogue: p.Catalogue, Backend: p.Backend, Site: cfg.Site, Terminal: cfg.Terminal,
		Lang: i18n.Parse(cfg.Lang), RetentionDays: cfg.Retention, Audit: audit.record}
	if r, ok := p.Backend.(flow.CodeResolver); ok { // resident codes (居民码) are resolved by the platform
		fc.Codes = r
	}
	p.Flow = flow.New(fc)

	devCfg := deviceConfig(cfg)
	if o.Simulate {
		p.Sim, err = simulate.Start(ctx, simulate.Opts{Dir: filepath.Join(cfg.DataDir, "sim"), Card: o.Card, Log: p.Log})
		if err != nil {
			return nil, fmt.Errorf("terminal: simulate: %w", err)
		}
		devCfg = p.Sim.Devices()
		devCfg.StatusEvery = time.Second // a tester sets the paper on the twin and wants to see it now
		p.Log.Info("simulated devices", "control", p.Sim.ControlURL())
	}
	if devCfg.Reader.Path != "" || devCfg.Printer.Path != "" || devCfg.Scanner.Path != "" {
		p.Devices = devices.Open(devCfg, p.Log)
	}
	return p, nil
}

// loadSealer gets the key for personal data at rest: from key_file or ONESTOP_KIOSK_KEY; with
// --simulate a key file is made in the data dir. Outside --simulate a missing key is an error.
func loadSealer(cfg config.Config, simulate bool) (*seal.Sealer, error) {
	file := cfg.KeyFile
	if simulate && file == "" && os.Getenv(config.ReadKeyEnv) == "" {
		file = filepath.Join(cfg.DataDir, "sim.key")
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			if err := seal.GenerateKeyFile(file); err != nil {
				return nil, fmt.Errorf("terminal: key: %w", err)
			}
		}
	}
	key, err := seal.LoadKey(file, config.ReadKeyEnv)
	if err != nil {
		return nil, fmt.Errorf("terminal: no key for personal data at rest (key_file or %s; --simulate makes one): %w", config.ReadKeyEnv, err)
	}
	return seal.New(key)
}

func (p *Parts) openBackend(ctx context.Context, cfg config.Config, s *seal.Sealer, simulate bool) error {
	if cfg.Backend.URL == "" {
		st, err := backend.OpenStore(filepath.Join(cfg.DataDir, "backend.db"), s, backend.StoreOpts{
			PublicURL: cfg.Backend.PublicURL, Logger: p.Log,
			PromisedDays: func(id string) int {
				if it, ok := p.Catalogue.Item(id); ok {
					return it.PromisedDays
				}
				return 0
			},
		})
		if err != nil {
			return fmt.Errorf("terminal: %w", err)
		}
		p.closers = append(p.closers, st.Close)
		p.Store, p.Backend = st, st
		if simulate {
			if err := st.SeedLicences(ctx, backend.DemoSeed); err != nil {
				return fmt.Errorf("terminal: seed: %w", err)
			}
		}
		go purge(ctx, st, cfg.Retention, p.Log)
		return nil
	}
	client := backend.NewClient(cfg.Backend.URL, cfg.Backend.Token, nil)
	sp, err := backend.OpenSpool(filepath.Join(cfg.DataDir, "spool.db"), s, client, backend.SpoolOpts{TTL: cfg.Spool.Duration, Logger: p.Log})
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	p.closers = append(p.closers, sp.Close)
	p.Spool, p.Backend = sp, sp
	go sp.Run(ctx, 30*time.Second)
	return nil
}

// purge erases the personal data of applications finished more than retention days ago,
// hourly (PIPL Art. 19: keep it no longer than needed).
func purge(ctx context.Context, st *backend.Store, days int, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := st.Purge(ctx, time.Now().AddDate(0, 0, -days))
		if err != nil && ctx.Err() == nil {
			log.Warn("retention purge", "err", err)
		} else if n > 0 {
			log.Info("retention purge", "applications", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func deviceConfig(cfg config.Config) devices.Config {
	d := devices.Config{
		Reader:  serialport.Config{Path: cfg.Devices.Reader},
		Printer: serialport.Config{Path: cfg.Devices.Printer},
		Scanner: serialport.Config{Path: cfg.Devices.Scanner},
	}
	if dl, err := scanner.ParseDialect(cfg.Devices.ScannerDialect); err == nil {
		d.ScannerOpts.Dialect = dl
	}
	return d
}

// Close releases files and databases (goroutines stop with the ctx given to Assemble).
func (p *Parts) Close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		_ = p.closers[i]()
	}
	p.closers = nil
}

// DemoCodes issues a resident code (居民码) for each demo card, valid 24 h, so a tester can scan
// one on the scanner twin's page instead of putting a card down. Embedded store only.
func (p *Parts) DemoCodes(ctx context.Context) map[string]string {
	if p.Store == nil {
		return nil
	}
	out := map[string]string{}
	for _, d := range backend.DemoResidents {
		if code, err := p.Store.IssueResidentCode(ctx, d.Name, d.IDNumber, 24*time.Hour); err == nil {
			out[d.Card] = code
		}
	}
	return out
}
