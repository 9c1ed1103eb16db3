package terminal

import (
	"bufio"
	"context"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/onestop-station/onestop/firmware-sim/sim/printer"
	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/devices"
	"github.com/onestop-station/onestop/kiosk/fleet"
	"github.com/onestop-station/onestop/kiosk/ui"
)

// Version is the kiosk's version, shown on the admin screen and in fleet health.
var Version = "0.1.0"

// Kiosk makes the UI over the parts. font is a loaded CJK font (ui.LoadFont).
func (p *Parts) Kiosk(app ui.App, font ui.Font) *ui.Kiosk {
	cfg := p.Cfg
	o := ui.Options{
		App: app, Flow: p.Flow, Catalogue: p.Catalogue, Font: font,
		Center: cfg.Center, Terminal: cfg.Terminal, Version: Version,
		IdleAfter: cfg.Screen.IdleAfter.Duration, IdleGrace: cfg.Screen.IdleGrace.Duration,
		Fullscreen: cfg.Screen.Fullscreen, Size: ui.Size{Width: float32(cfg.Screen.Width), Height: float32(cfg.Screen.Height)},
		Log: p.Log, RecentLog: func() []string { return tail(p.LogPath, 20) },
		OnService: func(at time.Time) {
			if p.reporter != nil {
				p.reporter.Update(func(s *fleet.Status) { s.LastService = at.UTC() })
			}
		},
		Popular: func(ctx context.Context) []string {
			ids, err := p.Backend.Popular(ctx, 6)
			if err != nil {
				return nil
			}
			return ids
		},
	}
	if p.Devices != nil {
		o.Devices = p.Devices
	}
	if p.Sim != nil {
		o.Keys = p.simKeys()
	}
	if cfg.Admin.PINHash != "" {
		o.AdminPIN = cfg.Admin.CheckPIN
	}
	return ui.New(o)
}

// Run shows the kiosk until ctx ends or the admin quits: devices feed events, the spool's
// state shows as the offline banner.
func (p *Parts) Run(ctx context.Context, app ui.App, font ui.Font) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	k := p.Kiosk(app, font)
	p.follow(ctx, k)
	k.Run(ctx)
}

// fleet starts the terminal-health reporter when a broker is configured.
func (p *Parts) fleet(ctx context.Context) *fleet.Reporter {
	c := p.Cfg
	if c.Fleet.Broker == "" {
		return nil
	}
	rep, err := fleet.New(fleet.Config{Broker: c.Fleet.Broker, Site: c.Site, Terminal: c.Terminal,
		Username: c.Fleet.Username, Password: c.Fleet.Password, Version: Version}, p.Log)
	if err != nil {
		p.Log.Error("fleet health off", "err", err)
		return nil
	}
	p.reporter = rep
	go func() {
		if err := rep.Run(ctx); err != nil && ctx.Err() == nil {
			p.Log.Error("fleet", "err", err)
		}
	}()
	return rep
}

// deviceStatus folds a device event into the fleet status.
func deviceStatus(s *fleet.Status, ev devices.Event) {
	if ev.Kind != devices.DeviceState {
		return
	}
	if s.Devices == nil {
		s.Devices = map[string]fleet.DeviceStatus{}
	}
	d := fleet.DeviceStatus{State: ev.State.String()}
	if ev.Err != nil {
		d.Detail = ev.Err.Error()
	}
	s.Devices[ev.Device] = d
	if ev.Device == devices.Printer {
		s.Paper = ev.Paper.String()
	}
}

// follow starts the goroutines that feed the kiosk: device events and the spool banner.
func (p *Parts) follow(ctx context.Context, k *ui.Kiosk) {
	rep := p.fleet(ctx)
	if p.Devices != nil {
		go func() {
			if err := p.Devices.Run(ctx); err != nil && ctx.Err() == nil {
				p.Log.Error("devices", "err", err)
			}
		}()
		events := make(chan devices.Event, 16)
		go func() { // every event to the fleet status, then to the screen
			defer close(events)
			for ev := range p.Devices.Events() {
				if rep != nil {
					rep.Update(func(s *fleet.Status) { deviceStatus(s, ev) })
				}
				select {
				case events <- ev:
				case <-ctx.Done():
					return
				}
			}
		}()
		go k.Follow(ctx, events)
	}
	if p.Spool != nil {
		go func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for {
				k.SetOffline(p.Spool.Pending() > 0)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
}

// tail returns the last n lines of a file (the app log, which holds no personal data).
func tail(path string, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return lines
}

// SimKeys is the keyboard help of --simulate.
const SimKeys = "F5 put the 张三 card down · F6 lift it · F7 paper out / back · F8 scan the last receipt's QR code"

// simKeys drive the twins from the kiosk window's keyboard (the control page does the same).
func (p *Parts) simKeys() map[string]func() {
	var paperOut atomic.Bool // keys run on their own goroutines
	return map[string]func(){
		"F5": func() { _ = p.Sim.PlaceCard("zhangsan") },
		"F6": p.Sim.LiftCard,
		"F7": func() {
			st := printer.PaperOK
			if !paperOut.Load() {
				st = printer.PaperOut
			}
			paperOut.Store(st == printer.PaperOut)
			_ = p.Sim.SetPaper(st)
		},
		"F8": func() {
			if rs := p.Sim.Receipts(); len(rs) > 0 {
				if code, ok := lastProgressURL(rs[len(rs)-1].Text); ok {
					_ = p.Sim.Scan(code)
				}
			}
		},
	}
}

// lastProgressURL finds the progress URL a receipt's transcript names (its QR line).
func lastProgressURL(transcript string) (string, bool) {
	b, err := os.ReadFile(transcript)
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.Index(line, "/progress/"); i >= 0 {
			start := strings.LastIndex(line[:i], "http")
			if start < 0 {
				continue
			}
			url := strings.TrimRight(strings.Fields(line[start:])[0], "]")
			if _, err := backend.ParseProgressCode(url); err == nil {
				return url, true
			}
		}
	}
	return "", false
}
