package rig

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mbpoll (Debian's mbpoll, on libmodbus) is a Modbus master none of us wrote: if it reads the twin
// as docs/rig-modbus.md says, the twin's map is the documented one, not merely the one our own
// driver expects. mbpoll 1.0 knows no :int16 or :string formats, so the test decodes the plain
// unsigned values itself.

// mbpollBin returns mbpoll's path or skips the test; CI installs it.
func mbpollBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("mbpoll")
	if err != nil {
		if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs them: missing is a failure there
			t.Fatal("mbpoll not installed (apt-get install mbpoll)")
		}
		t.Skip("mbpoll not installed (apt-get install mbpoll)")
	}
	return bin
}

// mbpoll runs one exchange, 115200 8N1 unit 1 with 0-based (PDU) addresses as the map is written,
// and returns mbpoll's output and exit error. Values, when given, are written.
func mbpoll(t *testing.T, port string, opts []string, values ...string) (string, error) {
	t.Helper()
	bin := mbpollBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := []string{"-m", "rtu", "-a", "1", "-b", strconv.Itoa(testBaud), "-P", "none", "-s", "1", "-1", "-o", "2", "-0"}
	args = append(append(append(args, opts...), port), values...)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

// mbpollOK is mbpoll that must succeed.
func mbpollOK(t *testing.T, port string, opts []string, values ...string) string {
	t.Helper()
	out, err := mbpoll(t, port, opts, values...)
	if err != nil {
		t.Fatalf("mbpoll %v %v: %v\n%s", opts, values, err, out)
	}
	return out
}

// opts splits mbpoll options written as one string.
func opts(s string) []string { return strings.Fields(s) }

// mbpollLine is one value: "[6]: \t1280", or "[11]: \t65534 (-2)" when it is negative as int16.
var mbpollLine = regexp.MustCompile(`(?m)^\[(\d+)\]:\s+(\d+)(?:\s+\((-\d+)\))?\s*$`)

// mbpollRegs parses mbpoll's output into address → register and checks that exactly
// count registers from first came back.
func mbpollRegs(t *testing.T, out string, first, count int) map[int]uint16 {
	t.Helper()
	regs := map[int]uint16{}
	for _, m := range mbpollLine.FindAllStringSubmatch(out, -1) {
		addr, _ := strconv.Atoi(m[1])
		v, err := strconv.ParseUint(m[2], 10, 16)
		if err != nil {
			t.Fatalf("mbpoll value %q: %v", m[0], err)
		}
		// The bracketed signed form must be the same 16 bits, or the parser misreads mbpoll.
		if m[3] != "" {
			if s, _ := strconv.Atoi(m[3]); int16(v) != int16(s) {
				t.Fatalf("mbpoll line %q: %d is not %d as int16", m[0], v, s)
			}
		}
		regs[addr] = uint16(v)
	}
	for a := first; a < first+count; a++ {
		if _, ok := regs[a]; !ok || len(regs) != count {
			t.Fatalf("mbpoll returned %d registers, want %d from %d:\n%s", len(regs), count, first, out)
		}
	}
	return regs
}

// asciiRegs decodes the map's ASCII: high byte first, NUL or space padded.
func asciiRegs(regs map[int]uint16, first, n int) string {
	var b []byte
	for a := first; a < first+n; a++ {
		b = append(b, byte(regs[a]>>8), byte(regs[a]))
	}
	return strings.Trim(string(b), "\x00 ")
}

func TestMbpollReadsTwin(t *testing.T) {
	mbpollBin(t)
	// The twin keeps its own slave descriptor open (see port), so mbpoll closing the port after
	// each run does not make the twin's master reads fail with EIO.
	link := filepath.Join(t.TempDir(), "rig0")
	tw, _ := startTwin(t, Opts{Clock: newFakeClock().Now, Link: link})
	id := tw.bank.id // with the calibration date the twin filled in

	t.Run("identity", func(t *testing.T) {
		regs := mbpollRegs(t, mbpollOK(t, link, opts("-t 3 -r 256 -c 25")), irModel, identityQty)
		y, m, d := id.CalibrationDue.Date()
		for _, c := range []struct {
			what      string
			got, want string
		}{
			{"model", asciiRegs(regs, irModel, 8), id.Model},
			{"serial", asciiRegs(regs, irSerial, 8), id.Serial},
			{"firmware", asciiRegs(regs, irFirmware, 4), id.Firmware},
			{"calibration due", fmtDate(regs[irCalYear], regs[irCalMonth], regs[irCalDay]), fmtDate(uint16(y), uint16(m), uint16(d))},
			{"map version", strconv.Itoa(int(regs[irMapVersion])), "1"},
			{"step count", strconv.Itoa(int(regs[irStepCount])), strconv.Itoa(len(tw.bank.Scenario().Steps))},
		} {
			if c.got != c.want {
				t.Errorf("%s: mbpoll read %q, twin says %q", c.what, c.got, c.want)
			}
		}
		if id.Model != DefaultIdentity.Model || id.Serial != DefaultIdentity.Serial {
			t.Errorf("twin identity %+v, want the default %+v", id, DefaultIdentity)
		}
	})

	t.Run("calibration date alone", func(t *testing.T) {
		// The map's own example: year, month, day, map version, step count.
		regs := mbpollRegs(t, mbpollOK(t, link, opts("-t 3 -r 276 -c 5")), irCalYear, 5)
		if y := regs[irCalYear]; y != uint16(id.CalibrationDue.Year()) || y < 2026 {
			t.Errorf("CAL_YEAR %d, want %d", y, id.CalibrationDue.Year())
		}
		if regs[irCalMonth] != uint16(id.CalibrationDue.Month()) || regs[irCalDay] != uint16(id.CalibrationDue.Day()) {
			t.Errorf("CAL_MONTH/DAY %d/%d, want %d/%d", regs[irCalMonth], regs[irCalDay], id.CalibrationDue.Month(), id.CalibrationDue.Day())
		}
	})

	t.Run("snapshot at rest", func(t *testing.T) {
		regs := mbpollRegs(t, mbpollOK(t, link, opts("-t 3 -r 0 -c 17")), irStatus, snapshotQty)
		st := tw.State()
		if regs[irStatus] != st.Status || regs[irStatus]&stReady == 0 || regs[irAlarms] != st.Alarms {
			t.Errorf("STATUS %#04x ALARMS %#04x, twin says %#04x %#04x (ready)", regs[irStatus], regs[irAlarms], st.Status, st.Alarms)
		}
		if regs[irStep] != 0 || regs[irStepState] != stepIdle || regs[irChannelFaults] != 0 {
			t.Errorf("STEP %d STEP_STATE %d FAULTS %#x, want 0 idle 0", regs[irStep], regs[irStepState], regs[irChannelFaults])
		}
		sc := tw.bank.Scenario()
		assertChannels(t, regs, st, sc.Noise)
		if got := int16(regs[irChannel0+channelIndex("ambient_temp")]); math.Abs(float64(got)-sc.Ambient*10) > 3 {
			t.Errorf("AMBIENT_TEMP raw %d, want about %v × 10", got, sc.Ambient)
		}
		wantV := (sc.SupplyVoltage - sc.InternalResistance*sc.IdleCurrent) * 100
		if got := int16(regs[irChannel0+channelIndex("supply_voltage")]); math.Abs(float64(got)-wantV) > 6 {
			t.Errorf("SUPPLY_VOLTAGE raw %d, want about %.1f", got, wantV)
		}
	})

	t.Run("FC16 starts a step, FC06 stops it", func(t *testing.T) {
		// STEP, COMMAND = 1, START in one request, as the map recommends.
		mbpollOK(t, link, opts("-t 4 -r 512"), "1", "1")
		if st := tw.State(); st.StepState != "running" || st.Step != 1 {
			t.Fatalf("after mbpoll FC16 [1 1]: step %d %s, want 1 running", st.Step, st.StepState)
		}
		regs := mbpollRegs(t, mbpollOK(t, link, opts("-t 3 -r 0 -c 17")), irStatus, snapshotQty)
		if regs[irStatus]&stRunning == 0 || regs[irStep] != 1 || regs[irStepState] != stepRunning {
			t.Errorf("snapshot while running: STATUS %#04x STEP %d STEP_STATE %d", regs[irStatus], regs[irStep], regs[irStepState])
		}
		assertChannels(t, regs, tw.State(), tw.bank.Scenario().Noise)
		// Read back the control block: step 1, last command START, 20.0 kg, under 36 months.
		regs = mbpollRegs(t, mbpollOK(t, link, opts("-t 4 -r 512 -c 4")), hrStep, controlQty)
		if regs[hrStep] != 1 || regs[hrCommand] != cmdStart || regs[hrToyMass] != 200 || regs[hrAgeGroup] != 0 {
			t.Errorf("control block %v, want [1 1 200 0]", regs)
		}
		mbpollOK(t, link, opts("-t 4 -r 513"), "2")
		if st := tw.State(); st.StepState != "aborted" {
			t.Errorf("after mbpoll FC06 STOP: %s, want aborted", st.StepState)
		}
	})

	t.Run("negative values", func(t *testing.T) {
		// A cold room puts every temperature below zero, which mbpoll prints as
		// "65411 (-125)": the two's complement the map specifies.
		cold := *tw.bank.Scenario()
		cold.Ambient = -12.5
		tw.SetScenario(&cold)
		out := mbpollOK(t, link, opts("-t 3 -r 0 -c 17"))
		if !strings.Contains(out, "(-") {
			t.Fatalf("no negative value in mbpoll's output:\n%s", out)
		}
		regs := mbpollRegs(t, out, irStatus, snapshotQty)
		if got := int16(regs[irChannel0+channelIndex("ambient_temp")]); math.Abs(float64(got)+125) > 3 {
			t.Errorf("AMBIENT_TEMP raw %d, want about -125", got)
		}
		assertChannels(t, regs, tw.State(), cold.Noise)
		tw.SetScenario(mustScenario(t, "nominal"))
	})

	t.Run("exceptions", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			opts   string
			values []string
			want   string // libmodbus' text for the exception code
		}{
			{"read past the snapshot block", "-t 3 -r 17 -c 1", nil, "Illegal data address"},
			{"read spanning the gap", "-t 3 -r 16 -c 2", nil, "Illegal data address"},
			{"read past the identity block", "-t 3 -r 281 -c 1", nil, "Illegal data address"},
			{"holding register outside the control block", "-t 4 -r 516 -c 1", nil, "Illegal data address"},
			{"COMMAND 7", "-t 4 -r 513", []string{"7"}, "Illegal data value"},
		} {
			out, err := mbpoll(t, link, opts(c.opts), c.values...)
			if err == nil {
				t.Errorf("%s: mbpoll succeeded, want %q\n%s", c.name, c.want, out)
			} else if !strings.Contains(out, c.want) {
				t.Errorf("%s: mbpoll %v, output lacks %q:\n%s", c.name, err, c.want, out)
			}
		}
		if st := tw.State(); st.StepState != "idle" {
			t.Errorf("a refused write changed the step state to %s", st.StepState)
		}
	})
}

// assertChannels compares each channel register with the twin's noiseless model value, allowing
// five standard deviations of the register noise plus one count of rounding.
func assertChannels(t *testing.T, regs map[int]uint16, st State, noise float64) {
	t.Helper()
	for i, c := range channels {
		got := float64(int16(regs[irChannel0+i])) * c.scale
		want := st.Values[c.name]
		if tol := 5*c.sigma*noise + c.scale; math.Abs(got-want) > tol {
			t.Errorf("%s: mbpoll read %.3f (raw %d), twin model %.3f ± %.3f", c.name, got, int16(regs[irChannel0+i]), want, tol)
		}
	}
}

func fmtDate(y, m, d uint16) string {
	return time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
