package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustNew(t *testing.T, key []byte) *Sealer {
	t.Helper()
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	s := mustNew(t, testKey(1))
	plain := []byte(`{"name":"张三","id_number":"110101199003070011"}`)
	a, b := s.Seal(plain, []byte("app-1")), s.Seal(plain, []byte("app-1"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: nonce not random")
	}
	if bytes.Contains(a, []byte("张三")) || a[0] != version1 {
		t.Fatalf("sealed value leaks plain text or lacks version: %x", a)
	}
	got, err := s.Open(a, []byte("app-1"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if got, err := s.Open(s.Seal(nil, nil), nil); err != nil || len(got) != 0 {
		t.Fatalf("empty round trip = %q, %v", got, err)
	}
}

func TestTamperRejected(t *testing.T) {
	s := mustNew(t, testKey(1))
	sealed := s.Seal([]byte("secret"), []byte("app-1"))
	for i := range sealed {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		if _, err := s.Open(c, []byte("app-1")); !errors.Is(err, ErrOpen) {
			t.Fatalf("byte %d flipped: err = %v, want ErrOpen", i, err)
		}
	}
	if _, err := s.Open(sealed, []byte("app-2")); !errors.Is(err, ErrOpen) {
		t.Fatalf("other aad: err = %v", err)
	}
	if _, err := s.Open(sealed[:10], []byte("app-1")); !errors.Is(err, ErrOpen) {
		t.Fatalf("truncated: err = %v", err)
	}
	other := mustNew(t, testKey(2))
	if _, err := other.Open(sealed, []byte("app-1")); !errors.Is(err, ErrOpen) {
		t.Fatalf("wrong key: err = %v", err)
	}
}

func TestBlindIndex(t *testing.T) {
	s1, s2 := mustNew(t, testKey(1)), mustNew(t, testKey(2))
	id := "110101199003070011"
	a := s1.BlindIndex(id)
	if a != s1.BlindIndex(id) || len(a) != 64 {
		t.Fatalf("index not stable hex: %q", a)
	}
	if a == s1.BlindIndex("310104196508120021") || a == s2.BlindIndex(id) {
		t.Fatal("index collides across values or keys")
	}
	if strings.Contains(a, id) {
		t.Fatal("index contains the value")
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	if _, err := New(make([]byte, 16)); !errors.Is(err, ErrBadKey) {
		t.Fatalf("err = %v, want ErrBadKey", err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen.key")
	if err := GenerateKeyFile(gen); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(gen); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v", fi.Mode(), err)
	}
	if err := GenerateKeyFile(gen); err == nil {
		t.Fatal("GenerateKeyFile overwrote an existing key")
	}
	k, err := LoadKey(gen, "")
	if err != nil || len(k) != KeySize {
		t.Fatalf("LoadKey(generated) = %d bytes, %v", len(k), err)
	}
	raw := filepath.Join(dir, "raw.key")
	os.WriteFile(raw, testKey(7), 0o600)
	if k, err := LoadKey(raw, ""); err != nil || !bytes.Equal(k, testKey(7)) {
		t.Fatalf("LoadKey(raw) = %x, %v", k, err)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	if _, err := LoadKey(bad, ""); !errors.Is(err, ErrBadKey) {
		t.Fatalf("LoadKey(bad) err = %v", err)
	}
	t.Setenv("SEAL_TEST_KEY", strings.Repeat("ab", KeySize))
	if k, err := LoadKey("", "SEAL_TEST_KEY"); err != nil || k[0] != 0xab {
		t.Fatalf("LoadKey(env) = %x, %v", k, err)
	}
	t.Setenv("SEAL_TEST_KEY", "abc")
	if _, err := LoadKey("", "SEAL_TEST_KEY"); !errors.Is(err, ErrBadKey) {
		t.Fatalf("LoadKey(short env) err = %v", err)
	}
	_, err = LoadKey("", "SEAL_TEST_UNSET_KEY")
	if !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "SEAL_TEST_UNSET_KEY") {
		t.Fatalf("LoadKey(nothing) err = %v", err)
	}
}
