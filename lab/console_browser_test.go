package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onestop-station/onestop/lab/config"
	"github.com/onestop-station/onestop/lab/demo"
)

// chromium finds Debian's browser; scripts/test.sh installs it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" {
		t.Fatal("chromium missing (scripts/test.sh installs it)")
	}
	t.Skip("chromium missing")
	return ""
}

// TestConsoleInHeadlessChromium drives the console as the technicians do, in a real browser
// against a real station (embedded broker, SQLite) with the rig twin and an agent as processes:
// the operator logs in, registers a job, starts it and watches live readings arrive and the
// progress bar fill, enters the observed item and submits; the reviewer logs in, releases and
// downloads the signed report; its public verification page says it is valid.
func TestConsoleInHeadlessChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser and runs a plan")
	}
	browser := chromium(t)
	if _, err := os.Stat("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"); err != nil && os.Getenv("ONESTOP_REQUIRE_PEERS") == "" {
		t.Skip("report font missing")
	}
	dir := t.TempDir()
	tools, err := demo.BuildTools(context.Background(), filepath.Join(dir, "bin"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DB = filepath.Join(dir, "data", "lab.db")
	cfg.Broker.Listen = "127.0.0.1:0"
	cfg.HTTP = "127.0.0.1:0"
	st, err := startStation(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stack := &demo.Stack{Dir: dir, Tools: tools, URL: st.broker.URL()}
	scenario, _ := filepath.Abs("desk/testdata/short.toml")
	if _, err := stack.StartTwin(scenario); err != nil {
		t.Fatal(err)
	}
	defer stack.Twin.Kill()
	agent, err := stack.StartAgent(demo.AgentOpts{})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Kill()
	base := "http://" + st.httpAddr

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(filepath.Join(dir, "chrome")),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelT()
	fail := func(what string, err error) {
		t.Helper()
		body, _ := chromedp.Run(ctx, chromedp.Text(css("body")))
		t.Fatalf("%s: %v\npage text:\n%s", what, err, body)
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			fail(what, err)
		}
	}
	// ONESTOP_CONSOLE_SHOTS=DIR saves a screenshot of each page seen, to look at.
	shots := os.Getenv("ONESTOP_CONSOLE_SHOTS")
	shot := func(name string) {
		if shots == "" {
			return
		}
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
			os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			fail("text of "+sel, err)
		}
		return s
	}
	login := func(name string) {
		step("log in as "+name,
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(css("#login-name")),
			chromedp.SendKeys(css("#login-name"), name),
			chromedp.SendKeys(css("#login-password"), name+"-secret"),
			chromedp.Click(css("#login-submit")),
			chromedp.WaitVisible(css("#jobs-view")))
	}

	// A wrong password is refused, in the page.
	step("wrong password",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css("#login-name")),
		chromedp.SendKeys(css("#login-name"), "operator"),
		chromedp.SendKeys(css("#login-password"), "guess"),
		chromedp.Click(css("#login-submit")),
		until(`document.querySelector('#login-error').textContent.length > 0`, 10*time.Second))

	login("operator")
	step("register a job",
		chromedp.Click(css("#new-job-toggle")),
		chromedp.WaitVisible(css("#new-job")),
		chromedp.SendKeys(css(`#new-job [name="customer.name"]`), "滕州市某童车有限公司"),
		chromedp.SendKeys(css(`#new-job [name="customer.uscc"]`), demo.DemoUSCC),
		chromedp.SetValue(css(`#new-job [name="product.type"]`), "electric_ride_on_car"),
		chromedp.SendKeys(css(`#new-job [name="product.model"]`), "TZ-6688"),
		chromedp.SendKeys(css(`#new-job [name="product.mass_kg"]`), "20"),
		chromedp.SetValue(css(`#new-job [name="product.age_group"]`), "under36"),
		chromedp.SendKeys(css(`#new-job [name="sample_id"]`), "S-1"),
		chromedp.SetValue(css(`#new-job [name="received"]`), time.Now().Format(time.DateOnly)),
		chromedp.SendKeys(css(`#new-job [name="location"]`), "on site"),
		chromedp.SetValue(css(`#new-job [name="dev"]`), demo.RigName),
		chromedp.SendKeys(css(`#new-job [name="reviewer"]`), "reviewer"),
		chromedp.Click(css("#new-job-submit")),
		chromedp.WaitVisible(css("#job-start")))
	shot("1-job-registered")
	jobURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		fail("job page", err)
	}

	if err := demo.WaitRig(context.Background(), st.store, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	step("start and watch live readings",
		chromedp.Click(css("#job-start")),
		until(`document.querySelectorAll('#live-readings tr[data-ch]').length >= 5`, 30*time.Second),
		until(`document.querySelector('#chart').dataset.points > 1`, 30*time.Second),
		until(`(() => { const p = document.querySelector('#progress'); return p.dataset.running === 'false' && p.dataset.done === '3' })()`, 60*time.Second),
		until(`document.querySelector('#results tr[data-item="supply_voltage"]') !== null`, 10*time.Second))
	shot("2-job-run")
	volts := text(`#results tr[data-item="supply_voltage"]`)
	if !strings.Contains(volts, "合格") {
		t.Errorf("supply voltage row: %q", volts)
	}
	step("enter the observed item and submit",
		chromedp.SendKeys(css(`#manual-entry input[data-item="stability_tip_over"]`), "0"),
		chromedp.Click(css(`#manual-entry button[data-item="stability_tip_over"]`)),
		until(`document.querySelector('#results tr[data-item="stability_tip_over"]') !== null`, 10*time.Second),
		chromedp.WaitVisible(css("#job-submit")),
		chromedp.Click(css("#job-submit")),
		until(`document.querySelector('#job-state').dataset.state === 'to be verified'`, 10*time.Second),
		chromedp.Click(css("#logout")),
		chromedp.WaitVisible(css("#login-name")))

	shot("3-submitted")
	login("reviewer")
	shot("4-reviewer-jobs")
	step("release",
		chromedp.Navigate(jobURL),
		chromedp.WaitVisible(css("#job-release")),
		chromedp.Click(css("#job-release")),
		chromedp.WaitVisible(css("#report-download")))
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(css("#report-download"), "href"))
	if err != nil {
		fail("report link", err)
	}
	href := attr.Value
	shot("5-released")
	head, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#report-download').href).then(r => r.ok ? r.text() : 'HTTP ' + r.status).then(s => s.slice(0, 5))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		fail("download", err)
	}
	if head != "%PDF-" {
		t.Fatalf("downloaded report %s starts %q", href, head)
	}
	no := href[strings.LastIndex(strings.TrimSuffix(href, "/pdf"), "/")+1:]
	no = strings.TrimSuffix(no, "/pdf")
	step("log out, then the public verification page",
		chromedp.Click(css("#logout")),
		chromedp.WaitVisible(css("#login-name")),
		chromedp.Navigate(fmt.Sprintf("%s/verify/%s", base, no)))
	verdict := text("body")
	shot("6-verify")
	if !strings.Contains(verdict, "有效") || !strings.Contains(verdict, no) {
		t.Errorf("verify page for %s:\n%s", no, verdict)
	}
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// until waits for a JavaScript predicate to be true.
func until(expr string, d time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(d))
}
