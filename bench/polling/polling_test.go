package main

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// The limit from frame sizes alone: 47 characters of 10 bits and two t3.5
// silences (3.5 characters at ≤ 19200 baud, 1.75 ms above).
func TestLineLimitArithmetic(t *testing.T) {
	if requestBytes+replyBytes != 47 || replyBytes != 39 {
		t.Fatalf("frame sizes %d + %d, want 8 + 39", requestBytes, replyBytes)
	}
	for _, tc := range []struct {
		baud      int
		cycle     time.Duration
		perSecond float64
	}{
		// 470 bits / 9600 + 2·35 bits / 9600 = 540/9600 s
		{9600, 56250 * time.Microsecond, 17.78},
		// 470 bits / 115200 + 2·1.75 ms = 4.0799 ms + 3.5 ms
		{115200, 7579861 * time.Nanosecond, 131.93},
	} {
		l := LineLimit(tc.baud, 0)
		if d := l.Cycle() - tc.cycle; d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("%d baud: cycle %v, want %v", tc.baud, l.Cycle(), tc.cycle)
		}
		if math.Abs(l.PerSecond()-tc.perSecond) > 0.01 {
			t.Errorf("%d baud: %.3f polls/s, want %.2f", tc.baud, l.PerSecond(), tc.perSecond)
		}
		// The turnaround adds to the cycle; a PTY drops the request's 8 characters.
		turn := LineLimit(tc.baud, 2*time.Millisecond)
		if turn.Cycle() != l.Cycle()+2*time.Millisecond {
			t.Errorf("%d baud: turnaround not added: %v", tc.baud, turn.Cycle())
		}
		if l.Cycle()-l.PTYCycle() != wireTime(8, tc.baud) {
			t.Errorf("%d baud: PTY cycle %v", tc.baud, l.PTYCycle())
		}
	}
	if l := LineLimit(9600, -time.Millisecond); l.Turnaround != 0 {
		t.Errorf("negative turnaround kept: %v", l.Turnaround)
	}
}

func TestTurnaroundFromExchanges(t *testing.T) {
	// 115200: t3.5 1.75 ms + 39 characters 3.385 ms = 5.135 ms paced by the twin.
	// The fastest exchange is the twin's own; slower ones waited for the machine.
	took := []time.Duration{9 * time.Millisecond, 5635 * time.Microsecond, 6 * time.Millisecond}
	median, turn := turnaround(115200, took)
	if median != 6*time.Millisecond {
		t.Errorf("median %v", median)
	}
	if want := 5635*time.Microsecond - 1750*time.Microsecond - wireTime(39, 115200); turn != want {
		t.Errorf("turnaround %v, want %v", turn, want)
	}
}

// One short run of the real thing: the twin on a PTY, our stack, mbpoll if installed.
func TestMeasureShort(t *testing.T) {
	if testing.Short() {
		t.Skip("polls a twin for a few seconds")
	}
	var out bytes.Buffer
	if err := run([]string{"--seconds", "1.5", "--rounds", "1", "--baud", "115200", "-v"}, &out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	m, err := measure(context.Background(), t.TempDir(), 115200, time.Second, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if m.Ours.PerSecond() <= 0 || m.Ours.OK <= 0 || m.Limit.PerSecond() <= 0 {
		t.Fatalf("no polls measured: %s", m.details())
	}
	if !strings.Contains(out.String(), "rig polls/s at 115200 ") {
		t.Errorf("no 115200 row:\n%s", out.String())
	}
}
