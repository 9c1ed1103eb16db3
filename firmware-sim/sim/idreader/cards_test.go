package idreader

import (
	"os"
	"strings"
	"testing"

	"github.com/onestop-station/onestop/drivers/idcard"
)

// Every embedded card loads, has a valid number (GB 11643 checksum for 18-digit numbers),
// decodes back to itself, and is listed in the README.
func TestEmbeddedCards(t *testing.T) {
	readme, err := os.ReadFile("cards/README.md")
	if err != nil {
		t.Fatal(err)
	}
	types := map[idcard.CardType]bool{}
	flags := map[byte]bool{}
	fps := map[int]bool{}
	for _, name := range CardNames() {
		lc, err := LoadCard(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := lc.Card.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if id := lc.Card.IDNumber.Reveal(); len(id) == 18 {
			if c, err := idcard.CheckDigit(id[:17]); err != nil || c != id[17] {
				t.Errorf("%s: GB 11643 check digit wrong", name)
			}
		}
		back, err := idcard.DecodeText(lc.Text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back.Photo, back.Fingerprint = lc.Card.Photo, lc.Card.Fingerprint
		if back.String() != lc.Card.String() || back.Name.Reveal() != lc.Card.Name.Reveal() ||
			back.EnglishName.Reveal() != lc.Card.EnglishName.Reveal() || back.IDNumber.Reveal() != lc.Card.IDNumber.Reveal() ||
			back.ValidTo != lc.Card.ValidTo || back.TypeFlag != lc.Card.TypeFlag {
			t.Errorf("%s: text block does not decode back to the card", name)
		}
		if !strings.Contains(string(readme), "`"+name+".toml`") {
			t.Errorf("%s is not in cards/README.md", name)
		}
		types[lc.Card.Type], flags[lc.Card.TypeFlag], fps[lc.File.Fingerprints] = true, true, true
	}
	if len(types) != 3 || len(flags) != 4 || len(fps) != 3 {
		t.Errorf("the cards do not cover every type (%v), flag (%v) and fingerprint count (%v)", types, flags, fps)
	}
}

func TestLoadCardErrors(t *testing.T) {
	for _, name := range []string{"nobody", "../cards/zhangsan", "zhangsan.toml"} {
		if _, err := LoadCard(name); err == nil {
			t.Errorf("%q loaded", name)
		}
	}
	for what, raw := range map[string]string{
		"unknown key":  "type = \"resident\"\nsex = \"1\"\nbirth=\"19900101\"\nvalid_from=\"20200101\"\nvalid_to=\"20300101\"\ncolour = 1\n",
		"bad date":     "type = \"resident\"\nsex = \"1\"\nbirth=\"1990-01-01\"\nvalid_from=\"20200101\"\nvalid_to=\"20300101\"\n",
		"fingerprints": "type = \"resident\"\nsex = \"1\"\nbirth=\"19900101\"\nvalid_from=\"20200101\"\nvalid_to=\"20300101\"\nfingerprints = 3\n",
		"long name":    "type = \"resident\"\nname = \"一二三四五六七八九十一二三四五六\"\nsex = \"1\"\nbirth=\"19900101\"\nvalid_from=\"20200101\"\nvalid_to=\"20300101\"\n",
	} {
		if _, err := ParseCard("x", []byte(raw)); err == nil {
			t.Errorf("%s: parsed", what)
		}
	}
}

// The module's state machine: find → select → read, the latch, lift and put back, SAM failure.
func TestModuleStateMachine(t *testing.T) {
	lc, _ := LoadCard("zhangsan")
	m := &module{samOK: true}
	sw := func(cmd idcard.Command) idcard.Status { return m.handle(cmd).resp.SW3 }
	steps := []struct {
		do   func()
		cmd  idcard.Command
		want idcard.Status
	}{
		{nil, idcard.CmdFindCard, 0x80},
		{func() { m.place(lc) }, idcard.CmdSelectCard, 0x81},
		{nil, idcard.CmdReadBasic, 0x41},
		{nil, idcard.CmdFindCard, 0x9F},
		{nil, idcard.CmdSelectCard, 0x90},
		{nil, idcard.CmdReadBasic, 0x90},
		{m.latch, idcard.CmdReadAddress, 0x91},
		{nil, idcard.CmdFindCard, 0x80}, // latched
		{func() { m.lift(); m.place(nil) }, idcard.CmdFindCard, 0x9F},
		{nil, idcard.Command{Cmd: 0x42, Para: 0x00}, 0x21},
		{func() { m.setSAM(false) }, idcard.CmdSAMStatus, 0x60},
		{nil, idcard.CmdFindCard, 0x60},
		{func() { m.setSAM(true) }, idcard.CmdSAMID, 0x90},
	}
	for i, s := range steps {
		if s.do != nil {
			s.do()
		}
		if got := sw(s.cmd); got != s.want {
			t.Errorf("step %d (%v): SW3 0x%02X, want 0x%02X", i, s.cmd, byte(got), byte(s.want))
		}
	}
}

func TestFaultChecks(t *testing.T) {
	for _, f := range []Fault{{Kind: "melt"}, {Kind: FaultSlow}, {Kind: FaultChecksum, On: "coffee"}, {Kind: FaultNoReply, Count: -1}} {
		if err := f.check(); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	f := Fault{Kind: FaultReadFailure}
	if err := f.check(); err != nil || f.On != "read" {
		t.Errorf("read_failure defaults: %+v %v", f, err)
	}
}
