package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onestop-station/onestop/lab/demo"
)

// Debian's mosquitto (scripts/test.sh installs it).
const (
	mosquittoBin       = "/usr/sbin/mosquitto"
	mosquittoPasswdBin = "/usr/bin/mosquitto_passwd"
)

var errNoMosquitto = errors.New("chaos: mosquitto not installed")

// mosquitto is one broker process on a fixed loopback port, with password authentication and
// no persistence: a kill loses its sessions and queued messages, as a crashed broker does.
type mosquitto struct {
	dir, conf, addr string
	p               *demo.Proc
}

func startMosquitto(dir string, users map[string]string) (*mosquitto, error) {
	for _, bin := range []string{mosquittoBin, mosquittoPasswdBin} {
		if _, err := os.Stat(bin); err != nil {
			return nil, errNoMosquitto
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	m := &mosquitto{dir: dir, addr: addr, conf: filepath.Join(dir, "mosquitto.conf")}
	if err := m.writeConf(users); err != nil {
		return nil, err
	}
	return m, m.Start()
}

func (m *mosquitto) writeConf(users map[string]string) error {
	passwd := filepath.Join(m.dir, "mosquitto.passwd")
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
		if out, err := exec.Command(mosquittoPasswdBin, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("chaos: mosquitto_passwd: %v: %s", err, out)
		}
	}
	_, port, _ := net.SplitHostPort(m.addr)
	conf := []string{
		"listener " + port + " 127.0.0.1",
		"allow_anonymous false",
		"password_file " + passwd,
		"persistence false",
		"max_queued_messages 1000000",
		"max_inflight_messages 0",
		"log_dest file " + filepath.Join(m.dir, "mosquitto.log"),
	}
	if os.Geteuid() == 0 {
		conf = append(conf, "user root") // else it drops to a user that cannot read dir
	}
	return os.WriteFile(m.conf, []byte(strings.Join(conf, "\n")+"\n"), 0o600)
}

// URL is the broker's paho URL.
func (m *mosquitto) URL() string { return "tcp://" + m.addr }

// Start runs the broker and waits until it accepts connections.
func (m *mosquitto) Start() error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		p, err := demo.StartProc("mosquitto", mosquittoBin, []string{"-c", m.conf}, filepath.Join(m.dir, "mosquitto.stderr"))
		if err != nil {
			return err
		}
		if err = waitListening(m.addr, p, 5*time.Second); err == nil {
			m.p = p
			return nil
		}
		p.Kill()
		if time.Now().After(deadline) {
			return fmt.Errorf("chaos: mosquitto: %w", err)
		}
		time.Sleep(200 * time.Millisecond) // the port may still be held by the killed one
	}
}

// Kill ends the broker with SIGKILL.
func (m *mosquitto) Kill() {
	if m.p != nil {
		m.p.Kill()
		m.p = nil
	}
}

// Stop is Kill: a broker without persistence has nothing to save.
func (m *mosquitto) Stop() { m.Kill() }

// waitListening waits until addr accepts a TCP connection or p exits.
func waitListening(addr string, p *demo.Proc, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); {
		if p.Exited() {
			return fmt.Errorf("%s exited at start", p.Name)
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s not listening on %s after %v", p.Name, addr, timeout)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
