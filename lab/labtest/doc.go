// Package labtest starts real MQTT brokers and fake agents for the lab's tests: the embedded
// broker on a free loopback port (optionally with a TLS listener), or Debian's mosquitto from a
// generated configuration that follows docs/operations.md; NewPKI makes a throwaway certificate
// authority with server and client certificates for TLS tests.
//
// Every broker, client and process a helper starts is stopped through t.Cleanup. StartMosquitto
// skips the test when /usr/sbin/mosquitto is missing (fails it under scripts/test.sh, which sets
// ONESTOP_REQUIRE_PEERS); CI installs it with
// `apt-get install -y --no-install-recommends mosquitto` (the package starts no service, and the
// tests start their own instance on a free port).
package labtest
