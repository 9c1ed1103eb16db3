package serialport

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/creack/pty"
	"go.bug.st/serial/enumerator"
)

func TestListFillsByIDAndNormalises(t *testing.T) {
	devDir, idDir := t.TempDir(), t.TempDir()
	usb0, usb1 := filepath.Join(devDir, "ttyUSB0"), filepath.Join(devDir, "ttyUSB1")
	for _, f := range []string{usb0, usb1} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mustSymlink(t, usb1, filepath.Join(idDir, "usb-Prolific_USB-Serial_A9-if00-port0"))
	mustSymlink(t, filepath.Join(devDir, "gone"), filepath.Join(idDir, "usb-dangling-if00")) // unplugged mid-scan

	oldEnum, oldDir := enumerate, byIDDir
	t.Cleanup(func() { enumerate, byIDDir = oldEnum, oldDir })
	byIDDir = idDir
	enumerate = func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{
			{Name: usb1, IsUSB: true, VID: "067B", PID: "2303", SerialNumber: "A9", Product: "USB-Serial"},
			nil,
			{}, // go.bug.st reports ports without a sysfs device this way
			{Name: usb0},
		}, nil
	}

	ports, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 2 || ports[0].Name != usb0 || ports[1].Name != usb1 {
		t.Fatalf("List() = %+v; want %s then %s", ports, usb0, usb1)
	}
	want := PortInfo{Name: usb1, ByID: filepath.Join(idDir, "usb-Prolific_USB-Serial_A9-if00-port0"),
		IsUSB: true, VID: "067b", PID: "2303", SerialNumber: "A9", Product: "USB-Serial"}
	if ports[1] != want {
		t.Errorf("got %+v\nwant %+v", ports[1], want)
	}
	if ports[0].ByID != "" || ports[0].IsUSB {
		t.Errorf("non-USB port got %+v", ports[0])
	}

	byIDDir = filepath.Join(idDir, "absent") // no USB serial device plugged in
	if _, err := List(); err != nil {
		t.Errorf("missing by-id folder: %v", err)
	}
	enumerate = func() ([]*enumerator.PortDetails, error) { return nil, errors.New("sysfs unreadable") }
	if _, err := List(); err == nil {
		t.Error("enumeration error was swallowed")
	}
}

// The real enumerator runs here, and what it finds keeps List's promises whatever the machine
// has: no error, sorted unique names of devices that exist, no pseudo-terminal, USB identity
// in lower-case hex (none on other ports), by-id links that lead to their port.
func TestListReal(t *testing.T) {
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Fatalf("pseudo-terminal: %v", err)
	}
	defer ptm.Close()
	defer pts.Close()
	ports, err := List()
	if err != nil {
		t.Fatalf("List on this machine: %v", err)
	}
	hex4 := regexp.MustCompile(`^[0-9a-f]{4}$`)
	for i, p := range ports {
		t.Logf("%+v", p)
		if i > 0 && ports[i-1].Name >= p.Name {
			t.Errorf("%s listed after %s: not sorted, or twice", p.Name, ports[i-1].Name)
		}
		if p.Name == pts.Name() || strings.HasPrefix(p.Name, "/dev/pts/") {
			t.Errorf("pseudo-terminal %s listed", p.Name)
		}
		if _, err := os.Stat(p.Name); err != nil {
			t.Errorf("listed %s: %v", p.Name, err)
		}
		if p.IsUSB && (!hex4.MatchString(p.VID) || !hex4.MatchString(p.PID)) {
			t.Errorf("%s: USB VID:PID %q:%q, want 4 lower-case hex digits each", p.Name, p.VID, p.PID)
		}
		if !p.IsUSB && (p.VID != "" || p.PID != "") {
			t.Errorf("%s is not USB but has VID:PID %q:%q", p.Name, p.VID, p.PID)
		}
		if p.ByID != "" {
			if target, err := filepath.EvalSymlinks(p.ByID); err != nil || target != p.Name {
				t.Errorf("%s: by-id %s leads to %q, %v", p.Name, p.ByID, target, err)
			}
		}
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "ttyACM0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "scanner")
	mustSymlink(t, dev, link)
	if got, err := Resolve(Config{Path: link}); err != nil || got != dev {
		t.Errorf("Resolve(link) = %q, %v; want %q", got, err, dev)
	}
	if _, err := Resolve(Config{}); err == nil {
		t.Error("Resolve of an empty Config must fail")
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
