package idcard

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
	"unicode/utf16"
)

// handBlock builds a text block without EncodeText: UCS-2LE at the offsets of the reference
// table 1.5, spaces elsewhere, so the decoder is checked against the table, not itself.
func handBlock(fields map[int]string, flag rune) []byte {
	b := make([]byte, 256)
	for i := 0; i < 256; i += 2 {
		b[i] = 0x20
	}
	for off, s := range fields {
		for i, u := range utf16.Encode([]rune(s)) {
			binary.LittleEndian.PutUint16(b[off+2*i:], u)
		}
	}
	binary.LittleEndian.PutUint16(b[248:], uint16(flag))
	return b
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestDecodeResidentHandVector(t *testing.T) {
	b := handBlock(map[int]string{0: "张三", 30: "1", 32: "01", 36: "19900307", 52: "北京市东城区示例路1号",
		122: "110101199003070011", 158: "北京市公安局东城分局", 188: "20150301", 204: "20350301"}, ' ')
	c, err := DecodeText(b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != Resident || c.Name.Reveal() != "张三" || c.Sex != SexMale || c.Nation != "01" || c.NationName != "汉" ||
		!c.Birth.Equal(date(1990, 3, 7)) || c.Address.Reveal() != "北京市东城区示例路1号" || c.IDNumber.Reveal() != "110101199003070011" ||
		c.Authority != "北京市公安局东城分局" || !c.ValidFrom.Equal(date(2015, 3, 1)) ||
		!c.ValidTo.Date.Equal(date(2035, 3, 1)) || c.ValidTo.LongTerm {
		t.Errorf("decoded %#v", *c) // test output only; Format hides it anyway
		t.Errorf("name %q sex %v nation %q/%q birth %v addr %q id %q auth %q from %v to %v", c.Name.Reveal(), c.Sex, c.Nation,
			c.NationName, c.Birth, c.Address.Reveal(), c.IDNumber.Reveal(), c.Authority, c.ValidFrom, c.ValidTo)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	// A NUL flag is a resident card too; EncodeText reproduces the hand-built block.
	b[248] = 0
	if c2, err := DecodeText(b); err != nil || c2.Type != Resident {
		t.Errorf("NUL flag: %v %v", c2, err)
	}
	b[248] = ' '
	if enc, err := EncodeText(c); err != nil || string(enc) != string(b) {
		t.Errorf("EncodeText differs from the hand-built block: %v", err)
	}
}

func TestDecodeLongTerm(t *testing.T) {
	b := handBlock(map[int]string{0: "李四", 30: "2", 32: "03", 36: "19650812", 188: "20150812", 204: "长期"}, ' ')
	c, err := DecodeText(b)
	if err != nil || !c.ValidTo.LongTerm || !c.ValidTo.Date.IsZero() || c.ValidTo.String() != "长期" || c.NationName != "回" {
		t.Fatalf("%v %v %q", c.ValidTo, err, c.NationName)
	}
	if c.ValidTo.Expired(date(2200, 1, 1)) {
		t.Error("a long-term card expired")
	}
}

func TestDecodeHMTHandVector(t *testing.T) {
	b := handBlock(map[int]string{0: "陈小明", 30: "1", 36: "19920304", 52: "广东省深圳市",
		122: "810000199203040056", 158: "深圳市公安局", 188: "20230304", 204: "20280304",
		220: "H12345678", 238: "01"}, 'J')
	c, err := DecodeText(b)
	if err != nil || c.Type != HMTResidencePermit || c.TypeFlag != 'J' || c.PassNumber.Reveal() != "H12345678" ||
		c.IssueCount != "01" || c.Nation != "" || c.IDNumber.Reveal() != "810000199203040056" {
		t.Fatalf("%v: type %s pass %q count %q", err, c.Type, c.PassNumber.Reveal(), c.IssueCount)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

func TestDecodeForeign2017HandVector(t *testing.T) {
	b := handBlock(map[int]string{0: "SAMPLE JOHN", 120: "1", 122: "USA110075112019", 152: "USA",
		158: "约翰", 188: "20170101", 204: "20270101", 220: "19751120", 236: "01", 240: "1500"}, 'I')
	c, err := DecodeText(b)
	if err != nil || c.Type != ForeignPermanentResident || c.TypeFlag != 'I' || c.EnglishName.Reveal() != "SAMPLE JOHN" ||
		c.Name.Reveal() != "约翰" || c.Sex != SexMale || c.Nationality != "USA" || c.CardVersion != "01" ||
		c.Authority != "1500" || !c.Birth.Equal(date(1975, 11, 20)) || c.IDNumber.Reveal() != "USA110075112019" {
		t.Fatalf("%v: %q %q %v %q %q %q %v", err, c.EnglishName.Reveal(), c.Name.Reveal(), c.Sex, c.Nationality, c.CardVersion, c.Authority, c.Birth)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

// The 2023 card splits a long English name: chars 1–35 at byte 52, 36–46 at byte 220.
func TestDecodeForeign2023HandVector(t *testing.T) {
	name := "SAMPLEWORTH-EXAMPLE MARY ELIZABETH ANNE"
	b := handBlock(map[int]string{0: "玛丽", 30: "2", 32: "00", 36: "19850512", 52: name[:35],
		122: "911101198505120029", 188: "20230601", 204: "20330601", 220: name[35:], 242: "GBR"}, 'Y')
	c, err := DecodeText(b)
	if err != nil || c.Type != ForeignPermanentResident || c.TypeFlag != 'Y' || c.EnglishName.Reveal() != name ||
		c.Name.Reveal() != "玛丽" || c.RenewalCount != "00" || c.Nationality != "GBR" || c.Sex != SexFemale {
		t.Fatalf("%v: %q %q %q %q", err, c.EnglishName.Reveal(), c.Name.Reveal(), c.RenewalCount, c.Nationality)
	}
	enc, err := EncodeText(c)
	if err != nil || string(enc) != string(b) {
		t.Errorf("EncodeText differs from the hand-built block: %v", err)
	}
}

func TestDecodeTextErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"short":        make([]byte, 255),
		"bad birth":    handBlock(map[int]string{36: "19900230"}, ' '),
		"bad valid-to": handBlock(map[int]string{204: "永久有效"}, ' '),
		"long sex":     handBlock(map[int]string{30: "男"}, ' '),
	} {
		if _, err := DecodeText(b); !errors.Is(err, ErrText) {
			t.Errorf("%s: %v, want ErrText", name, err)
		}
	}
	if _, err := EncodeText(&Card{Type: Resident, Name: NewSecret("一二三四五六七八九十一二三四五六")}); !errors.Is(err, ErrText) {
		t.Errorf("16-character name: %v", err)
	}
	if _, err := EncodeText(&Card{Type: "passport"}); !errors.Is(err, ErrText) {
		t.Errorf("unknown type: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	e := Expiry{Date: date(2030, 1, 31)}
	if e.Expired(date(2030, 1, 31).Add(23*time.Hour)) || !e.Expired(date(2030, 2, 1)) || e.String() != "2030-01-31" {
		t.Errorf("%v", e)
	}
	if (Expiry{}).String() != "" || (Expiry{}).Expired(time.Now()) {
		t.Error("zero Expiry")
	}
	if SexFemale.String() != "female" || Sex('7').String() != `Sex('7')` {
		t.Error("Sex.String")
	}
}

func TestNations(t *testing.T) {
	if len(nations) != 58 {
		t.Errorf("%d nation codes, want 56 + 97 + 98", len(nations))
	}
	for code, want := range map[string]string{"01": "汉", "02": "蒙古", "08": "壮", "29": "柯尔克孜", "43": "乌孜别克",
		"56": "基诺", "97": "其他", "98": "外国血统中国籍人士", "57": "", "": "", "1": ""} {
		if got := NationName(code); got != want {
			t.Errorf("NationName(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestSAMIDString(t *testing.T) {
	var id SAMID
	id[0], id[2] = 5, 1
	binary.LittleEndian.PutUint32(id[4:], 20120913)
	binary.LittleEndian.PutUint32(id[8:], 17473839)
	binary.LittleEndian.PutUint32(id[12:], 1345567837)
	if got := id.String(); got != "05.01-20120913-0017473839-1345567837" {
		t.Errorf("%s", got)
	}
}
