package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestKeyMadeOnceAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	a, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Public().Equal(b.Public()) {
		t.Error("second load made a new key")
	}
}

func TestSignVerify(t *testing.T) {
	needFont(t)
	r := sampleReport(t)
	pdf, err := Render(r, Opts{VerifyBase: verifyBase})
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(pdf, s.Public()); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned: %v, want ErrUnsigned", err)
	}
	signed, err := s.Sign(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, pdf) {
		t.Fatal("signing changed the PDF's bytes")
	}
	no, err := Verify(signed, s.Public())
	if err != nil || no != r.Number {
		t.Fatalf("Verify = %q, %v; want %q", no, err, r.Number)
	}
	if _, err := s.Sign(signed); err == nil {
		t.Error("signed twice")
	}
	other, _ := LoadOrCreateKey(t.TempDir())
	if _, err := Verify(signed, other.Public()); !errors.Is(err, ErrAltered) {
		t.Errorf("other key: %v, want ErrAltered", err)
	}

	sigAt := bytes.LastIndex(signed, []byte(sigTag))
	n := len(signed)
	at := []int{0, 1, n / 3, n / 2, len(pdf) - 1, sigAt, sigAt + len(sigTag), sigAt + len(sigTag) + 3,
		n - 40, n - 3, n - 2, n - 1}
	for i := 0; i < n; i += n / 50 {
		at = append(at, i)
	}
	for _, i := range at {
		for _, x := range []byte{0x01, 0x20, 0x80} {
			b := bytes.Clone(signed)
			b[i] ^= x
			if _, err := Verify(b, s.Public()); err == nil {
				t.Errorf("byte %d ^ %#x: verified", i, x)
			} else if !errors.Is(err, ErrAltered) && !errors.Is(err, ErrUnsigned) {
				t.Errorf("byte %d: %v, want ErrAltered or ErrUnsigned", i, err)
			}
		}
	}
	for name, b := range map[string][]byte{
		"appended":  append(bytes.Clone(signed), '\n'),
		"truncated": signed[:n-1],
		"cut sig":   signed[:n-10],
	} {
		if _, err := Verify(b, s.Public()); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func BenchmarkRenderSign(b *testing.B) {
	needFont(b)
	r := sampleReport(b)
	s, err := LoadOrCreateKey(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	var size int
	start := time.Now()
	for i := 0; i < b.N; i++ {
		pdf, err := Render(r, Opts{VerifyBase: verifyBase})
		if err != nil {
			b.Fatal(err)
		}
		signed, err := s.Sign(pdf)
		if err != nil {
			b.Fatal(err)
		}
		size = len(signed)
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(size)/1024, "KB/report")
	b.Logf("%d lines, %d charts: %v per report, %d KB", len(r.Lines), len(r.Charts), per, size/1024)
	if per > time.Second || size > 300*1024 {
		b.Errorf("over budget: %v per report (≤ 1 s), %d KB (≤ 300 KB)", per, size/1024)
	}
}
