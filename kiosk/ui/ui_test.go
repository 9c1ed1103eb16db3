package ui

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
	"github.com/onestop-station/onestop/firmware-sim/sim/printer"
	"github.com/onestop-station/onestop/internal/qrtest"
	"github.com/onestop-station/onestop/kiosk/backend"
	"github.com/onestop-station/onestop/kiosk/catalogue"
	"github.com/onestop-station/onestop/kiosk/devices"
	"github.com/onestop-station/onestop/kiosk/flow"
	"github.com/onestop-station/onestop/kiosk/i18n"
	"github.com/onestop-station/onestop/kiosk/seal"
	"github.com/onestop-station/onestop/kiosk/simulate"
)

// secrets are the test card's personal data: no widget may show them in clear, ever.
var secrets = []string{"张三", "110101199003070011", "张小宝", "13800000011", "6217000000000000011", "北京市东城区示例路1号"}

type uiBench struct {
	k     *Kiosk
	store *backend.Store
	taps  int
}

func newUIBench(t testing.TB, dev Devices) *uiBench {
	t.Helper()
	font, err := LoadFont("")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalogue.Load("")
	if err != nil {
		t.Fatal(err)
	}
	s, err := seal.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := backend.OpenStore(filepath.Join(t.TempDir(), "b.db"), s, backend.StoreOpts{PublicURL: "http://127.0.0.1:8090", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SeedLicences(context.Background(), backend.DemoSeed); err != nil {
		t.Fatal(err)
	}
	app := test.NewApp()
	t.Cleanup(app.Quit)
	f := flow.New(flow.Config{Catalogue: cat, Backend: st, Codes: st, Terminal: "T01"})
	k := New(Options{App: app, Flow: f, Catalogue: cat, Devices: dev, Font: font, Terminal: "T01",
		AdminPIN: func(p string) bool { return p == "2468" }, Size: fyne.NewSize(1080, 1920)})
	return &uiBench{k: k, store: st}
}

// tap taps the current screen's button id, waits for what it started, and counts the tap.
func (b *uiBench) tap(t *testing.T, id string) {
	t.Helper()
	btn := b.k.Button(id)
	if btn == nil {
		t.Fatalf("no button %q on %s; have %v", id, b.k.o.Flow.View().Screen, b.k.Buttons())
	}
	test.Tap(btn)
	b.k.Settle()
	b.taps++
}

func (b *uiBench) markup() string { return test.RenderToMarkup(b.k.Window().Canvas()) }

// noSecrets fails if any personal datum of the test card is on screen in clear.
func (b *uiBench) noSecrets(t *testing.T) {
	t.Helper()
	m := b.markup()
	for _, s := range secrets {
		if strings.Contains(m, s) {
			t.Errorf("screen %s shows %q in clear", b.k.o.Flow.View().Screen, s)
		}
	}
	if strings.Contains(m, "⟦") {
		t.Errorf("screen %s has a missing text key: %s", b.k.o.Flow.View().Screen, m[strings.Index(m, "⟦"):][:60])
	}
}

func (b *uiBench) card(t *testing.T, name string) {
	t.Helper()
	c, err := idreader.LoadCard(name)
	if err != nil {
		t.Fatal(err)
	}
	b.k.HandleEvent(context.Background(), devices.Event{Kind: devices.CardRead, Device: devices.Reader, Card: c.Card})
}

// twins starts the simulated reader, printer and scanner on PTYs and kiosk/devices over them.
// Events are pumped into the kiosk on the test goroutine (pump), so the UI is touched by one
// goroutine at a time, as in the real app.
type twins struct {
	sim *simulate.Sim
	dev *devices.Devices
}

func startTwins(t testing.TB) *twins {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := simulate.Start(ctx, simulate.Opts{Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	dev := devices.Open(sim.Devices(), slog.New(slog.DiscardHandler))
	done := make(chan struct{})
	go func() { _ = dev.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; sim.Wait() })
	return &twins{sim: sim, dev: dev}
}

// pump hands device events to the kiosk until cond holds (15 s at most).
func (b *uiBench) pump(t testing.TB, tw *twins, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for !cond() {
		select {
		case ev := <-tw.dev.Events():
			b.k.HandleEvent(context.Background(), ev)
		case <-deadline:
			t.Fatalf("waited 15 s for %s; screen %s", what, b.k.o.Flow.View().Screen)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (b *uiBench) on(s flow.Screen) func() bool {
	return func() bool { return b.k.o.Flow.View().Screen == s }
}

// TestNewbornWithTheTwins is the issue's "done when": the twin's card on the reader, 新生儿出生
// in at most eight taps, a printed receipt with the masked applicant and a QR code that decodes
// to the progress URL, and that code scanned on the scanner twin brings up the progress.
func TestNewbornWithTheTwins(t *testing.T) {
	tw := startTwins(t)
	b := newUIBench(t, tw.dev)
	b.noSecrets(t)
	if err := tw.sim.PlaceCard("zhangsan"); err != nil {
		t.Fatal(err)
	}
	b.pump(t, tw, "the card", b.on(flow.Choose))
	if !strings.Contains(b.markup(), "张*") {
		t.Error("catalogue does not greet the masked applicant")
	}
	b.noSecrets(t)
	for _, id := range []string{"item:newborn", "consent:agree", "nav:next", "nav:next", "review:submit"} {
		b.tap(t, id)
		b.noSecrets(t)
	}
	v := b.k.o.Flow.View()
	if v.Screen != flow.Receipt || v.Receipt == nil || !v.Printed {
		t.Fatalf("after submit: screen %s, printed %v (%v), notice %q", v.Screen, v.Printed, v.PrintErr, v.Notice)
	}
	tracking := v.Receipt.Tracking
	if m := b.markup(); !strings.Contains(m, tracking) || !strings.Contains(m, i18n.T(i18n.Hans, "receipt.printed")) {
		t.Errorf("receipt screen lacks the tracking number or the printed note")
	}
	rs := tw.sim.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts printed, want 1", len(rs))
	}
	txt, err := os.ReadFile(rs[0].Text)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"张*", "110***********0011", tracking} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("receipt transcript lacks %q", want)
		}
	}
	for _, s := range secrets {
		if strings.Contains(string(txt), s) {
			t.Errorf("receipt transcript holds %q", s)
		}
	}
	code := decodeQR(t, rs[0].PNG)
	if code != v.Receipt.ProgressURL {
		t.Errorf("receipt QR = %q, want %q", code, v.Receipt.ProgressURL)
	}
	b.tap(t, "receipt:next")
	b.tap(t, "rate:5")
	if b.taps > 8 {
		t.Errorf("%d taps after the card, want ≤ 8", b.taps)
	}
	if s := b.k.o.Flow.View().Screen; s != flow.Done {
		t.Fatalf("after rating: %s", s)
	}
	b.tap(t, "done:home")
	tw.sim.LiftCard()

	// Later: the citizen holds the receipt under the scanner.
	if err := tw.sim.Scan(code); err != nil {
		t.Fatal(err)
	}
	b.pump(t, tw, "the progress screen", b.on(flow.Progress))
	m := b.markup()
	if !strings.Contains(m, tracking) || !strings.Contains(m, "新生儿出生") || !strings.Contains(m, "已提交") {
		t.Errorf("progress screen lacks the tracking number, item or state")
	}
	b.noSecrets(t)
}

// TestPaperOutShowsTheReceiptOnScreen: the printer twin runs out of paper; the banner says so
// and the receipt becomes a QR code on screen.
func TestPaperOutShowsTheReceiptOnScreen(t *testing.T) {
	tw := startTwins(t)
	b := newUIBench(t, tw.dev)
	if err := tw.sim.SetPaper(printer.PaperOut); err != nil {
		t.Fatal(err)
	}
	b.pump(t, tw, "the paper-out banner", func() bool { return b.k.banners["printer"] == "dev.paperout" })
	if !strings.Contains(b.markup(), i18n.T(i18n.Hans, "dev.paperout")) {
		t.Error("no paper-out banner on screen")
	}
	if err := tw.sim.PlaceCard("zhangsan"); err != nil {
		t.Fatal(err)
	}
	b.pump(t, tw, "the card", b.on(flow.Choose))
	for _, id := range []string{"item:newborn", "consent:agree", "nav:next", "nav:next", "review:submit"} {
		b.tap(t, id)
	}
	v := b.k.o.Flow.View()
	if v.Screen != flow.Receipt || v.Printed || v.PrintErr == nil {
		t.Fatalf("screen %s printed %v err %v", v.Screen, v.Printed, v.PrintErr)
	}
	m := b.markup()
	if !strings.Contains(m, i18n.T(i18n.Hans, "receipt.noprint")) || !strings.Contains(m, "progress-qr.png") {
		t.Error("the receipt is not offered as a QR code on screen")
	}
	if n := len(tw.sim.Receipts()); n != 0 {
		t.Errorf("%d receipts printed without paper", n)
	}
}

func decodeQR(t *testing.T, path string) string {
	t.Helper()
	code, err := qrtest.DecodePNG(path)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestIdleWarningThenWipe(t *testing.T) {
	b := newUIBench(t, nil)
	b.card(t, "zhangsan")
	b.tap(t, "lang:en")
	b.tap(t, "elder")
	b.tap(t, "item:newborn")
	b.tap(t, "consent:agree")
	b.tap(t, "nav:next")
	if !strings.Contains(b.markup(), "Z*") && !strings.Contains(b.markup(), "张*") {
		t.Log("form in English") // names stay as on the card
	}
	now := time.Now()
	b.k.checkIdle(now.Add(200 * time.Second)) // form screens wait twice as long: 180 s, then 30 s
	if b.k.Button("idle:extend") == nil || b.k.warning == 0 {
		t.Fatal("no idle warning after 200 s on the form")
	}
	if !strings.Contains(b.markup(), "Do you need more time?") {
		t.Error("warning not in the visit's language")
	}
	b.tap(t, "idle:extend")
	if b.k.warning != 0 {
		t.Fatal("extend did not close the warning")
	}
	b.k.checkIdle(time.Now().Add(10 * time.Minute))
	v := b.k.o.Flow.View()
	if v.Screen != flow.Attract || v.Applicant != nil || v.Fields != nil || v.Elder || v.Lang != i18n.Hans {
		t.Fatalf("after the idle timeout: %+v", v)
	}
	m := b.markup()
	for _, s := range append(secrets, "张*", "110***********0011") {
		if strings.Contains(m, s) {
			t.Errorf("after the wipe the screen still holds %q", s)
		}
	}
	if b.k.pad != nil || b.k.query != "" || b.k.th.elder {
		t.Error("screen-side state survived the wipe")
	}
}

// TestEveryScreenInEveryLanguageFits: in each language, standard and elder, every screen of the
// newborn path has all its text (no ⟦key⟧), no clear personal data, and content no wider than a
// portrait screen (wider content would grow the window past the panel).
func TestEveryScreenInEveryLanguageFits(t *testing.T) {
	for _, elder := range []bool{false, true} {
		for _, lang := range i18n.Langs {
			b := newUIBench(t, nil)
			b.tap(t, "lang:"+string(lang))
			if elder {
				b.tap(t, "elder")
			}
			check := func(where string) {
				t.Helper()
				b.noSecrets(t)
				if w := b.k.Window().Content().MinSize().Width; w > 1080 {
					t.Errorf("%s elder=%v %s: content %v dp wide, the screen 1080", lang, elder, where, w)
				}
			}
			check("attract")
			b.card(t, "zhangsan")
			check("catalogue")
			for _, id := range []string{"item:newborn", "consent:agree", "nav:next", "field:phone"} {
				b.tap(t, id)
				check(id)
			}
			for _, id := range []string{"key:cancel", "nav:next", "review:submit", "receipt:next"} {
				b.tap(t, id)
				check(id)
			}
			b.k.checkIdle(time.Now().Add(100 * time.Second))
			check("idle warning")
		}
	}
}

func TestAdminPINLocksOut(t *testing.T) {
	b := newUIBench(t, nil)
	clock := time.Now()
	b.k.admin.now = func() time.Time { return clock }
	openPad := func() {
		for i := 0; i < 5; i++ {
			test.Tap(b.k.Button("admin:title"))
		}
	}
	enter := func(pin string) {
		for _, r := range pin {
			b.tap(t, "key:"+string(r))
		}
		b.tap(t, "key:ok")
	}
	openPad()
	if b.k.pad == nil || b.k.pad.target != "pin" {
		t.Fatal("five taps on the title did not ask for the PIN")
	}
	for i := 0; i < MaxTries; i++ {
		enter("1111")
		if i < MaxTries-1 {
			b.tap(t, "admin:retry")
		}
	}
	if locked, _ := b.k.admin.locked(); !locked {
		t.Fatal("not locked after three wrong PINs")
	}
	if b.k.Button("admin:retry") != nil {
		t.Error("a locked admin card still offers the PIN pad")
	}
	clock = clock.Add(LockFor + time.Second)
	b.tap(t, "admin:close")
	openPad()
	enter("2468")
	if !b.k.admin.unlocked || b.k.Button("admin:doctor") == nil || b.k.Button("admin:exit") == nil {
		t.Fatal("the right PIN after the lockout did not open the admin screen")
	}
}

// TestOfflineReceiptSaysSoPlainly: the center's backend stops answering before submit; the
// receipt screen says the application is kept on the terminal and by when it will be sent.
func TestOfflineReceiptSaysSoPlainly(t *testing.T) {
	b := newUIBench(t, nil)
	api := backend.NewServer(b.store, backend.ServerOpts{Tokens: map[string]string{"tok": "T01"}, Logger: slog.New(slog.DiscardHandler)})
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s, _ := seal.New(make([]byte, 32))
	spool, err := backend.OpenSpool(filepath.Join(t.TempDir(), "spool.db"), s, backend.NewClient(srv.URL, "tok", nil),
		backend.SpoolOpts{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	b.k.o.Flow = flow.New(flow.Config{Catalogue: b.k.o.Catalogue, Backend: spool, Terminal: "T01"})
	b.card(t, "zhangsan")
	for _, id := range []string{"item:newborn", "consent:agree", "nav:next", "nav:next"} {
		b.tap(t, id)
	}
	down.Store(true)
	b.tap(t, "review:submit")
	v := b.k.o.Flow.View()
	if v.Receipt == nil || !v.Receipt.Pending {
		t.Fatalf("screen %s receipt %+v", v.Screen, v.Receipt)
	}
	m := b.markup()
	if !strings.Contains(m, "网络暂时中断") || !strings.Contains(m, v.Receipt.SendBy.Local().Format("2006-01-02")) ||
		strings.Contains(m, "progress-qr.png") {
		t.Errorf("the pending receipt screen does not say plainly what happened (or shows a QR with no tracking number):\n%s", m)
	}
}

// TestSearchAndActingForSomeoneElse: pinyin initials on the letter keypad find 新生儿出生; 身后
// asks for the deceased's ID number on the ID keypad, masked while typed, then goes to consent.
func TestSearchAndActingForSomeoneElse(t *testing.T) {
	b := newUIBench(t, nil)
	b.card(t, "lisi")
	b.tap(t, "cat:search")
	for _, k := range []string{"key:X", "key:S", "key:E", "key:ok"} {
		b.tap(t, k)
	}
	if b.k.Button("item:newborn") == nil || !strings.Contains(b.markup(), "XSE") {
		t.Fatalf("search XSE: buttons %v", b.k.Buttons())
	}
	b.tap(t, "cat:popular")
	b.tap(t, "cat:after_death")
	b.tap(t, "item:after_death")
	if s := b.k.o.Flow.View().Screen; s != flow.Who {
		t.Fatalf("身后 went to %s, want the who-for screen", s)
	}
	b.tap(t, "role:subject")
	for _, r := range "11010119900307001" {
		b.tap(t, "key:"+string(r))
	}
	if m := b.markup(); strings.Contains(m, "1101011990030700") {
		t.Error("the number shows in clear while it is typed")
	}
	b.tap(t, "key:1")
	b.tap(t, "key:ok")
	v := b.k.o.Flow.View()
	if v.Screen != flow.Consent || v.Subject == nil || v.Subject.IDNumber != "110101199003070011" {
		t.Fatalf("screen %s subject %v (notice %q)", v.Screen, v.Subject, v.Notice)
	}
	if !strings.Contains(b.markup(), "身后") {
		t.Error("consent does not name the item")
	}
	b.noSecrets(t)
}

// TestResidentCodeOnTheScannerTwin: without the card, 居民码 on the scanner identifies.
func TestResidentCodeOnTheScannerTwin(t *testing.T) {
	tw := startTwins(t)
	b := newUIBench(t, tw.dev)
	code, err := b.store.IssueResidentCode(context.Background(), "张三", "110101199003070011", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.sim.Scan(code); err != nil {
		t.Fatal(err)
	}
	b.pump(t, tw, "identification by resident code", b.on(flow.Choose))
	if v := b.k.o.Flow.View(); v.Applicant == nil || v.Applicant.Method != flow.ByCode || !strings.Contains(b.markup(), "张*") {
		t.Fatalf("applicant %v", v.Applicant)
	}
	b.noSecrets(t)
}

// TestOverlaysTakeTheTapsAndTimeOut: a tap on the page under the keypad does nothing, and an
// admin PIN pad left open on the attract screen is closed by the idle timer.
func TestOverlaysTakeTheTapsAndTimeOut(t *testing.T) {
	b := newUIBench(t, nil)
	en := b.k.Button("lang:en")
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(en).Add(fyne.NewPos(5, 5))
	for i := 0; i < 5; i++ {
		test.Tap(b.k.Button("admin:title"))
	}
	if b.k.pad == nil {
		t.Fatal("no PIN pad")
	}
	test.TapCanvas(b.k.Window().Canvas(), pos)
	if b.k.o.Flow.View().Lang != i18n.Hans {
		t.Error("a tap went through the PIN pad to the language button")
	}
	b.k.checkIdle(time.Now().Add(5 * time.Minute))
	if b.k.pad != nil || b.k.admin.open {
		t.Error("the PIN pad stayed open on the attract screen past the idle timeout")
	}
}

// TestStaffAssistedIdentification: no card, no code — the helper enters their PIN and the
// citizen's ID number; the name comes from the ID-card e-licence.
func TestStaffAssistedIdentification(t *testing.T) {
	b := newUIBench(t, nil)
	b.tap(t, "attract:start")
	b.tap(t, "identify:staffpin")
	for _, r := range "2468" {
		b.tap(t, "key:"+string(r))
	}
	b.tap(t, "key:ok")
	if b.k.pad == nil || b.k.pad.target != "staffid" {
		t.Fatal("the right PIN did not ask for the ID number")
	}
	for _, r := range "110101199003070011" {
		b.tap(t, "key:"+string(r))
	}
	b.tap(t, "key:ok")
	v := b.k.o.Flow.View()
	if v.Screen != flow.Choose || v.Applicant == nil || v.Applicant.Method != flow.ByStaff || !strings.Contains(b.markup(), "张*") {
		t.Fatalf("screen %s applicant %v notice %q", v.Screen, v.Applicant, v.Notice)
	}
	b.noSecrets(t)
}
