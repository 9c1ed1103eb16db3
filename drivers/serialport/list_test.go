package serialport

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

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

// The real enumerator must at least run here; what it finds depends on the machine.
func TestListReal(t *testing.T) {
	ports, err := List()
	if err != nil {
		t.Skipf("enumeration unavailable here: %v", err)
	}
	for _, p := range ports {
		t.Logf("%+v", p)
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
