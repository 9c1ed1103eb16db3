package labtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onestop-station/onestop/lab/broker"
)

// Paths of Debian's mosquitto package.
const (
	MosquittoBin       = "/usr/sbin/mosquitto"
	MosquittoPasswdBin = "/usr/bin/mosquitto_passwd"
)

// StartMosquitto runs mosquitto on a free loopback port with password authentication for users
// (name → password) and no anonymous access. When labUsers are given, the lab's ACL policy
// (broker.MosquittoACL, any site) applies: those users are the lab, all others agents; without
// them every user may use every topic. stop kills the broker (SIGKILL, like a crash) and start
// runs it again on the same port. It is stopped at the end of the test; without mosquitto the
// test is skipped.
func StartMosquitto(t testing.TB, users map[string]string, labUsers ...string) (url string, stop func(), start func()) {
	t.Helper()
	m := StartMosquittoWith(t, MosquittoOpts{Users: users, LabUsers: labUsers})
	return m.URL, m.Stop, m.Start
}

// MosquittoOpts configure StartMosquittoWith.
type MosquittoOpts struct {
	Users    map[string]string // name → password
	LabUsers []string          // with the ACL: these are the lab, the others agents
	Site     string            // binds the ACL to one site; "" for any
	// TLS adds a TLS listener with PKI's server certificate; ClientCerts makes it require a
	// client certificate signed by PKI's CA (require_certificate true).
	TLS         *PKI
	ClientCerts bool
}

// Mosquitto is a running mosquitto, configured as docs/operations.md shows.
type Mosquitto struct {
	URL    string // plain listener on loopback
	TLSURL string // TLS listener; "" without one
	Conf   string // the configuration file
	m      *mosquitto
}

// Stop kills the broker (SIGKILL, like a crash); Start runs it again on the same ports.
func (m *Mosquitto) Stop()  { m.m.stop() }
func (m *Mosquitto) Start() { m.m.start() }

// StartMosquittoWith is StartMosquitto with a site-bound ACL and a TLS listener if asked.
func StartMosquittoWith(t testing.TB, o MosquittoOpts) *Mosquitto {
	t.Helper()
	for _, bin := range []string{MosquittoBin, MosquittoPasswdBin} {
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("ONESTOP_REQUIRE_PEERS") != "" { // scripts/test.sh installs them: missing is a failure there
				t.Fatalf("mosquitto not installed (%s missing): apt-get install mosquitto", bin)
			}
			t.Skipf("mosquitto not installed (%s missing): apt-get install mosquitto", bin)
		}
	}
	dir := t.TempDir()
	addr := FreeAddr(t)
	tlsAddr := ""
	if o.TLS != nil {
		tlsAddr = FreeAddr(t)
	}
	conf := writeMosquittoConf(t, dir, addr, tlsAddr, o)
	m := &mosquitto{t: t, conf: conf, addrs: []string{addr, tlsAddr}, log: filepath.Join(dir, "mosquitto.log")}
	m.start()
	t.Cleanup(m.stop)
	out := &Mosquitto{URL: "tcp://" + addr, Conf: conf, m: m}
	if tlsAddr != "" {
		out.TLSURL = "ssl://" + tlsAddr
	}
	return out
}

func writeMosquittoConf(t testing.TB, dir, addr, tlsAddr string, o MosquittoOpts) string {
	t.Helper()
	passwd := filepath.Join(dir, "passwd")
	names := make([]string, 0, len(o.Users))
	for n := range o.Users {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		args := []string{"-b", passwd, n, o.Users[n]}
		if i == 0 {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command(MosquittoPasswdBin, args...).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_passwd %s: %v: %s", n, err, out)
		}
	}
	_, port, _ := net.SplitHostPort(addr)
	// The security lines follow docs/operations.md ("Joining mosquitto").
	conf := []string{
		"per_listener_settings false",
		"allow_anonymous false",
		"listener " + port + " 127.0.0.1",
	}
	if tlsAddr != "" {
		_, tport, _ := net.SplitHostPort(tlsAddr)
		conf = append(conf, "listener "+tport+" 127.0.0.1",
			"certfile "+o.TLS.ServerCert, "keyfile "+o.TLS.ServerKey, "tls_version tlsv1.2")
		if o.ClientCerts {
			conf = append(conf, "cafile "+o.TLS.CAFile, "require_certificate true")
		}
	}
	conf = append(conf,
		"persistence false",
		"max_queued_messages 1000000",
		"max_queued_bytes 0",
		"max_inflight_messages 0",
		"log_dest file "+filepath.Join(dir, "mosquitto.log"),
		"log_type error",
		"log_type warning",
		"log_type notice",
		"log_type information",
	)
	if len(o.Users) > 0 {
		conf = append(conf, "password_file "+passwd)
	}
	if len(o.LabUsers) > 0 {
		acl := filepath.Join(dir, "acl")
		if err := os.WriteFile(acl, []byte(broker.MosquittoACL(o.Site, o.LabUsers)), 0o600); err != nil {
			t.Fatal(err)
		}
		conf = append(conf, "acl_file "+acl)
	}
	if os.Geteuid() == 0 {
		conf = append(conf, "user root") // else mosquitto drops to a user that cannot read dir
	}
	path := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mosquitto is one broker process, restartable on the same port.
type mosquitto struct {
	t         testing.TB
	conf, log string
	addrs     []string // every listener; "" entries are skipped
	mu        sync.Mutex
	cmd       *exec.Cmd
	done      chan struct{}
}

func (m *mosquitto) start() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := m.startOnce()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("mosquitto: %v; log:\n%s", err, m.readLog())
		}
		time.Sleep(100 * time.Millisecond) // the port may still be held by the previous process
	}
}

// startOnce starts the process and waits until it accepts connections or exits.
func (m *mosquitto) startOnce() error {
	cmd := exec.Command(MosquittoBin, "-c", m.conf)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case <-done:
			return fmt.Errorf("exited at start (%v)", cmd.ProcessState)
		default:
		}
		if m.listening() {
			m.cmd, m.done = cmd, done
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("not listening on %v", m.addrs)
}

func (m *mosquitto) listening() bool {
	for _, a := range m.addrs {
		if a == "" {
			continue
		}
		c, err := net.DialTimeout("tcp", a, time.Second)
		if err != nil {
			return false
		}
		c.Close()
	}
	return true
}

func (m *mosquitto) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	<-m.done
	m.cmd, m.done = nil, nil
}

func (m *mosquitto) readLog() string {
	b, _ := os.ReadFile(m.log)
	return string(b)
}
