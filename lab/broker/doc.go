// Package broker runs the lab's embedded MQTT broker (mochi-mqtt v2) on a TCP address and, if
// asked, a TLS one, with password authentication and per-agent ACLs that enforce the wire
// contract of agent/telemetry.
//
// Users have a role. A "lab" user may read and write everything under onestop/v1/lab/ (or one
// site of it). An "agent" user may publish only its own status, device meta, device data and
// command results (onestop/v1/lab/{site}/agent/{name}/…), may subscribe only to its own
// commands, its own ack topic and the site's service/state, and must connect with a client id
// equal to its name (or "{name}/…"), so it cannot take over another client's session. Anonymous
// clients are refused. A last will is checked like a publish at connect time.
//
// Passwords are stored as PBKDF2-SHA256 hashes made by HashPassword ("pbkdf2-sha256$iter$salt$key")
// and compared in constant time; an unknown user name is checked against a dummy hash, so it costs
// what a wrong password costs. Failed logins are limited per client address (LoginLimit). The
// well-known passwords of the shipped defaults are refused unless every listener is on loopback.
// The TLS listener (ServerTLS) can require client certificates signed by a given CA, on top of
// the password. The same policy for an external mosquitto broker is written by MosquittoACL.
//
// Code in the same process (the lab's ingest) can subscribe and publish without a connection
// (SubscribeInline, PublishInline, OnStart): trusted, so no ACL applies, and kept across Restart.
//
// The broker keeps no state on disk: agents keep their readings in their outbox until the lab
// acknowledges storage, so a broker restart loses nothing that matters.
package broker
