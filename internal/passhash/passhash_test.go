package passhash

import (
	"errors"
	"strings"
	"testing"
)

func TestHashCheck(t *testing.T) {
	h, err := Hash("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "pbkdf2-sha256$20000$") || strings.Count(h, "$") != 3 {
		t.Errorf("format: %q", h)
	}
	if !Check(h, "s3cret") || Check(h, "s3cret ") || Check(h, "") {
		t.Error("Check wrong")
	}
	if h2, _ := Hash("s3cret"); h == h2 {
		t.Error("hashes are not salted")
	}
	if err := Validate(h); err != nil {
		t.Error(err)
	}
}

// A hash written by the broker before this package existed must keep working.
func TestStoredHash(t *testing.T) {
	const old = "pbkdf2-sha256$20000$w7yNhgbrjW7sMoHjytSXsw$OXkfC2yssKwdf/dyG3lI7BDyqrhY3Wyk9/XJDiDbJjA"
	if !Check(old, "correct horse") || Check(old, "correct horse!") {
		t.Error("stored hash no longer checks")
	}
}

func TestMalformed(t *testing.T) {
	for _, bad := range []string{
		"", "s3cret", "md5$1$2$3",
		"pbkdf2-sha256$1$AA$AA",         // too few iterations
		"pbkdf2-sha256$x$AA$AA",         // not a number
		"pbkdf2-sha256$99999999$AA$AA",  // too many
		"pbkdf2-sha256$20000$!!$AA",     // salt not base64
		"pbkdf2-sha256$20000$AA$",       // no key
		"pbkdf2-sha256$20000$AA$AA$AA",  // extra field
		"pbkdf2-sha256$20000$AAAA==$AA", // padded
	} {
		if Check(bad, "s3cret") {
			t.Errorf("malformed hash %q matched", bad)
		}
		if err := Validate(bad); !errors.Is(err, ErrFormat) {
			t.Errorf("Validate(%q) = %v", bad, err)
		}
	}
}

func TestDummy(t *testing.T) {
	d := Dummy()
	if d != Dummy() {
		t.Error("Dummy changes")
	}
	if err := Validate(d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d, "pbkdf2-sha256$20000$") {
		t.Errorf("dummy does not cost what a real hash costs: %q", d)
	}
	if Check(d, "") || Check(d, "s3cret") {
		t.Error("dummy matched")
	}
}

func BenchmarkCheck(b *testing.B) {
	h, _ := Hash("s3cret")
	for b.Loop() {
		Check(h, "wrong")
	}
}
