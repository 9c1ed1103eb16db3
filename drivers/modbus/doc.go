// Package modbus speaks Modbus RTU over a serial line: one codec serves both
// the slave side (Serve, used by the device twins in firmware-sim) and the
// master side (Client, used by the agent to poll the safety rig).
//
// # Why not a library
//
// github.com/simonvetter/modbus (and goburrow/modbus before it) is a fine
// client, but its RTU transport opens the serial device itself through
// goburrow/serial. Our agent must talk over drivers/serialport, which finds a
// device by USB id and reopens it after an unplug; a library that owns the
// file descriptor cannot run over that port. The twins need a slave that can
// corrupt, delay or drop replies on purpose. So this package keeps the wire
// format in one small codec and lets both ends share it. simonvetter/modbus
// and Debian's mbpoll remain in the tests as independent masters that check
// our slave.
//
// # Frames
//
// An RTU ADU is Unit(1) Function(1) Data(0..252) CRC(2), at most 256 bytes.
// The CRC is CRC-16/MODBUS (reflected polynomial 0xA001, init 0xFFFF, no final
// xor) and goes on the wire low byte first. Supported functions:
//
//	03 read holding registers   req: addr qty            reply: count data...
//	04 read input registers     req: addr qty            reply: count data...
//	06 write single register    req: addr value          reply: echo
//	16 write multiple registers req: addr qty count data reply: addr qty
//
// A slave answers an error with Unit (Function|0x80) Code CRC, 5 bytes.
// Quantities: FC03/04 read 1..125 registers (a 250-byte reply), FC16 writes
// 1..123 (a 246-byte request). Unit 0 is broadcast: slaves apply writes and
// never reply; a broadcast read is meaningless and the Client refuses it.
//
// # Timing
//
// Frames are separated by at least t3.5 of silence: 3.5 character times, or a
// fixed 1.75 ms above 19200 baud (the spec's allowance for fast lines, where a
// UART and OS cannot hold microsecond gaps). A character is 10 bits in 8N1
// (start, 8 data, stop) and 11 bits with parity or 2 stop bits, as the spec
// intends; ServerOpts.BitsPerChar and ClientOpts.BitsPerChar default to 10
// because most field devices run 8N1.
//
// The slave frames a request by the length its function code implies
// (RequestLength) and, when that fails, by silence: a CRC error drops one byte
// and tries again, and a t3.5 gap ends whatever was pending. Function codes
// whose length cannot be known are framed by the gap alone and answered with
// IllegalFunction. Replies are paced as a UART would send them: the slave
// waits t3.5 after the request, then the reply's wire time, then writes it.
//
// The master sends only after t3.5 of silence since the last frame, discards
// stale input first, and reads exactly the expected reply length (5 bytes once
// it sees Function|0x80). Errors name the operation and unit and match
// ErrTimeout, ErrCRC, ErrFrame, ErrInvalid with errors.Is and *Exception with
// errors.As.
//
// Reference: "MODBUS over Serial Line Specification and Implementation Guide
// V1.02" (modbus.org), sections 2.5 (RTU framing) and 6.2.2 (CRC);
// /work/shared/reference/device-protocols.md section 4.1 for the verified
// frames used in the tests.
package modbus
