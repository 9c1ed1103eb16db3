package ingest

import (
	"errors"
	"log/slog"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/onestop-station/onestop/agent/telemetry"
	"github.com/onestop-station/onestop/lab/store"
)

// onMessage is the paho handler. It must never block: it parses the topic and queues the message.
func (in *Ingest) onMessage(_ mqtt.Client, m mqtt.Message) {
	in.enqueue(m.Topic(), m.Payload(), m.Retained(), time.Now())
}

// enqueue routes one received message to its worker queue, or drops and counts it.
func (in *Ingest) enqueue(topic string, payload []byte, retained bool, at time.Time) {
	m, q, ok := in.route(topic, payload, retained, at)
	if !ok {
		return
	}
	select {
	case q <- m:
	default:
		in.stats.dropped.Add(1)
		in.limiter.warn(in.log, "ingest: queue full, message dropped (the agent will resend)",
			"kind", m.topic.Kind, "agent", m.topic.Agent)
	}
}

// route parses the topic and picks the queue: data apart, so a flood of batches cannot crowd out
// status and meta messages. Unexpected topics are counted as bad.
func (in *Ingest) route(topic string, payload []byte, retained bool, at time.Time) (message, chan message, bool) {
	tp, err := telemetry.ParseTopic(topic)
	if err != nil || tp.Site != in.opts.Site {
		in.stats.bad.Add(1)
		in.limiter.warn(in.log, "ingest: message on an unexpected topic dropped", "bytes", len(payload))
		return message{}, nil, false
	}
	m := message{topic: tp, payload: payload, retained: retained, at: at}
	switch tp.Kind {
	case telemetry.KindData:
		m.batch, m.decodeErr = telemetry.DecodeBatch(payload)
		return m, in.data, true
	case telemetry.KindStatus, telemetry.KindMeta:
		return m, in.ctrl, true
	}
	in.stats.bad.Add(1)
	in.limiter.warn(in.log, "ingest: message of an unexpected kind dropped", "kind", tp.Kind, "bytes", len(payload))
	return message{}, nil, false
}

// maxGroup is how many queued data messages one store transaction takes at most.
const maxGroup = 256

// work processes one queue until the Ingest stops. Data messages already waiting are taken
// together (up to maxGroup) and stored in one transaction: with one snapshot per message, one
// disk flush per message would bound the rate (a few hundred flushes/s on a plain disk), and a
// message waits no longer for it — the group is only what queued during the last commit.
func (in *Ingest) work(q <-chan message) {
	defer in.workers.Done()
	group := make([]message, 0, maxGroup)
	for {
		select {
		case <-in.ctx.Done():
			return
		case m := <-q:
			if m.topic.Kind != telemetry.KindData {
				in.process(m)
				continue
			}
			group = append(group[:0], m)
		drain:
			for len(group) < maxGroup {
				select {
				case m := <-q:
					if m.topic.Kind != telemetry.KindData {
						in.process(m)
						continue
					}
					group = append(group, m)
				default:
					break drain
				}
			}
			in.processData(group)
		}
	}
}

// process handles one message; every failure is counted and logged, none escapes.
func (in *Ingest) process(m message) {
	var err error
	switch m.topic.Kind {
	case telemetry.KindData:
		in.processData([]message{m})
		return
	case telemetry.KindStatus:
		err = in.handleStatus(m)
	case telemetry.KindMeta:
		err = in.handleMeta(m)
	}
	in.count(m, err)
}

// count records how a message failed; nil and a stopping Ingest count nothing.
func (in *Ingest) count(m message, err error) {
	switch {
	case err == nil, in.ctx.Err() != nil:
	case errors.Is(err, telemetry.ErrPayload):
		in.stats.bad.Add(1)
		in.limiter.warn(in.log, "ingest: bad payload dropped", "kind", m.topic.Kind, "agent", m.topic.Agent,
			"bytes", len(m.payload), "error", clip(err.Error()))
	default:
		in.stats.storeErrors.Add(1)
		in.limiter.warn(in.log, "ingest: not stored (the agent will resend)", "kind", m.topic.Kind,
			"agent", m.topic.Agent, "error", err)
	}
}

// processData stores the batches of a group of data messages in one transaction, then, after
// the commit, acknowledges each agent's watermark once per epoch (the highest covers the rest).
func (in *Ingest) processData(group []message) {
	batches := make([]store.BatchIn, 0, len(group))
	msgs := make([]message, 0, len(group))
	for _, m := range group {
		if m.decodeErr != nil {
			in.count(m, m.decodeErr)
			continue
		}
		batches = append(batches, store.BatchIn{Agent: m.topic.Agent, Dev: m.topic.Dev, Batch: m.batch})
		msgs = append(msgs, m)
	}
	if len(batches) == 0 {
		return
	}
	res, err := in.store.StoreBatches(in.ctx, batches)
	if err != nil {
		for _, m := range msgs {
			in.count(m, err)
		}
		return
	}
	type ackKey struct {
		site, agent string
		epoch       int64
	}
	acks := map[ackKey]int64{}
	var order []ackKey
	for i, m := range msgs {
		if res[i].Err != nil {
			in.count(m, res[i].Err)
			continue
		}
		in.stored(m, batches[i].Batch, res[i].Stored)
		k := ackKey{m.topic.Site, m.topic.Agent, batches[i].Batch.Epoch}
		if _, ok := acks[k]; !ok {
			order = append(order, k)
		}
		acks[k] = max(acks[k], res[i].Watermark)
	}
	for _, k := range order {
		ack, err := telemetry.Encode(telemetry.Ack{V: telemetry.Version, Epoch: k.epoch, Seq: acks[k]})
		if err == nil {
			err = in.publish(telemetry.AckTopic(k.site, k.agent), false, ack)
		}
		if err != nil {
			in.stats.ackErrors.Add(1)
			in.limiter.warn(in.log, "ingest: ack not sent (the next one covers it)", "agent", k.agent, "error", err)
			continue
		}
		in.stats.acks.Add(1)
	}
}

// stored accounts for one committed batch: counters, the agents table, conflicts, live readings.
func (in *Ingest) stored(m message, b telemetry.Batch, got store.Stored) {
	tp := m.topic
	in.stats.batches.Add(1)
	in.stats.readings.Add(int64(got.Inserted))
	in.stats.duplicates.Add(int64(got.Duplicates))
	in.stats.conflicts.Add(int64(got.Conflicts))
	in.agents.sawData(tp.Agent, tp.Site, b, got, m.at)
	if got.Conflicts > 0 {
		// Not a resend: the agent reused seqs it had already sent. The readings are kept in the
		// store's conflicts table; /api/agents and `lab agents` show the count.
		in.limiter.error(in.log, "ingest: CONFLICT: readings under keys already stored with other content (kept apart; the agent's outbox went back in time?)",
			"agent", tp.Agent, "dev", tp.Dev, "epoch", b.Epoch, "seq_from", b.SeqFrom, "seq_to", b.SeqTo, "conflicts", got.Conflicts)
	}
	if in.opts.OnStored != nil && got.Inserted > 0 {
		in.opts.OnStored(tp.Agent, tp.Dev, b)
	}
}

// handleStatus records an agent's presence. A retained status is old news about LastSeen.
func (in *Ingest) handleStatus(m message) error {
	st, err := telemetry.DecodeStatus(m.payload)
	if err != nil {
		return err
	}
	at := m.at
	if m.retained {
		at = time.Time{}
	}
	if err := in.store.SetAgentStatus(in.ctx, m.topic.Agent, m.topic.Site, st, at); err != nil {
		return err
	}
	in.stats.statuses.Add(1)
	level := slog.LevelDebug // an agent's periodic lag report: no news for the log
	if in.agents.sawStatus(m.topic.Agent, m.topic.Site, st, at) {
		level = slog.LevelInfo
	}
	in.log.Log(in.ctx, level, "ingest: agent status", "agent", m.topic.Agent, "state", st.State, "epoch", st.Epoch,
		"retained", m.retained)
	return nil
}

func (in *Ingest) handleMeta(m message) error {
	meta, err := telemetry.DecodeMeta(m.payload)
	if err != nil {
		return err
	}
	if err := in.store.SetDeviceMeta(in.ctx, m.topic.Agent, m.topic.Dev, meta, m.at); err != nil {
		return err
	}
	in.stats.metas.Add(1)
	return nil
}

// clip keeps a decode error short: it names the broken rule, and a crafted payload must not be
// able to fill the log through it.
func clip(s string) string {
	const max = 160
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
