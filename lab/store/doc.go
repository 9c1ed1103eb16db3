// Package store keeps the lab's readings, agents and device descriptions in one SQLite file
// (modernc.org/sqlite, pure Go, WAL), with exactly-once storage keyed by (agent, epoch, seq).
//
// Agents resend readings until the lab acknowledges them, so the same reading can arrive many
// times; StoreBatch inserts with ON CONFLICT DO NOTHING and reports the watermark — the highest
// seq s of an (agent, epoch) such that every seq 1..s is stored — which the lab acknowledges.
// The watermark only moves forward from its stored value, so keeping it costs work proportional
// to what a batch makes contiguous, not to the table size.
//
// One connection writes (SQLite allows one writer; queuing in database/sql is cheaper than
// SQLITE_BUSY retries); a small pool reads concurrently through WAL. Times are Unix nanoseconds,
// UTC, in the database and time.Time in the API.
package store
