package idcard_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/firmware-sim/sim/idreader"
)

// Every fault of the twin gives a clear typed error, never a hang: the test context would
// fail a hang as a context error, which no case accepts.
func TestEveryFaultGivesATypedError(t *testing.T) {
	for _, tt := range []struct {
		fault idreader.Fault
		want  error
		text  string
	}{
		{idreader.Fault{Kind: idreader.FaultChecksum, On: "read"}, idcard.ErrChecksum, "idcard: read basic: reply: bad checksum"},
		{idreader.Fault{Kind: idreader.FaultTruncated, On: "read"}, idcard.ErrTruncated, "idcard: read basic: reply: truncated frame: got 647 of 1295 bytes"},
		{idreader.Fault{Kind: idreader.FaultReadFailure}, idcard.ErrReadFailed, "idcard: read basic: card read failed (SW3 0x41)"},
		{idreader.Fault{Kind: idreader.FaultNoReply, On: "read"}, idcard.ErrTimeout, "idcard: read basic: no reply within"},
		{idreader.Fault{Kind: idreader.FaultSlow, On: "read", Delay: 2500 * time.Millisecond}, idcard.ErrTimeout, "idcard: read basic: no reply within"},
	} {
		t.Run(string(tt.fault.Kind), func(t *testing.T) {
			t.Parallel() // each has its own twin; the timeouts then overlap
			tw, port := startTwin(t, "zhangsan")
			r := idcard.New(port, faultOpts)
			ctx := testCtx(t)
			if err := tw.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			c, err := r.Read(ctx)
			if !errors.Is(err, tt.want) || !strings.HasPrefix(err.Error(), tt.text) {
				t.Fatalf("got %v, %v; want %v (%q)", c, err, tt.want, tt.text)
			}
			// The reader recovers: the card is lifted and placed again, and the next read works.
			waitFor(t, "the twin to finish the faulty reply", func() bool { return len(tw.State().Faults) == 0 && tw.Counters().Requests >= 3 })
			time.Sleep(tt.fault.Delay)
			tw.LiftCard()
			tw.PlaceCard("")
			r = idcard.New(port, testOpts)
			if _, err := r.Read(ctx); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
}

// A slow card within the timeout is only slow.
func TestSlowCardWithinTimeout(t *testing.T) {
	tw, port := startTwin(t, "lisi")
	r := idcard.New(port, testOpts)
	tw.InjectFault(idreader.Fault{Kind: idreader.FaultSlow, On: "find", Delay: 300 * time.Millisecond})
	if _, err := r.Read(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if tw.Counters().Delays != 1 {
		t.Errorf("counters %+v", tw.Counters())
	}
}

// A fault on find card and on the SAM reach the caller too; Health reports no reply as offline.
func TestFaultsOnOtherCommands(t *testing.T) {
	tw, port := startTwin(t, "zhangsan")
	r := idcard.New(port, faultOpts)
	ctx := testCtx(t)
	tw.InjectFault(idreader.Fault{Kind: idreader.FaultChecksum, On: "find"})
	if err := r.FindCard(ctx); !errors.Is(err, idcard.ErrChecksum) {
		t.Errorf("find: %v", err)
	}
	tw.InjectFault(idreader.Fault{Kind: idreader.FaultTruncated, On: "sam"})
	if err := r.SAMStatus(ctx); !errors.Is(err, idcard.ErrTruncated) {
		t.Errorf("SAM status: %v", err)
	}
	tw.InjectFault(idreader.Fault{Kind: idreader.FaultNoReply, Sticky: true})
	if h := r.Health(ctx); h.State.String() != "offline" || !strings.Contains(h.Detail, "no reply") {
		t.Errorf("health without replies: %v", h)
	}
	if _, err := r.WaitCard(ctx); !errors.Is(err, idcard.ErrTimeout) {
		t.Errorf("WaitCard without replies: %v", err)
	}
	tw.InjectFault(idreader.Fault{Kind: idreader.FaultClear})
	if err := r.SAMStatus(ctx); err != nil {
		t.Errorf("after clear: %v", err)
	}
}

// A cancelled context ends a wait at once with the context's error.
func TestWaitCardHonoursContext(t *testing.T) {
	_, port := startTwin(t, "")
	r := idcard.New(port, testOpts)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if _, err := r.WaitCard(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("%v", err)
	}
}
