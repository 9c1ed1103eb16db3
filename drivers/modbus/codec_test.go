package modbus_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// hx turns "01 03 00 00" into bytes.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCRC16CheckValue(t *testing.T) {
	if got := modbus.CRC16([]byte("123456789")); got != 0x4B37 {
		t.Fatalf("CRC16(123456789) = %#04x, want 0x4B37", got)
	}
}

// Frames captured or computed in device-protocols.md 4.1.
func TestVerifiedFrames(t *testing.T) {
	for _, tc := range []struct {
		req  modbus.Request
		want string
	}{
		{modbus.Request{Unit: 1, Function: modbus.FuncReadHoldingRegisters, Addr: 0, Qty: 10}, "01 03 00 00 00 0A C5 CD"},
		{modbus.Request{Unit: 1, Function: modbus.FuncReadHoldingRegisters, Addr: 0x5000, Qty: 0x18}, "01 03 50 00 00 18 54 C0"},
	} {
		got, err := modbus.EncodeRequest(tc.req)
		if err != nil || !bytes.Equal(got, hx(t, tc.want)) {
			t.Errorf("EncodeRequest(%+v) = % X, %v; want %s", tc.req, got, err, tc.want)
		}
	}
	req := modbus.Request{Unit: 1, Function: modbus.FuncReadHoldingRegisters, Addr: 0, Qty: 10}
	if got := modbus.EncodeException(req, modbus.IllegalDataAddress); !bytes.Equal(got, hx(t, "01 83 02 C0 F1")) {
		t.Errorf("EncodeException = % X, want 01 83 02 C0 F1", got)
	}
	_, err := modbus.DecodeReply(req, hx(t, "01 83 02 C0 F1"))
	var ex *modbus.Exception
	if !errors.As(err, &ex) || ex.Code != modbus.IllegalDataAddress || ex.Function != 0x03 {
		t.Errorf("DecodeReply(exception) = %v, want *Exception illegal data address", err)
	}
}

func roundTripRequests() []modbus.Request {
	return []modbus.Request{
		{Unit: 1, Function: modbus.FuncReadHoldingRegisters, Addr: 0x0010, Qty: 1},
		{Unit: 7, Function: modbus.FuncReadInputRegisters, Addr: 0xFF83, Qty: 125},
		{Unit: 247, Function: modbus.FuncWriteSingleRegister, Addr: 0x1234, Qty: 1, Values: []uint16{0xBEEF}},
		{Unit: 0, Function: modbus.FuncWriteMultipleRegisters, Addr: 2, Qty: 3, Values: []uint16{1, 0x8000, 0xFFFF}},
		{Unit: 1, Function: modbus.FuncWriteMultipleRegisters, Addr: 0, Qty: 123, Values: make([]uint16, 123)},
	}
}

func TestRequestRoundTrip(t *testing.T) {
	for _, req := range roundTripRequests() {
		adu, err := modbus.EncodeRequest(req)
		if err != nil {
			t.Fatalf("EncodeRequest(%+v): %v", req, err)
		}
		if n, ok := modbus.RequestLength(adu); !ok || n != len(adu) {
			t.Errorf("RequestLength(% X) = %d, %v; want %d", adu, n, ok, len(adu))
		}
		got, err := modbus.DecodeRequest(adu)
		if err != nil {
			t.Fatalf("DecodeRequest(% X): %v", adu, err)
		}
		if got.Unit != req.Unit || got.Function != req.Function || got.Addr != req.Addr ||
			got.Qty != req.Qty || !slices.Equal(got.Values, req.Values) {
			t.Errorf("round trip %+v -> %+v", req, got)
		}
	}
}

func TestRequestLengthNeedsHeader(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		n      int
		ok     bool
	}{
		{"", 2, false},
		{"01", 2, false},
		{"01 03", 8, true},
		{"01 10 00 00", 7, false},
		{"01 10 00 00 00 02 04", 13, true},
		{"01 0F 00 00 00 0A 02", 11, true},
		{"01 2B 0E 01", 0, false},
	} {
		n, ok := modbus.RequestLength(hx(t, tc.prefix))
		if n != tc.n || ok != tc.ok {
			t.Errorf("RequestLength(%s) = %d, %v; want %d, %v", tc.prefix, n, ok, tc.n, tc.ok)
		}
	}
}

func TestReplyRoundTrip(t *testing.T) {
	for _, req := range roundTripRequests() {
		var values []uint16
		if req.Function == modbus.FuncReadHoldingRegisters || req.Function == modbus.FuncReadInputRegisters {
			for i := range req.Qty {
				values = append(values, 0x0101*i)
			}
		}
		adu := modbus.EncodeReply(req, values)
		got, err := modbus.DecodeReply(req, adu)
		if err != nil || !slices.Equal(got, values) {
			t.Errorf("reply round trip %v: % X -> %v, %v", req.Function, adu, got, err)
		}
		for code := modbus.IllegalFunction; code <= modbus.GatewayTargetFailedToRespond; code++ {
			_, err := modbus.DecodeReply(req, modbus.EncodeException(req, code))
			var ex *modbus.Exception
			if !errors.As(err, &ex) || ex.Code != code || ex.Function != req.Function {
				t.Errorf("exception %v to %#x: got %v", code, req.Function, err)
			}
		}
	}
}

func TestEncodeRequestLimits(t *testing.T) {
	for _, req := range []modbus.Request{
		{Unit: 1, Function: modbus.FuncReadHoldingRegisters, Qty: 0},
		{Unit: 1, Function: modbus.FuncReadInputRegisters, Qty: 126},
		{Unit: 1, Function: modbus.FuncWriteSingleRegister},
		{Unit: 1, Function: modbus.FuncWriteSingleRegister, Values: []uint16{1, 2}},
		{Unit: 1, Function: modbus.FuncWriteMultipleRegisters},
		{Unit: 1, Function: modbus.FuncWriteMultipleRegisters, Values: make([]uint16, 124)},
		{Unit: 1, Function: modbus.FuncWriteMultipleRegisters, Qty: 2, Values: []uint16{1}},
		{Unit: 1, Function: 0x01, Qty: 1},
	} {
		if _, err := modbus.EncodeRequest(req); !errors.Is(err, modbus.ErrInvalid) {
			t.Errorf("EncodeRequest(%+v) = %v, want ErrInvalid", req, err)
		}
	}
}

func TestDecodeRequestMalformed(t *testing.T) {
	for _, tc := range []struct {
		adu  string
		want error
	}{
		{"", modbus.ErrFrame},
		{"01 03 00", modbus.ErrFrame},
		{"01 03 00 00 00 0A C5 CC", modbus.ErrCRC},
		{"01 03 00 00 00 0A", modbus.ErrCRC},
		{crcHex(t, "01 03 00 00 00 00"), modbus.ErrFrame},                               // qty 0
		{crcHex(t, "01 04 00 00 00 7E"), modbus.ErrFrame},                               // qty 126
		{crcHex(t, "01 03 00 00 00 0A 00"), modbus.ErrFrame},                            // too long
		{crcHex(t, "01 10 00 00 00 02 02 00 01"), modbus.ErrFrame},                      // byte count 2 for 2 registers
		{crcHex(t, "01 10 00 00 00 01 02 00 01 00"), modbus.ErrFrame},                   // trailing byte
		{crcHex(t, "01 2B 0E 01 00"), modbus.ErrFrame},                                  // unsupported
		{crcHex(t, "01 01 00 00 00 08"), modbus.ErrFrame},                               // coils: unsupported
		{crcHex(t, "01 10 00 00 00 00 00"), modbus.ErrFrame},                            // FC16 qty 0
		{crcHex(t, "01 06 00 01"), modbus.ErrFrame},                                     // short FC06
		{crcHex(t, "01 10 00 00 00 7C F8"+strings.Repeat(" 00", 248)), modbus.ErrFrame}, // qty 124
	} {
		if _, err := modbus.DecodeRequest(hx(t, tc.adu)); !errors.Is(err, tc.want) {
			t.Errorf("DecodeRequest(%.40s) = %v, want %v", tc.adu, err, tc.want)
		}
	}
}

func TestDecodeReplyMalformed(t *testing.T) {
	read := modbus.Request{Unit: 1, Function: modbus.FuncReadHoldingRegisters, Addr: 0, Qty: 2}
	single := modbus.Request{Unit: 1, Function: modbus.FuncWriteSingleRegister, Addr: 5, Values: []uint16{9}}
	multi := modbus.Request{Unit: 1, Function: modbus.FuncWriteMultipleRegisters, Addr: 5, Values: []uint16{9, 8}}
	for _, tc := range []struct {
		req  modbus.Request
		adu  string
		want error
	}{
		{read, "01 03 04 00", modbus.ErrFrame},
		{read, "01 03 04 00 01 00 02 00 00", modbus.ErrCRC},
		{read, crcHex(t, "02 03 04 00 01 00 02"), modbus.ErrFrame},  // other unit
		{read, crcHex(t, "01 04 04 00 01 00 02"), modbus.ErrFrame},  // other function
		{read, crcHex(t, "01 03 02 00 01"), modbus.ErrFrame},        // one register short
		{read, crcHex(t, "01 03 06 00 01 00 02"), modbus.ErrFrame},  // byte count lies
		{read, crcHex(t, "01 84 02"), modbus.ErrFrame},              // exception to another function
		{single, crcHex(t, "01 06 00 05 00 08"), modbus.ErrFrame},   // echo of another value
		{single, crcHex(t, "01 06 00 04 00 09"), modbus.ErrFrame},   // echo of another address
		{multi, crcHex(t, "01 10 00 05 00 03"), modbus.ErrFrame},    // echo of another quantity
		{multi, crcHex(t, "01 10 00 05 00 02 00"), modbus.ErrFrame}, // too long
	} {
		if _, err := modbus.DecodeReply(tc.req, hx(t, tc.adu)); !errors.Is(err, tc.want) {
			t.Errorf("DecodeReply(%v, %s) = %v, want %v", tc.req.Function, tc.adu, err, tc.want)
		}
	}
}

// crcHex appends the CRC to a hex frame body.
func crcHex(t testing.TB, body string) string {
	b := hx(t, body)
	c := modbus.CRC16(b)
	return hex.EncodeToString(append(b, byte(c), byte(c>>8)))
}

func TestEncodeReplyRefuses(t *testing.T) {
	read := modbus.Request{Unit: 1, Function: modbus.FuncReadInputRegisters, Qty: 1}
	if b := modbus.EncodeReply(read, nil); b != nil {
		t.Errorf("EncodeReply(read, no values) = % X, want nil", b)
	}
	if b := modbus.EncodeReply(read, make([]uint16, 126)); b != nil {
		t.Errorf("EncodeReply(read, 126 values) = % X, want nil", b)
	}
	if b := modbus.EncodeReply(modbus.Request{Unit: 1, Function: 0x2B}, nil); b != nil {
		t.Errorf("EncodeReply(FC 0x2B) = % X, want nil", b)
	}
}

func TestExceptionText(t *testing.T) {
	if s := modbus.ServerDeviceBusy.String(); s != "server device busy" {
		t.Errorf("ServerDeviceBusy.String() = %q", s)
	}
	if s := modbus.ExceptionCode(0x42).String(); s != "exception 0x42" {
		t.Errorf("ExceptionCode(0x42).String() = %q", s)
	}
	e := &modbus.Exception{Function: 0x03, Code: modbus.IllegalDataAddress}
	if s := e.Error(); s != "illegal data address (exception 0x02 to function 0x03)" {
		t.Errorf("Exception.Error() = %q", s)
	}
}

func TestFrameGap(t *testing.T) {
	for _, tc := range []struct {
		baud, bits int
		want       time.Duration
	}{
		{9600, 10, 3645833 * time.Nanosecond},
		{9600, 11, 4010416 * time.Nanosecond},
		{19200, 0, 1822916 * time.Nanosecond},
		{38400, 11, 1750 * time.Microsecond},
		{115200, 10, 1750 * time.Microsecond},
	} {
		if got := modbus.FrameGap(tc.baud, tc.bits); got != tc.want {
			t.Errorf("FrameGap(%d, %d) = %v, want %v", tc.baud, tc.bits, got, tc.want)
		}
	}
}
