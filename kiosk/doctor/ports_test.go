package doctor

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/drivers/serialport"
)

func run(args ...string) (int, string, string) {
	var o, e strings.Builder
	code := Run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestPorts(t *testing.T) {
	listPorts = func() ([]serialport.PortInfo, error) {
		return []serialport.PortInfo{
			{Name: "/dev/ttyUSB0", ByID: "/dev/serial/by-id/usb-FTDI_FT232R_A10K-if00-port0", IsUSB: true, VID: "0403", PID: "6001", SerialNumber: "A10K", Product: "FT232R"},
			{Name: "/dev/ttyS0"},
		}, nil
	}
	defer func() { listPorts = serialport.List }()
	code, out, _ := run("ports")
	if code != ExitOK || !strings.Contains(out, "0403:6001") || !strings.Contains(out, "/dev/ttyS0") || !strings.Contains(out, "2 serial ports") {
		t.Errorf("ports: %d\n%s", code, out)
	}
	code, out, _ = run("ports", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var first map[string]any
	if code != ExitOK || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || first["vid"] != "0403" {
		t.Errorf("ports --json: %d\n%s", code, out)
	}
}

func TestUsage(t *testing.T) {
	if code, _, e := run("toaster"); code != ExitUsage || !strings.Contains(e, "unknown device") {
		t.Errorf("unknown device: %d %q", code, e)
	}
	if code, out, _ := run("--help"); code != ExitOK || !strings.Contains(out, "Exit status") {
		t.Errorf("--help: %d", code)
	}
	if code, _, _ := run("ports", "extra"); code != ExitUsage {
		t.Errorf("extra argument: %d", code)
	}
}
