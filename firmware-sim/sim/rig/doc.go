// Package rig is the digital twin of the ride-on car electrical safety
// combined tester (电动童车电气安全综合测试仪): it serves the register map of
// docs/rig-modbus.md as a Modbus RTU slave on a pseudo-terminal.
//
// Behind the registers a physical model evolves during test steps started
// through the COMMAND register: part temperatures rise toward a steady
// state with first-order lags (dT/dt = (T_ss − T)/τ), speed and tilt ramp,
// current and power follow the load, the brake force builds up in a brake
// step and is judged against (M + 25)·1.7 N at its end. Gaussian noise comes
// from a seeded generator, and model time comes from an injectable clock,
// so tests are repeatable. The car and the programme come from scenario
// files (scenarios/*.toml, explained in scenarios/README.md): nominal,
// overtemp-handheld, overvoltage, brake-failure.
//
// Faults are injected through modbus.ServerOpts.Filter: corrupted CRC, no
// reply, late reply, exception replies, and hang-up (the PTY closes and the
// device comes back under a new /dev/pts path, with the optional link
// repointed). Counters tell how many whole-snapshot replies reached the line
// unharmed, so a test can match them against what a client received; a reply
// still unread when a hang-up closes the port was lost, and does not count.
//
// Use it in-process with New and Run, or as `go run ./firmware-sim rig`,
// which adds the HTTP control API of Twin.Handler.
package rig
