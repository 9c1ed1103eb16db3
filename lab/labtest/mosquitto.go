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
// (broker.MosquittoACL) applies: those users are the lab, all others agents; without them every
// user may use every topic. stop kills the broker (SIGKILL, like a crash) and start runs it again
// on the same port. It is stopped at the end of the test; without mosquitto the test is skipped.
func StartMosquitto(t testing.TB, users map[string]string, labUsers ...string) (url string, stop func(), start func()) {
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
	conf := writeMosquittoConf(t, dir, addr, users, labUsers)
	m := &mosquitto{t: t, conf: conf, addr: addr, log: filepath.Join(dir, "mosquitto.log")}
	m.start()
	t.Cleanup(m.stop)
	return "tcp://" + addr, m.stop, m.start
}

func writeMosquittoConf(t testing.TB, dir, addr string, users map[string]string, labUsers []string) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	passwd := filepath.Join(dir, "passwd")
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		args := []string{"-b", passwd, n, users[n]}
		if i == 0 {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command(MosquittoPasswdBin, args...).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_passwd %s: %v: %s", n, err, out)
		}
	}
	conf := []string{
		"listener " + port + " 127.0.0.1",
		"allow_anonymous false",
		"persistence false",
		"max_queued_messages 1000000",
		"max_queued_bytes 0",
		"max_inflight_messages 0",
		"log_dest file " + filepath.Join(dir, "mosquitto.log"),
		"log_type error",
		"log_type warning",
		"log_type notice",
		"log_type information",
	}
	if len(users) > 0 {
		conf = append(conf, "password_file "+passwd)
	}
	if len(labUsers) > 0 {
		acl := filepath.Join(dir, "acl")
		if err := os.WriteFile(acl, []byte(broker.MosquittoACL(labUsers)), 0o600); err != nil {
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
	addr      string
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
		if c, err := net.DialTimeout("tcp", m.addr, time.Second); err == nil {
			c.Close()
			m.cmd, m.done = cmd, done
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("not listening on %s", m.addr)
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
