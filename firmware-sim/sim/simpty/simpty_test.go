package simpty

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestOpenLinkWriteHangup(t *testing.T) {
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "dev0")
	if err := PointLink(link, p.Path); err != nil {
		t.Fatal(err)
	}
	if got, _ := filepath.EvalSymlinks(link); got != p.Path {
		t.Fatalf("link resolves to %q, want %q", got, p.Path)
	}
	client, err := os.OpenFile(link, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// Raw mode: a CR and a NUL arrive as they are, not translated or swallowed.
	if _, err := p.Master.Write([]byte{'a', '\r', 0, '\n'}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	client.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _ := client.Read(buf)
	if string(buf[:n]) != "a\r\x00\n" {
		t.Errorf("client read %q", buf[:n])
	}
	// Bytes nobody read are reclaimed, not left for a later client.
	p.Master.Write([]byte("unread"))
	got := 0 // the kernel moves bytes from master to slave in its own time: add up until all 6 are back
	for deadline := time.Now().Add(5 * time.Second); got < 6 && time.Now().Before(deadline); {
		got += p.Reclaim()
		time.Sleep(5 * time.Millisecond)
	}
	if got != 6 {
		t.Errorf("Reclaim gave back %d bytes, want 6", got)
	}
	RemoveLink(link, p.Path)
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("link still there: %v", err)
	}
	path := p.Path
	p.Close()
	if _, err := os.Stat(path); err == nil {
		// the pts number may be reused by another test at once; only check that our client sees the hang-up
		t.Log("pts path reused after close")
	}
	client.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := client.Read(buf); err == nil {
		t.Error("client read after hang-up succeeded")
	}
}
