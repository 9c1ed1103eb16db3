package doctor

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
	"github.com/onestop-station/onestop/internal/qrtest"
)

func startPrinter(t *testing.T) (*simprinter.Twin, string) {
	t.Helper()
	link := filepath.Join(t.TempDir(), "printer")
	tw, err := simprinter.New(simprinter.Opts{OutDir: t.TempDir(), Link: link, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	simtest.Start(t, tw)
	return tw, link
}

func TestPrinterTestPageDecodesBack(t *testing.T) {
	tw, link := startPrinter(t)
	code, out, errOut := run("printer", "--port", link, "--test-page", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep["paper"] != "ok" || rep["cover_open"] != false || rep["online"] != true || rep["test_page"] != "printed" {
		t.Errorf("report %v %v: %s", rep, err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(tw.Receipts()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the twin rendered no receipt")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := tw.Receipts()[0]
	if code, err := qrtest.DecodePNG(r.PNG); err != nil || code != TestPageURL {
		t.Errorf("QR on the test page: %v %q, want %q", err, code, TestPageURL)
	}
	text, _ := os.ReadFile(r.Text)
	if !strings.Contains(string(text), "打印测试") {
		t.Errorf("transcript lacks the title:\n%s", text)
	}
}

func TestPrinterStates(t *testing.T) {
	tw, link := startPrinter(t)
	tw.SetPaper(simprinter.PaperNearEnd)
	if code, out, e := run("printer", "--port", link, "--json"); code != ExitOK || !strings.Contains(out, `"paper":"near_end"`) {
		t.Errorf("near end: %d %s %s", code, out, e)
	}
	tw.SetPaper(simprinter.PaperOut)
	code, out, e := run("printer", "--port", link, "--json", "--test-page")
	if code != ExitDevice || !strings.Contains(out, `"paper":"out"`) || !strings.Contains(out, `"test_page":"not printed"`) || !strings.Contains(e, "paper out") {
		t.Errorf("paper out: %d %s %s", code, out, e)
	}
	tw.SetPaper(simprinter.PaperOK)
	tw.SetCover(true)
	if code, out, e := run("printer", "--port", link); code != ExitDevice || !strings.Contains(out, "cover open  true") {
		t.Errorf("cover open: %d %s %s", code, out, e)
	}
	if code, _, e := run("printer", "--port", silentLink(t), "--timeout", "3s"); code != ExitNoAnswer {
		t.Errorf("silent port: %d %s", code, e)
	}
	if len(tw.Receipts()) != 0 {
		t.Errorf("a receipt was rendered while the printer could not print")
	}
}
