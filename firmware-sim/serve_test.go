package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// startServing runs one twin's serve function with stdout on a pipe, checks the two lines every
// twin prints first ("NAME: serving on /dev/… (link L)", then "NAME: control http://…"), and
// stops the twin when the test ends (calling onStop first, e.g. to close its stdin). It returns
// the control URL and the rest of stdout.
func startServing(t *testing.T, name, link string, serve func(ctx context.Context, stdout io.Writer) error, onStop ...func()) (string, *bufio.Scanner) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		for _, f := range onStop {
			f()
		}
		go io.Copy(io.Discard, pr) // the twin may still print while stopping
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s did not stop", name)
		}
	})
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("no first line")
	}
	first := lines.Text()
	target, _ := os.Readlink(link)
	if !strings.HasPrefix(first, name+": serving on /dev/") || !strings.Contains(first, "(link "+link+")") || target == "" || !strings.Contains(first, target) {
		t.Errorf("first line %q (link → %q)", first, target)
	}
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), name+": control http://127.0.0.1:") {
		t.Fatalf("second line %q", lines.Text())
	}
	return strings.TrimPrefix(lines.Text(), name+": control "), lines
}
