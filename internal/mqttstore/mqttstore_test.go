package mqttstore

import (
	"sync"
	"testing"

	"github.com/eclipse/paho.mqtt.golang/packets"
)

func publish(id uint16, payload string) *packets.PublishPacket {
	p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
	p.TopicName, p.Qos, p.MessageID, p.Payload = "onestop/v1/lab/x/agent/a/ack", 1, id, []byte(payload)
	return p
}

func TestGetReturnsAnIndependentCopy(t *testing.T) {
	s := New()
	s.Open()
	orig := publish(7, `{"v":1,"epoch":1,"seq":9}`)
	s.Put("o.7", orig)
	got := s.Get("o.7").(*packets.PublishPacket)
	if got == orig || got.MessageID != 7 || string(got.Payload) != string(orig.Payload) || got.TopicName != orig.TopicName {
		t.Fatalf("got %+v", got)
	}
	got.Dup = true // what paho's resume does
	if orig.Dup {
		t.Error("changing the resent copy changed the packet being written")
	}
	if s.Get("missing") != nil {
		t.Error("Get of a missing key returned a packet")
	}
}

// The exact pattern of the paho race: one goroutine serialises a packet while another sets Dup on
// what the store returns. With this store they never touch the same object (run with -race).
func TestNoSharedPacketUnderConcurrency(t *testing.T) {
	s := New()
	s.Open()
	p := publish(1, "x")
	s.Put("o.1", p)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			var b nopWriter
			p.Write(&b)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			s.Get("o.1").(*packets.PublishPacket).Dup = true
		}
	}()
	wg.Wait()
}

type nopWriter struct{}

func (*nopWriter) Write(b []byte) (int, error) { return len(b), nil }

func TestKeysResetClose(t *testing.T) {
	s := New()
	s.Put("o.1", publish(1, "before open")) // dropped: paho opens the store first
	s.Open()
	s.Put("o.2", publish(2, "b"))
	s.Put("o.1", publish(1, "a"))
	if k := s.All(); len(k) != 2 || k[0] != "o.1" {
		t.Errorf("All = %v", k)
	}
	s.Del("o.1")
	if k := s.All(); len(k) != 1 {
		t.Errorf("after Del: %v", k)
	}
	s.Reset()
	if len(s.All()) != 0 {
		t.Error("Reset kept keys")
	}
}
