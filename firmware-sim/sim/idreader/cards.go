package idreader

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/onestop-station/onestop/drivers/idcard"
)

//go:embed cards/*.toml
var cardFS embed.FS

// CardFile is one card as a TOML file holds it (cards/README.md explains the keys).
type CardFile struct {
	Description     string `toml:"description" json:"description"`
	Type            string `toml:"type" json:"type"`
	TypeFlag        string `toml:"type_flag" json:"-"`
	Name            string `toml:"name" json:"-"`
	EnglishName     string `toml:"english_name" json:"-"`
	Sex             string `toml:"sex" json:"-"`
	Nation          string `toml:"nation" json:"-"`
	Birth           string `toml:"birth" json:"-"`
	Address         string `toml:"address" json:"-"`
	IDNumber        string `toml:"id_number" json:"-"`
	Authority       string `toml:"authority" json:"-"`
	ValidFrom       string `toml:"valid_from" json:"-"`
	ValidTo         string `toml:"valid_to" json:"-"`
	PassNumber      string `toml:"pass_number" json:"-"`
	IssueCount      string `toml:"issue_count" json:"-"`
	Nationality     string `toml:"nationality" json:"-"`
	RenewalCount    string `toml:"renewal_count" json:"-"`
	CardVersion     string `toml:"card_version" json:"-"`
	OldNumber       string `toml:"old_number" json:"-"`
	Fingerprints    int    `toml:"fingerprints" json:"fingerprints"`
	AppendedAddress string `toml:"appended_address" json:"-"`
}

// LoadedCard is a card ready to serve: its text block, photo and fingerprint templates.
type LoadedCard struct {
	Name            string // file name without .toml
	File            CardFile
	Card            *idcard.Card // what a driver should decode, photo and fingerprints included
	Text            []byte       // the 256-byte text block
	AppendedAddress []byte       // 70 bytes of UCS-2LE, nil when none
}

// CardNames lists the embedded cards.
func CardNames() []string {
	entries, _ := cardFS.ReadDir("cards")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".toml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// LoadCard loads an embedded card by name.
func LoadCard(name string) (*LoadedCard, error) {
	if strings.ContainsAny(name, `/\.`) {
		return nil, fmt.Errorf("card %q: want an embedded card name (%s)", name, strings.Join(CardNames(), ", "))
	}
	raw, err := cardFS.ReadFile(path.Join("cards", name+".toml"))
	if err != nil {
		return nil, fmt.Errorf("card %q: unknown (have %s)", name, strings.Join(CardNames(), ", "))
	}
	return ParseCard(name, raw)
}

// ParseCard builds a card from TOML; unknown keys are an error.
func ParseCard(name string, raw []byte) (*LoadedCard, error) {
	var f CardFile
	md, err := toml.NewDecoder(bytes.NewReader(raw)).Decode(&f)
	if err != nil {
		return nil, fmt.Errorf("card %s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("card %s: unknown keys %v", name, und)
	}
	c, err := f.card(name)
	if err != nil {
		return nil, fmt.Errorf("card %s: %w", name, err)
	}
	text, err := idcard.EncodeText(c)
	if err != nil {
		return nil, fmt.Errorf("card %s: %w", name, err)
	}
	lc := &LoadedCard{Name: name, File: f, Card: c, Text: text}
	if f.AppendedAddress != "" {
		if lc.AppendedAddress, err = idcard.EncodeUCS2(f.AppendedAddress, idcard.AddressLen); err != nil {
			return nil, fmt.Errorf("card %s: appended address: %w", name, err)
		}
	}
	return lc, nil
}

// card converts the file to the Card a driver should read back.
func (f CardFile) card(name string) (*idcard.Card, error) {
	c := &idcard.Card{
		Type: idcard.CardType(f.Type), Name: idcard.NewSecret(f.Name), EnglishName: idcard.NewSecret(f.EnglishName),
		Nation: f.Nation, NationName: idcard.NationName(f.Nation), Address: idcard.NewSecret(f.Address),
		IDNumber: idcard.NewSecret(f.IDNumber), Authority: f.Authority, PassNumber: idcard.NewSecret(f.PassNumber),
		IssueCount: f.IssueCount, Nationality: f.Nationality, RenewalCount: f.RenewalCount, CardVersion: f.CardVersion,
		OldNumber: idcard.NewSecret(f.OldNumber), Photo: idcard.NewSecret(synthetic("photo/"+name, idcard.PhotoLen)),
	}
	if len(f.Sex) != 1 || len(f.TypeFlag) > 1 || f.Fingerprints < 0 || f.Fingerprints > 2 {
		return nil, fmt.Errorf("want sex of one character, type_flag I or Y, fingerprints 0..2")
	}
	c.Sex = idcard.Sex(f.Sex[0])
	c.TypeFlag = idcard.FlagResident
	switch c.Type {
	case idcard.HMTResidencePermit:
		c.TypeFlag = idcard.FlagHMT
	case idcard.ForeignPermanentResident:
		c.TypeFlag = idcard.FlagForeign2023
		if f.TypeFlag != "" {
			c.TypeFlag = f.TypeFlag[0]
		}
	}
	var err error
	for _, d := range []struct {
		dst *time.Time
		s   string
	}{{&c.Birth, f.Birth}, {&c.ValidFrom, f.ValidFrom}, {&c.ValidTo.Date, f.ValidTo}} {
		if d.s == idcard.LongTerm && d.dst == &c.ValidTo.Date {
			c.ValidTo.LongTerm = true
			continue
		}
		if *d.dst, err = time.Parse("20060102", d.s); err != nil {
			return nil, fmt.Errorf("dates: want YYYYMMDD (valid_to may be %s)", idcard.LongTerm)
		}
	}
	var fp []byte
	for i := range f.Fingerprints {
		fp = append(fp, synthetic(fmt.Sprintf("fp%d/%s", i, name), idcard.FingerprintLen)...)
	}
	c.Fingerprint = idcard.NewSecret(fp)
	return c, nil
}

// synthetic returns n deterministic bytes, a stand-in for data only a vendor library could
// make (WLT photos, fingerprint templates).
func synthetic(seed string, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	h := sha256.Sum256([]byte(seed))
	for len(out) < n {
		out = append(out, h[:]...)
		h = sha256.Sum256(h[:])
	}
	return out[:n]
}
