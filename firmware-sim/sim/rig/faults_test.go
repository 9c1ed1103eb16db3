package rig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

func readSnap(c *modbus.Client) error {
	_, err := c.ReadInputRegisters(context.Background(), 1, irStatus, snapshotQty)
	return err
}

func inject(t testing.TB, tw *Twin, f Fault) {
	t.Helper()
	if err := tw.InjectFault(f); err != nil {
		t.Fatal(err)
	}
}

func TestFaultCRC(t *testing.T) {
	tw, c := client(t, Opts{Clock: newFakeClock().Now})
	inject(t, tw, Fault{Kind: FaultCRC, Count: 2})
	for i := 0; i < 2; i++ {
		if err := readSnap(c); !errors.Is(err, modbus.ErrCRC) {
			t.Fatalf("read %d: %v, want ErrCRC", i, err)
		}
	}
	if err := readSnap(c); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	if got := tw.Counters().CRCFaults; got != 2 {
		t.Errorf("crc_faults %d, want 2", got)
	}
}

func TestFaultDrop(t *testing.T) {
	tw, path := startTwin(t, Opts{Clock: newFakeClock().Now})
	c, _ := dial(t, path, testBaud, 300*time.Millisecond)
	inject(t, tw, Fault{Kind: FaultDrop})
	if err := readSnap(c); !errors.Is(err, modbus.ErrTimeout) {
		t.Fatalf("dropped reply: %v, want ErrTimeout", err)
	}
	if err := readSnap(c); err != nil {
		t.Fatalf("after the drop: %v", err)
	}
	if got := tw.Counters().Drops; got != 1 {
		t.Errorf("drops %d, want 1", got)
	}
}

func TestFaultSlow(t *testing.T) {
	tw, c := client(t, Opts{Clock: newFakeClock().Now})
	const delay = 300 * time.Millisecond
	inject(t, tw, Fault{Kind: FaultSlow, Delay: delay})
	start := time.Now()
	if err := readSnap(c); err != nil {
		t.Fatalf("slow reply: %v", err)
	}
	if el := time.Since(start); el < delay {
		t.Errorf("slow reply came after %v, want at least %v", el, delay)
	}
}

func TestFaultException(t *testing.T) {
	tw, c := client(t, Opts{Clock: newFakeClock().Now})
	inject(t, tw, Fault{Kind: FaultException, Count: 2}) // code 0: busy
	for i := 0; i < 2; i++ {
		if got := exceptionCode(readSnap(c)); got != modbus.ServerDeviceBusy {
			t.Fatalf("read %d: exception %v, want busy", i, got)
		}
	}
	inject(t, tw, Fault{Kind: FaultException, Code: modbus.ServerDeviceFailure})
	if got := exceptionCode(readSnap(c)); got != modbus.ServerDeviceFailure {
		t.Fatalf("exception %v, want server device failure", got)
	}
	if err := readSnap(c); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
}

func TestFaultRateAndClear(t *testing.T) {
	tw, c := client(t, Opts{Clock: newFakeClock().Now})
	inject(t, tw, Fault{Kind: FaultCRC, Rate: 1})
	for i := 0; i < 3; i++ {
		if err := readSnap(c); !errors.Is(err, modbus.ErrCRC) {
			t.Fatalf("read %d at rate 1: %v, want ErrCRC", i, err)
		}
	}
	inject(t, tw, Fault{Kind: FaultClear})
	if err := readSnap(c); err != nil {
		t.Fatalf("after clear: %v", err)
	}
	if err := tw.InjectFault(Fault{Kind: "melt"}); err == nil {
		t.Error("unknown fault kind accepted")
	}
}

func TestHangupReappearsUnderNewPath(t *testing.T) {
	link := filepath.Join(t.TempDir(), "rig0")
	tw, first := startTwin(t, Opts{Clock: newFakeClock().Now, Link: link})
	if got, err := os.Readlink(link); err != nil || got != first {
		t.Fatalf("link → %q (%v), want %s", got, err, first)
	}
	c, _ := dial(t, link, testBaud, 500*time.Millisecond)
	if err := readSnap(c); err != nil {
		t.Fatal(err)
	}

	inject(t, tw, Fault{Kind: FaultHangup, Down: 200 * time.Millisecond})
	eventually(t, "the old port to go away", func() bool { return tw.Path() != first })
	if err := readSnap(c); err == nil {
		t.Fatal("read on the hung-up port succeeded")
	} else {
		t.Logf("old port: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	second, err := tw.WaitPath(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatalf("came back under the same path %s", first)
	}
	if got, err := os.Readlink(link); err != nil || got != second {
		t.Fatalf("link → %q (%v), want the new %s", got, err, second)
	}
	c2, _ := dial(t, link, testBaud, testTimeout)
	if err := readSnap(c2); err != nil {
		t.Fatalf("read on the new port: %v", err)
	}
	if got := tw.Counters().Hangups; got != 1 {
		t.Errorf("hangups %d, want 1", got)
	}
}

// Counters must count exactly the snapshot replies the client received:
// faulted, dropped and non-snapshot replies do not count.
func TestCountersMatchClient(t *testing.T) {
	tw, path := startTwin(t, Opts{Clock: newFakeClock().Now})
	c, _ := dial(t, path, testBaud, 300*time.Millisecond)
	ok := 0
	plan := map[int]Fault{
		3:  {Kind: FaultCRC, Count: 2},
		7:  {Kind: FaultDrop},
		10: {Kind: FaultException, Count: 1},
		14: {Kind: FaultSlow, Delay: 20 * time.Millisecond}, // late but whole: counts
	}
	for i := 0; i < 20; i++ {
		if f, found := plan[i]; found {
			inject(t, tw, f)
		}
		if err := readSnap(c); err == nil {
			ok++
		}
		if i%5 == 0 { // identity reads are not snapshots
			if _, err := c.ReadInputRegisters(context.Background(), 1, identityFirst, identityQty); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ok != 20-4 {
		t.Errorf("client got %d snapshots, want 16", ok)
	}
	eventually(t, "twin count to match the client's", func() bool { return tw.Counters().SnapshotReplies == int64(ok) })
	cn := tw.Counters()
	if cn.ReadingsServed != int64(ok*numChannels) || cn.Channels != numChannels {
		t.Errorf("readings_served %d, want %d × %d", cn.ReadingsServed, ok, numChannels)
	}
	if cn.Requests != 24 || cn.CRCFaults != 2 || cn.Drops != 1 || cn.Exceptions != 1 || cn.Delays != 1 {
		t.Errorf("counters %+v, want 24 requests, 2 crc, 1 drop, 1 exception, 1 delay", cn)
	}
	tw.ResetCounters()
	if got := tw.Counters(); got.Requests != 0 || got.SnapshotReplies != 0 {
		t.Errorf("after reset %+v", got)
	}
}

// At 9600 baud a snapshot reply (39 bytes) takes at least its wire time.
// Only a lower bound: a loaded machine may always be slower.
func TestPacingAt9600(t *testing.T) {
	_, path := startTwin(t, Opts{Clock: newFakeClock().Now, Baud: 9600})
	c, _ := dial(t, path, 9600, testTimeout)
	if err := readSnap(c); err != nil { // warm up
		t.Fatal(err)
	}
	const replyBytes = 5 + 2*snapshotQty
	wire := time.Duration(replyBytes) * 10 * time.Second / 9600
	start := time.Now()
	if err := readSnap(c); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < wire {
		t.Errorf("reply took %v, want at least its wire time %v", el, wire)
	}
}
