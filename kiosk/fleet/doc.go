// Package fleet reports a kiosk terminal's health to the operations side over MQTT: one
// retained status message on onestop/v1/kiosk/{site}/{terminal}/status (QoS 1) with the app
// version, the reader, printer and scanner states, the paper level and the last completed
// service, and a retained last will "offline" that the broker publishes when the kiosk goes
// away without saying so. The contract is in docs/mqtt-contract.md ("Kiosk status").
//
// A Reporter owns one paho client (AutoReconnect, internal/mqttstore as its store, every token
// awaited with WaitTimeout). It publishes the status on every connection, after Update calls
// (coalesced: a burst of updates sends the latest state once), and every Interval as a
// heartbeat; when Run's context ends it publishes "offline" and disconnects cleanly.
//
// The message types and topic builder here are the wire contract: a consumer (the lab's
// console, a monitoring bridge) decodes with DecodeStatus rather than copying the shapes.
package fleet
