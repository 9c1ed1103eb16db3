package demo

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onestop-station/onestop/drivers/rig"
)

// TestOutboxGoneBackInTimeIsAConflictNotALoss: the agent's outbox file is put back to an older
// copy after later readings were published — what a power cut did before the outbox flushed
// before publishing, and what restoring a backup still does. The agent then hands the published
// seqs to new readings. The lab must not take those for resends (drop them and ack them, so the
// agent deletes them): it keeps them as conflicts and counts them, and every reading the twin
// served is in the lab, stored or kept apart. (Against the old lab, which acked them as
// duplicates, stored + conflicts falls short of produced.)
func TestOutboxGoneBackInTimeIsAConflictNotALoss(t *testing.T) {
	s := startStack(t, LabOpts{}, AgentOpts{})
	growBy(t, s, 200)
	if err := s.Agent.Stop(40 * time.Second); err != nil {
		t.Fatal(err)
	}
	outbox := filepath.Join(s.Dir, "agent-outbox.db")
	backup := filepath.Join(s.Dir, "backup")
	copyFiles(t, outbox, backup)

	if _, err := s.StartAgent(AgentOpts{}); err != nil {
		t.Fatal(err)
	}
	growBy(t, s, 300) // published and acknowledged under seqs the backup has not handed out yet
	s.Agent.Kill()
	copyFiles(t, backup, outbox) // the file goes back in time

	if _, err := s.StartAgent(AgentOpts{}); err != nil {
		t.Fatal(err)
	}
	growBy(t, s, 300)
	produced, stored := settle(t, s)
	conflicts, err := s.Store.ConflictRows(context.Background(), AgentName)
	if err != nil {
		t.Fatal(err)
	}
	if len(conflicts) == 0 || s.Ingest.Stats().Conflicts == 0 {
		t.Fatalf("no conflict seen (%d rows, stats %+v)", len(conflicts), s.Ingest.Stats())
	}
	if a, ok := s.Ingest.Agent(AgentName); !ok || a.Conflicts == 0 {
		t.Errorf("the agents list does not show the conflicts: %+v", a)
	}
	kept := stored + int64(len(conflicts))
	// A snapshot on the wire when the agent was killed is the only thing it never had.
	if lost := produced - kept; lost < 0 || lost > rig.NumChannels {
		t.Errorf("produced %d, stored %d + kept as conflicts %d = %d", produced, stored, len(conflicts), kept)
	}
	noDuplicates(t, s)
}

// copyFiles copies an SQLite file with its WAL (a missing WAL is removed at the destination).
func copyFiles(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		os.Remove(to + suffix)
		os.Remove(to + "-shm")
		src, err := os.Open(from + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(to + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}
