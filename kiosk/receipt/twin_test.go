package receipt_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/escpos"
	"github.com/onestop-station/onestop/drivers/serialport"
	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
	"github.com/onestop-station/onestop/internal/qrtest"
	"github.com/onestop-station/onestop/kiosk/receipt"
)

var cst = time.FixedZone("CST", 8*3600)

const progressURL = "https://zwfw.example.cn/p?t=TZ20260302-000123&事项=出生"

func input(lang string) receipt.Input {
	return receipt.Input{
		Lang: lang, Center: "滕州市政务服务中心", Terminal: "TZ-01",
		ItemName: "新生儿出生一件事", ItemNameZh: "新生儿出生一件事",
		ApplicantName: "张三", ApplicantID: "110101199003070011",
		Tracking:    "TZ20260302-000123",
		SubmittedAt: time.Date(2026, 3, 2, 1, 5, 0, 0, time.UTC),
		PromisedBy:  time.Date(2026, 3, 9, 0, 0, 0, 0, cst),
		ProgressURL: progressURL,
		Materials: []receipt.Line{
			{Name: "居民户口簿", Covered: true, Source: "山东省电子证照库"},
			{Name: "出生医学证明", Bring: "原件"},
		},
		NextSteps: []string{"请留意短信通知，办结后可邮寄或到窗口领取证件。"},
		Ticket:    "A017",
		Loc:       cst,
	}
}

// printer serves the printer twin on a PTY and opens it with the real driver, as the kiosk does.
func printer(t *testing.T) (*simprinter.Twin, *escpos.Printer) {
	t.Helper()
	if _, err := os.Stat(simprinter.DefaultFont); err != nil {
		t.Fatalf("printer twin font missing (apt-get install fonts-arphic-gbsn00lp): %v", err)
	}
	tw, err := simprinter.New(simprinter.Opts{OutDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	path := simtest.Start(t, tw)
	port := serialport.New(serialport.Config{Path: path, Baud: 115200}, "printer")
	p := escpos.New(port, escpos.Opts{Timeout: 3 * time.Second})
	t.Cleanup(func() { p.Close(); port.Close() })
	return tw, p
}

// printOne prints r and returns the twin's receipt and its transcript.
func printOne(t *testing.T, tw *simprinter.Twin, p *escpos.Printer, r *escpos.Receipt) (simprinter.Receipt, string) {
	t.Helper()
	n := len(tw.Receipts())
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(tw.Receipts()) <= n {
		if time.Now().After(deadline) {
			t.Fatalf("the twin rendered no receipt; counters %+v", tw.Counters())
		}
		time.Sleep(20 * time.Millisecond)
	}
	rec := tw.Receipts()[n]
	text, err := os.ReadFile(rec.Text)
	if err != nil {
		t.Fatal(err)
	}
	return rec, string(text)
}

func contains(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("transcript lacks %q:\n%s", w, text)
		}
	}
}

func lacks(t *testing.T, text string, not ...string) {
	t.Helper()
	for _, w := range not {
		if strings.Contains(text, w) {
			t.Errorf("transcript holds %q:\n%s", w, text)
		}
	}
}

func TestReceiptOnTwin(t *testing.T) {
	tw, p := printer(t)
	r, err := receipt.Build(input(receipt.Hans))
	if err != nil {
		t.Fatal(err)
	}
	rec, text := printOne(t, tw, p, r)
	contains(t, text, "滕州市政务服务中心", "受理回执", "张*", "110***********0011", "TZ20260302-000123",
		"2026-03-02 09:05", "2026-03-09", "[免提交] 居民户口簿", "山东省电子证照库", "[请携带] 出生医学证明 - 原件",
		"排队号: A017", "扫码查看办理进度", "[cut partial]")
	lacks(t, text, "张三", "110101199003070011", "Tracking")

	code, err := qrtest.DecodePNG(rec.PNG)
	if err != nil {
		t.Fatal(err)
	}
	if code != progressURL {
		t.Errorf("QR holds %q, want %q", code, progressURL)
	}
	if c := tw.Counters(); c.QRPrinted != 1 || c.Rasters != 0 || c.UnknownCommands != 0 {
		t.Errorf("want one native QR code: %+v", c)
	}
	if os.Getenv("RECEIPT_KEEP_PNG") != "" {
		b, _ := os.ReadFile(rec.PNG)
		_ = os.WriteFile(os.Getenv("RECEIPT_KEEP_PNG"), b, 0o644)
	}
}

// English visits get Chinese and English captions; zh-Hant visits the Simplified captions,
// which every printer font draws.
func TestReceiptLanguages(t *testing.T) {
	tw, p := printer(t)
	in := input(receipt.En)
	in.ItemName = "Birth of a child"
	r, err := receipt.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	_, text := printOne(t, tw, p, r)
	contains(t, text, "受理回执", "Application receipt", "办件编号 Tracking no.: TZ20260302-000123",
		"新生儿出生一件事 / Birth of a child", "申请人 Applicant: 张*")
	lacks(t, text, "张三", "110101199003070011")

	r, err = receipt.Build(input(receipt.Hant))
	if err != nil {
		t.Fatal(err)
	}
	_, text = printOne(t, tw, p, r)
	contains(t, text, "受理回执", "办件编号: TZ20260302-000123")
	lacks(t, text, "受理回執", "辦件編號", "Tracking")
}

// Offline: no tracking number yet, said plainly, the application reference instead.
func TestPendingReceiptOnTwin(t *testing.T) {
	tw, p := printer(t)
	in := input(receipt.Hans)
	in.Pending, in.Tracking, in.AppRef = true, "", "T01-7F3K-92QD"
	in.SendBy = time.Date(2026, 3, 3, 1, 5, 0, 0, time.UTC)
	r, err := receipt.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	_, text := printOne(t, tw, p, r)
	contains(t, text, "申请暂存凭条", "申请参考号: T01-7F3K-92QD", "尚未提交", "最迟提交: 2026-03-03 09:05", "张*")
	lacks(t, text, "办件编号:", "受理回执", "张三", "110101199003070011")
}

func TestTicketOnTwin(t *testing.T) {
	tw, p := printer(t)
	r, err := receipt.Ticket(receipt.TicketInput{Lang: receipt.En, Center: "滕州市政务服务中心", Number: "A017",
		Window: "A", Ahead: 3, Wait: 7*time.Minute + 10*time.Second, IssuedAt: time.Date(2026, 3, 2, 1, 5, 0, 0, time.UTC),
		ItemName: "Birth of a child", Loc: cst})
	if err != nil {
		t.Fatal(err)
	}
	_, text := printOne(t, tw, p, r)
	contains(t, text, "A017", "排队号 Queue number", "窗口 Window: A", "前面等候 Waiting ahead: 3 人 people",
		"预计等待 Estimated wait: 8 分钟 min", "2026-03-02 09:05", "[cut partial]")
}
