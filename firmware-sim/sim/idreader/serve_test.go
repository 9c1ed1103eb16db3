package idreader

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/idcard"
	"github.com/onestop-station/onestop/drivers/serialport"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

func startTwin(t *testing.T, opts Opts) (*Twin, *serialport.Raw) {
	t.Helper()
	opts.Logger = slog.New(slog.DiscardHandler)
	tw, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	path := simtest.Start(t, tw)
	raw, err := serialport.OpenRaw(serialport.Config{Path: path, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return tw, raw
}

// exchange writes req and reads until n bytes came or 10 s passed.
func exchange(t *testing.T, p *serialport.Raw, req []byte, n int) []byte {
	t.Helper()
	if _, err := p.Write(req); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 4096)
	for deadline := time.Now().Add(10 * time.Second); len(got) < n && time.Now().Before(deadline); {
		k, err := p.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:k]...)
	}
	return got
}

// Host frames with a bad checksum get SW3 0x10, unknown commands 0x21; noise before a frame
// is skipped.
func TestHostFrameErrors(t *testing.T) {
	tw, p := startTwin(t, Opts{})
	bad := idcard.CmdFindCard.Encode()
	bad[len(bad)-1] ^= 1
	if got, want := exchange(t, p, bad, 11), (idcard.Response{SW3: 0x10}).Encode(); !bytes.Equal(got, want) {
		t.Errorf("bad checksum: % X, want % X", got, want)
	}
	unknown := idcard.Command{Cmd: 0x42, Para: 0x01}.Encode()
	if got, want := exchange(t, p, unknown, 11), (idcard.Response{SW3: 0x21}).Encode(); !bytes.Equal(got, want) {
		t.Errorf("unknown command: % X, want % X", got, want)
	}
	noisy := append([]byte{0x00, 0xAA, 0x13}, idcard.CmdSAMStatus.Encode()...)
	if got, want := exchange(t, p, noisy, 11), []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x90, 0x94}; !bytes.Equal(got, want) {
		t.Errorf("SAM status after noise: % X", got)
	}
	// Replies are counted after they are written: poll.
	for deadline := time.Now().Add(10 * time.Second); tw.Counters().Replies < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if c := tw.Counters(); c.BadRequests != 1 || c.Requests != 2 || c.Replies != 3 {
		t.Errorf("counters %+v", c)
	}
}

// A 1295-byte reply at 19200 baud takes at least its wire time (674 ms); only the lower bound
// is checked, a loaded machine may take longer.
func TestRepliesArePacedAtTheBaudRate(t *testing.T) {
	_, p := startTwin(t, Opts{Card: "zhangsan", Baud: 19200})
	exchange(t, p, idcard.CmdFindCard.Encode(), 15)
	exchange(t, p, idcard.CmdSelectCard.Encode(), 19)
	start := time.Now()
	got := exchange(t, p, idcard.CmdReadBasic.Encode(), idcard.ReadBasicFrameLen)
	if took := time.Since(start); took < 1295*10*time.Second/19200 {
		t.Errorf("1295 bytes in %v at 19200 baud", took)
	}
	if len(got) != idcard.ReadBasicFrameLen {
		t.Errorf("%d bytes", len(got))
	}
}
