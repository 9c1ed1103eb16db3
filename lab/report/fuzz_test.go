package report

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

// FuzzVerify: Verify reads files uploaded to the public /verify page. For any bytes it returns a
// clear error or the number, never panics; it accepts only a file this key signed, and never one
// with a byte changed after signing.
func FuzzVerify(f *testing.F) {
	seed := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	s := &Signer{key: seed}
	pdf := []byte("%PDF-1.4\n1 0 obj << /Keywords (" + keywordPrefix + "OSL-20261130-0001) >> endobj\n%%EOF\n")
	signed, err := s.Sign(pdf)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed, 0, byte(0))
	f.Add(signed, len(signed)/2, byte(1))
	f.Add(pdf, 3, byte(0))
	f.Add([]byte(sigTag+"X Y Z\n"), 0, byte(0))
	f.Fuzz(func(t *testing.T, file []byte, at int, flip byte) {
		no, err := Verify(file, s.Public())
		if err == nil && (no == "" || !bytes.Contains(file, []byte(sigTag+no+" "))) {
			t.Fatalf("accepted %q as report %q", file, no)
		}
		if len(signed) == 0 || flip == 0 {
			return
		}
		bad := bytes.Clone(signed)
		i := (at%len(bad) + len(bad)) % len(bad)
		bad[i] ^= flip
		if _, err := Verify(bad, s.Public()); err == nil {
			t.Fatalf("byte %d changed by %#x still verifies", i, flip)
		}
	})
}
