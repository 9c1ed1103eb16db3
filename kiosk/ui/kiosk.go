package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
)

// App, Font and Size are Fyne's types under the names the rest of the kiosk uses, so that no
// package but this one imports Fyne.
type (
	App  = fyne.App
	Font = fyne.Resource
	Size = fyne.Size
)

// AppID names the kiosk to Fyne (its preferences and cache folders).
const AppID = "cn.gov.tengzhou.onestop.kiosk"

// ErrNoUI: the program was built without cgo, so without Fyne's desktop driver.
var ErrNoUI = errors.New("ui: built without cgo, so without the touch UI (Fyne needs cgo and the X11/GL headers in README); doctor and backend work")

// Devices is what the UI asks of kiosk/devices: nil runs the kiosk without hardware (no
// printing; receipts then show as a QR code on screen).
type Devices interface {
	Print(ctx context.Context, r *escpos.Receipt) error
	Health(ctx context.Context) map[string]device.Health
	Present(name string) bool
}

// Options configure a Kiosk. App, Flow, Catalogue and Font are required.
type Options struct {
	App       fyne.App
	Flow      *flow.Flow
	Catalogue *catalogue.Catalogue
	Devices   Devices
	Font      fyne.Resource
	Center    string // the service center's name on receipts, e.g. 滕州市政务服务中心
	Terminal  string
	Version   string
	// Popular returns the most used item IDs (the backend's ranking); nil or empty: national items.
	Popular func(ctx context.Context) []string
	// AdminPIN checks a PIN for the admin mode (constant time); nil disables admin mode.
	AdminPIN func(pin string) bool
	// RecentLog returns the last lines of the kiosk's log for the admin screen (no personal data).
	RecentLog func() []string
	// OnService is called after each completed service (for fleet health); may be nil.
	OnService func(at time.Time)
	// Quit ends the program (admin "exit"); nil: the app quits.
	Quit      func()
	IdleAfter time.Duration // quiet time before the warning; default 90 s
	IdleGrace time.Duration // the warning's countdown; default 30 s
	// Keys are extra keyboard shortcuts by key name ("F5"; with --simulate: put a card down,
	// lift it, paper out …); they run off the UI goroutine.
	Keys       map[string]func()
	Fullscreen bool
	Size       fyne.Size // window size when not full screen; default 1080×1920 (portrait)
	Log        *slog.Logger
}

// Kiosk is the running touch UI: one window, one visit at a time.
type Kiosk struct {
	o    Options
	win  fyne.Window
	th   *kioskTheme
	idle *flow.Idle
	ctx  context.Context

	// UI-goroutine state (Fyne calls every callback on one goroutine; device and backend
	// results come back through fyne.Do).
	tap       map[string]*widget.Button // the current screen's buttons by id, for tests and the tour
	banners   map[string]string         // device → i18n key of its banner
	pad       *keypad                   // open keypad, or nil
	admin     *adminState
	warning   int // seconds left on the idle warning; 0: none
	busy      int // actions running; taps are ignored meanwhile (no double submit)
	category  string
	query     string
	popular   []string
	lastTapT  time.Time
	titleTaps int

	visit string // the visit the screen-side state belongs to

	wg sync.WaitGroup // background actions, so tests and the tour can wait for them
}

// New makes the kiosk window (not yet shown).
func New(o Options) *Kiosk {
	if o.IdleAfter == 0 {
		o.IdleAfter = 90 * time.Second
	}
	if o.IdleGrace == 0 {
		o.IdleGrace = 30 * time.Second
	}
	if o.Size.IsZero() {
		o.Size = fyne.NewSize(1080, 1920)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Center == "" {
		o.Center = "滕州市政务服务中心"
	}
	k := &Kiosk{o: o, th: &kioskTheme{font: o.Font}, banners: map[string]string{}, admin: newAdmin(time.Now)}
	k.idle = flow.NewIdle(o.IdleAfter, o.IdleGrace, time.Now())
	o.App.Settings().SetTheme(k.th)
	k.win = o.App.NewWindow(i18n.T(i18n.Hans, "app.title"))
	k.win.SetPadded(false)
	k.win.Resize(o.Size)
	if o.Fullscreen {
		k.win.SetFullScreen(true)
	}
	// A citizen must not close the kiosk; the admin screen has "exit".
	k.win.SetCloseIntercept(func() {})
	k.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		k.touch()
		if e.Name == fyne.KeyF12 {
			k.openAdmin()
		}
		if fn, ok := k.o.Keys[string(e.Name)]; ok {
			go fn()
		}
	})
	k.ctx = context.Background()
	k.render()
	return k
}

// Window is the kiosk's window (for tests and screenshots).
func (k *Kiosk) Window() fyne.Window { return k.win }

// Run shows the window and runs the app until it quits; ctx's end quits it too.
func (k *Kiosk) Run(ctx context.Context) {
	k.ctx = ctx
	go k.tick(ctx)
	go func() {
		<-ctx.Done()
		fyne.Do(k.o.App.Quit)
	}()
	k.o.App.Lifecycle().SetOnStarted(func() {
		// bench/kiosk.sh times cold start to this line.
		k.o.Log.Info("kiosk: attract screen shown", "terminal", k.o.Terminal)
	})
	k.win.ShowAndRun()
}

// Start runs the idle ticker without blocking (tests and the tour drive the window).
func (k *Kiosk) Start(ctx context.Context) {
	k.ctx = ctx
	go k.tick(ctx)
}

// tick checks the idle timer once a second.
func (k *Kiosk) tick(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			fyne.Do(func() { k.checkIdle(now) })
		}
	}
}

// checkIdle shows the warning, or wipes the visit when it ran out.
func (k *Kiosk) checkIdle(now time.Time) {
	screen := k.o.Flow.View().Screen
	if screen == flow.Attract && (k.admin.open || k.pad != nil) {
		screen = flow.Choose // an admin card or a PIN pad left open on attract times out too
	}
	st, left := k.idle.Check(now, screen)
	switch st {
	case flow.Active:
		if k.warning != 0 {
			k.warning = 0
			k.render()
		}
	case flow.Warning:
		if k.warning != left {
			k.warning = left
			k.render()
		}
	case flow.Expired:
		k.Wipe("idle")
	}
}

// Wipe ends the visit: the flow forgets it, and the window is rebuilt from the empty visit
// (render resets the screen-side state and the text size of a new visit), so no widget keeps
// a name or number. busy stays: an action of the wiped visit may still be running.
func (k *Kiosk) Wipe(reason string) {
	k.o.Flow.Wipe(reason)
	k.admin.close()
	k.idle.Touch(time.Now())
	k.render()
}

// resetScreen forgets the screen-side state of a visit: open keypad, category, search, warning.
func (k *Kiosk) resetScreen() {
	k.warning, k.pad, k.category, k.query = 0, nil, "", ""
}

// touch records activity for the idle timer.
func (k *Kiosk) touch() { k.idle.Touch(time.Now()) }

// act runs a flow action off the UI goroutine (it may wait on the backend or a device) and
// redraws when it is done.
func (k *Kiosk) act(what string, fn func(ctx context.Context) error) {
	k.busy++
	k.render()
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		ctx, cancel := context.WithTimeout(k.ctx, 20*time.Second)
		err := fn(ctx)
		cancel()
		if err != nil {
			k.o.Log.Info("ui: action", "what", what, "err", err)
		}
		fyne.DoAndWait(func() {
			k.busy--
			k.render()
		})
	}()
}

// Settle waits for background actions to finish (tests, tour).
func (k *Kiosk) Settle() { k.wg.Wait() }

// Button returns the current screen's button with id (nil if none), for tests and the tour.
func (k *Kiosk) Button(id string) *widget.Button { return k.tap[id] }

// Buttons lists the ids of the current screen's buttons.
func (k *Kiosk) Buttons() []string {
	out := make([]string, 0, len(k.tap))
	for id := range k.tap {
		out = append(out, id)
	}
	return out
}

// render rebuilds the window from the flow's current visit.
func (k *Kiosk) render() {
	v := k.o.Flow.View()
	if v.ID != k.visit {
		// A new visit (a card on the thank-you screen starts one): forget the last one's
		// screen-side state too.
		k.visit = v.ID
		k.resetScreen()
	}
	if k.th.elder != v.Elder {
		k.th.elder = v.Elder
		k.o.App.Settings().SetTheme(k.th)
	}
	k.tap = map[string]*widget.Button{}
	body := k.screen(&v)
	page := container.NewBorder(k.topBar(&v), k.bottomBar(&v), nil, nil, container.NewPadded(body))
	layers := []fyne.CanvasObject{page}
	if o := k.overlay(&v); o != nil {
		layers = append(layers, o)
	}
	k.win.SetContent(container.NewStack(layers...))
}

// Press taps the current screen's button id as a finger would, on the UI goroutine, and waits
// for what it started (the tour and scripted demos drive the real window with it).
func (k *Kiosk) Press(id string) error {
	var b *widget.Button
	fyne.DoAndWait(func() {
		if b = k.tap[id]; b != nil {
			b.OnTapped()
		}
	})
	if b == nil {
		return fmt.Errorf("ui: no button %q on screen %s", id, k.o.Flow.View().Screen)
	}
	k.Settle()
	return nil
}

// Backdate makes the last touch d ago and runs the idle check (the tour shows the warning so).
func (k *Kiosk) Backdate(d time.Duration) {
	now := time.Now()
	k.idle.Touch(now.Add(-d))
	fyne.DoAndWait(func() { k.checkIdle(now) })
}

// Banner reports whether a device's banner is up (tour, tests).
func (k *Kiosk) Banner(device string) string {
	var key string
	fyne.DoAndWait(func() { key = k.banners[device] })
	return key
}

// Reset wipes the visit from any goroutine, as the idle timer does.
func (k *Kiosk) Reset(reason string) { fyne.DoAndWait(func() { k.Wipe(reason) }) }

// Quit ends the app from any goroutine.
func (k *Kiosk) Quit() { fyne.Do(k.o.App.Quit) }

// SetSize resizes the window (portrait 1080×1920 or landscape 1920×1080) and redraws.
func (k *Kiosk) SetSize(size Size) {
	fyne.DoAndWait(func() {
		k.o.Size = size
		k.win.Resize(size)
		k.render()
	})
}

// OpenAdmin asks for the admin PIN, as F12 or five taps on the title do (the tour uses it: five
// taps within two seconds each are not certain on a loaded test machine).
func (k *Kiosk) OpenAdmin() { fyne.DoAndWait(k.openAdmin) }
