package simtest

import (
	"context"
	"testing"
)

type fakeTwin struct{}

func (fakeTwin) Run(ctx context.Context) error { <-ctx.Done(); return nil }

func (fakeTwin) WaitPath(context.Context, string) (string, error) { return "/dev/pts/99", nil }

func TestStartReturnsPath(t *testing.T) {
	if got := Start(t, fakeTwin{}); got != "/dev/pts/99" {
		t.Errorf("path %q", got)
	}
}
