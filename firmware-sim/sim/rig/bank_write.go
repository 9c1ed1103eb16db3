package rig

import (
	"github.com/onestop-station/onestop/drivers/modbus"
)

// WriteRegisters implements modbus.Handler for the control block. All
// values are checked before any is applied, so a refused FC16 changes
// nothing; then they apply in address order, which lets one FC16 of
// STEP, COMMAND select and start a step.
func (b *Bank) WriteRegisters(addr uint16, values []uint16) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m.advance(b.clock())
	if len(values) == 0 || addr < hrStep || int(addr)+len(values) > hrStep+controlQty {
		return writeErr(len(values), modbus.IllegalDataAddress)
	}
	for i, v := range values {
		if code, ok := b.checkWrite(addr+uint16(i), v); !ok {
			return writeErr(len(values), code)
		}
	}
	for i, v := range values {
		b.applyWrite(addr+uint16(i), v)
	}
	return nil
}

// writeErr builds the exception; the function code is the one the request
// must have used for that many values.
func writeErr(n int, code modbus.ExceptionCode) error {
	fn := byte(modbus.FuncWriteMultipleRegisters)
	if n == 1 {
		fn = modbus.FuncWriteSingleRegister
	}
	return &modbus.Exception{Function: fn, Code: code}
}

func (b *Bank) checkWrite(reg, v uint16) (modbus.ExceptionCode, bool) {
	m := b.m
	running := m.state == stepRunning
	switch reg {
	case hrStep:
		if v < 1 || int(v) > len(m.sc.Steps) {
			return modbus.IllegalDataValue, false
		}
	case hrCommand:
		if v != cmdStart && v != cmdStop {
			return modbus.IllegalDataValue, false
		}
		if v == cmdStart && m.estop {
			return modbus.ServerDeviceFailure, false
		}
		if v == cmdStart && running {
			return modbus.ServerDeviceBusy, false
		}
		return 0, true // STOP is always accepted
	case hrToyMass:
		if v > maxToyMass {
			return modbus.IllegalDataValue, false
		}
	case hrAgeGroup:
		if v > 1 {
			return modbus.IllegalDataValue, false
		}
	}
	// The programme and the toy data may not change under a running step.
	if running {
		return modbus.ServerDeviceBusy, false
	}
	return 0, true
}

func (b *Bank) applyWrite(reg, v uint16) {
	m := b.m
	switch reg {
	case hrStep:
		m.selStep = v
	case hrCommand:
		m.lastCmd = v
		if v == cmdStart {
			m.start(int(m.selStep))
		} else {
			m.finish(stepAborted)
		}
	case hrToyMass:
		m.toyMass = v
	case hrAgeGroup:
		m.ageGroup = v
	}
}
