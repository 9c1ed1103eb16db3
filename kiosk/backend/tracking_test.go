package backend

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The brief's example read TZ202611300000017; the algorithm (checked against ID numbers in
// TestMod112MatchesIDNumbers) gives 8: weights from the right 2,4,8,5,10,9,7,3,6,1,2,4,8,5
// make a sum of 48, 48 mod 11 = 4, (12-4) mod 11 = 8.
func TestNewTrackingExample(t *testing.T) {
	day := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	if got := NewTracking(day, 1); got != "TZ202611300000018" {
		t.Fatalf("NewTracking = %s, want TZ202611300000018", got)
	}
	if err := ValidTracking("TZ202611300000018"); err != nil {
		t.Fatal(err)
	}
}

// The check character is the GB 11643 one: test it against real-format ID numbers.
func TestMod112MatchesIDNumbers(t *testing.T) {
	for _, id := range []string{"110101199003070011", "310104196508120021", "450102198806150031", "11010519491231002X"} {
		if got := mod112(id[:17]); got != id[17] {
			t.Errorf("mod112(%s) = %c, want %c", id[:17], got, id[17])
		}
	}
}

func TestValidTrackingErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "characters",
		"TZ20261130000001":  "characters",
		"XX202611300000017": "start with",
		"TZ2026113000A0017": "not a digit",
		"TZ202613300000017": "no such date",
		"TZ202611300000017": "check character",
		"TZ202611300000108": "check character", // two digits swapped
	} {
		err := ValidTracking(in)
		if !errors.Is(err, ErrTracking) || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidTracking(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestParseProgressCode(t *testing.T) {
	const tr = "TZ202611300000018"
	for _, in := range []string{tr, " " + tr + "\r\n", "tz20261130000001" + "8",
		ProgressURL("https://zwfw.example.gov.cn/", tr), "http://10.0.0.5:8090/progress/" + tr + "/",
		"https://other.example/x/progress/" + tr + "?src=qr"} {
		got, err := ParseProgressCode(in)
		if err != nil || got != tr {
			t.Errorf("ParseProgressCode(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"https://a.example/progress/TZ202611300000017", "https://a.example/track/" + tr,
		"https://a.example/progress/" + tr + "/extra", "%zz/progress/" + tr, "hello"} {
		if got, err := ParseProgressCode(in); !errors.Is(err, ErrTracking) {
			t.Errorf("ParseProgressCode(%q) = %q, %v; want ErrTracking", in, got, err)
		}
	}
	if got := ProgressURL("https://a.example", tr); got != "https://a.example/progress/"+tr {
		t.Errorf("ProgressURL = %s", got)
	}
}

func FuzzParseProgressCode(f *testing.F) {
	for _, s := range []string{"TZ202611300000018", "https://a.example/progress/TZ202611300000017",
		"TZ20261130000001X", "tz202611300000017", "/progress/", "://", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := ParseProgressCode(s)
		if err != nil {
			if !errors.Is(err, ErrTracking) {
				t.Fatalf("error %v does not wrap ErrTracking", err)
			}
			return
		}
		// Property: whatever is accepted is a valid tracking number that survives a
		// round trip through the URL a receipt prints and through NewTracking.
		if err := ValidTracking(tr); err != nil {
			t.Fatalf("accepted %q -> %q, which is invalid: %v", s, tr, err)
		}
		again, err := ParseProgressCode(ProgressURL("https://h.example", tr))
		if err != nil || again != tr {
			t.Fatalf("round trip of %q = %q, %v", tr, again, err)
		}
		day, _ := time.Parse("20060102", tr[2:10])
		seq := 0
		for _, c := range tr[10:16] {
			seq = seq*10 + int(c-'0')
		}
		if NewTracking(day, seq) != tr {
			t.Fatalf("NewTracking(%s, %d) != %s", day, seq, tr)
		}
	})
}
