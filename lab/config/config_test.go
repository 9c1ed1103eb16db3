package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	for _, k := range []string{"embedded", "listen", "shared", "role", "[[user]]", "-broker"} {
		if !strings.Contains(help.String(), k) {
			t.Errorf("--help lacks %q", k)
		}
	}
}
