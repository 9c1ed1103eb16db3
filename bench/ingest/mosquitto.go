package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/onestop-station/onestop/lab/broker"
)

// Debian's mosquitto package.
const (
	mosquittoBin       = "/usr/sbin/mosquitto"
	mosquittoPasswdBin = "/usr/bin/mosquitto_passwd"
)

var errNoMosquitto = errors.New("mosquitto not installed (" + mosquittoBin + " missing): apt-get install mosquitto")

// mosquitto is one broker process configured as docs/operations.md shows ("Joining mosquitto"):
// passwords, the lab's ACL, no anonymous access; no persistence, unbounded queues.
type mosquitto struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
}

func startMosquitto(dir string, agents int) (*mosquitto, error) {
	for _, bin := range []string{mosquittoBin, mosquittoPasswdBin} {
		if _, err := os.Stat(bin); err != nil {
			return nil, errNoMosquitto
		}
	}
	passwd := filepath.Join(dir, "mosquitto.passwd")
	users := [][2]string{{labUser, labPass}}
	for i := range agents {
		users = append(users, [2]string{agentName(i), agentPass})
	}
	for i, u := range users {
		args := []string{"-b", passwd, u[0], u[1]}
		if i == 0 {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command(mosquittoPasswdBin, args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("mosquitto_passwd: %v: %s", err, out)
		}
	}
	acl := filepath.Join(dir, "mosquitto.acl")
	if err := os.WriteFile(acl, []byte(broker.MosquittoACL(site, []string{labUser})), 0o600); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	conf := []string{
		"per_listener_settings false",
		"allow_anonymous false",
		"listener " + port + " 127.0.0.1",
		"password_file " + passwd,
		"acl_file " + acl,
		"persistence false",
		"max_queued_messages 1000000",
		"max_queued_bytes 0",
		"max_inflight_messages 0",
		"log_dest file " + filepath.Join(dir, "mosquitto.log"),
	}
	if os.Geteuid() == 0 {
		conf = append(conf, "user root") // else it drops to a user that cannot read dir
	}
	path := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	m := &mosquitto{url: "tcp://" + addr, cmd: exec.Command(mosquittoBin, "-c", path), exited: make(chan struct{})}
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start mosquitto: %w", err)
	}
	go func() { m.cmd.Wait(); close(m.exited) }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-m.exited:
			return nil, fmt.Errorf("mosquitto exited at start (see %s)", filepath.Join(dir, "mosquitto.log"))
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return m, nil
		}
	}
	m.stop()
	return nil, fmt.Errorf("mosquitto: not listening on %s", addr)
}

func (m *mosquitto) pid() int { return m.cmd.Process.Pid }

func (m *mosquitto) stop() {
	m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.exited:
	case <-time.After(5 * time.Second):
		m.cmd.Process.Kill()
		<-m.exited
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
