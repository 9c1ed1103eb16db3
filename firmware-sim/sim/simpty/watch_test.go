package simpty

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPathWatch(t *testing.T) {
	var heard []string
	w := PathWatch{OnSet: func(p string) { heard = append(heard, p) }}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan string)
	go func() {
		p, _ := w.Wait(ctx, "")
		got <- p
	}()
	w.Set("/dev/pts/7")
	if p := <-got; p != "/dev/pts/7" || w.Path() != p {
		t.Fatalf("Wait gave %q, Path %q", p, w.Path())
	}
	// After a hang-up, waiting past the old path skips the "" in between.
	go func() {
		p, _ := w.Wait(ctx, "/dev/pts/7")
		got <- p
	}()
	w.Set("")
	w.Set("/dev/pts/9")
	if p := <-got; p != "/dev/pts/9" {
		t.Fatalf("Wait after hang-up gave %q", p)
	}
	if len(heard) != 3 || heard[1] != "" {
		t.Errorf("OnSet heard %q", heard)
	}
	short, stop := context.WithTimeout(ctx, 10*time.Millisecond)
	defer stop()
	if _, err := w.Wait(short, "/dev/pts/9"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait with no new path: %v", err)
	}
}

func TestSleepCtx(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if !SleepCtx(ctx, 0) || !SleepCtx(ctx, time.Millisecond) {
		t.Error("SleepCtx stopped early")
	}
	cancel()
	if SleepCtx(ctx, 0) || SleepCtx(ctx, time.Hour) {
		t.Error("SleepCtx ignored a cancelled context")
	}
}
