// Package outbox is the lab device agent's durable SQLite store of readings that the lab has not yet
// confirmed storing.
//
// Every reading is appended here before it is published over MQTT, so there is one code path whether
// or not the broker is reachable. Append gives each reading a sequence number (seq) that starts at 1 in
// a new outbox file and is never reused (SQLite AUTOINCREMENT), not even after every row was deleted
// or the agent restarted. The forwarder reads rows with Pending and publishes them as telemetry.Batch
// messages; rows are deleted only when the lab's end-to-end telemetry.Ack covers them, because a
// broker's PUBACK does not prove the lab stored anything.
//
// # Epoch
//
// Each outbox file carries an epoch: the Unix time in milliseconds when the file was created, kept in
// the meta table. (agent, epoch, seq) names a reading for ever. Replacing the file (deleted by hand,
// or quarantined because it was corrupt) gives a higher epoch without reading the old file, so the
// lab never confuses the new seq 1 with the old one. An Ack for any other epoch deletes nothing.
//
// # Durability
//
// The file runs in WAL mode. With the default synchronous=NORMAL a committed Append survives a crash
// or kill of the agent process, but a power loss or kernel crash may roll back the last transactions
// committed since the previous WAL checkpoint; the database itself stays consistent. What may be
// rolled back is never what was published: Pending flushes (one commit with synchronous=FULL, which
// fsyncs the WAL and every frame before it) before it hands out a row not yet flushed, and Open
// flushes what the previous process left. Without that, a rolled-back seq published before the cut
// would be given to a new reading after it, and the lab would take the new reading for a resend.
// Use Opts{Synchronous: SyncFull} when losing even unpublished readings on power loss is not
// acceptable: each commit then waits for fsync, one disk flush per Append (milliseconds on SD cards).
//
// # Corruption
//
// Open runs PRAGMA quick_check. A file that is not a database or fails the check is renamed aside to
// path.corrupt-<unix seconds> (with its -wal and -shm files) and a new outbox with a higher epoch is
// started, so an unattended rig keeps measuring; the event is logged with log/slog.
//
// # One agent per file
//
// OpenWith takes an exclusive flock on path.lock and holds it until Close; a second Open of the same
// outbox, from another process or this one, fails with ErrLocked. The kernel releases the lock when
// the process ends, also by SIGKILL or a power cut, so no stale lock file needs clearing by hand.
//
// # Limits
//
// By default the outbox grows without bound. Opts.MaxRows caps it by dropping the oldest rows when an
// Append exceeds the cap. That loses data the lab never received; Dropped counts it. It is off by
// default and meant for rigs whose disk would otherwise fill during a long outage.
//
// See docs/mqtt-contract.md for how seqs, epochs and acks travel between agent and lab.
package outbox
