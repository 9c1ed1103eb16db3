package doctor

import (
	"encoding/json"
	"github.com/onestop-station/onestop/internal/syncbuf"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/creack/pty"

	simid "github.com/onestop-station/onestop/firmware-sim/sim/idreader"
	"github.com/onestop-station/onestop/firmware-sim/sim/simtest"
)

func startIDReader(t *testing.T, card string) (*simid.Twin, string) {
	t.Helper()
	link := filepath.Join(t.TempDir(), "idreader")
	tw, err := simid.New(simid.Opts{Card: card, Link: link, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	simtest.Start(t, tw)
	return tw, link
}

func TestIDCardJSONMaskedAndUnmasked(t *testing.T) {
	_, link := startIDReader(t, "zhangsan")
	code, out, errOut := run("idcard", "--port", link, "--json", "--timeout", "10s")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]any{"type": "resident", "name": "张*", "sex": "1", "nation": "01", "nation_name": "汉",
		"birth": "1990-**-**", "id_valid": true, "valid_from": "2015-03-01", "valid_to": "2035-03-01"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	for _, secret := range []string{"110101199003070011", "张三", "示例路", "1990-03-07"} {
		if strings.Contains(out, secret) {
			t.Errorf("masked output contains %q: %s", secret, out)
		}
	}
	// The card is latched after a read: lift and place it again for the second read.
	tw, link2 := startIDReader(t, "zhangsan")
	_ = tw
	code, out, _ = run("idcard", "--port", link2, "--json", "--unmask", "--timeout", "10s")
	if code != ExitOK || !strings.Contains(out, `"id_number":"110101199003070011"`) || !strings.Contains(out, `"name":"张三"`) || !strings.Contains(out, `"birth":"1990-03-07"`) {
		t.Errorf("--unmask: %d %s", code, out)
	}
}

func TestIDCardPermitAndForeignExtras(t *testing.T) {
	_, link := startIDReader(t, "chenxiaoming")
	code, out, errOut := run("idcard", "--port", link, "--json", "--timeout", "10s")
	if code != ExitOK || !strings.Contains(out, `"type":"hmt_residence_permit"`) || !strings.Contains(out, `"pass_number":"H*******8"`) || !strings.Contains(out, `"issue_count"`) {
		t.Errorf("permit: %d %s %s", code, out, errOut)
	}
	_, link = startIDReader(t, "john-sample")
	code, out, _ = run("idcard", "--port", link, "--timeout", "10s")
	if code != ExitOK || !strings.Contains(out, "foreign_permanent_resident") || !strings.Contains(out, "nationality") || strings.Contains(out, "SAMPLE JOHN") {
		t.Errorf("foreign: %d %s", code, out)
	}
}

func TestIDCardFailures(t *testing.T) {
	_, empty := startIDReader(t, "")
	samBad, samLink := startIDReader(t, "zhangsan")
	samBad.SetSAM(false)
	failing, failLink := startIDReader(t, "lisi")
	if err := failing.InjectFault(simid.Fault{Kind: "read_failure", Sticky: true}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"no card in time", []string{"--port", empty, "--timeout", "500ms"}, ExitNothing},
		{"SAM self-test failed", []string{"--port", samLink}, ExitDevice},
		{"card read failure", []string{"--port", failLink, "--timeout", "5s"}, ExitDevice},
		{"a reader that never answers", []string{"--port", silentLink(t), "--timeout", "2s"}, ExitNoAnswer},
		{"no such port", []string{"--port", filepath.Join(t.TempDir(), "none")}, ExitNoPort},
	}
	for _, c := range cases {
		code, _, errOut := run(append([]string{"idcard"}, c.args...)...)
		if code != c.want {
			t.Errorf("%s: exit %d, want %d; %q", c.name, code, c.want, errOut)
		}
		if strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%s: message is not one line: %q", c.name, errOut)
		}
	}
}

// silentLink is a pseudo-terminal nobody answers on: a port with the wrong device, or none, behind it.
func silentLink(t *testing.T) string {
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close(); master.Close() })
	return slave.Name()
}

// idPattern is an 18-character resident ID number (GB 11643: 17 digits and a check character).
var idPattern = regexp.MustCompile(`\d{17}[\dXx]`)

// TestIDCardNoPersonalDataInLogs: a card read end to end — the reader twin on a pseudo-terminal,
// the driver, the doctor — with every logger at debug level: no log line of the twin, the
// driver (slog's default) or the doctor carries an ID number, the name or the address.
func TestIDCardNoPersonalDataInLogs(t *testing.T) {
	var twinLog, defaultLog syncbuf.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&defaultLog, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	link := filepath.Join(t.TempDir(), "idreader")
	tw, err := simid.New(simid.Opts{Card: "zhangsan", Link: link,
		Logger: slog.New(slog.NewTextHandler(&twinLog, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	simtest.Start(t, tw)
	code, out, errOut := run("idcard", "--port", link, "--timeout", "10s")
	if code != ExitOK || !strings.Contains(out, "张*") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if twinLog.String() == "" {
		t.Fatal("the twin logged nothing at debug level: the check would prove nothing")
	}
	for name, text := range map[string]string{"twin log": twinLog.String(), "default log": defaultLog.String(),
		"doctor stderr": errOut, "doctor output": out} {
		if m := idPattern.FindString(text); m != "" {
			t.Errorf("%s carries an ID number %s:\n%s", name, m, text)
		}
		for _, secret := range []string{"张三", "示例路"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s carries %q:\n%s", name, secret, text)
			}
		}
	}
}
