package broker

import (
	"bytes"
	"fmt"
	"slices"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// inlineSub is one in-process subscription, kept so a restart makes it again.
type inlineSub struct {
	filter string
	id     int
	h      func(topic string, payload []byte, retained bool)
}

// SubscribeInline subscribes code in this process to filter without a network connection, an MQTT
// client or the ACLs (trusted code only: the lab's own ingest). It lasts until cancel or Close: a
// restart (Restart) makes it again before the broker accepts clients, so no message published
// after the restart is missed; retained messages matching filter are delivered at once, as to any
// client, with retained set (live messages come with it unset, as to a network client). h gets its
// own copy of the payload; it runs on the publishing client's goroutine inside the broker, or on
// this call's goroutine with b's lock held for the retained ones, so it must neither block nor
// call the Broker.
func (b *Broker) SubscribeInline(filter string, h func(topic string, payload []byte, retained bool)) (cancel func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrStopped
	}
	b.inlineIDs++
	s := inlineSub{filter: filter, id: b.inlineIDs, h: h}
	if b.srv != nil {
		if err := subscribeInline(b.srv, s); err != nil {
			return nil, err
		}
	}
	b.inline = append(b.inline, s)
	return func() { b.unsubscribeInline(s) }, nil
}

func (b *Broker) unsubscribeInline(s inlineSub) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inline = slices.DeleteFunc(b.inline, func(o inlineSub) bool { return o.id == s.id })
	if b.srv != nil {
		_ = b.srv.Unsubscribe(s.filter, s.id) // fails only for an invalid filter, which subscribing refused
	}
}

func subscribeInline(srv *mqtt.Server, s inlineSub) error {
	// mochi hands an inline handler the packet as its publisher sent it, retain flag and all; a
	// network subscriber gets the flag cleared on live messages (MQTT 3.1.1, 3.3.1.3). So the
	// flag is passed on only for what Subscribe itself delivers: the retained messages stored
	// for the filter. A live message racing with that replay may be taken for retained (seen as
	// old news once; the next one corrects it).
	var replaying atomic.Bool
	replaying.Store(true)
	defer replaying.Store(false)
	err := srv.Subscribe(s.filter, s.id, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		// A copy: the handler may keep it, and must not depend on mochi's buffer handling.
		s.h(pk.TopicName, bytes.Clone(pk.Payload), pk.FixedHeader.Retain && replaying.Load())
	})
	if err != nil {
		return fmt.Errorf("broker: inline subscribe %s: %w", s.filter, err)
	}
	return nil
}

// PublishInline publishes a QoS 1 message from this process, as SubscribeInline receives them.
func (b *Broker) PublishInline(topic string, payload []byte, retain bool) error {
	b.mu.Lock()
	srv := b.srv
	b.mu.Unlock()
	if srv == nil {
		return ErrStopped
	}
	if err := srv.Publish(topic, payload, retain, 1); err != nil {
		return fmt.Errorf("broker: inline publish %s: %w", topic, err)
	}
	return nil
}

// OnStart registers f to run after every (re)start, once clients can connect, until cancel: what
// an in-process client publishes as retained state must be published again, because a restart
// keeps no retained message. f runs on its own goroutine.
func (b *Broker) OnStart(f func()) (cancel func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inlineIDs++
	id := b.inlineIDs
	b.onStart = append(b.onStart, startHook{id, f})
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.onStart = slices.DeleteFunc(b.onStart, func(h startHook) bool { return h.id == id })
	}
}

type startHook struct {
	id int
	f  func()
}

// Running reports whether the broker serves clients now (not stopped, not closed).
func (b *Broker) Running() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.srv != nil
}
