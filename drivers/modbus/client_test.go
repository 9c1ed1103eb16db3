package modbus_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// okTimeout is generous: success paths must not flake on a loaded machine.
const okTimeout = 2 * time.Second

func TestClientReadWrite(t *testing.T) {
	r := newRegs()
	c, _ := newClient(t, r, modbus.ServerOpts{Unit: 1}, okTimeout)
	ctx := context.Background()

	got, err := c.ReadHoldingRegisters(ctx, 1, 0, 10)
	if err != nil || !slices.Equal(got, []uint16{1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009}) {
		t.Fatalf("ReadHoldingRegisters = %v, %v", got, err)
	}
	got, err = c.ReadInputRegisters(ctx, 1, 131, 125)
	if err != nil || len(got) != 125 || got[0] != 2131 || got[124] != 2255 {
		t.Fatalf("ReadInputRegisters(131+125) = %v, %v", got, err)
	}
	if err := c.WriteSingleRegister(ctx, 1, 7, 0xBEEF); err != nil {
		t.Fatalf("WriteSingleRegister: %v", err)
	}
	values := make([]uint16, 123)
	for i := range values {
		values[i] = uint16(i * 3)
	}
	if err := c.WriteMultipleRegisters(ctx, 1, 100, values); err != nil {
		t.Fatalf("WriteMultipleRegisters: %v", err)
	}
	if got, err := c.ReadHoldingRegisters(ctx, 1, 100, 123); err != nil || !slices.Equal(got, values) {
		t.Fatalf("read back = %v, %v", got, err)
	}
	if v := r.get(7); v != 0xBEEF {
		t.Errorf("holding[7] = %#x, want 0xBEEF", v)
	}
}

func TestClientException(t *testing.T) {
	c, _ := newClient(t, newRegs(), modbus.ServerOpts{Unit: 1}, okTimeout)
	_, err := c.ReadHoldingRegisters(context.Background(), 1, 250, 10)
	var ex *modbus.Exception
	if !errors.As(err, &ex) || ex.Code != modbus.IllegalDataAddress {
		t.Fatalf("read past the map = %v, want illegal data address", err)
	}
	const want = "modbus: read holding registers 0x00FA+10 (unit 1): illegal data address"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
	// Serve refuses an address range that wraps past 0xFFFF before the handler sees it.
	_, err = c.ReadInputRegisters(context.Background(), 1, 0xFFFF, 2)
	if !errors.As(err, &ex) || ex.Code != modbus.IllegalDataAddress {
		t.Fatalf("read across 0xFFFF = %v, want illegal data address", err)
	}
}

type failing struct{ regs }

func (f *failing) ReadRegisters(byte, uint16, uint16) ([]uint16, error) {
	return nil, errors.New("sensor bus stuck")
}

func TestHandlerErrorIsDeviceFailure(t *testing.T) {
	c, _ := newClient(t, &failing{}, modbus.ServerOpts{Unit: 1}, okTimeout)
	_, err := c.ReadInputRegisters(context.Background(), 1, 0, 1)
	var ex *modbus.Exception
	if !errors.As(err, &ex) || ex.Code != modbus.ServerDeviceFailure {
		t.Fatalf("err = %v, want server device failure", err)
	}
}

func TestClientRefusesInvalid(t *testing.T) {
	c, _ := newClient(t, newRegs(), modbus.ServerOpts{Unit: 1}, okTimeout)
	ctx := context.Background()
	if _, err := c.ReadHoldingRegisters(ctx, 1, 0, 126); !errors.Is(err, modbus.ErrInvalid) {
		t.Errorf("qty 126: %v, want ErrInvalid", err)
	}
	if _, err := c.ReadHoldingRegisters(ctx, 0, 0, 1); !errors.Is(err, modbus.ErrInvalid) {
		t.Errorf("broadcast read: %v, want ErrInvalid", err)
	}
	if err := c.WriteMultipleRegisters(ctx, 1, 0, nil); !errors.Is(err, modbus.ErrInvalid) {
		t.Errorf("write of nothing: %v, want ErrInvalid", err)
	}
}

func TestServerIllegalFunction(t *testing.T) {
	p := openPort(t, startSlave(t, newRegs(), modbus.ServerOpts{Unit: 1}))
	for _, tc := range []struct{ name, req, reply string }{
		// FC01 has a known length, so it is answered without waiting for silence.
		{"read coils", crcHex(t, "01 01 00 00 00 08"), crcHex(t, "01 81 01")},
		// FC2B's length is unknown: the frame ends at the t3.5 gap.
		{"read device id", crcHex(t, "01 2B 0E 01 00"), crcHex(t, "01 AB 01")},
	} {
		if _, err := p.Write(hx(t, tc.req)); err != nil {
			t.Fatal(err)
		}
		if got := readRaw(t, p, 5, okTimeout); !bytes.Equal(got, hx(t, tc.reply)) {
			t.Errorf("%s: reply % X, want %s", tc.name, got, tc.reply)
		}
	}
}

func TestServerIllegalDataValue(t *testing.T) {
	p := openPort(t, startSlave(t, newRegs(), modbus.ServerOpts{Unit: 1}))
	if _, err := p.Write(hx(t, crcHex(t, "01 03 00 00 00 7E"))); err != nil { // qty 126
		t.Fatal(err)
	}
	if got, want := readRaw(t, p, 5, okTimeout), hx(t, crcHex(t, "01 83 03")); !bytes.Equal(got, want) {
		t.Errorf("reply % X, want % X", got, want)
	}
}

func TestServerResyncsAfterGarbage(t *testing.T) {
	p := openPort(t, startSlave(t, newRegs(), modbus.ServerOpts{Unit: 1}))
	req := modbus.Request{Unit: 1, Function: modbus.FuncReadInputRegisters, Addr: 3, Qty: 2}
	adu, _ := modbus.EncodeRequest(req)
	// Noise in the same burst: a torn frame for us, a stray FC16 header, junk.
	noise := hx(t, "01 03 00 00 00 0A C5 01 10 FF 00 00 55")
	if _, err := p.Write(append(noise, adu...)); err != nil {
		t.Fatal(err)
	}
	want := modbus.EncodeReply(req, []uint16{2003, 2004})
	if got := readRaw(t, p, len(want), okTimeout); !bytes.Equal(got, want) {
		t.Errorf("reply % X, want % X", got, want)
	}
}

func TestFilterCorruptsCRC(t *testing.T) {
	corrupt := func(req modbus.Request, adu []byte) ([]byte, time.Duration) {
		adu[len(adu)-1] ^= 0xFF
		return adu, 0
	}
	c, _ := newClient(t, newRegs(), modbus.ServerOpts{Unit: 1, Filter: corrupt}, okTimeout)
	if _, err := c.ReadHoldingRegisters(context.Background(), 1, 0, 4); !errors.Is(err, modbus.ErrCRC) {
		t.Fatalf("err = %v, want ErrCRC", err)
	}
}

func TestFilterDropsReply(t *testing.T) {
	drop := func(modbus.Request, []byte) ([]byte, time.Duration) { return nil, 0 }
	var replies atomic.Int32
	opts := modbus.ServerOpts{Unit: 1, Filter: drop, OnReply: func(modbus.Request) { replies.Add(1) }}
	c, _ := newClient(t, newRegs(), opts, 150*time.Millisecond)
	_, err := c.ReadInputRegisters(context.Background(), 1, 0, 20)
	if !errors.Is(err, modbus.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if want := "modbus: read input registers 0x0000+20 (unit 1): timeout"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if n := replies.Load(); n != 0 {
		t.Errorf("OnReply called %d times for a dropped reply", n)
	}
}

func TestFilterDelaysReply(t *testing.T) {
	const delay = 300 * time.Millisecond
	late := func(req modbus.Request, adu []byte) ([]byte, time.Duration) { return adu, delay }
	written := make(chan struct{}, 2)
	opts := modbus.ServerOpts{Unit: 1, Filter: late, OnReply: func(modbus.Request) { written <- struct{}{} }}
	p := openPort(t, startSlave(t, newRegs(), opts))
	ctx := context.Background()

	impatient := modbus.NewClient(p, modbus.ClientOpts{Baud: testBaud, Timeout: 50 * time.Millisecond})
	if _, err := impatient.ReadHoldingRegisters(ctx, 1, 0, 1); !errors.Is(err, modbus.ErrTimeout) {
		t.Fatalf("50 ms client vs 300 ms delay: %v, want ErrTimeout", err)
	}
	// The late reply now sits in the input buffer; the next request must
	// not take it for its own: the client flushes input before sending.
	select {
	case <-written:
	case <-time.After(delay + okTimeout):
		t.Fatal("late reply never written")
	}
	patient := modbus.NewClient(p, modbus.ClientOpts{Baud: testBaud, Timeout: delay + okTimeout})
	got, err := patient.ReadHoldingRegisters(ctx, 1, 5, 1)
	if err != nil || !slices.Equal(got, []uint16{1005}) {
		t.Fatalf("patient client = %v, %v", got, err)
	}
}

func TestOtherUnitIgnored(t *testing.T) {
	c, _ := newClient(t, newRegs(), modbus.ServerOpts{Unit: 5}, 150*time.Millisecond)
	ctx := context.Background()
	if _, err := c.ReadHoldingRegisters(ctx, 1, 0, 1); !errors.Is(err, modbus.ErrTimeout) {
		t.Fatalf("unit 1 on a unit-5 slave: %v, want ErrTimeout", err)
	}
	if got, err := c.ReadHoldingRegisters(ctx, 5, 0, 1); err != nil || got[0] != 1000 {
		t.Fatalf("unit 5 after that = %v, %v", got, err)
	}
}

func TestBroadcastWriteAppliedWithoutReply(t *testing.T) {
	var replies atomic.Int32
	r := newRegs()
	opts := modbus.ServerOpts{Unit: 1, OnReply: func(modbus.Request) { replies.Add(1) }}
	c, p := newClient(t, r, opts, okTimeout)
	ctx := context.Background()
	if err := c.WriteMultipleRegisters(ctx, 0, 20, []uint16{7, 8}); err != nil {
		t.Fatalf("broadcast FC16: %v", err)
	}
	if err := c.WriteSingleRegister(ctx, 0, 22, 9); err != nil {
		t.Fatalf("broadcast FC06: %v", err)
	}
	deadline := time.Now().Add(okTimeout)
	for r.get(22) != 9 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if r.get(20) != 7 || r.get(21) != 8 || r.get(22) != 9 {
		t.Fatalf("registers 20..22 = %d %d %d, want 7 8 9", r.get(20), r.get(21), r.get(22))
	}
	if got := readRaw(t, p, 1, 100*time.Millisecond); len(got) != 0 {
		t.Errorf("slave answered a broadcast: % X", got)
	}
	if n := replies.Load(); n != 0 {
		t.Errorf("OnReply called %d times for broadcasts", n)
	}
}

func TestOnReply(t *testing.T) {
	got := make(chan modbus.Request, 1)
	opts := modbus.ServerOpts{Unit: 1, OnReply: func(req modbus.Request) { got <- req }}
	c, _ := newClient(t, newRegs(), opts, okTimeout)
	if err := c.WriteSingleRegister(context.Background(), 1, 3, 42); err != nil {
		t.Fatal(err)
	}
	select {
	case req := <-got:
		if req.Function != modbus.FuncWriteSingleRegister || req.Addr != 3 || req.Values[0] != 42 {
			t.Errorf("OnReply got %+v", req)
		}
	case <-time.After(okTimeout):
		t.Fatal("OnReply not called")
	}
}

func TestClientHonoursCancel(t *testing.T) {
	drop := func(modbus.Request, []byte) ([]byte, time.Duration) { return nil, 0 }
	c, _ := newClient(t, newRegs(), modbus.ServerOpts{Unit: 1, Filter: drop}, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { _, err := c.ReadHoldingRegisters(ctx, 1, 0, 1); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("read ignored ctx cancellation (client timeout is a minute)")
	}
}
