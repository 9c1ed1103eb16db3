package modbus

import (
	"errors"
	"fmt"
)

// Sentinel errors; match them with errors.Is. The wrapping error says which
// operation and unit failed.
var (
	// ErrTimeout: no complete reply arrived in time.
	ErrTimeout = errors.New("timeout")
	// ErrCRC: a frame arrived whole but its CRC does not match (line noise).
	ErrCRC = errors.New("crc mismatch")
	// ErrFrame: a frame is short, too long, or answers another unit or function.
	ErrFrame = errors.New("malformed frame")
	// ErrInvalid: the caller asked for something Modbus cannot carry
	// (quantity out of range, unsupported function, broadcast read).
	ErrInvalid = errors.New("invalid request")
)

// ExceptionCode is the reason a slave gives in an exception reply.
type ExceptionCode byte

// Exception codes from the Modbus application protocol, section 7.
const (
	IllegalFunction              ExceptionCode = 0x01
	IllegalDataAddress           ExceptionCode = 0x02
	IllegalDataValue             ExceptionCode = 0x03
	ServerDeviceFailure          ExceptionCode = 0x04
	Acknowledge                  ExceptionCode = 0x05
	ServerDeviceBusy             ExceptionCode = 0x06
	MemoryParityError            ExceptionCode = 0x08
	GatewayPathUnavailable       ExceptionCode = 0x0A
	GatewayTargetFailedToRespond ExceptionCode = 0x0B
)

var exceptionNames = map[ExceptionCode]string{
	IllegalFunction:              "illegal function",
	IllegalDataAddress:           "illegal data address",
	IllegalDataValue:             "illegal data value",
	ServerDeviceFailure:          "server device failure",
	Acknowledge:                  "acknowledge",
	ServerDeviceBusy:             "server device busy",
	MemoryParityError:            "memory parity error",
	GatewayPathUnavailable:       "gateway path unavailable",
	GatewayTargetFailedToRespond: "gateway target failed to respond",
}

func (c ExceptionCode) String() string {
	if s, ok := exceptionNames[c]; ok {
		return s
	}
	return fmt.Sprintf("exception 0x%02X", byte(c))
}

// Exception is a slave's refusal of a request. A Handler returns one to make
// Serve send that code; a Client returns one when the slave sent it.
type Exception struct {
	Function byte // the request's function code, without the 0x80 flag
	Code     ExceptionCode
}

func (e *Exception) Error() string {
	return fmt.Sprintf("%s (exception 0x%02X to function 0x%02X)", e.Code, byte(e.Code), e.Function)
}
