package devices_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
	simscanner "github.com/onestop-station/onestop/firmware-sim/sim/scanner"
	"github.com/onestop-station/onestop/kiosk/devices"
)

const zhangsanID = "110101199003070011"

// A card left on the reader is read once; only lifting and placing it again reads it again.
func TestCardReadOncePerPlacement(t *testing.T) {
	l := link(t, "idreader")
	tw := newReader(t, l, "")
	serve(t, tw)
	d, logs := start(t, devices.Config{Reader: port(l)})
	next(t, d, "reader idle", state(devices.Reader, device.Idle))

	placed := time.Now()
	if err := tw.PlaceCard("zhangsan"); err != nil {
		t.Fatal(err)
	}
	ev := next(t, d, "card read", is(devices.CardRead, devices.Reader))
	t.Logf("card placed → CardRead: %v", time.Since(placed).Round(time.Millisecond))
	if ev.Card == nil || ev.Card.IDNumber.Reveal() != zhangsanID || ev.Card.Name.Reveal() != "张三" || ev.At.IsZero() {
		t.Fatalf("card %+v", ev)
	}
	none(t, d, "second read of a card left on the reader", 2*time.Second, is(devices.CardRead, devices.Reader))

	tw.LiftCard()
	time.Sleep(400 * time.Millisecond) // a person takes a moment
	if err := tw.PlaceCard("lisi"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, d, "card read after placing again", is(devices.CardRead, devices.Reader)); ev.Card.IDNumber.Reveal() != "310104196508120021" {
		t.Errorf("second card %s", ev.Card.Type)
	}
	for deadline := time.Now().Add(waitLong); tw.Counters().CardsRead < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // the twin counts a reply once its wire time has passed
	}
	if c := tw.Counters(); c.CardsRead != 2 {
		t.Errorf("twin served %d reads, want 2", c.CardsRead)
	}
	if s := logs.String(); strings.Contains(s, "张三") || strings.Contains(s, zhangsanID) || strings.Contains(s, "李四") {
		t.Errorf("personal data in the log:\n%s", s)
	}
}

// A read that fails is a CardError; the reader retries the card still lying there.
func TestCardErrorThenRead(t *testing.T) {
	l := link(t, "idreader")
	tw := newReader(t, l, "")
	serve(t, tw)
	d, _ := start(t, devices.Config{Reader: port(l)})
	next(t, d, "reader idle", state(devices.Reader, device.Idle))
	if err := tw.InjectFault(idreader.Fault{Kind: idreader.FaultReadFailure}); err != nil {
		t.Fatal(err)
	}
	must(t, tw.PlaceCard("wangwu"))
	ev := next(t, d, "card error", is(devices.CardError, devices.Reader))
	if !errors.Is(ev.Err, idreaderReadFailed) {
		t.Errorf("card error %v", ev.Err)
	}
	next(t, d, "card read on retry", is(devices.CardRead, devices.Reader))

	tw.SetSAM(false)
	tw.LiftCard()
	ev = next(t, d, "reader error", state(devices.Reader, device.Error))
	t.Logf("SAM fault: %v", ev.Err)
	tw.SetSAM(true)
	next(t, d, "reader idle again", state(devices.Reader, device.Idle))
}

// Unplug: the twin stops (its PTY hangs up, its link goes) and a new one starts on a new PTY
// behind the same link, as a replugged USB reader comes back as another tty.
func TestReaderUnplugReplug(t *testing.T) {
	l := link(t, "idreader")
	first := serve(t, newReader(t, l, ""))
	d, _ := start(t, devices.Config{Reader: port(l)})
	next(t, d, "reader idle", state(devices.Reader, device.Idle))

	unplugged := time.Now()
	first.stop(t)
	ev := next(t, d, "reader offline", state(devices.Reader, device.Offline))
	t.Logf("unplug → offline: %v (%v)", time.Since(unplugged).Round(time.Millisecond), ev.Err)

	tw := newReader(t, l, "zhangsan")
	replugged := time.Now()
	serve(t, tw)
	next(t, d, "reader idle after replug", state(devices.Reader, device.Idle))
	t.Logf("replug → idle: %v", time.Since(replugged).Round(time.Millisecond))
	if ev := next(t, d, "card read after replug", is(devices.CardRead, devices.Reader)); ev.Card.IDNumber.Reveal() != zhangsanID {
		t.Errorf("card %s", ev.Card.Type)
	}
}

func TestPrinterUnplugReplug(t *testing.T) {
	l := link(t, "printer")
	first := serve(t, newPrinter(t, l))
	d, _ := start(t, devices.Config{Printer: port(l), StatusEvery: time.Second})
	ev := next(t, d, "printer idle", state(devices.Printer, device.Idle))
	if ev.Paper != escpos.PaperOK {
		t.Errorf("paper %v", ev.Paper)
	}
	unplugged := time.Now()
	first.stop(t)
	ev = next(t, d, "printer offline", state(devices.Printer, device.Offline))
	t.Logf("unplug → offline: %v (%v)", time.Since(unplugged).Round(time.Millisecond), ev.Err)
	if err := d.Print(context.Background(), escpos.NewReceipt().Init().Line("x").Cut(escpos.CutFull)); !errors.Is(err, escpos.ErrOffline) {
		t.Errorf("print while unplugged: %v", err)
	}

	tw := newPrinter(t, l)
	replugged := time.Now()
	serve(t, tw)
	next(t, d, "printer idle after replug", state(devices.Printer, device.Idle))
	t.Logf("replug → idle: %v", time.Since(replugged).Round(time.Millisecond))
	must(t, d.Print(context.Background(), escpos.NewReceipt().Init().Line("after replug").Cut(escpos.CutFull)))
	waitReceipts(t, tw, 1)
}

// Paper and cover: refusals before printing, DeviceState events as the sensors change.
func TestPrinterPaperAndCover(t *testing.T) {
	l := link(t, "printer")
	tw := newPrinter(t, l)
	serve(t, tw)
	d, _ := start(t, devices.Config{Printer: port(l), StatusEvery: time.Hour}) // ASB alone reports changes
	next(t, d, "printer idle", state(devices.Printer, device.Idle))
	ctx := context.Background()

	must(t, tw.SetPaper(simprinter.PaperNearEnd))
	ev := next(t, d, "paper near end", is(devices.DeviceState, devices.Printer))
	if ev.State != device.Idle || ev.Paper != escpos.PaperLow {
		t.Errorf("near end: %v", ev)
	}
	must(t, d.Print(ctx, escpos.NewReceipt().Init().Line("near end still prints").Cut(escpos.CutFull)))
	waitReceipts(t, tw, 1)

	must(t, tw.SetPaper(simprinter.PaperOut))
	ev = next(t, d, "paper out", is(devices.DeviceState, devices.Printer))
	if ev.State != device.Error || ev.Paper != escpos.PaperEmpty || !errors.Is(ev.Err, escpos.ErrPaperOut) {
		t.Errorf("paper out: %v", ev)
	}
	if err := d.Print(ctx, escpos.NewReceipt().Line("x").Cut(escpos.CutFull)); !errors.Is(err, escpos.ErrPaperOut) {
		t.Errorf("print with paper out: %v", err)
	}
	must(t, tw.SetPaper(simprinter.PaperOK))
	next(t, d, "paper back", state(devices.Printer, device.Idle))

	must(t, tw.SetCover(true))
	ev = next(t, d, "cover open", is(devices.DeviceState, devices.Printer))
	if ev.State != device.Error || !errors.Is(ev.Err, escpos.ErrCoverOpen) {
		t.Errorf("cover open: %v", ev)
	}
	if err := d.Print(ctx, escpos.NewReceipt().Line("x").Cut(escpos.CutFull)); !errors.Is(err, escpos.ErrCoverOpen) {
		t.Errorf("print with cover open: %v", err)
	}
	st, err := d.PrinterStatus(ctx)
	if err != nil || !st.CoverOpen {
		t.Errorf("status %v %v", st, err)
	}
	must(t, tw.SetCover(false))
	next(t, d, "cover closed", state(devices.Printer, device.Idle))
	if n := len(tw.Receipts()); n != 1 {
		t.Errorf("%d receipts; refused ones must not print", n)
	}
}

// The scanner twin hangs up and comes back on a new PTY behind its link.
func TestScannerCodesAndHangup(t *testing.T) {
	l := link(t, "scanner")
	tw := newScanner(t, l)
	serve(t, tw)
	d, _ := start(t, devices.Config{Scanner: port(l), ScannerOpts: scannerOpts()})
	next(t, d, "scanner idle", state(devices.Scanner, device.Idle))

	must(t, tw.SetNext(simscanner.Code{Data: "办成一件事 https://x.cn/q?id=7"}))
	shown := time.Now()
	must(t, tw.Trigger())
	ev := next(t, d, "scanned", is(devices.Scanned, devices.Scanner))
	t.Logf("code presented → Scanned: %v (a code presented to an auto-sense scanner)", time.Since(shown).Round(time.Millisecond))
	if ev.Code != "办成一件事 https://x.cn/q?id=7" {
		t.Errorf("code %q", ev.Code)
	}

	must(t, tw.InjectFault(simscanner.Fault{Kind: simscanner.FaultHangup, Down: 500 * time.Millisecond}))
	next(t, d, "scanner offline", state(devices.Scanner, device.Offline))
	next(t, d, "scanner back", state(devices.Scanner, device.Idle))
	must(t, tw.SetNext(simscanner.Code{Data: "after"}))
	must(t, tw.Trigger())
	if ev := next(t, d, "scanned after hang-up", is(devices.Scanned, devices.Scanner)); ev.Code != "after" {
		t.Errorf("code %q", ev.Code)
	}
}

func TestAbsentDevices(t *testing.T) {
	l := link(t, "scanner")
	serve(t, newScanner(t, l))
	d, _ := start(t, devices.Config{Scanner: port(l), ScannerOpts: scannerOpts()})
	for name, want := range map[string]bool{devices.Reader: false, devices.Printer: false, devices.Scanner: true, "fax": false} {
		if d.Present(name) != want {
			t.Errorf("Present(%q) = %v", name, !want)
		}
	}
	ctx := context.Background()
	err := d.Print(ctx, escpos.NewReceipt().Line("x"))
	if !errors.Is(err, devices.ErrNotConfigured) || !errors.Is(err, escpos.ErrOffline) {
		t.Errorf("print without printer: %v", err)
	}
	next(t, d, "scanner idle", state(devices.Scanner, device.Idle))
	h := d.Health(ctx)
	if h[devices.Reader].State != device.Closed || h[devices.Reader].Detail != "not configured" || h[devices.Scanner].State != device.Idle {
		t.Errorf("health %v", h)
	}
}

func TestHealthAndRunTwice(t *testing.T) {
	rl, pl := link(t, "idreader"), link(t, "printer")
	serve(t, newReader(t, rl, ""))
	serve(t, newPrinter(t, pl))
	d, _ := start(t, devices.Config{Reader: port(rl), Printer: port(pl)})
	if _, err := d.PrinterStatus(context.Background()); err != nil { // Run has started
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := d.Run(ctx); !errors.Is(err, devices.ErrRunning) {
		t.Errorf("second Run: %v", err)
	}
	h := d.Health(context.Background())
	for _, name := range []string{devices.Reader, devices.Printer} {
		if h[name].State != device.Idle {
			t.Errorf("%s: %v", name, h[name])
		}
	}
}

// Run stops everything when its context ends; calls afterwards fail fast.
func TestRunStops(t *testing.T) {
	l := link(t, "printer")
	serve(t, newPrinter(t, l))
	d := devices.Open(devices.Config{Printer: port(l)}, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	if _, err := d.PrinterStatus(context.Background()); err != nil { // waits for Run to start
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLong):
		t.Fatal("Run did not return")
	}
	for range d.Events() {
	}
	if _, err := d.PrinterStatus(context.Background()); !errors.Is(err, devices.ErrStopped) {
		t.Errorf("status after Run: %v", err)
	}
}

func TestKindAndEventStrings(t *testing.T) {
	for k, want := range map[devices.Kind]string{devices.CardRead: "card_read", devices.CardError: "card_error",
		devices.Scanned: "scanned", devices.DeviceState: "device_state", 0: "kind(0)"} {
		if k.String() != want {
			t.Errorf("%d: %q", int(k), k.String())
		}
	}
	ev := devices.Event{Kind: devices.Scanned, Device: devices.Scanner, Code: "110101199003070011"}
	if s := ev.String(); strings.Contains(s, "1101") {
		t.Errorf("event string shows the code: %s", s)
	}
}
