package modbus_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/creack/pty"
	"go.bug.st/serial"

	"github.com/onestop-station/onestop/drivers/modbus"
)

// meter is a tiny slave: three holding registers, volts, amps*10, status.
type meter struct{ regs [3]uint16 }

func (m *meter) ReadRegisters(fn byte, addr, qty uint16) ([]uint16, error) {
	if fn != modbus.FuncReadHoldingRegisters || int(addr)+int(qty) > len(m.regs) {
		return nil, &modbus.Exception{Function: fn, Code: modbus.IllegalDataAddress}
	}
	return m.regs[addr : addr+qty], nil
}

func (m *meter) WriteRegisters(addr uint16, values []uint16) error {
	return &modbus.Exception{Function: modbus.FuncWriteMultipleRegisters, Code: modbus.IllegalFunction}
}

// A master reads a slave over a serial line. Here a pseudo-terminal is the
// line: the twin serves on its master side, the client opens its slave side
// by path exactly as it would open /dev/ttyUSB0.
func Example() {
	line, tty, err := pty.Open()
	if err != nil {
		log.Fatal(err)
	}
	defer line.Close()
	defer tty.Close()

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- modbus.Serve(ctx, line, &meter{regs: [3]uint16{230, 52, 1}}, modbus.ServerOpts{Unit: 1, Baud: 115200})
	}()
	defer func() { cancel(); <-served }()

	port, err := serial.Open(tty.Name(), &serial.Mode{BaudRate: 115200})
	if err != nil {
		log.Fatal(err)
	}
	defer port.Close()

	client := modbus.NewClient(port, modbus.ClientOpts{Baud: 115200, Timeout: time.Second})
	values, err := client.ReadHoldingRegisters(ctx, 1, 0, 3)
	fmt.Println(values, err)

	_, err = client.ReadHoldingRegisters(ctx, 1, 2, 5)
	fmt.Println(err)
	// Output:
	// [230 52 1] <nil>
	// modbus: read holding registers 0x0002+5 (unit 1): illegal data address (exception 0x02 to function 0x03)
}
