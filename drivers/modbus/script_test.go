package modbus_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// scriptedSlave answers the next request on a PTY with reply, whatever it
// was, so the client can be shown replies no honest slave would send.
func scriptedSlave(t *testing.T, reply []byte, timeout time.Duration) *modbus.Client {
	t.Helper()
	master, path := openPTY(t)
	p := openPort(t, path)
	done := make(chan struct{})
	go func() {
		defer close(done)
		req := make([]byte, 8)
		if _, err := io.ReadFull(master, req); err != nil {
			t.Errorf("scripted slave: read request: %v", err)
			return
		}
		if _, err := master.Write(reply); err != nil {
			t.Errorf("scripted slave: write: %v", err)
		}
	}()
	t.Cleanup(func() { <-done })
	return modbus.NewClient(p, modbus.ClientOpts{Baud: testBaud, Timeout: timeout})
}

func TestClientChecksReplyUnitAndFunction(t *testing.T) {
	for _, tc := range []struct {
		name, reply string
		want        error
	}{
		{"other unit", crcHex(t, "02 03 02 00 01"), modbus.ErrFrame},
		{"other function", crcHex(t, "01 04 02 00 01"), modbus.ErrFrame},
		{"byte count lies", crcHex(t, "01 03 03 00 01"), modbus.ErrFrame},
		{"noise", "01 03 02 00 01 00 00", modbus.ErrCRC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := scriptedSlave(t, hx(t, tc.reply), okTimeout)
			_, err := c.ReadHoldingRegisters(context.Background(), 1, 0, 1)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// An exception reply is 5 bytes where a read reply of 20 registers is 45:
// the client must stop reading at 5, not wait for the timeout.
func TestClientStopsAtExceptionLength(t *testing.T) {
	c := scriptedSlave(t, hx(t, "01 83 02 C0 F1"), okTimeout)
	_, err := c.ReadHoldingRegisters(context.Background(), 1, 0, 20)
	var ex *modbus.Exception
	if !errors.As(err, &ex) || ex.Code != modbus.IllegalDataAddress {
		t.Fatalf("err = %v, want *Exception illegal data address", err)
	}
}

func TestClientTimeoutCountsPartialReply(t *testing.T) {
	c := scriptedSlave(t, hx(t, "01 03 28 00"), 200*time.Millisecond)
	_, err := c.ReadHoldingRegisters(context.Background(), 1, 0, 20)
	if !errors.Is(err, modbus.ErrTimeout) || err.Error() != "modbus: read holding registers 0x0000+20 (unit 1): timeout after 4 of 45 bytes" {
		t.Fatalf("err = %v", err)
	}
}

// rwPipe joins two io.Pipes into the slave's side of an in-memory line.
type rwPipe struct {
	io.Reader
	io.Writer
}

func TestServeReturnsReadError(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	defer outR.Close()
	broken := errors.New("adapter unplugged")
	done := make(chan error, 1)
	go func() { done <- modbus.Serve(context.Background(), rwPipe{inR, outW}, newRegs(), modbus.ServerOpts{}) }()
	inW.CloseWithError(broken)
	select {
	case err := <-done:
		if !errors.Is(err, broken) || err.Error() != "modbus: serve (unit 1): read: adapter unplugged" {
			t.Fatalf("Serve = %v, want the read error", err)
		}
	case <-time.After(okTimeout):
		t.Fatal("Serve did not return after its reader failed")
	}
}
