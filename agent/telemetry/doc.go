// Package telemetry is the wire contract between the lab device agent and the lab station over
// MQTT 3.1.1: topic builders and parsers, message types, and their JSON encoding and validation.
// It is written once here and imported by both sides (the lab imports no other agent package).
//
// Topics live under onestop/v1/lab/{site}/:
//
//	agent/{agent}/status              QoS 1, retained, also the last will   Status
//	agent/{agent}/dev/{dev}/meta      QoS 1, retained                       Meta
//	agent/{agent}/dev/{dev}/data      QoS 1                                 Batch
//	agent/{agent}/dev/{dev}/cmd/{name} QoS 1 (lab → agent)                  Command
//	agent/{agent}/res/{id}            QoS 1                                 Result
//	agent/{agent}/ack                 QoS 1 (lab → agent)                   Ack
//	service/state                     QoS 1, retained, last will of the lab "online" / "offline"
//
// Every reading carries a sequence number: a Batch holds the readings seq_from..seq_to in order, so
// reading i of a batch has seq SeqFrom+i. (agent, epoch, seq) identifies a reading for ever; the lab
// stores it once and acknowledges the highest contiguous seq it has stored for each epoch. The agent
// deletes outbox rows only when such an Ack covers them. See docs/mqtt-contract.md.
package telemetry
