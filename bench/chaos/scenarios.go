package main

import "github.com/onestop-station/onestop/drivers/rig"

// snapshot is the readings of one poll: what a kill can catch on the wire, read from the rig but
// not yet in the outbox.
const snapshot = rig.NumChannels

// scenarios in the order the table prints them.
var scenarios = []Scenario{
	{Name: "broker-down", Run: brokerDown,
		Fault:   "the embedded broker stops for 30 s (short: 5 s) mid-stream, then starts again empty",
		Promise: "nothing lost, nothing stored twice: the outbox keeps every reading until the lab acks it"},
	{Name: "broker-state-lost", Run: brokerStateLost,
		Fault:   "mosquitto without persistence is SIGKILLed mid-stream and restarted: sessions, retained and in-flight messages gone",
		Promise: "nothing lost, nothing stored twice: a broker's PUBACK is never taken as proof of storage"},
	{Name: "agent-kill", Run: agentKill,
		Fault:   "the agent is SIGKILLed 5 times at random points and restarted on the same outbox",
		Promise: "every reading the agent numbered reaches the lab once; only a snapshot on the wire at a kill may go (≤ 1 per kill)"},
	{Name: "power-cut", Run: powerCut,
		Fault:   "the outbox files go back to an older copy after later readings were published (what a power cut did before the outbox fsynced before publishing, and what restoring a backup does)",
		Promise: "nothing lost: readings under reused seqs are kept by the lab as conflicts, counted and logged; only the snapshot on the wire at the kill may go"},
	{Name: "lab-kill", Run: labKill,
		Fault:   "the lab process (`lab serve`: broker, ingest, store) is SIGKILLed mid-stream and restarted on the same database",
		Promise: "nothing lost, nothing stored twice: the lab acks only after its commit (synchronous=FULL)"},
	{Name: "rig-unplug", Run: rigUnplug,
		Fault:   "the rig's serial line hangs up for 5 s (short: 2 s) and comes back under a new /dev/pts path",
		Promise: "nothing the rig sent is lost or stored twice; the agent reopens the port by its link"},
	{Name: "serial-corrupt", Run: serialCorrupt,
		Fault:   "5 % of the rig's replies are corrupted on the wire (bad CRC) for 30 s (short: 5 s)",
		Promise: "bad frames are dropped by the CRC check, never stored; every good frame is stored once (lost counts only good frames)"},
	{Name: "rig-slow", Run: rigSlow,
		Fault:   "the rig answers 150 ms late (inside the agent's 300 ms timeout), then 30 % of replies 800 ms late, then not at all; 10 s each (short: 2 s)",
		Promise: "slow but in time: nothing lost; silent: nothing was sent; late replies are discarded, never stored twice or under the wrong poll twice (loss only in the late phase)"},
	{Name: "disk-full", Run: diskFull,
		Fault:   "the outbox's file system (a tmpfs) fills up for 15 s (short: 3 s), then space is freed",
		Promise: "a clear error in the agent's log; readings polled while the disk is full are dropped (newest first: nothing already in the outbox is touched); everything else reaches the lab; the lab's series shows the hole"},
	{Name: "outbox-corrupt", Run: outboxCorrupt,
		Fault:   "garbage is written over the outbox file while the agent is stopped",
		Promise: "the file is set aside (outbox.db.corrupt-*), a new epoch starts, streaming goes on; nothing lost or stored twice"},
	{Name: "two-agents", Run: twoAgents,
		Fault:   "a second agent is started on the outbox the first one is using",
		Promise: "the second refuses to start (file lock) with a clear error; the first streams on; nothing lost or stored twice"},
}
