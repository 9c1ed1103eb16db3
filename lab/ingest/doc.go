// Package ingest is the lab's MQTT subscriber: it receives agents' status, device meta and data
// batches of one site, stores readings once through lab/store, and acknowledges to each agent the
// highest contiguous seq stored, only after the database commit.
//
// Delivery rules, and why:
//   - paho handlers only parse the topic and hand the message to a worker through a bounded
//     channel (a full channel drops and counts the message: the agent resends readings that were
//     never acknowledged). They never block, so paho's in-order dispatch (OrderMatters true) is
//     safe, and it keeps an agent's status messages in order: an "online" overtaken by the will
//     "offline" of the previous connection would show a live agent as gone.
//   - A duplicate batch is acknowledged again, so an agent whose ack was lost catches up.
//   - The session is persistent (CleanSession false, stable client id) so QoS 1 data published
//     while the lab reconnects waits in the broker; it would not be lost otherwise either, since
//     agents replay everything not yet acknowledged, but the replay costs a round of timeouts.
//   - Subscriptions are made in OnConnect, every time: an embedded broker that restarted has
//     forgotten the session.
//   - The lab keeps the retained service/state "online" and leaves "offline" as its last will, so
//     agents start replaying when the lab comes back.
//   - With the lab's own embedded broker (Opts.Embedded, what `lab serve` and lab/demo use) the
//     ingest subscribes in process: the broker calls the handler on the publishing agent's
//     connection goroutine, with no MQTT client and no loopback TCP. The rules above hold with
//     one change: there is no session to keep (broker and ingest live and die together), the
//     subscriptions are made again by the broker before it accepts clients after a restart, and
//     the "online" service state is published again then (Broker.OnStart); the last will is the
//     process ending, which also closes every agent's connection. Data messages are decoded in
//     the handler, so the storing worker spends its core on the store.
//   - Several workers may share one site's data (Opts.Shared: "$share/{group}/" on the data
//     filter only) when they write one store. Nothing here keeps per-agent state that a worker
//     seeing every other batch would get wrong: the ack is the store's watermark, read and moved
//     inside the write transaction, so whichever worker commits last acknowledges everything
//     contiguous, whoever stored it; acks from two workers may arrive out of order, and the
//     agent keeps the highest. Each worker's AgentInfo counters (Readings, Batches, Watermark,
//     NewestSample) and OnStored cover only its own share; status and meta reach every worker.
//
// Bad payloads are dropped and counted, with a rate-limited log line giving the topic, the size
// and the broken rule, never the payload itself.
package ingest
