package demo

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/internal/qrtest"
	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/store"
)

func needTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" {
				t.Fatalf("%s missing (scripts/test.sh installs poppler-utils): %v", n, err)
			}
			t.Skipf("%s missing", n)
		}
	}
}

func output(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// checkReport reads the demo's report back as a person and a program would: an absolute path
// that outlives the demo, Chinese text and the report number on every page (pdftotext), page 1
// rendered (pdftoppm) with a QR code that decodes to the verify URL, the signature good against
// the key in the data folder, the register's record of it, and the overall verdict.
func checkReport(t *testing.T, sum Summary, data, overall string) {
	t.Helper()
	needTools(t, "pdftotext", "pdftoppm", "pdfinfo")
	if !filepath.IsAbs(sum.Report) || !strings.HasPrefix(sum.Report, data) {
		t.Fatalf("report path %q: want an absolute path under %s", sum.Report, data)
	}
	if sum.Overall != overall {
		t.Errorf("overall verdict %q, want %q", sum.Overall, overall)
	}
	pdf, err := os.ReadFile(sum.Report)
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf) > 300<<10 {
		t.Errorf("report is %d KB, goal ≤ 300", len(pdf)>>10)
	}
	pub, err := report.ReadPublicKey(filepath.Join(data, report.PubKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	no, err := report.Verify(pdf, pub)
	if err != nil {
		t.Fatalf("the demo's report does not verify: %v", err)
	}
	pages := 0
	for _, l := range strings.Split(output(t, "pdfinfo", sum.Report), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Pages:" {
			pages, _ = strconv.Atoi(f[1])
		}
	}
	if pages < 1 {
		t.Fatal("pdfinfo: no pages")
	}
	for p := 1; p <= pages; p++ {
		text := output(t, "pdftotext", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), "-layout", sum.Report, "-")
		if !strings.Contains(text, no) || !strings.Contains(text, "第 "+strconv.Itoa(p)+" 页") {
			t.Errorf("page %d lacks the report number %s or its page number:\n%s", p, no, text)
		}
	}
	all := output(t, "pdftotext", sum.Report, "-")
	for _, want := range []string{"检测报告", "滕州市某童车有限公司", "GB/T 19865", "供电电压", "判定规则"} {
		if !strings.Contains(all, want) {
			t.Errorf("report text lacks %q", want)
		}
	}
	dir := t.TempDir()
	output(t, "pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", sum.Report, filepath.Join(dir, "p1"))
	url, err := decodeQR(filepath.Join(dir, "p1.png"))
	if err != nil || url != sum.VerifyURL {
		t.Errorf("QR on page 1 = %q (%v), want %q", url, err, sum.VerifyURL)
	}
	st, err := store.Open(filepath.Join(data, "lab.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	row, err := st.Report(context.Background(), no)
	if err != nil || !bytes.Equal(row.PDF, pdf) || !strings.HasSuffix(sum.VerifyURL, "?h="+row.Hash) {
		t.Errorf("register record of %s: %v (same file %v, hash %s, url %s)", no, err, bytes.Equal(row.PDF, pdf), row.Hash, sum.VerifyURL)
	}
}

// TestDemoOvervoltageFails: a rig scenario with the supply above 24 V ends in a released report
// whose overall verdict is fail.
func TestDemoOvervoltageFails(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole plan (about 40 s)")
	}
	data := t.TempDir()
	sum, err := Run(context.Background(), Opts{Tools: &tools, Dir: t.TempDir(), DataDir: data, Scenario: "overvoltage"})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK {
		t.Errorf("summary %+v", sum)
	}
	checkReport(t, sum, data, "fail")
	text := output(t, "pdftotext", sum.Report, "-")
	if !strings.Contains(text, "不合格") || !strings.Contains(text, "overvoltage") {
		t.Errorf("the failing report does not say 不合格 and the rig's OVERVOLTAGE alarm:\n%s", text)
	}
}

// decodeQR reads the QR code of a rendered page 1. gozxing's finder search over a whole page can
// lock onto a table's corners; the code sits in the top right corner, so that quarter is read
// when the whole page is not.
func decodeQR(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return "", err
	}
	if url, err := qrtest.Decode(img); err == nil {
		return url, nil
	}
	b := img.Bounds()
	corner := image.Rect(b.Min.X+b.Dx()/2, b.Min.Y, b.Max.X, b.Min.Y+b.Dy()/4)
	return qrtest.Decode(img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(corner))
}
