package idcard

import (
	"bytes"
	"os"
	"testing"

	"github.com/onestop-station/onestop/drivers/conntest"
)

// The codec work of a card read (30 01) on both sides of the line, on the recorded exchange of
// testdata/read_basic_zhangsan.txt: the host's command frame, the reader's 1295-byte reply
// encoded (the twin's side) and taken apart as the driver does it (frame scan, response, text
// and photo). Compare runs with benchstat (bench/gobench.sh).

// readBasicCapture returns the recorded read-basic request and reply frames.
func readBasicCapture(b *testing.B) (req, reply []byte) {
	b.Helper()
	raw, err := os.ReadFile("testdata/read_basic_zhangsan.txt")
	if err != nil {
		b.Fatal(err)
	}
	ops, err := conntest.Parse(string(raw))
	if err != nil {
		b.Fatal(err)
	}
	want := CmdReadBasic.Encode()
	for _, op := range ops {
		if bytes.Equal(op.W, want) {
			return op.W, op.R
		}
	}
	b.Fatal("no read basic exchange in the capture")
	return nil, nil
}

// decodeReadBasic is the driver's path from received bytes to a Card (frames, then decodeRead).
func decodeReadBasic(buf []byte) (*Card, error) {
	f, _, bad := Scan(buf, false)
	if f == nil {
		return nil, bad
	}
	resp, err := DecodeResponse(f)
	if err != nil {
		return nil, err
	}
	return decodeRead(resp.Data, 2)
}

// sink keeps an encoded frame alive, as the port write it goes to would.
var sink []byte

func BenchmarkEncodeReadBasicCommand(b *testing.B) {
	req, _ := readBasicCapture(b)
	if got := CmdReadBasic.Encode(); !bytes.Equal(got, req) {
		b.Fatalf("% X, recorded % X", got, req)
	}
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for b.Loop() {
		sink = CmdReadBasic.Encode()
	}
}

func BenchmarkEncodeReadBasicReply(b *testing.B) {
	_, reply := readBasicCapture(b)
	resp, err := DecodeResponse(reply)
	if err != nil {
		b.Fatal(err)
	}
	blocks, err := splitRead(resp.Data, 2)
	if err != nil {
		b.Fatal(err)
	}
	text, photo := blocks[0], blocks[1]
	encode := func() []byte { return Response{SW3: StatusOK, Data: EncodeReadData(text, photo)}.Encode() }
	if got := encode(); !bytes.Equal(got, reply) {
		b.Fatalf("re-encoded reply differs from the recording (%d bytes, recorded %d)", len(got), len(reply))
	}
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for b.Loop() {
		sink = encode()
	}
}

func BenchmarkDecodeReadBasicReply(b *testing.B) {
	_, reply := readBasicCapture(b)
	if len(reply) != ReadBasicFrameLen {
		b.Fatalf("recorded reply is %d bytes, want %d", len(reply), ReadBasicFrameLen)
	}
	c, err := decodeReadBasic(reply)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Validate(); err != nil || c.Type != Resident || c.NationName != "汉" || c.Photo.Len() != 1024 ||
		c.IDNumber.Len() != 18 {
		b.Fatalf("decoded %s: %v, nation %q, photo %d bytes, ID %d characters",
			c.Type, err, c.NationName, c.Photo.Len(), c.IDNumber.Len())
	}
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeReadBasic(reply); err != nil {
			b.Fatal(err)
		}
	}
}
