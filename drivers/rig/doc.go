// Package rig reads the ride-on car electrical safety combined tester
// (电动童车电气安全综合测试仪) over Modbus RTU and turns its registers into
// typed readings with units and quality.
//
// The register map is docs/rig-modbus.md (map version 1); regmap.go holds
// the same addresses and scales as constants. One FC04 request of
// SnapshotQty registers from address 0 returns status, alarms, the test
// step and all eleven channels, so a Snapshot is consistent in time.
//
// Quality of a reading:
//   - "bad": the rig set the channel's CHANNEL_FAULTS bit, or the register
//     holds the sentinel −32768 (0x8000, no valid value: sensor open or not
//     fitted). Value is then 0, because NaN cannot travel in JSON.
//   - "uncertain": the value is clipped at full scale (±32767), or the
//     rig's calibration is overdue (STATUS.CAL_OVERDUE).
//   - "good" otherwise.
//
// Test steps: StartStep writes STEP and COMMAND=START in one FC16 request;
// StopStep writes COMMAND=STOP. Refusals come back as errors matching
// ErrBusy (a step is running), ErrEStop (emergency stop) or ErrRejected
// (value out of range), and still match *modbus.Exception with errors.As.
//
// The rig runs over any Transport, normally a *modbus.Client on a
// drivers/serialport port. Its twin for tests and demos is
// firmware-sim/sim/rig (`go run ./firmware-sim rig`).
package rig
