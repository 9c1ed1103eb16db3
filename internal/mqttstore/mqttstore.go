// Package mqttstore is an in-memory paho store that keeps each packet serialised, so the packet
// paho resends after a reconnect is never the same object its writer goroutine may still be
// sending. paho v1.5.1's MemoryStore shares the pointer: resume() sets Dup on a PUBLISH that the
// new connection is writing at the same moment (a data race the race detector reports when a
// QoS 1 publish is queued as the broker goes away). paho's FileStore avoids it the same way, by
// serialising, but writes files; this store does it in memory. Every OneStop paho client uses it.
package mqttstore

import (
	"bytes"
	"sort"
	"sync"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// Store implements mqtt.Store.
type Store struct {
	mu   sync.Mutex
	open bool
	m    map[string][]byte
}

var _ mqtt.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{m: map[string][]byte{}} }

// Open makes the store usable.
func (s *Store) Open() {
	s.mu.Lock()
	s.open = true
	s.mu.Unlock()
}

// Put keeps a serialised copy of message.
func (s *Store) Put(key string, message packets.ControlPacket) {
	var b bytes.Buffer
	if err := message.Write(&b); err != nil {
		return // paho's own stores also drop what they cannot keep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open {
		s.m[key] = b.Bytes()
	}
}

// Get returns a fresh packet decoded from the stored bytes, or nil.
func (s *Store) Get(key string) packets.ControlPacket {
	s.mu.Lock()
	raw, ok := s.m[key]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	p, err := packets.ReadPacket(bytes.NewReader(raw))
	if err != nil {
		return nil
	}
	return p
}

// All lists the keys, sorted so resends keep message-id order.
func (s *Store) All() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Del forgets key.
func (s *Store) Del(key string) {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
}

// Close makes the store unusable until Open.
func (s *Store) Close() {
	s.mu.Lock()
	s.open = false
	s.mu.Unlock()
}

// Reset forgets everything.
func (s *Store) Reset() {
	s.mu.Lock()
	s.m = map[string][]byte{}
	s.mu.Unlock()
}
