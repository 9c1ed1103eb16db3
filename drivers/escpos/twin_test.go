package escpos_test

import (
	"context"
	"errors"
	"image"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/conntest"
	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/drivers/serialport"
	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
	"github.com/onestop-station/onestop/internal/qrtest"
)

// Generous on purpose: the tests must pass on a loaded 2-core machine, and
// they never assert an upper bound on time.
const (
	waitLong     = 15 * time.Second
	replyTimeout = 3 * time.Second
)

// The content the issue asks to round-trip: a URL with Chinese in it.
const qrURL = "https://onestop.example.cn/v?事项=办成一件事&编号=A001"

// startTwin serves the printer twin on a real PTY and opens it through
// drivers/serialport, as the kiosk does.
func startTwin(t *testing.T) (*simprinter.Twin, *escpos.Printer) {
	t.Helper()
	tw, path := serveTwin(t)
	port := serialport.New(serialport.Config{Path: path, Baud: 115200}, "printer")
	p := escpos.New(port, escpos.Opts{Timeout: replyTimeout})
	t.Cleanup(func() { p.Close(); port.Close() })
	return tw, p
}

// serveTwin runs the twin until the test ends and returns its PTY path.
func serveTwin(t *testing.T) (*simprinter.Twin, string) {
	t.Helper()
	if _, err := os.Stat(simprinter.DefaultFont); err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs them: missing is a failure there
			t.Fatalf("pinned font missing (apt-get install fonts-arphic-gbsn00lp): %v", err)
		}
		t.Skipf("pinned font missing (apt-get install fonts-arphic-gbsn00lp): %v", err)
	}
	tw, err := simprinter.New(simprinter.Opts{OutDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	path := simtest.Start(t, tw)
	return tw, path
}

// waitReceipts polls until the twin has written n receipts.
func waitReceipts(t *testing.T, tw *simprinter.Twin, n int) []simprinter.Receipt {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		rs := tw.Receipts()
		if len(rs) >= n {
			return rs
		}
		if time.Now().After(deadline) {
			t.Fatalf("twin wrote %d receipts, want %d; counters %+v", len(rs), n, tw.Counters())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testReceipt(qr func(r *escpos.Receipt) *escpos.Receipt) *escpos.Receipt {
	r := escpos.NewReceipt().Init().Chinese(true).
		Align(escpos.AlignCenter).Size(2, 2).Bold(true).Line("办成一件事").
		Size(1, 1).Bold(false).Line("OneStop 一站式服务").
		Align(escpos.AlignLeft).Line("事项: 个体工商户登记").Line("编号: A001   2026-03-02 09:00").
		Align(escpos.AlignCenter)
	return qr(r).Line("扫码查看办理进度").Feed(3).Cut(escpos.CutPartial)
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// decodeQR reads the receipt's QR code with gozxing, a decoder no one here wrote.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	code, err := qrtest.Decode(img)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// zbarQR reads it again with zbarimg when installed.
func zbarQR(t *testing.T, path string) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs zbar-tools
			t.Fatal("zbarimg not on PATH (apt-get install zbar-tools)")
		}
		return "", false
	}
	out, err := exec.Command(bin, "--quiet", "--raw", path).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", path, err)
	}
	return strings.TrimSuffix(string(out), "\n"), true
}

func checkReceipt(t *testing.T, r simprinter.Receipt) {
	t.Helper()
	if got := decodeQR(t, decodePNG(t, r.PNG)); got != qrURL {
		t.Errorf("gozxing read %q, want %q", got, qrURL)
	}
	if got, ok := zbarQR(t, r.PNG); ok && got != qrURL {
		t.Errorf("zbarimg read %q, want %q", got, qrURL)
	}
	text, err := os.ReadFile(r.Text)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"办成一件事", "OneStop 一站式服务", "事项: 个体工商户登记", "扫码查看办理进度", "[cut partial]"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
}

func TestPrintNativeQRDecodesExactly(t *testing.T) {
	tw, p := startTwin(t)
	ctx := context.Background()
	r := testReceipt(func(r *escpos.Receipt) *escpos.Receipt {
		return r.QR(qrURL, escpos.QROpts{ModuleSize: 6, ErrorLevel: escpos.QRLevelM})
	})
	if err := p.Print(ctx, r); err != nil {
		t.Fatal(err)
	}
	rs := waitReceipts(t, tw, 1)
	checkReceipt(t, rs[0])
	if c := tw.Counters(); c.QRPrinted != 1 || c.UnknownCommands != 0 {
		t.Errorf("counters %+v", c)
	}
	if os.Getenv("ESCPOS_KEEP_PNG") != "" {
		b, _ := os.ReadFile(rs[0].PNG)
		_ = os.WriteFile(os.Getenv("ESCPOS_KEEP_PNG"), b, 0o644)
	}
}

func TestPrintRasterQRDecodesExactly(t *testing.T) {
	tw, p := startTwin(t)
	r := testReceipt(func(r *escpos.Receipt) *escpos.Receipt {
		return r.QRRaster(qrURL, escpos.QROpts{ModuleSize: 5, ErrorLevel: escpos.QRLevelQ})
	})
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	rs := waitReceipts(t, tw, 1)
	checkReceipt(t, rs[0])
	if c := tw.Counters(); c.QRPrinted != 0 || c.Rasters == 0 {
		t.Errorf("raster QR went out as %+v", c)
	}
}

// waitEvent reads events until one of kind k arrives.
func waitEvent(t *testing.T, p *escpos.Printer, k device.EventKind) device.Event {
	t.Helper()
	timeout := time.After(waitLong)
	for {
		select {
		case ev, ok := <-p.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %v", k)
			}
			if ev.Kind == k {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %v event", k)
		}
	}
}

// The technician's side: paper near end, out, cover open, each seen in the
// status bits, as ASB events without asking, and as Print refusals.
func TestPaperAndCoverFromTwin(t *testing.T) {
	tw, p := startTwin(t)
	ctx := context.Background()
	st, err := p.Status(ctx)
	if err != nil || !st.Online || st.Paper() != escpos.PaperOK || st.CoverOpen {
		t.Fatalf("fresh printer: %v, %v", st, err)
	}
	if err := p.EnableASB(ctx, escpos.ASBAll); err != nil {
		t.Fatal(err)
	}
	must(t, tw.SetPaper(simprinter.PaperNearEnd))
	waitEvent(t, p, device.PaperNearEnd)
	if st, err := p.Status(ctx); err != nil || st.Paper() != escpos.PaperLow || !st.Ready() {
		t.Errorf("near end: %v, %v", st, err)
	}
	must(t, p.Print(ctx, escpos.NewReceipt().Init().Line("near end still prints").Cut(escpos.CutFull)))
	waitReceipts(t, tw, 1)

	must(t, tw.SetPaper(simprinter.PaperOut))
	if ev := waitEvent(t, p, device.PaperOut); ev.State != device.Error {
		t.Errorf("paper out event %v", ev)
	}
	st, err = p.Status(ctx)
	if err != nil || st.Online || !st.PaperOut || !st.PaperStopped || st.Paper() != escpos.PaperEmpty {
		t.Errorf("paper out: %+v, %v", st, err)
	}
	if err := p.Print(ctx, escpos.NewReceipt().Line("x").Cut(escpos.CutFull)); !errors.Is(err, escpos.ErrPaperOut) {
		t.Errorf("print with paper out: %v", err)
	}
	must(t, tw.SetPaper(simprinter.PaperOK))
	waitEvent(t, p, device.PaperOK)

	must(t, tw.SetCover(true))
	waitEvent(t, p, device.CoverOpen)
	if st, err := p.Status(ctx); err != nil || !st.CoverOpen || st.Online {
		t.Errorf("cover open: %+v, %v", st, err)
	}
	if err := p.Print(ctx, escpos.NewReceipt().Line("x").Cut(escpos.CutFull)); !errors.Is(err, escpos.ErrCoverOpen) {
		t.Errorf("print with cover open: %v", err)
	}
	must(t, tw.SetCover(false))
	waitEvent(t, p, device.CoverClosed)
	if h := p.Health(ctx); h.State != device.Idle {
		t.Errorf("health %v", h)
	}
	if n := len(tw.Receipts()); n != 1 {
		t.Errorf("%d receipts; the refused ones must not print", n)
	}
}

// Data that reaches an offline printer anyway (sent without asking) is not
// printed, as on a real printer.
func TestTwinDropsDataWhileOffline(t *testing.T) {
	tw, p := startTwin(t)
	must(t, tw.SetCover(true))
	data, _ := escpos.NewReceipt().Init().Line("lost").Cut(escpos.CutFull).Bytes()
	port := serialport.New(serialport.Config{Path: tw.Path(), Baud: 115200}, "raw")
	defer port.Close()
	if _, err := port.Write(data); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(waitLong); tw.Counters().BytesIn < uint64(len(data)); {
		if time.Now().After(deadline) {
			t.Fatalf("twin took %d of %d bytes", tw.Counters().BytesIn, len(data))
		}
		time.Sleep(10 * time.Millisecond)
	}
	must(t, tw.SetCover(false))
	must(t, p.Print(context.Background(), escpos.NewReceipt().Init().Line("kept").Cut(escpos.CutFull)))
	rs := waitReceipts(t, tw, 1)
	text, _ := os.ReadFile(rs[0].Text)
	if strings.Contains(string(text), "lost") || !strings.Contains(string(text), "kept") {
		t.Errorf("transcript %q", text)
	}
	if c := tw.Counters(); c.DroppedOffline == 0 {
		t.Errorf("counters %+v", c)
	}
}

// Faults: noise before replies is set aside; a silent printer times out.
func TestTwinFaults(t *testing.T) {
	tw, p := startTwin(t)
	ctx := context.Background()
	must(t, tw.SetPaper(simprinter.PaperNearEnd))
	must(t, tw.InjectFault(simprinter.Fault{Kind: "garbage", Count: 4}))
	if st, err := p.Status(ctx); err != nil || st.Paper() != escpos.PaperLow || !st.Online {
		t.Errorf("through garbage: %v, %v", st, err)
	}
	must(t, tw.InjectFault(simprinter.Fault{Kind: "no_reply", Count: 1}))
	if _, err := p.Status(ctx); !errors.Is(err, escpos.ErrTimeout) || !strings.Contains(err.Error(), "escpos: status: DLE EOT 1: no reply (timeout)") {
		t.Errorf("silent printer: %v", err)
	}
	if _, err := p.Status(ctx); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	must(t, tw.InjectFault(simprinter.Fault{Kind: "cutter"}))
	st, err := p.Status(ctx)
	if err != nil || !st.CutterError || st.Online || !st.ErrorOccurred {
		t.Errorf("cutter error: %+v, %v", st, err)
	}
	if err := p.Print(ctx, escpos.NewReceipt().Line("x")); !errors.Is(err, escpos.ErrOffline) {
		t.Errorf("print with cutter error: %v", err)
	}
	if c := tw.Counters(); c.GarbageBytes != 24 || c.RepliesSuppressed != 1 {
		t.Errorf("counters %+v", c)
	}
}

// The capture in testdata is what the twin really says.
func TestCaptureMatchesTwin(t *testing.T) {
	tw, path := serveTwin(t)
	must(t, tw.SetPaper(simprinter.PaperNearEnd))
	port := serialport.New(serialport.Config{Path: path, Baud: 115200}, "printer")
	defer port.Close()
	rec := &conntest.Record{Port: port}
	p := escpos.New(rec, escpos.Opts{Timeout: replyTimeout})
	ctx := context.Background()
	if _, err := p.Status(ctx); err != nil {
		t.Fatal(err)
	}
	must(t, p.EnableASB(ctx, escpos.ASBAll))
	want, err := os.ReadFile("testdata/status-near-end.txt")
	if err != nil {
		t.Fatal(err)
	}
	wantOps, err := conntest.Parse(string(want))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(waitLong); tw.Counters().ASBFrames == 0; { // GS a reached the twin
		if time.Now().After(deadline) {
			t.Fatal("no ASB frame after GS a")
		}
		time.Sleep(10 * time.Millisecond)
	}
	must(t, tw.SetPaper(simprinter.PaperOut))
	waitEvent(t, p, device.PaperOut) // so the reader has taken both ASB frames
	p.Close()                        // and reads no more: rec.Ops is ours now
	if !conntest.Equal(rec.Ops, wantOps) {
		t.Fatalf("recorded:\n%s\nwant:\n%s", conntest.Format(rec.Ops), conntest.Format(wantOps))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
