package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "kiosk.toml")
	write := func(s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("terminal = \"T09\"\n[screen]\nwidth = 1920\nheight = 1080\n[admin]\npin_sha256 = \"" + PINHash("2468") + "\"\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Terminal != "T09" || c.Screen.Width != 1920 || c.Site != "tengzhou" {
		t.Errorf("loaded %+v", c)
	}
	if !c.Admin.CheckPIN("2468") || c.Admin.CheckPIN("2469") || (Admin{}).CheckPIN("") {
		t.Error("CheckPIN")
	}
	write("terminl = \"T09\"\n")
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "unknown keys terminl") {
		t.Errorf("misspelt key: %v", err)
	}
	write("[screen]\nidle_after = \"5s\"\n")
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "WCAG") {
		t.Errorf("short idle: %v", err)
	}
}
