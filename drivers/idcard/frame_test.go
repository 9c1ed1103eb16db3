package idcard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The command frames of reference table 1.3, byte for byte.
func TestCommandFramesFromReference(t *testing.T) {
	for _, tt := range []struct {
		cmd  Command
		want string
	}{
		{CmdResetSAM, "AA AA AA 96 69 00 03 10 FF EC"},
		{CmdSAMStatus, "AA AA AA 96 69 00 03 11 FF ED"},
		{CmdSAMID, "AA AA AA 96 69 00 03 12 FF EE"},
		{CmdFindCard, "AA AA AA 96 69 00 03 20 01 22"},
		{CmdSelectCard, "AA AA AA 96 69 00 03 20 02 21"},
		{CmdReadBasic, "AA AA AA 96 69 00 03 30 01 32"},
		{CmdReadFP, "AA AA AA 96 69 00 03 30 10 23"},
		{CmdReadAddress, "AA AA AA 96 69 00 03 30 03 30"},
		{Command{Cmd: 0x60, Para: 0x00}, "AA AA AA 96 69 00 03 60 00 63"},
	} {
		want := unhex(t, tt.want)
		if got := tt.cmd.Encode(); !bytes.Equal(got, want) {
			t.Errorf("%v: % X, want % X", tt.cmd, got, want)
		}
		back, err := DecodeCommand(want)
		if err != nil || !back.Is(tt.cmd) || len(back.Data) != 0 {
			t.Errorf("DecodeCommand(% X) = %v, %v", want, back, err)
		}
	}
}

// The reply frames printed in the reference decode to the documented status and data.
func TestResponseFramesFromReference(t *testing.T) {
	for _, tt := range []struct {
		frame   string
		sw3     Status
		dataLen int
	}{
		{"AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", StatusCardFound, 4},      // find card
		{"AA AA AA 96 69 00 04 00 00 80 84", 0x80, 0},                             // no card
		{"AA AA AA 96 69 00 04 00 00 90 94", StatusOK, 0},                         // SAM ok
		{"AA AA AA 96 69 00 04 00 00 60 64", 0x60, 0},                             // SAM self-test failed
		{"AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", StatusOK, 8}, // select
		{"AA AA AA 96 69 00 04 00 00 81 85", 0x81, 0},                             // select failed
		{"AA AA AA 96 69 00 04 00 00 41 45", 0x41, 0},                             // read failed
	} {
		f := unhex(t, tt.frame)
		r, err := DecodeResponse(f)
		if err != nil || r.SW3 != tt.sw3 || len(r.Data) != tt.dataLen || r.SW1 != 0 || r.SW2 != 0 {
			t.Errorf("%s: %+v, %v", tt.frame, r, err)
		}
		if !bytes.Equal(r.Encode(), f) {
			t.Errorf("%s: re-encoded as % X", tt.frame, r.Encode())
		}
	}
}

// A read-basic reply is 1295 bytes with the documented header; with fingerprints 1297, 1809
// or 2321.
func TestReadFrameSizes(t *testing.T) {
	text, photo := make([]byte, 256), make([]byte, 1024)
	f := Response{SW3: StatusOK, Data: EncodeReadData(text, photo)}.Encode()
	if len(f) != ReadBasicFrameLen {
		t.Errorf("read basic frame is %d bytes, want 1295", len(f))
	}
	if want := unhex(t, "AA AA AA 96 69 05 08 00 00 90 01 00 04 00"); !bytes.Equal(f[:14], want) {
		t.Errorf("header % X, want % X", f[:14], want)
	}
	for fp, want := range map[int]int{0: 1297, 512: 1809, 1024: 2321} {
		f := Response{SW3: StatusOK, Data: EncodeReadFPData(text, photo, make([]byte, fp))}.Encode()
		if len(f) != want {
			t.Errorf("fingerprint %d: frame %d bytes, want %d", fp, len(f), want)
		}
		if _, err := splitRead(f[10:len(f)-1], 3); err != nil {
			t.Errorf("fingerprint %d: %v", fp, err)
		}
	}
}

// CHK is the XOR from LEN_H through the last data byte: the preamble does not count.
func TestChecksumRule(t *testing.T) {
	f := CmdFindCard.Encode()
	if f[9] != 0x00^0x03^0x20^0x01 {
		t.Errorf("CHK %02X", f[9])
	}
	bad := append([]byte(nil), f...)
	bad[9] ^= 1
	if _, err := DecodeCommand(bad); !errors.Is(err, ErrChecksum) {
		t.Errorf("flipped CHK: %v", err)
	}
	short := append([]byte(nil), f[:9]...)
	if _, err := DecodeCommand(short); !errors.Is(err, ErrLength) {
		t.Errorf("short frame: %v", err)
	}
	if _, err := DecodeResponse(f); !errors.Is(err, ErrLength) {
		t.Errorf("a 3-byte LEN is too short for a reply: %v", err)
	}
	if _, err := DecodeResponse(append([]byte{0}, f...)); !errors.Is(err, ErrPreamble) {
		t.Errorf("no preamble: %v", err)
	}
}

func TestScanResync(t *testing.T) {
	found := unhex(t, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
	corrupt := append([]byte(nil), found...)
	corrupt[len(corrupt)-1] ^= 0xFF
	noise := []byte{0x00, 0xAA, 0x96, 0xAA, 0xAA, 0x13}
	hugeLen := append(append([]byte(nil), Preamble[:]...), 0xFF, 0xFF)
	for _, tt := range []struct {
		name string
		buf  []byte
		bad  error
	}{
		{"clean", found, nil},
		{"noise first", cat(noise, found), nil},
		{"bad checksum then good", cat(corrupt, found), ErrChecksum},
		{"LEN out of range then good", cat(hugeLen, found), ErrLength},
		{"preamble inside noise", cat([]byte{0xAA, 0xAA}, found), nil},
	} {
		f, n, bad := Scan(tt.buf, false)
		if !bytes.Equal(f, found) || n != len(tt.buf) || !errors.Is(bad, tt.bad) && !(bad == nil && tt.bad == nil) {
			t.Errorf("%s: frame % X, n %d of %d, bad %v", tt.name, f, n, len(tt.buf), bad)
		}
	}
}

func TestScanIncomplete(t *testing.T) {
	found := unhex(t, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
	// Byte by byte: nothing until the last byte, and the start is never dropped.
	buf := []byte{0x42}
	for i, b := range found {
		buf = append(buf, b)
		f, n, _ := Scan(buf, false)
		buf = buf[n:]
		if i < len(found)-1 && f != nil {
			t.Fatalf("frame after %d bytes", i+1)
		}
		if i == len(found)-1 && !bytes.Equal(f, found) {
			t.Fatalf("no frame at the end: % X", buf)
		}
	}
	// A partial preamble at the end is kept.
	if _, n, _ := Scan([]byte{1, 2, 0xAA, 0xAA}, false); n != 2 {
		t.Errorf("kept %d bytes of a partial preamble, want 2", 4-n)
	}
	// At EOF a frame cut short is reported, and everything is used up.
	if f, n, bad := Scan(found[:9], true); f != nil || n != 9 || !errors.Is(bad, ErrTruncated) {
		t.Errorf("truncated at EOF: %v %d %v", f, n, bad)
	}
	if f, n, bad := Scan(found[:9], false); f != nil || n != 0 || bad != nil {
		t.Errorf("truncated, more to come: %v %d %v", f, n, bad)
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
