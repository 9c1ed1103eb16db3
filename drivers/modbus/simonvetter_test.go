package modbus_test

import (
	"errors"
	"io"
	"log"
	"slices"
	"testing"

	sv "github.com/simonvetter/modbus"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// An independent master, simonvetter/modbus, against our slave over a PTY:
// if both ends shared one codec bug, the tests above could not see it.
func TestSimonvetterMasterAgainstServe(t *testing.T) {
	r := newRegs()
	path := startSlave(t, r, modbus.ServerOpts{Unit: 1})
	client, err := sv.NewClient(&sv.ClientConfiguration{
		URL:      "rtu://" + path,
		Speed:    testBaud,
		DataBits: 8,
		Parity:   sv.PARITY_NONE,
		StopBits: 1,
		Timeout:  okTimeout,
		Logger:   log.New(io.Discard, "", 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Open(); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer client.Close()
	if err := client.SetUnitId(1); err != nil {
		t.Fatal(err)
	}

	got, err := client.ReadRegisters(0, 5, sv.HOLDING_REGISTER)
	if err != nil || !slices.Equal(got, []uint16{1000, 1001, 1002, 1003, 1004}) {
		t.Fatalf("FC03 = %v, %v", got, err)
	}
	got, err = client.ReadRegisters(10, 3, sv.INPUT_REGISTER)
	if err != nil || !slices.Equal(got, []uint16{2010, 2011, 2012}) {
		t.Fatalf("FC04 = %v, %v", got, err)
	}
	if err := client.WriteRegister(30, 0x1234); err != nil {
		t.Fatalf("FC06: %v", err)
	}
	if err := client.WriteRegisters(40, []uint16{4, 5, 6}); err != nil {
		t.Fatalf("FC16: %v", err)
	}
	if r.get(30) != 0x1234 || r.get(40) != 4 || r.get(42) != 6 {
		t.Errorf("after writes: [30]=%#x [40]=%d [42]=%d", r.get(30), r.get(40), r.get(42))
	}
	_, err = client.ReadRegisters(255, 2, sv.HOLDING_REGISTER)
	if !errors.Is(err, sv.ErrIllegalDataAddress) {
		t.Errorf("read past the map: %v, want ErrIllegalDataAddress", err)
	}
	// A read after an exception still works: the slave's framing held.
	if v, err := client.ReadRegister(1, sv.HOLDING_REGISTER); err != nil || v != 1001 {
		t.Errorf("read after exception = %v, %v", v, err)
	}
}
