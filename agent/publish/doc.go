// Package publish forwards the agent's outbox to the lab over MQTT (paho, QoS 1) and takes the
// lab's acknowledgements and commands back.
//
// The outbox, not the MQTT client, is the source of truth: a broker's PUBACK proves nothing about
// storage, so rows are deleted only when the lab's Ack covers them. After every (re)connection,
// and whenever acks stall for AckTimeout while the lab is online, the forwarder rewinds to the
// last acknowledged seq and publishes the unacknowledged rows again, flagged replay, at no more
// than ReplayRate readings a second, interleaved with live data so the lab's view stays current.
// The lab stores by (agent, epoch, seq), so a replay of something already stored is harmless.
//
// paho rules followed here: OrderMatters(false); handlers only hand work to channels; every token
// is awaited with WaitTimeout; subscriptions are made in OnConnect; one client with AutoReconnect.
package publish
