package ingest

import (
	"time"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// Embedded is the lab's own broker reached in process (lab/broker.Broker): its subscriptions
// deliver messages by a function call on the publishing agent's connection goroutine, with no
// TCP round trip and no MQTT client encoding and parsing every packet again. At 30k readings/s
// the paho client and the broker's writes to it were a fifth of the lab's CPU.
type Embedded interface {
	SubscribeInline(filter string, h func(topic string, payload []byte, retained bool)) (cancel func(), err error)
	PublishInline(topic string, payload []byte, retain bool) error
	OnStart(f func()) (cancel func()) // after each broker (re)start: the service state is retained state
	Running() bool
}

// unsubscribeInline ends the in-process subscriptions and the start hook (Close).
func (in *Ingest) unsubscribeInline() {
	for _, cancel := range in.inlineSubs {
		cancel()
	}
	in.inlineSubs = nil
}

// startEmbedded subscribes in process instead of connecting a client.
func (in *Ingest) startEmbedded() error {
	b := in.opts.Embedded
	in.publish = func(topic string, retain bool, payload []byte) error {
		return b.PublishInline(topic, payload, retain)
	}
	site := in.opts.Site
	for _, f := range []string{telemetry.AllStatusFilter(site), telemetry.AllMetaFilter(site), telemetry.AllDataFilter(site)} {
		cancel, err := b.SubscribeInline(f, func(topic string, payload []byte, retained bool) {
			in.enqueue(topic, payload, retained, time.Now())
		})
		if err != nil {
			in.unsubscribeInline()
			return err
		}
		in.inlineSubs = append(in.inlineSubs, cancel)
	}
	online := func() {
		// Under the lock, and never once Close has begun: a restart's hook running late must not
		// leave "online" after Close's "offline".
		in.stateMu.Lock()
		defer in.stateMu.Unlock()
		if in.closing {
			return
		}
		if err := in.publish(telemetry.ServiceStateTopic(site), true, []byte(telemetry.ServiceOnline)); err != nil {
			in.log.Error("ingest: publish service state", "error", err)
		}
	}
	in.inlineSubs = append(in.inlineSubs, b.OnStart(online)) // a restarted broker has forgotten it
	online()
	in.readyOnce.Do(func() { close(in.ready) })
	in.log.Info("ingest: subscribed in process to the embedded broker", "site", site)
	return nil
}
