package probe

import (
	"os"
	"testing"
	"time"
)

func TestOwnProcess(t *testing.T) {
	start := time.Now()
	for time.Since(start) < 50*time.Millisecond { // burn some CPU to measure
	}
	cpu, err := CPUTime(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Errorf("CPUTime = %v, %v: want > 0", cpu, err)
	}
	if rss, err := RSSMB(os.Getpid()); err != nil || rss <= 1 {
		t.Errorf("RSSMB = %v, %v: want > 1 MiB", rss, err)
	}
	if _, err := CPUTime(-1); err == nil {
		t.Error("CPUTime(-1) gave no error")
	}
}

func TestPercentile(t *testing.T) {
	sorted := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for p, want := range map[float64]time.Duration{0.5: 5, 0.99: 10, 0.1: 1, 0: 1} {
		if got := Percentile(sorted, p); got != want {
			t.Errorf("Percentile(%v) = %v, want %v", p, got, want)
		}
	}
}
