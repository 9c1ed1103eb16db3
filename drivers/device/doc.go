// Package device holds what every OneStop device driver shares: its state, its
// health, the events it reports and the capabilities it declares.
//
// The model follows UnifiedPOS (JavaPOS / OPOS / POS for .NET) and CEN/XFS,
// trimmed to what a Linux kiosk and a test lab need:
//
//   - [State] is the one status enum for every device class (UnifiedPOS
//     CLOSED / IDLE / BUSY / ERROR plus the XFS OFFLINE, because a USB device
//     that is unplugged is neither closed nor in error).
//   - [Event] is one typed value for data, status updates (paper, cover, card)
//     and power reporting ([Gone] / [Back]), so a caller reads a single channel
//     instead of registering one callback per event class.
//   - [Capabilities] tells a caller which events a device can produce at all,
//     like UnifiedPOS CapRecNearEndSensor or CapPowerReporting.
//   - [Emitter] delivers events without ever blocking the driver.
//
// The sources are listed in the team's device-protocol notes, section 5
// (javapos-contracts JposConst.java, the XFS xfsapi.h headers).
package device
