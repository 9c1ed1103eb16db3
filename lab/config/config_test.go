package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/internal/passhash"
)

func TestParse(t *testing.T) {
	c, rest, err := Parse("serve", []string{"--site", "tz9", "--http", "off", "extra"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "tz9" || c.HTTP != "" || !c.Broker.Embedded || c.BrokerURL() != "tcp://127.0.0.1:1883" || len(rest) != 1 {
		t.Errorf("%+v rest=%v", c, rest)
	}
	path := filepath.Join(t.TempDir(), "lab.toml")
	os.WriteFile(path, []byte("site = \"tz3\"\n[broker]\nurl = \"tcp://127.0.0.1:1999\"\n[[user]]\nname = \"a7\"\nrole = \"agent\"\npassword = \"x\"\n"), 0o600)
	c, _, err = Parse("serve", []string{"--config", path}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Broker.Embedded || c.BrokerURL() != "tcp://127.0.0.1:1999" || len(c.Users) != 1 || c.Users[0].Name != "a7" {
		t.Errorf("from file: %+v", c)
	}
	for _, bad := range [][]string{{"--site", "a b"}, {"--broker", "nowhere"}, {"--config", "/nope.toml"}} {
		if _, _, err := Parse("serve", bad, io.Discard); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	var help strings.Builder
	Parse("serve", []string{"--help"}, &help)
	for _, k := range []string{"embedded", "listen", "shared", "role", "[[user]]", "-broker", "password_hash", "[[user]] site",
		"tls_listen", "tls_cert", "tls_key", "tls_client_ca", "ca_file", "cert_file", "key_file", "server_name", PasswordEnv, "loopback", "worker"} {
		if !strings.Contains(help.String(), k) {
			t.Errorf("--help lacks %q", k)
		}
	}
}

func parseTOML(t *testing.T, body string, flags ...string) (Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Parse("serve", append([]string{"--config", path}, flags...), io.Discard)
	return c, err
}

func TestBrokerAccounts(t *testing.T) {
	labHash, err := passhash.Hash("lab-pw")
	if err != nil {
		t.Fatal(err)
	}
	lab := "[broker]\npassword = \"lab-pw\"\n[[user]]\nname = \"lab\"\nrole = \"lab\"\npassword_hash = \"" + labHash + "\"\n"
	c, err := parseTOML(t, lab+"[[user]]\nname = \"a1\"\nrole = \"agent\"\nsite = \"tz9\"\npassword_hash = \""+labHash+"\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if u := c.Users[1]; u.PasswordHash != labHash || u.Password != "" || u.Site != "tz9" {
		t.Errorf("user from file: %+v", u)
	}
	bad := map[string]string{
		"both password and hash":          lab + "[[user]]\nname = \"a1\"\nrole = \"agent\"\npassword = \"x\"\npassword_hash = \"" + labHash + "\"\n",
		"neither":                         lab + "[[user]]\nname = \"a1\"\nrole = \"agent\"\n",
		"malformed hash":                  lab + "[[user]]\nname = \"a1\"\nrole = \"agent\"\npassword_hash = \"pbkdf2-sha256$1$AA$AA\"\n",
		"plain text as hash":              lab + "[[user]]\nname = \"a1\"\nrole = \"agent\"\npassword_hash = \"s3cret\"\n",
		"repeated name":                   lab + "[[user]]\nname = \"lab\"\nrole = \"agent\"\npassword = \"x\"\n",
		"bad site":                        lab + "[[user]]\nname = \"a1\"\nrole = \"agent\"\nsite = \"a/b\"\npassword = \"x\"\n",
		"lab password not the hashed one": "[broker]\npassword = \"other\"\n[[user]]\nname = \"lab\"\nrole = \"lab\"\npassword_hash = \"" + labHash + "\"\n",
		"default lab password left over":  "[[user]]\nname = \"lab\"\nrole = \"lab\"\npassword_hash = \"" + labHash + "\"\n",
		"no account for the lab":          "[[user]]\nname = \"a1\"\nrole = \"agent\"\npassword = \"x\"\n",
		"lab account with role agent":     "[broker]\npassword = \"x\"\n[[user]]\nname = \"lab\"\nrole = \"agent\"\npassword = \"x\"\n",
	}
	for name, body := range bad {
		if _, err := parseTOML(t, body); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	t.Setenv(PasswordEnv, "lab-pw")
	if _, err := parseTOML(t, "[[user]]\nname = \"lab\"\nrole = \"lab\"\npassword_hash = \""+labHash+"\"\n"); err != nil {
		t.Errorf("password from %s: %v", PasswordEnv, err)
	}
}

func TestBrokerTLSKeys(t *testing.T) {
	c, err := parseTOML(t, "[broker]\nlisten = \"off\"\ntls_listen = \"127.0.0.1:8883\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Broker.Listen != "" || c.BrokerURL() != "ssl://127.0.0.1:8883" {
		t.Errorf("TLS only: listen %q url %q", c.Broker.Listen, c.BrokerURL())
	}
	if _, err := c.ServerTLS(); err == nil {
		t.Error("ServerTLS loaded missing files")
	}
	if _, err := c.ClientTLS(); err != nil {
		t.Errorf("ClientTLS with system CAs: %v", err)
	}
	c = Default()
	if tc, err := c.ClientTLS(); tc != nil || err != nil {
		t.Errorf("plain tcp has a client TLS config: %v %v", tc, err)
	}
	if tc, err := c.ServerTLS(); tc != nil || err != nil {
		t.Errorf("no tls_listen has a server TLS config: %v %v", tc, err)
	}
	for name, body := range map[string]string{
		"no listener at all":        "[broker]\nlisten = \"\"\n",
		"tls_listen without a cert": "[broker]\ntls_listen = \":8883\"\n",
		"cert_file without key":     "[broker]\nurl = \"ssl://mq:8883\"\ncert_file = \"c.pem\"\n",
	} {
		if _, err := parseTOML(t, body); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Workers sharing a site get their own MQTT client ids; without a worker name the ids are the
// single lab's.
func TestWorkerClientIDs(t *testing.T) {
	c, err := parseTOML(t, "site = \"tz\"\n[broker]\nurl = \"tcp://mq:1883\"\nshared = true\nworker = \"w2\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ClientID("lab"); got != "lab-tz-w2" {
		t.Errorf("ClientID(lab) = %q, want lab-tz-w2", got)
	}
	c, err = parseTOML(t, "site = \"tz\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ClientID("onestop-lab-cmd"); got != "onestop-lab-cmd-tz" {
		t.Errorf("ClientID(onestop-lab-cmd) = %q, want onestop-lab-cmd-tz", got)
	}
	if _, err := parseTOML(t, "[broker]\nworker = \"w/1\"\n"); err == nil {
		t.Error("worker \"w/1\" accepted")
	}
}
