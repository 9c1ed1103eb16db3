package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/onestop-station/onestop/lab/store"
)

// Tally is what the lab holds of the demo agent's readings, counted so that a check built on it
// can fail: bench/chaos compares it with the twin's counters after every scenario.
type Tally struct {
	Stored    int64 // rows in the readings table
	Conflicts int64 // readings kept apart because their key was stored with other content
	// Duplicates counts physical readings (device, channel, time) held more than once, among the
	// stored readings and those kept as conflicts together.
	Duplicates int64
	// SeqGaps counts seqs below an epoch's highest stored seq that the lab does not hold: readings
	// the agent numbered (so had on disk) that never arrived.
	SeqGaps int64
	Epochs  []int64 // epochs with stored readings, oldest first
}

// Tally counts what the lab holds of AgentName's readings.
func (s *Stack) Tally(ctx context.Context) (Tally, error) {
	var t Tally
	rows, err := s.Store.Readings(ctx, AgentName, "", time.Unix(0, 0), time.Now().Add(24*time.Hour))
	if err != nil {
		return t, err
	}
	conflicts, err := s.Store.ConflictRows(ctx, AgentName)
	if err != nil {
		return t, err
	}
	t.Stored, t.Conflicts = int64(len(rows)), int64(len(conflicts))
	t.Duplicates = NaturalDuplicates(append(rows, conflicts...))
	type span struct{ n, top int64 }
	epochs := map[int64]*span{}
	for _, r := range rows {
		sp := epochs[r.Epoch]
		if sp == nil {
			sp = &span{}
			epochs[r.Epoch] = sp
		}
		sp.n++
		sp.top = max(sp.top, r.Seq)
	}
	for e, sp := range epochs {
		t.SeqGaps += sp.top - sp.n // seqs start at 1 in every epoch and the key makes each unique
		t.Epochs = append(t.Epochs, e)
	}
	sort.Slice(t.Epochs, func(i, j int) bool { return t.Epochs[i] < t.Epochs[j] })
	return t, nil
}

// NaturalDuplicates counts readings present more than once under their physical key (device,
// channel, measuring time): a reading stored twice under two seqs, which the store's own key
// (agent, epoch, seq) cannot see.
func NaturalDuplicates(rows []store.Row) int64 { return naturalDuplicates(rows) }

// OutboxPath is the agent's outbox file that StartAgent passes (its -wal and .lock beside it).
func (s *Stack) OutboxPath() string { return filepath.Join(s.Dir, "agent-outbox.db") }

// CopyDB copies an SQLite file with its WAL, as a backup or a restore would: a missing WAL is
// removed at the destination too, and the destination's shared-memory file always is.
func CopyDB(from, to string) error {
	if err := os.Remove(to + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, suffix := range []string{"", "-wal"} {
		if err := os.Remove(to + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		src, err := os.Open(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return fmt.Errorf("demo: copy %s: %w", from, err)
		}
		err = copyFile(src, to+suffix)
		src.Close()
		if err != nil {
			return fmt.Errorf("demo: copy %s: %w", from, err)
		}
	}
	return nil
}

func copyFile(src io.Reader, to string) error {
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
