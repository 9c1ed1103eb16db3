package modbus_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// seedFrames are the verified frames of device-protocols.md 4.1 plus one
// request per function.
func seedFrames(f *testing.F) [][]byte {
	frames := [][]byte{hx(f, "01 03 00 00 00 0A C5 CD"), hx(f, "01 03 50 00 00 18 54 C0"), hx(f, "01 83 02 C0 F1")}
	for _, req := range roundTripRequests() {
		adu, _ := modbus.EncodeRequest(req)
		frames = append(frames, adu)
	}
	return frames
}

// A request that decodes must encode back to the same bytes.
func FuzzDecodeRequest(f *testing.F) {
	for _, b := range seedFrames(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, adu []byte) {
		req, err := modbus.DecodeRequest(adu)
		if err != nil {
			return
		}
		again, err := modbus.EncodeRequest(req)
		if err != nil || !bytes.Equal(again, adu) {
			t.Fatalf("% X decodes to %+v, encodes to % X, %v", adu, req, again, err)
		}
		if n, ok := modbus.RequestLength(adu); !ok || n != len(adu) {
			t.Fatalf("RequestLength(% X) = %d, %v", adu, n, ok)
		}
	})
}

// A reply that decodes must be exactly what a slave would have encoded.
func FuzzDecodeReply(f *testing.F) {
	for _, b := range seedFrames(f) {
		f.Add(byte(1), b[1]&0x7F, uint16(0), uint16(10), uint16(0), b)
	}
	f.Add(byte(1), byte(6), uint16(5), uint16(1), uint16(9), hx(f, crcHex(f, "01 06 00 05 00 09")))
	f.Fuzz(func(t *testing.T, unit, fn byte, addr, qty, value uint16, adu []byte) {
		req := modbus.Request{Unit: unit, Function: fn, Addr: addr, Qty: qty}
		switch fn {
		case modbus.FuncWriteSingleRegister:
			req.Qty, req.Values = 1, []uint16{value}
		case modbus.FuncWriteMultipleRegisters:
			req.Values = make([]uint16, qty)
		}
		values, err := modbus.DecodeReply(req, adu)
		var want []byte
		switch e := err.(type) {
		case nil:
			want = modbus.EncodeReply(req, values)
		case *modbus.Exception:
			want = modbus.EncodeException(req, e.Code)
		default:
			return
		}
		if !bytes.Equal(want, adu) {
			t.Fatalf("% X decodes to %v, %v; encodes to % X", adu, values, err, want)
		}
	})
}

// FuzzServeResync feeds noise then a valid request to Serve over an
// in-memory line: Serve must not panic, and must answer the request unless
// the noise and the request together happen to hold a CRC-valid frame that
// swallows part of the request (no framing can tell that from a real frame).
func FuzzServeResync(f *testing.F) {
	for _, b := range seedFrames(f) {
		f.Add(b)
		f.Add(append([]byte{0x01, 0x10, 0x00}, b...))
	}
	f.Add([]byte{})
	f.Add(hx(f, "01 2B 0E 01 00 FF"))
	f.Add(hx(f, "01 10 00 00 00 02 04 00"))
	f.Fuzz(func(t *testing.T, noise []byte) {
		if len(noise) > 2*modbus.MaxADU {
			return
		}
		req := modbus.Request{Unit: 1, Function: modbus.FuncReadInputRegisters, Addr: 4, Qty: 2}
		adu, _ := modbus.EncodeRequest(req)
		want := modbus.EncodeReply(req, []uint16{2004, 2005})
		burst := append(append([]byte(nil), noise...), adu...)
		if swallowed(noise, adu) {
			// The fuzzer is good at building CRC collisions: still check
			// Serve copes, but do not wait for an answer that cannot come.
			serveBurst(t, burst, want, 20*time.Millisecond)
			return
		}
		if got := serveBurst(t, burst, want, 2*time.Second); !bytes.Contains(got, want) {
			t.Fatalf("noise %s: request not answered; slave sent % X", hex.EncodeToString(noise), got)
		}
	})
}

// serveBurst writes burst to a fresh Serve in one go and returns what it
// sends back until want shows up or wait passes.
func serveBurst(t *testing.T, burst, want []byte, wait time.Duration) []byte {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- modbus.Serve(ctx, rwPipe{inR, outW}, newRegs(), modbus.ServerOpts{Unit: 1, Baud: 115200})
	}()
	replies := make(chan []byte, 64)
	go func() {
		defer close(replies)
		buf := make([]byte, 512)
		for {
			n, err := outR.Read(buf)
			if err != nil {
				return
			}
			replies <- append([]byte(nil), buf[:n]...)
		}
	}()
	go inW.Write(burst) // ends when Serve's reader takes it, or when inR closes
	var got []byte
	timeout := time.After(wait)
	for !bytes.Contains(got, want) {
		select {
		case b := <-replies:
			got = append(got, b...)
			continue
		case <-timeout:
		}
		break
	}
	cancel()
	inR.Close()
	inW.Close()
	drained := make(chan struct{})
	go func() { // Serve may be mid-write: keep reading so it can finish
		defer close(drained)
		for range replies {
		}
	}()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	outR.Close()
	<-drained
	return got
}

// swallowed reports whether a CRC-valid frame starts inside noise and runs
// into the request: framing must take it, and the request is lost with it.
func swallowed(noise, adu []byte) bool {
	line := append(append([]byte(nil), noise...), adu...)
	for i := range noise {
		n, ok := modbus.RequestLength(line[i:])
		if !ok || n == 0 {
			n = len(line) - i // unknown length: the frame runs to the gap
		}
		if i+n > len(noise) && i+n <= len(line) && n >= 4 && crcValid(line[i:i+n]) {
			return true
		}
	}
	return false
}

func crcValid(b []byte) bool {
	c := modbus.CRC16(b[:len(b)-2])
	return b[len(b)-2] == byte(c) && b[len(b)-1] == byte(c>>8)
}
