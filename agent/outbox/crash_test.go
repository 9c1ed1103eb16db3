package outbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const helperEnv = "OUTBOX_CRASH_HELPER_PATH"

// TestHelperProcess is the child of TestCrashSafety: it appends 13-reading batches until killed and
// prints "committed <batch> <from> <to>" after each Append returns. It is skipped in a normal run.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("child process of TestCrashSafety")
	}
	ob, err := OpenWith(path, quiet)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	next, err := ob.LastSeq(context.Background())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	fmt.Println("epoch", ob.Epoch())
	// Batch b holds the readings t0+13b..t0+13b+12, so the parent can recognise every row. The
	// deadline only guards against a parent that died without killing us.
	deadline := time.Now().Add(time.Minute)
	for b := next / 13; time.Now().Before(deadline); b++ {
		from, to, err := ob.Append(context.Background(), "rig0", readings(13, b*13))
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println("committed", b, from, to) // os.Stdout is unbuffered: printed means committed
	}
}

// TestCrashSafety kills a child process with SIGKILL while it appends, several times over the same
// file, and checks that every range the child reported is stored exactly once, that seqs stay
// contiguous across the crashes, and that a transaction is either wholly there or wholly absent.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "outbox.db")
	var reported [][2]int64
	var epoch int64
	for round := range 3 {
		e, spans := runAndKill(t, path, 30+round*17)
		if round > 0 && e != epoch {
			t.Fatalf("round %d: epoch %d, was %d: the file was replaced after a crash", round, e, epoch)
		}
		epoch = e
		reported = append(reported, spans...)
	}
	checkAfterCrash(t, path, epoch, reported)
}

// runAndKill starts the child, waits for n committed batches, kills it and returns every span it
// reported, including those printed between the kill being sent and the child dying.
func runAndKill(t *testing.T, path string, n int) (epoch int64, spans [][2]int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	killed := false
	for sc := bufio.NewScanner(out); sc.Scan(); {
		f := strings.Fields(sc.Text())
		var b, from, to int64
		switch {
		case len(f) == 2 && f[0] == "epoch":
			fmt.Sscan(f[1], &epoch)
		case len(f) == 4 && f[0] == "committed":
			fmt.Sscan(f[1]+" "+f[2]+" "+f[3], &b, &from, &to)
			spans = append(spans, [2]int64{from, to})
		case len(f) > 0 && f[0] == "error":
			cmd.Process.Kill()
			t.Fatalf("child: %s", sc.Text())
		}
		if !killed && len(spans) >= n {
			cmd.Process.Kill() // SIGKILL: no deferred Close, no checkpoint, mid-transaction
			killed = true
		}
	}
	if !killed {
		t.Fatalf("child exited after %d batches without being killed", len(spans))
	}
	return epoch, spans
}

func checkAfterCrash(t *testing.T, path string, epoch int64, reported [][2]int64) {
	t.Helper()
	ctx := context.Background()
	ob := openT(t, path)
	defer closeT(t, ob)
	if ob.Epoch() != epoch {
		t.Fatalf("epoch after crash = %d, want %d (quarantined?)", ob.Epoch(), epoch)
	}
	rows := must(ob.Pending(ctx, 0, 1<<20))
	for i, r := range rows {
		if r.Seq != int64(i+1) || r.Reading.T != t0+int64(i) {
			t.Fatalf("row %d: seq %d, reading %d; want seq %d, reading %d", i, r.Seq, r.Reading.T-t0, i+1, i)
		}
	}
	// Rows are seqs 1..len(rows), each once, so every reported span is there if it ends in range.
	// A batch may have committed after the child's last print before a kill, but never part of one:
	// a gap between reported spans is 0 or one whole unreported batch.
	var prev int64
	for _, s := range reported {
		if gap := s[0] - prev - 1; (gap != 0 && gap != 13) || s[1] != s[0]+12 {
			t.Fatalf("reported span %d..%d after %d", s[0], s[1], prev)
		}
		prev = s[1]
	}
	if extra := int64(len(rows)) - prev; extra != 0 && extra != 13 {
		t.Errorf("%d rows stored, %d reported committed: a partial transaction survived", len(rows), prev)
	}
	t.Logf("%d batches reported, %d rows stored", len(reported), len(rows))
}
