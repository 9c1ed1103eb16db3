package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/drivers/serialport"
)

func printerCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("printer", "Asks the receipt printer for its status (DLE EOT 1-4): paper, cover, online.\nWith --test-page it prints a receipt with Chinese text and a QR code.", stderr)
	port := fs.String("port", "", "serial port of the printer (required)")
	baud := fs.Int("baud", 115200, "serial speed, 8N1")
	testPage := fs.Bool("test-page", false, "print a test receipt (Chinese text, sizes, a QR code, cut)")
	asJSON := fs.Bool("json", false, `print one JSON object {"paper":"ok|near_end|out","cover_open":…,"online":…}`)
	timeout := fs.Duration("timeout", 10*time.Second, "how long the whole check may take")
	if err := parse(fs, args); err != nil {
		return err
	}
	raw, err := serialport.OpenRaw(serialport.Config{Path: *port, Baud: *baud})
	if err != nil {
		return fail(ExitNoPort, "%v", err)
	}
	defer raw.Close()
	p := escpos.New(raw, escpos.DefaultOpts)
	defer p.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	st, err := p.Status(ctx)
	if err != nil {
		return printerFailure(err)
	}
	report := map[string]any{"paper": st.Paper().String(), "cover_open": st.CoverOpen, "online": st.Online,
		"cutter_error": st.CutterError, "unrecoverable": st.Unrecoverable}
	if *testPage {
		report["test_page"] = "printed"
		if err := p.Print(ctx, testReceipt(time.Now())); err != nil {
			report["test_page"] = "not printed"
			show(stdout, report, *asJSON)
			return printerFailure(err)
		}
	}
	show(stdout, report, *asJSON)
	if !st.Ready() {
		return fail(ExitDevice, "printer not ready: %s", st)
	}
	return nil
}

func show(w io.Writer, report map[string]any, asJSON bool) {
	if asJSON {
		printJSON(w, report)
		return
	}
	fmt.Fprintf(w, "paper       %v\ncover open  %v\nonline      %v\n", report["paper"], report["cover_open"], report["online"])
	if tp, ok := report["test_page"]; ok {
		fmt.Fprintf(w, "test page   %v\n", tp)
	}
	if report["paper"] != "out" && report["cover_open"] == false && report["online"] == true {
		fmt.Fprintln(w, "打印机正常 / 印表機正常 / printer OK")
	}
}

func printerFailure(err error) error {
	switch {
	case errors.Is(err, escpos.ErrPaperOut), errors.Is(err, escpos.ErrCoverOpen), errors.Is(err, escpos.ErrOffline):
		return fail(ExitDevice, "%v", err)
	case errors.Is(err, escpos.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return fail(ExitNoAnswer, "%v (is an ESC/POS printer on this port, at this speed?)", err)
	case errors.Is(err, serialport.ErrGone):
		return fail(ExitNoPort, "%v", err)
	}
	return fail(ExitFailed, "%v", err)
}

// TestPageURL is what the test receipt's QR code holds: a URL with Chinese, so a scan shows the
// printer and the scanner both handle more than ASCII.
const TestPageURL = "https://onestop.example.cn/doctor?检测=打印机"

func testReceipt(now time.Time) *escpos.Receipt {
	return escpos.NewReceipt().Init().Chinese(true).
		Align(escpos.AlignCenter).Size(2, 2).Bold(true).Line("打印测试").
		Size(1, 1).Bold(false).Line("OneStop 自助终端 self-service terminal").
		Align(escpos.AlignLeft).Line("时间 "+now.Format("2006-01-02 15:04:05")).
		Line("中文 ABC 123 ￥12.50 —— 办成一件事").
		Align(escpos.AlignCenter).QR(TestPageURL, escpos.DefaultQROpts).
		Line("扫码核对 / scan to check").
		Feed(3).Cut(escpos.CutPartial)
}
