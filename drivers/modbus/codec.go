package modbus

import (
	"encoding/binary"
	"fmt"
)

// Function codes this package speaks.
const (
	FuncReadHoldingRegisters   byte = 0x03
	FuncReadInputRegisters     byte = 0x04
	FuncWriteSingleRegister    byte = 0x06
	FuncWriteMultipleRegisters byte = 0x10
)

// Limits from the Modbus specification.
const (
	MaxADU      = 256 // unit + PDU (253) + CRC
	MaxReadQty  = 125 // FC03/04: 250 data bytes fit one reply
	MaxWriteQty = 123 // FC16: 246 data bytes fit one request
)

// exceptionFlag marks a reply's function code as an exception.
const exceptionFlag = 0x80

// Request is one master request. For FC03/04 Qty says how many registers to
// read; for FC06 Values holds the one value; for FC16 Values holds the values
// and Qty is len(Values) (zero on encode means the same).
type Request struct {
	Unit, Function byte
	Addr, Qty      uint16
	Values         []uint16
}

// op names the request for error messages, e.g. "read input registers 0x0000+20".
func (r Request) op() string {
	switch r.Function {
	case FuncReadHoldingRegisters:
		return fmt.Sprintf("read holding registers 0x%04X+%d", r.Addr, r.Qty)
	case FuncReadInputRegisters:
		return fmt.Sprintf("read input registers 0x%04X+%d", r.Addr, r.Qty)
	case FuncWriteSingleRegister:
		return fmt.Sprintf("write single register 0x%04X", r.Addr)
	case FuncWriteMultipleRegisters:
		return fmt.Sprintf("write multiple registers 0x%04X+%d", r.Addr, len(r.Values))
	}
	return fmt.Sprintf("function 0x%02X", r.Function)
}

func isRead(fn byte) bool {
	return fn == FuncReadHoldingRegisters || fn == FuncReadInputRegisters
}

func supported(fn byte) bool {
	switch fn {
	case FuncReadHoldingRegisters, FuncReadInputRegisters, FuncWriteSingleRegister, FuncWriteMultipleRegisters:
		return true
	}
	return false
}

// check returns r with Qty filled in, or an ErrInvalid error.
func (r Request) check() (Request, error) {
	switch r.Function {
	case FuncReadHoldingRegisters, FuncReadInputRegisters:
		if r.Qty < 1 || r.Qty > MaxReadQty {
			return r, fmt.Errorf("%w: quantity %d not in 1..%d", ErrInvalid, r.Qty, MaxReadQty)
		}
	case FuncWriteSingleRegister:
		if len(r.Values) != 1 || r.Qty > 1 {
			return r, fmt.Errorf("%w: write single register takes 1 value, got %d", ErrInvalid, len(r.Values))
		}
		r.Qty = 1
	case FuncWriteMultipleRegisters:
		n := len(r.Values)
		if n < 1 || n > MaxWriteQty {
			return r, fmt.Errorf("%w: quantity %d not in 1..%d", ErrInvalid, n, MaxWriteQty)
		}
		if r.Qty != 0 && int(r.Qty) != n {
			return r, fmt.Errorf("%w: quantity %d but %d values", ErrInvalid, r.Qty, n)
		}
		r.Qty = uint16(n)
	default:
		return r, fmt.Errorf("%w: unsupported function 0x%02X", ErrInvalid, r.Function)
	}
	return r, nil
}

// EncodeRequest returns the request ADU with its CRC.
func EncodeRequest(r Request) ([]byte, error) {
	r, err := r.check()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 9+2*len(r.Values))
	b = append(b, r.Unit, r.Function)
	b = binary.BigEndian.AppendUint16(b, r.Addr)
	switch r.Function {
	case FuncWriteSingleRegister:
		b = binary.BigEndian.AppendUint16(b, r.Values[0])
	case FuncWriteMultipleRegisters:
		b = binary.BigEndian.AppendUint16(b, r.Qty)
		b = append(b, byte(2*r.Qty))
		b = appendValues(b, r.Values)
	default:
		b = binary.BigEndian.AppendUint16(b, r.Qty)
	}
	return appendCRC(b), nil
}

// RequestLength tells how long the request ADU starting at prefix is, from
// its function code. ok is true when n is the full length. When ok is false,
// n > 0 is how many bytes are needed before the length is known, and n == 0
// means the function code does not fix the length: such a frame ends at a
// t3.5 gap. Coil functions (01, 02, 05, 15) are sized too, so a slave can
// answer them IllegalFunction without waiting for silence.
func RequestLength(prefix []byte) (n int, ok bool) {
	if len(prefix) < 2 {
		return 2, false
	}
	switch prefix[1] {
	case 0x01, 0x02, 0x03, 0x04, 0x05, 0x06:
		return 8, true
	case 0x0F, 0x10:
		if len(prefix) < 7 {
			return 7, false
		}
		return 9 + int(prefix[6]), true
	}
	return 0, false
}

// DecodeRequest parses a complete request ADU. It returns ErrCRC for a bad
// CRC and ErrFrame for anything else wrong, including functions this package
// does not support.
func DecodeRequest(adu []byte) (Request, error) {
	if len(adu) < 4 {
		return Request{}, fmt.Errorf("%w: %d bytes is too short", ErrFrame, len(adu))
	}
	r := Request{Unit: adu[0], Function: adu[1]}
	if !crcOK(adu) {
		return r, ErrCRC
	}
	if !supported(r.Function) {
		return r, fmt.Errorf("%w: unsupported function 0x%02X", ErrFrame, r.Function)
	}
	if n, ok := RequestLength(adu); !ok || n != len(adu) {
		return r, fmt.Errorf("%w: function 0x%02X request of %d bytes", ErrFrame, r.Function, len(adu))
	}
	r.Addr = binary.BigEndian.Uint16(adu[2:])
	word := binary.BigEndian.Uint16(adu[4:])
	switch r.Function {
	case FuncWriteSingleRegister:
		r.Qty, r.Values = 1, []uint16{word}
		return r, nil
	case FuncWriteMultipleRegisters:
		r.Qty = word
		if int(adu[6]) != 2*int(word) {
			return r, fmt.Errorf("%w: byte count %d for %d registers", ErrFrame, adu[6], word)
		}
		r.Values = decodeValues(adu[7 : len(adu)-2])
	default:
		r.Qty = word
	}
	if _, err := r.check(); err != nil {
		return r, fmt.Errorf("%w: %v", ErrFrame, err)
	}
	return r, nil
}

// EncodeReply returns the normal reply to req: the values for a read, the
// echo for a write (values is ignored). It returns nil when req cannot be
// answered normally (unsupported function, value count out of range).
func EncodeReply(req Request, values []uint16) []byte {
	b := []byte{req.Unit, req.Function}
	switch req.Function {
	case FuncReadHoldingRegisters, FuncReadInputRegisters:
		if len(values) < 1 || len(values) > MaxReadQty {
			return nil
		}
		b = append(b, byte(2*len(values)))
		b = appendValues(b, values)
	case FuncWriteSingleRegister:
		if len(req.Values) != 1 {
			return nil
		}
		b = binary.BigEndian.AppendUint16(b, req.Addr)
		b = binary.BigEndian.AppendUint16(b, req.Values[0])
	case FuncWriteMultipleRegisters:
		qty := req.Qty
		if qty == 0 {
			qty = uint16(len(req.Values))
		}
		b = binary.BigEndian.AppendUint16(b, req.Addr)
		b = binary.BigEndian.AppendUint16(b, qty)
	default:
		return nil
	}
	return appendCRC(b)
}

// EncodeException returns the 5-byte exception reply to req.
func EncodeException(req Request, code ExceptionCode) []byte {
	return appendCRC([]byte{req.Unit, req.Function | exceptionFlag, byte(code)})
}

// replyLength is the length of the normal reply to req.
func replyLength(req Request) int {
	if isRead(req.Function) {
		return 5 + 2*int(req.Qty)
	}
	return 8
}

// DecodeReply parses the reply to req. It returns the values of a read, nil
// for a write, *Exception for an exception reply, ErrCRC for a bad CRC and
// ErrFrame when the reply does not answer req (other unit, other function,
// wrong length or echo).
func DecodeReply(req Request, adu []byte) ([]uint16, error) {
	if len(adu) < 5 {
		return nil, fmt.Errorf("%w: reply of %d bytes is too short", ErrFrame, len(adu))
	}
	if !crcOK(adu) {
		return nil, ErrCRC
	}
	if adu[0] != req.Unit {
		return nil, fmt.Errorf("%w: reply from unit %d", ErrFrame, adu[0])
	}
	if adu[1] == req.Function|exceptionFlag && len(adu) == 5 {
		return nil, &Exception{Function: req.Function, Code: ExceptionCode(adu[2])}
	}
	if adu[1] != req.Function {
		return nil, fmt.Errorf("%w: reply has function 0x%02X", ErrFrame, adu[1])
	}
	if want := replyLength(req); len(adu) != want {
		return nil, fmt.Errorf("%w: reply of %d bytes, want %d", ErrFrame, len(adu), want)
	}
	if isRead(req.Function) {
		if int(adu[2]) != 2*int(req.Qty) {
			return nil, fmt.Errorf("%w: byte count %d for %d registers", ErrFrame, adu[2], req.Qty)
		}
		return decodeValues(adu[3 : len(adu)-2]), nil
	}
	return nil, checkEcho(req, adu)
}

// checkEcho verifies a write reply: FC06 echoes address and value, FC16
// echoes address and quantity.
func checkEcho(req Request, adu []byte) error {
	addr := binary.BigEndian.Uint16(adu[2:])
	word := binary.BigEndian.Uint16(adu[4:])
	want := uint16(len(req.Values))
	if req.Function == FuncWriteSingleRegister && len(req.Values) == 1 {
		want = req.Values[0]
	}
	if addr != req.Addr || word != want {
		return fmt.Errorf("%w: echo 0x%04X/0x%04X, want 0x%04X/0x%04X", ErrFrame, addr, word, req.Addr, want)
	}
	return nil
}

func appendValues(b []byte, values []uint16) []byte {
	for _, v := range values {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

func decodeValues(b []byte) []uint16 {
	v := make([]uint16, len(b)/2)
	for i := range v {
		v[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return v
}
