package outbox

import "sync"

// tailMax is how many of the newest rows the outbox keeps in memory for Pending.
const tailMax = 1 << 16

// tail is a copy of the newest committed rows, so the forwarder pages through live rows without
// reading them back from SQLite: at 50k readings/s reading them back cost the agent as much CPU
// as writing them. It only ever holds one contiguous run of seqs, rows[i].Seq == rows[0].Seq+i,
// ending at the newest row it was given; rows leave it as the database loses them (Ack and the
// row cap delete prefixes) or when it grows past tailMax. Pending falls back to SQL for anything
// older than its first row, such as what an earlier run left.
type tail struct {
	mu   sync.Mutex
	rows []Row
}

// add appends rows just committed (contiguous seqs, after every row added before) and drops those
// with seq <= floor, which the same transaction deleted (the row cap), in one step: Pending must
// never see a row the database no longer has.
func (t *tail) add(rows []Row, floor int64) {
	if len(rows) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.trimLocked(floor)
	if n := len(t.rows); n > 0 && t.rows[n-1].Seq+1 != rows[0].Seq {
		t.rows = nil // cannot happen (the writer commits in seq order); stay correct if it does
	}
	t.rows = append(t.rows, rows...)
	if len(t.rows) > 2*tailMax { // keep the newest tailMax in a new array, so the old one can go
		t.rows = append([]Row(nil), t.rows[len(t.rows)-tailMax:]...)
	}
}

// trim drops the rows with seq <= seq.
func (t *tail) trim(seq int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.trimLocked(seq)
}

func (t *tail) trimLocked(seq int64) {
	if len(t.rows) == 0 || seq < t.rows[0].Seq {
		return
	}
	t.rows = t.rows[min(seq-t.rows[0].Seq+1, int64(len(t.rows))):]
	if len(t.rows) == 0 {
		t.rows = nil
	}
}

// page returns up to limit rows with seq > after, when the tail holds every committed row after
// it that it knows of (ok); ok is false when after+1 is older than the tail, and SQL must answer.
func (t *tail) page(after int64, limit int) (rows []Row, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.rows) == 0 || after+1 < t.rows[0].Seq {
		return nil, false
	}
	from := after + 1 - t.rows[0].Seq
	if from >= int64(len(t.rows)) {
		return nil, true
	}
	n := min(int64(limit), int64(len(t.rows))-from)
	return append([]Row(nil), t.rows[from:from+n]...), true
}
