package modbus_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// mbpoll (Debian package mbpoll, built on libmodbus) is a third master,
// written in C, that CI runs against our slave.
func mbpoll(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("mbpoll")
	if err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs them: missing is a failure there
			t.Fatal("mbpoll not on PATH (apt-get install mbpoll); skipping the libmodbus cross-check")
		}
		t.Skip("mbpoll not on PATH (apt-get install mbpoll); skipping the libmodbus cross-check")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	base := []string{"-m", "rtu", "-a", "1", "-b", strconv.Itoa(testBaud), "-P", "none", "-s", "1", "-1", "-o", "2"}
	out, err := exec.CommandContext(ctx, bin, append(base, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("mbpoll %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// mbpollLine matches a value line: "[1]: \t1000", or "[3]: \t65534 (-2)"
// when the register read as int16 is negative.
var mbpollLine = regexp.MustCompile(`(?m)^\[(\d+)\]:\s+(\d+)(?:\s+\(-\d+\))?\s*$`)

// mbpollValues returns the references and values mbpoll printed.
func mbpollValues(t *testing.T, out string) (refs []int, values []uint16) {
	t.Helper()
	for _, m := range mbpollLine.FindAllStringSubmatch(out, -1) {
		ref, _ := strconv.Atoi(m[1])
		v, _ := strconv.Atoi(m[2])
		refs = append(refs, ref)
		values = append(values, uint16(v))
	}
	return refs, values
}

func TestMbpollAgainstServe(t *testing.T) {
	if _, err := exec.LookPath("mbpoll"); err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs them: missing is a failure there
			t.Fatal("mbpoll not on PATH (apt-get install mbpoll); skipping the libmodbus cross-check")
		}
		t.Skip("mbpoll not on PATH (apt-get install mbpoll); skipping the libmodbus cross-check")
	}
	r := newRegs()
	r.holding[2] = 0xFFFE // mbpoll adds "(-2)": the parser must cope
	fns := make(chan byte, 16)
	path := startSlave(t, r, modbus.ServerOpts{Unit: 1, OnReply: func(req modbus.Request) { fns <- req.Function }})

	// -t 4 is holding registers (FC03); -r is a 1-based reference, so
	// -r 1 is wire address 0.
	out := mbpoll(t, "-t", "4", "-r", "1", "-c", "5", path)
	refs, values := mbpollValues(t, out)
	if !slices.Equal(refs, []int{1, 2, 3, 4, 5}) || !slices.Equal(values, []uint16{1000, 1001, 0xFFFE, 1003, 1004}) {
		t.Fatalf("mbpoll holding registers: refs %v values %v\n%s", refs, values, out)
	}

	// -0 switches to wire addresses; -t 3 is input registers (FC04).
	out = mbpoll(t, "-0", "-t", "3", "-r", "10", "-c", "3", path)
	refs, values = mbpollValues(t, out)
	if !slices.Equal(refs, []int{10, 11, 12}) || !slices.Equal(values, []uint16{2010, 2011, 2012}) {
		t.Fatalf("mbpoll input registers: refs %v values %v\n%s", refs, values, out)
	}

	// Values after the device write registers: one value is FC06, several FC16.
	mbpoll(t, "-0", "-t", "4", "-r", "50", path, "4242")
	mbpoll(t, "-0", "-t", "4", "-r", "60", path, "7", "8", "9")
	if r.get(50) != 4242 || r.get(60) != 7 || r.get(61) != 8 || r.get(62) != 9 {
		t.Errorf("after mbpoll writes: [50]=%d [60..62]=%d %d %d", r.get(50), r.get(60), r.get(61), r.get(62))
	}
	want := []byte{modbus.FuncReadHoldingRegisters, modbus.FuncReadInputRegisters,
		modbus.FuncWriteSingleRegister, modbus.FuncWriteMultipleRegisters}
	for i, fn := range want {
		select {
		case got := <-fns:
			if got != fn {
				t.Errorf("request %d used function %#02x, want %#02x", i, got, fn)
			}
		case <-time.After(okTimeout):
			t.Fatalf("request %d: no reply recorded", i)
		}
	}
}
