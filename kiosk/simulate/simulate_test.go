package simulate_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/device"
	"github.com/onestop-station/onestop/drivers/escpos"
	simprinter "github.com/onestop-station/onestop/firmware-sim/sim/printer"
	"github.com/onestop-station/onestop/kiosk/devices"
	"github.com/onestop-station/onestop/kiosk/simulate"
)

const waitLong = 15 * time.Second

var quiet = slog.New(slog.DiscardHandler)

// startSim starts a simulation and the kiosk's devices on it, both until the test ends.
func startSim(t *testing.T, o simulate.Opts) (*simulate.Sim, *devices.Devices) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := simulate.Start(ctx, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	d := devices.Open(sim.Devices(), quiet)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("devices Run: %v", err)
			}
		case <-time.After(waitLong):
			t.Error("devices Run did not return")
		}
		joined := make(chan struct{})
		go func() { sim.Wait(); close(joined) }()
		select {
		case <-joined:
		case <-time.After(waitLong):
			t.Error("Sim.Wait did not return")
		}
		for _, name := range []string{simulate.IDReader, simulate.Printer, simulate.Scanner} {
			if _, err := os.Lstat(sim.Link(name)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("link %s left behind: %v", name, err)
			}
		}
	})
	return sim, d
}

func next(t *testing.T, d *devices.Devices, what string, ok func(devices.Event) bool) devices.Event {
	t.Helper()
	timeout := time.After(waitLong)
	for {
		select {
		case ev, open := <-d.Events():
			if !open {
				t.Fatalf("Events closed while waiting for %s", what)
			}
			if ok(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s within %v", what, waitLong)
		}
	}
}

// allIdle waits until each named device has reported idle, in any order.
func allIdle(t *testing.T, d *devices.Devices, names ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for len(want) > 0 {
		ev := next(t, d, "devices idle", func(ev devices.Event) bool {
			return ev.Kind == devices.DeviceState && ev.State == device.Idle && want[ev.Device]
		})
		delete(want, ev.Device)
	}
}

func is(kind devices.Kind, dev string) func(devices.Event) bool {
	return func(ev devices.Event) bool { return ev.Kind == kind && ev.Device == dev }
}

func state(dev string, st device.State) func(devices.Event) bool {
	return func(ev devices.Event) bool {
		return ev.Kind == devices.DeviceState && ev.Device == dev && ev.State == st
	}
}

func TestSimulatedKiosk(t *testing.T) {
	dir := t.TempDir()
	sim, d := startSim(t, simulate.Opts{Dir: dir, Log: quiet})
	allIdle(t, d, devices.Reader, devices.Printer, devices.Scanner)

	if err := sim.PlaceCard("zhangsan"); err != nil {
		t.Fatal(err)
	}
	ev := next(t, d, "card read", is(devices.CardRead, devices.Reader))
	if ev.Card == nil || ev.Card.IDNumber.Reveal() != "110101199003070011" {
		t.Fatalf("card %v", ev)
	}

	if err := sim.Scan("hello"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, d, "scanned", is(devices.Scanned, devices.Scanner)); ev.Code != "hello" {
		t.Errorf("scanned %q", ev.Code)
	}

	ctx := context.Background()
	if err := sim.SetPaper(simprinter.PaperOut); err != nil {
		t.Fatal(err)
	}
	err := d.Print(ctx, escpos.NewReceipt().Init().Line("不该打印").Cut(escpos.CutFull))
	if !errors.Is(err, escpos.ErrPaperOut) {
		t.Errorf("print with paper out: %v", err)
	}

	var st struct {
		Card    string `json:"card"`
		Present bool   `json:"present"`
		Latched bool   `json:"latched"`
	}
	getJSON(t, sim.ControlURL()+"/idreader/state", &st)
	if st.Card != "zhangsan" || !st.Present || !st.Latched {
		t.Errorf("idreader state %+v", st)
	}
	var index struct {
		Links map[string]string `json:"links"`
	}
	getJSON(t, sim.ControlURL()+"/", &index)
	if index.Links[simulate.Printer] != filepath.Join(dir, "printer") {
		t.Errorf("index %+v", index)
	}
	post(t, sim.ControlURL()+"/printer/paper", `{"state":"ok"}`)
	if err := d.Print(ctx, escpos.NewReceipt().Init().Line("打印成功").Cut(escpos.CutFull)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitLong)
	for len(sim.Receipts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	rs := sim.Receipts()
	if len(rs) != 1 || filepath.Dir(rs[0].PNG) != filepath.Join(dir, "receipts") {
		t.Fatalf("receipts %+v", rs)
	}
	if text, _ := os.ReadFile(rs[0].Text); !strings.Contains(string(text), "打印成功") {
		t.Errorf("transcript %q", text)
	}
	post(t, sim.ControlURL()+"/scanner/code", `{"data":"via http"}`)
	post(t, sim.ControlURL()+"/scanner/trigger", `{}`)
	if ev := next(t, d, "scanned via http", is(devices.Scanned, devices.Scanner)); ev.Code != "via http" {
		t.Errorf("scanned %q", ev.Code)
	}
}

// Unplugging a twin shows as offline, then idle, as a USB device pulled and put back would.
func TestUnplug(t *testing.T) {
	sim, d := startSim(t, simulate.Opts{Dir: t.TempDir(), Card: "lisi", Log: quiet})
	// The card on the reader at start is read after the reader's idle, maybe before the others'.
	want := map[string]bool{"reader idle": true, "printer idle": true, "scanner idle": true, "card": true}
	for len(want) > 0 {
		ev := next(t, d, "devices idle and the card read", func(ev devices.Event) bool {
			return (ev.Kind == devices.DeviceState && ev.State == device.Idle && want[ev.Device+" idle"]) ||
				(ev.Kind == devices.CardRead && want["card"])
		})
		if ev.Kind == devices.CardRead {
			delete(want, "card")
		} else {
			delete(want, ev.Device+" idle")
		}
	}
	if err := sim.Unplug(simulate.Printer, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	next(t, d, "printer offline", state(devices.Printer, device.Offline))
	next(t, d, "printer back", state(devices.Printer, device.Idle))

	post(t, sim.ControlURL()+"/sim/unplug", `{"device":"scanner","down_ms":300}`)
	next(t, d, "scanner offline", state(devices.Scanner, device.Offline))
	next(t, d, "scanner back", state(devices.Scanner, device.Idle))
	if err := sim.Scan("after replug"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, d, "scanned", is(devices.Scanned, devices.Scanner)); ev.Code != "after replug" {
		t.Errorf("scanned %q", ev.Code)
	}
	if err := sim.Unplug("fax", time.Second); !errors.Is(err, simulate.ErrUnknownDevice) {
		t.Errorf("unplug fax: %v", err)
	}
}

func TestStartFails(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := simulate.Start(context.Background(), simulate.Opts{Dir: file, Log: quiet}); err == nil {
		t.Error("Start in a file: no error")
	}
	if _, err := simulate.Start(context.Background(), simulate.Opts{Dir: t.TempDir(), Card: "nobody", Log: quiet}); err == nil {
		t.Error("Start with an unknown card: no error")
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, b)
	}
}

func post(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s %s", url, resp.Status, b)
	}
}

// TestControlPagesInABrowser: the control URL answers a browser with links to each twin's page,
// and each page is served under its mount, where its script's paths resolve (page.js prefixes
// them with the mount).
func TestControlPagesInABrowser(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := simulate.Start(ctx, simulate.Opts{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); sim.Wait() }()
	get := func(path, accept string) string {
		req, _ := http.NewRequest("GET", sim.ControlURL()+path, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	index := get("/", "text/html,application/xhtml+xml")
	for _, dev := range []string{"/idreader/", "/printer/", "/scanner/"} {
		if !strings.Contains(index, `href="`+dev+`"`) {
			t.Errorf("index has no link to %s", dev)
		}
		if page := get(dev, "text/html"); !strings.Contains(page, "location.pathname") {
			t.Errorf("%s: page without the mount-relative script", dev)
		}
	}
	if st := get("/idreader/state", "application/json"); !strings.Contains(st, `"sam_ok"`) {
		t.Errorf("state through the mount: %s", st)
	}
}
