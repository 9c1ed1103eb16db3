package outbox

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecondOpenIsRefused: one outbox, one holder. A second Open fails with ErrLocked until the
// first closes.
func TestSecondOpenIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	first := openT(t, path)
	if ob, err := OpenWith(path, quiet); !errors.Is(err, ErrLocked) {
		if err == nil {
			ob.Close()
		}
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	closeT(t, first)
	closeT(t, openT(t, path))
}

// TestLockHeldByAnotherProcess: an agent process appending to the outbox keeps a second one out;
// once it is killed (SIGKILL: no Close runs) the outbox opens again with its rows and epoch.
func TestLockHeldByAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "outbox.db")
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
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "committed") {
	}
	if ob, err := OpenWith(path, quiet); !errors.Is(err, ErrLocked) {
		if err == nil {
			ob.Close()
		}
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("open while the child holds the outbox: %v, want ErrLocked", err)
	}
	cmd.Process.Kill()
	go func() {
		for sc.Scan() { // drain, so the child never blocks on a full pipe before it dies
		}
	}()
	cmd.Wait()
	ob := openT(t, path)
	defer closeT(t, ob)
	if n := must(ob.Depth(t.Context())); n == 0 {
		t.Error("the child's rows are gone")
	}
}
