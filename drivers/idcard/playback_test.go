package idcard_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/onestop-station/onestop/drivers/conntest"
	"github.com/onestop-station/onestop/drivers/idcard"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt captures from the twin")

// session is what the captures hold: a full read and what follows it.
type session func(ctx context.Context, r *idcard.Reader) (*idcard.Card, string, error)

var sessions = map[string]session{
	// SAM status, find, select, read basic (the 1295-byte frame), no appended address (0x91),
	// then find again: the card is latched (0x80).
	"read_basic_zhangsan.txt": func(ctx context.Context, r *idcard.Reader) (*idcard.Card, string, error) {
		if err := r.SAMStatus(ctx); err != nil {
			return nil, "", err
		}
		c, err := r.Read(ctx)
		if err != nil {
			return nil, "", err
		}
		addr, err := r.ReadAddress(ctx)
		if err != nil {
			return nil, "", err
		}
		if err := r.FindCard(ctx); !errors.Is(err, idcard.ErrNoCard) {
			return nil, "", errors.New("latched card found again")
		}
		return c, addr, nil
	},
	// Find, select, read with two fingerprints (2321 bytes), appended address.
	"read_fingerprint_lisi.txt": func(ctx context.Context, r *idcard.Reader) (*idcard.Card, string, error) {
		if err := r.FindCard(ctx); err != nil {
			return nil, "", err
		}
		if err := r.SelectCard(ctx); err != nil {
			return nil, "", err
		}
		c, err := r.ReadFingerprint(ctx)
		if err != nil {
			return nil, "", err
		}
		addr, err := r.ReadAddress(ctx)
		return c, addr, err
	},
}

var sessionCards = map[string]string{"read_basic_zhangsan.txt": "zhangsan", "read_fingerprint_lisi.txt": "lisi"}

// The twin still produces the captured bytes (rewritten with -update), recorded with
// conntest.Record over a real PTY.
func TestCapturesMatchTwin(t *testing.T) {
	for file, run := range sessions {
		_, port := startTwin(t, sessionCards[file])
		rec := &conntest.Record{Port: port}
		if _, _, err := run(testCtx(t), idcard.New(rec, testOpts)); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		path := filepath.Join("testdata", file)
		if *update {
			head := "# Recorded from `firmware-sim idreader` (card " + sessionCards[file] + ") with conntest.Record;\n# regenerate: go test ./drivers/idcard -run TestCapturesMatchTwin -update\n"
			if err := os.WriteFile(path, []byte(head+conntest.Format(rec.Ops)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want := readCapture(t, file)
		if !conntest.Equal(rec.Ops, want) {
			t.Errorf("%s: the twin's bytes differ from the capture (run with -update if intended)", file)
		}
	}
}

func readCapture(t *testing.T, file string) []conntest.IO {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := conntest.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

// The driver replays each capture without hardware or PTY and decodes the same card.
func TestPlayback(t *testing.T) {
	for file, run := range sessions {
		ops := readCapture(t, file)
		pb := &conntest.Playback{Ops: ops}
		c, addr, err := run(context.Background(), idcard.New(pb, testOpts))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		want := loaded(t, sessionCards[file])
		sameCard(t, file, c, want.Card, file == "read_fingerprint_lisi.txt")
		if addr != want.File.AppendedAddress {
			t.Errorf("%s: address differs", file)
		}
		if err := pb.Close(); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

// The 1295-byte read-basic frame in the capture is the documented one.
func TestCaptureHoldsReadBasicFrame(t *testing.T) {
	for _, op := range readCapture(t, "read_basic_zhangsan.txt") {
		if string(op.W) == string(idcard.CmdReadBasic.Encode()) {
			if len(op.R) != idcard.ReadBasicFrameLen {
				t.Errorf("read basic reply %d bytes, want 1295", len(op.R))
			}
			return
		}
	}
	t.Error("no read basic in the capture")
}
