package terminal

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/onestop-station/onestop/firmware-sim/sim/printer"
	"github.com/onestop-station/onestop/kiosk/config"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
	"github.com/onestop-station/onestop/kiosk/ui"
)

// TourPIN is the admin PIN of a tour run (its configuration has none of its own).
const TourPIN = "2468"

// Tour runs the real app with the simulated devices and saves a PNG of every screen — attract,
// card read, catalogue, consent, checklist with 免提交, form with keypad, review, receipt,
// rating, helper call, progress query, queue ticket, idle warning, admin, paper-out — in each
// language, in standard and elder mode, and once more on a landscape screen. cfg.DataDir keeps the run's database and logs. It
// returns the number of screenshots. app.Run blocks this goroutine (Fyne's main loop); the
// tour drives the window from another one.
//
// quick runs three passes instead of seven (zh-Hans standard, English elder, landscape): the
// test suite's version, since the UI tests already check every language and mode for text and
// width in Fyne's test driver.
func Tour(ctx context.Context, app ui.App, font ui.Font, cfg config.Config, out string, quick bool, stderr io.Writer) (int, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Admin.PINHash == "" {
		cfg.Admin.PINHash = config.PINHash(TourPIN)
	}
	p, err := Assemble(ctx, cfg, Opts{Simulate: true, Stderr: stderr})
	if err != nil {
		return 0, err
	}
	defer p.Close()
	k := p.Kiosk(app, font)
	k.Start(ctx)
	p.follow(ctx, k)
	k.Window().Show()

	var n int
	var tourErr error
	go func() {
		defer k.Quit()
		t := &tour{p: p, k: k, out: out}
		type pass struct {
			lang  i18n.Lang
			elder bool
		}
		var passes []pass
		for _, elder := range []bool{false, true} {
			for _, lang := range i18n.Langs {
				passes = append(passes, pass{lang, elder})
			}
		}
		if quick {
			passes = []pass{{i18n.Hans, false}, {i18n.En, true}}
		}
		for _, ps := range passes {
			if err := t.pass(ctx, ps.lang, ps.elder); err != nil {
				tourErr = fmt.Errorf("%s elder=%v: %w", ps.lang, ps.elder, err)
				return
			}
		}
		// The same screens on a landscape terminal (1920×1080), in the default language.
		k.SetSize(ui.Size{Width: 1920, Height: 1080})
		t.landscape = true
		if err := t.pass(ctx, i18n.Hans, false); err != nil {
			tourErr = fmt.Errorf("landscape: %w", err)
			return
		}
		n = t.shots
	}()
	app.Run()
	return n, tourErr
}

type tour struct {
	p     *Parts
	k     *ui.Kiosk
	out   string
	shots int
	pre   string
	win   string // X window id
	// landscape names the pass's files "landscape-…"
	landscape bool
}

// shot saves the window as the X server shows it. (Reading the GL back buffer with Fyne's
// Canvas.Capture gives a blank image under Xvfb's software GL; the X window is what a citizen sees.)
func (t *tour) shot(name string) error {
	time.Sleep(200 * time.Millisecond) // let the driver paint the new content
	if t.win == "" {
		title := i18n.T(i18n.Hans, "app.title")
		out, err := exec.Command("xdotool", "search", "--name", title).Output()
		if err != nil {
			return fmt.Errorf("tour: find the window with xdotool (apt-get install xdotool): %w", err)
		}
		ids := strings.Fields(string(out))
		if len(ids) == 0 {
			return fmt.Errorf("tour: no window named %q on the display", title)
		}
		t.win = ids[0]
	}
	t.shots++
	path := filepath.Join(t.out, t.pre+name+".png")
	if out, err := exec.Command("import", "-window", t.win, path).CombinedOutput(); err != nil {
		return fmt.Errorf("tour: capture with import (apt-get install imagemagick): %v: %s", err, out)
	}
	return nil
}

func (t *tour) press(ids ...string) error {
	for _, id := range ids {
		if err := t.k.Press(id); err != nil {
			return err
		}
	}
	return nil
}

// until waits for cond (device events arrive on their own goroutine).
func (t *tour) until(what string, cond func() bool) error {
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("tour: waited 15 s for %s (screen %s)", what, t.p.Flow.View().Screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

func (t *tour) on(s flow.Screen) func() bool {
	return func() bool { return t.p.Flow.View().Screen == s }
}

// card lifts whatever is on the twin reader and puts the test card down, as a citizen does.
func (t *tour) card() error {
	t.p.Sim.LiftCard()
	// The reader must see the card gone (a failed find card) before the next one, or it takes
	// the new card for the old one still lying there: give it several polls, even on a busy machine.
	time.Sleep(time.Second)
	if err := t.p.Sim.PlaceCard("zhangsan"); err != nil {
		return err
	}
	return t.until("the card to be read", t.on(flow.Choose))
}

// apply walks from a read card to the receipt.
func (t *tour) apply(shots bool) error {
	steps := []struct{ press, shot string }{
		{"item:newborn", "04-consent"}, {"consent:agree", "05-checklist"}, {"nav:next", ""},
	}
	for _, s := range steps {
		if err := t.press(s.press); err != nil {
			return err
		}
		if shots && s.shot != "" {
			if err := t.shot(s.shot); err != nil {
				return err
			}
		}
	}
	if shots {
		if err := t.press("field:phone", "key:1", "key:3", "key:9"); err != nil {
			return err
		}
		if err := t.shot("06-form-keypad"); err != nil {
			return err
		}
		if err := t.press("key:cancel"); err != nil {
			return err
		}
	}
	if err := t.press("nav:next"); err != nil {
		return err
	}
	if shots {
		if err := t.shot("07-review"); err != nil {
			return err
		}
	}
	return t.press("review:submit")
}

func (t *tour) pass(ctx context.Context, lang i18n.Lang, elder bool) error {
	t.pre = string(lang) + "-"
	if elder {
		t.pre += "elder-"
	}
	if t.landscape {
		t.pre = "landscape-" + t.pre
	}
	t.k.Reset("tour")
	setup := func() error {
		if err := t.press("lang:" + string(lang)); err != nil {
			return err
		}
		if elder {
			return t.press("elder")
		}
		return nil
	}
	if err := setup(); err != nil {
		return err
	}
	if err := t.shot("01-attract"); err != nil {
		return err
	}
	// The language and text size belong to the visit: a card read keeps them.
	if err := t.card(); err != nil {
		return err
	}
	if err := t.shot("02-card-read"); err != nil {
		return err
	}
	t.p.Flow.ClearNotice()
	if err := t.press("lang:" + string(lang)); err != nil { // redraw without the greeting
		return err
	}
	if err := t.shot("03-catalogue"); err != nil {
		return err
	}
	if err := t.apply(true); err != nil {
		return err
	}
	if err := t.until("the receipt to print", func() bool { v := t.p.Flow.View(); return v.Printed || v.PrintErr != nil }); err != nil {
		return err
	}
	if err := t.shot("08-receipt"); err != nil {
		return err
	}
	receipt := t.p.Flow.View().Receipt
	if err := t.press("receipt:next"); err != nil {
		return err
	}
	if err := t.shot("09-rating"); err != nil {
		return err
	}
	if err := t.press("rate:5", "done:home"); err != nil {
		return err
	}
	if err := setup(); err != nil {
		return err
	}
	if err := t.press("help"); err != nil {
		return err
	}
	if err := t.shot("10-helper-call"); err != nil {
		return err
	}

	// Later: the receipt's QR code on the scanner.
	if err := t.p.Sim.Scan(receipt.ProgressURL); err != nil {
		return err
	}
	if err := t.until("the progress screen", t.on(flow.Progress)); err != nil {
		return err
	}
	if err := t.shot("11-progress"); err != nil {
		return err
	}
	if err := t.press("nav:home"); err != nil {
		return err
	}
	if err := setup(); err != nil {
		return err
	}
	if err := t.press("attract:ticket", "ticket:take"); err != nil {
		return err
	}
	if err := t.shot("12-ticket"); err != nil {
		return err
	}
	if err := t.press("nav:home"); err != nil {
		return err
	}
	if err := setup(); err != nil {
		return err
	}

	if err := t.card(); err != nil {
		return err
	}
	t.k.Backdate(100 * time.Second) // as if nobody had touched the screen for 100 s
	if err := t.shot("13-idle-warning"); err != nil {
		return err
	}
	if err := t.press("idle:extend"); err != nil {
		return err
	}
	t.k.OpenAdmin()
	for _, r := range TourPIN {
		if err := t.press("key:" + string(r)); err != nil {
			return err
		}
	}
	if err := t.press("key:ok", "admin:doctor"); err != nil {
		return err
	}
	if err := t.shot("14-admin"); err != nil {
		return err
	}
	if err := t.press("admin:close"); err != nil {
		return err
	}

	// Paper out: the banner, and the receipt offered as a QR code on screen.
	if err := t.p.Sim.SetPaper(printer.PaperOut); err != nil {
		return err
	}
	if err := t.until("the paper-out banner", func() bool { return t.k.Banner("printer") == "dev.paperout" }); err != nil {
		return err
	}
	if err := t.apply(false); err != nil {
		return err
	}
	if err := t.until("the receipt screen", func() bool { v := t.p.Flow.View(); return v.PrintErr != nil }); err != nil {
		return err
	}
	if err := t.shot("15-paper-out"); err != nil {
		return err
	}
	if err := t.p.Sim.SetPaper(printer.PaperOK); err != nil {
		return err
	}
	return t.until("the paper banner to clear", func() bool { return t.k.Banner("printer") == "" })
}
