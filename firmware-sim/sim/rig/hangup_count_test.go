package rig

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// A hang-up discards the reply bytes the client has not read yet, so a
// snapshot reply still on the line then was never served. Without this an
// agent polling through a hang-up would store fewer readings than the twin
// claims it sent, some of the time (measured: about one hang-up in ten at
// back-to-back polling).
func TestHangupUncountsUnreadReply(t *testing.T) {
	for _, tc := range []struct {
		name      string
		readReply bool
		want      int64 // snapshot replies counted after the hang-up
	}{
		{name: "reply read before the hang-up", readReply: true, want: 1},
		{name: "reply still unread at the hang-up", readReply: false, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			link := filepath.Join(t.TempDir(), "rig0")
			tw, first := startTwin(t, Opts{Clock: newFakeClock().Now, Link: link})
			p, err := serial.Open(link, &serial.Mode{BaudRate: testBaud})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			req, err := modbus.EncodeRequest(modbus.Request{Unit: 1, Function: modbus.FuncReadInputRegisters, Addr: irStatus, Qty: snapshotQty})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Write(req); err != nil {
				t.Fatal(err)
			}
			// Once counted, the reply has been written to the line.
			eventually(t, "the reply to be written", func() bool { return tw.Counters().SnapshotReplies == 1 })
			if tc.readReply {
				if err := p.SetReadTimeout(testTimeout); err != nil {
					t.Fatal(err)
				}
				reply := make([]byte, 5+2*snapshotQty)
				if _, err := io.ReadFull(p, reply); err != nil {
					t.Fatalf("read reply: %v", err)
				}
			}

			inject(t, tw, Fault{Kind: FaultHangup, Down: 50 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := tw.WaitPath(ctx, first); err != nil {
				t.Fatal(err)
			}
			cn := tw.Counters()
			if cn.Hangups != 1 || cn.SnapshotReplies != tc.want || cn.ReadingsServed != tc.want*numChannels {
				t.Errorf("counters %+v, want 1 hang-up and %d snapshot replies", cn, tc.want)
			}
			if !tc.readReply {
				// And the client indeed gets nothing of it from the dead port.
				_ = p.SetReadTimeout(100 * time.Millisecond)
				if n, _ := p.Read(make([]byte, 64)); n != 0 {
					t.Errorf("client read %d bytes of a reply the twin says it lost", n)
				}
			}
		})
	}
}
