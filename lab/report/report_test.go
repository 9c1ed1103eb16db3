package report

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/internal/qrtest"
	"github.com/onestop-station/onestop/lab/plan"
	"github.com/onestop-station/onestop/lab/verdict"
)

const verifyBase = "https://lab.example.cn"

// needTool skips without a poppler tool, or fails under scripts/test.sh, which installs it.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" {
			t.Fatalf("%s not found (poppler-utils; scripts/test.sh installs it): %v", name, err)
		}
		t.Skipf("%s not found (install poppler-utils)", name)
	}
}

// needFont skips without the default font, or fails under scripts/test.sh, which installs it.
func needFont(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(DefaultFont); err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" {
			t.Fatalf("font: %v (fonts-arphic-gbsn00lp)", err)
		}
		t.Skipf("font: %v (install fonts-arphic-gbsn00lp)", err)
	}
}

// sampleReport is a ride-on car report with real plan items and enough lines for two pages.
func sampleReport(t testing.TB) Report {
	t.Helper()
	set, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p, err := set.For(plan.ProductRideOnCar, day)
	if err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("CST", 8*3600)
	t0 := time.Date(2026, 3, 2, 9, 30, 0, 0, loc)
	r := Report{
		Number:     "OS-2026-000123",
		Lab:        Party{Bilingual{"某省产品质量监督检验研究院 现场检测站", "Provincial Product Quality Inspection Institute, on-site station"}, "某省某市高新区检测路 1 号 / 1 Jiance Rd, Hi-tech Zone"},
		Location:   "委托方现场 customer site, 浙江某童车有限公司 2 号厂房",
		Customer:   Customer{Name: "浙江某童车有限公司", USCC: "91330000MA2XXXXX0K", Contact: "张三 0571-00000000"},
		Mode:       Bilingual{"CCC型式试验", "CCC type test"},
		Sample:     Sample{ID: "S-2026-0456", Description: "儿童电动车 electric ride-on car, 型号 Model RC-12, 12 V 45 W", Condition: "完好 intact", Received: day.AddDate(0, 0, -1)},
		Tested:     [2]time.Time{t0, t0.Add(3 * time.Hour)},
		Issued:     t0.Add(3 * time.Hour),
		Rule:       verdict.GuardBand,
		Deviations: []string{"环境温度 27 °C，高于方法规定 1 °C / ambient 27 °C, 1 °C above the method's"},
		Overall:    verdict.Pass,
		Auth:       Authorisation{Operator: "李工 Li", Reviewer: "王工 Wang", Released: t0.Add(3*time.Hour + 10*time.Minute)},
	}
	for _, s := range p.Standards {
		r.Methods = append(r.Methods, Method{Code: s.Code, Edition: s.Edition, Title: Bilingual{s.Title.Zh, s.Title.En}})
	}
	for i := 0; i < 2; i++ {
		for _, it := range p.Items {
			l := LineFor(it, plan.Result{Item: it.ID, Value: 10.25 + float64(i), Unit: it.Unit}, verdict.Pass)
			r.Lines = append(r.Lines, l)
		}
	}
	for _, id := range []string{"handheld_temp_rise", "max_speed"} {
		it, _ := p.Item(id)
		c := Chart{Item: id, Title: Bilingual{it.Title.Zh, it.Title.En}, Unit: it.Unit}
		if it.HasLimit() && !it.LimitUnverified {
			v := it.Limit.Value
			c.Limit = &v
		}
		for k := 0; k < 120; k++ {
			c.Times = append(c.Times, t0.Add(time.Duration(k)*time.Second))
			c.Vals = append(c.Vals, 5+float64(k)/6)
		}
		r.Charts = append(r.Charts, c)
	}
	return r
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestRenderReadBack(t *testing.T) {
	needFont(t)
	needTool(t, "pdftotext")
	needTool(t, "pdfinfo")
	needTool(t, "pdftoppm")
	r := sampleReport(t)
	pdf, err := Render(r, Opts{VerifyBase: verifyBase})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}

	info := run(t, "pdfinfo", file)
	var pages int
	for _, l := range strings.Split(info, "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Pages:" {
			pages, _ = strconv.Atoi(f[1])
		}
	}
	if pages < 2 {
		t.Fatalf("pdfinfo: %d pages, want at least 2\n%s", pages, info)
	}
	for p := 1; p <= pages; p++ {
		text := run(t, "pdftotext", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), "-layout", file, "-")
		for _, want := range []string{
			fmt.Sprintf("第 %d 页 共 %d 页", p, pages),
			fmt.Sprintf("Page %d of %d", p, pages),
			"Report No.: " + r.Number,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d: no %q in\n%s", p, want, text)
			}
		}
		if p == 1 {
			for _, want := range []string{"检测报告", "Test Report", "浙江某童车有限公司", "91330000MA2XXXXX0K",
				"检测地点", "判定规则", r.Rule.Statement("zh")[:9], "GB 19865"} {
				if !strings.Contains(text, want) {
					t.Errorf("page 1: no %q", want)
				}
			}
		}
		if p == pages && !strings.Contains(text, "报告结束 / End of report") {
			t.Errorf("last page: no end mark in\n%s", text)
		}
	}

	if all := run(t, "pdftotext", file, "-"); !strings.Contains(all, "限值待确认") {
		t.Error("no unverified limit printed as 限值待确认")
	}

	run(t, "pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", file, filepath.Join(dir, "p1"))
	got, err := qrtest.DecodePNG(filepath.Join(dir, "p1.png"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.VerifyURL(verifyBase)
	if got != want {
		t.Errorf("QR code: %q, want %q", got, want)
	}
	h, _ := r.Hash()
	if !strings.HasSuffix(got, "/verify/"+r.Number+"?h="+h) || len(h) != 16 {
		t.Errorf("QR code %q: want …/verify/%s?h=<16 hex>", got, r.Number)
	}
}

func TestRenderDeterministic(t *testing.T) {
	needFont(t)
	r := sampleReport(t)
	a, err := Render(r, Opts{VerifyBase: verifyBase})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Render(r, Opts{VerifyBase: verifyBase})
	if string(a) != string(b) {
		t.Error("same report rendered to different bytes")
	}
}

func TestHashChangesWithContent(t *testing.T) {
	r := sampleReport(t)
	h1, _ := r.Hash()
	r.Lines[0].Value += 0.1
	h2, _ := r.Hash()
	if h1 == h2 {
		t.Error("changed result, same hash")
	}
}

func TestNoFont(t *testing.T) {
	r := sampleReport(t)
	dir := t.TempDir()
	ttc := filepath.Join(dir, "x.ttc")
	os.WriteFile(ttc, []byte("ttcf\x00\x01\x00\x00"), 0o644)
	junk := filepath.Join(dir, "junk.ttf")
	os.WriteFile(junk, []byte("not a font"), 0o644)
	cases := map[string]string{"missing": filepath.Join(dir, "none.ttf"), "collection": ttc, "junk": junk}
	// Droid Sans Fallback has CJK but no Latin: refused when installed.
	if droid := "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"; fileExists(droid) {
		cases["no Latin"] = droid
	}
	if dejavu := "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"; fileExists(dejavu) {
		cases["no CJK"] = dejavu
	}
	for name, path := range cases {
		_, err := Render(r, Opts{Font: path, VerifyBase: verifyBase})
		if !errors.Is(err, ErrNoFont) {
			t.Errorf("%s (%s): %v, want ErrNoFont", name, path, err)
		}
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestBadNumber(t *testing.T) {
	r := sampleReport(t)
	r.Number = "no (1)"
	if _, err := Render(r, Opts{}); !errors.Is(err, ErrNumber) {
		t.Errorf("%v, want ErrNumber", err)
	}
}

func TestLineForUnverifiedLimit(t *testing.T) {
	set, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := set.For(plan.ProductRideOnCar, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	it, _ := p.Item("max_speed")
	l := LineFor(it, plan.Result{Value: 6.1, Unit: "km/h"}, verdict.Pass)
	if !strings.Contains(l.LimitText, "限值待确认") || strings.ContainsAny(l.LimitText, "0123456789") {
		t.Errorf("unverified limit printed as %q", l.LimitText)
	}
}
