package outbox

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"

	"github.com/onestop-station/onestop/agent/telemetry"
)

// Sync is SQLite's synchronous level for the outbox file.
type Sync string

// Synchronous levels an outbox accepts.
const (
	// SyncNormal survives a process crash; a power loss may lose the last commits, but never one
	// that Pending handed out (it syncs first: see the package documentation). The default.
	SyncNormal Sync = "NORMAL"
	// SyncFull also survives power loss, at one fsync per Append.
	SyncFull Sync = "FULL"
)

// Opts configures an outbox. The zero value is DefaultOpts.
type Opts struct {
	// Synchronous is SyncNormal (default when empty) or SyncFull. See the package documentation.
	Synchronous Sync
	// MaxRows caps the rows kept; 0 means no cap. When an Append leaves more rows than this, the
	// oldest are deleted without ever reaching the lab: data loss, counted by Dropped. Off by default.
	MaxRows int64
	// Logger receives quarantine, drop and rejected-ack notices; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultOpts is what Open uses.
var DefaultOpts = Opts{Synchronous: SyncNormal}

// Row is one stored reading with its sequence number.
type Row struct {
	Seq     int64
	Dev     string
	Reading telemetry.Reading
}

// Outbox is a durable queue of readings waiting for the lab's Ack. It is safe for concurrent use.
type Outbox struct {
	// db holds exactly one connection. SQLite allows one writer at a time anyway, and the agent's
	// reads (Pending, Depth) are short index range scans, so a separate read pool would buy little
	// while adding SQLITE_BUSY paths. One connection also makes every statement see the effects of
	// all earlier commits in seq order, which the forwarder relies on.
	db      *sql.DB
	inserts map[int]*sql.Stmt // insert of n readings, 1..insertChunk; only the writer uses them
	pending *sql.Stmt         // Pending's page query
	path    string
	epoch   int64
	max     int64
	log     *slog.Logger

	// handed is the highest seq that may have reached the lab: the highest returned by Pending in
	// this process, or the highest assigned before Open. Ack never deletes above it.
	handed  atomic.Int64
	dropped atomic.Int64

	sync Sync
	// durable is the highest seq known to be on disk: Pending never hands out a row above it
	// without making it durable first (with SyncNormal). syncs counts those flushes.
	durable atomic.Int64
	syncs   atomic.Int64

	lock *os.File // holds the flock on path.lock until Close

	w    writer // commits Appends in groups (see Append)
	tail tail   // the newest committed rows, for Pending
}

// ErrLocked: another process (or another Outbox in this one) has the outbox open. Two agents
// on one file would poll the same rig twice and fight over one MQTT client id.
var ErrLocked = errors.New("outbox in use by another agent")

// Open opens or creates the outbox at path with DefaultOpts.
func Open(path string) (*Outbox, error) {
	return OpenWith(path, DefaultOpts)
}

// OpenWith opens or creates the outbox at path. A corrupt file is quarantined and replaced by a new
// outbox with a higher epoch; that is logged, not returned as an error. An outbox another Outbox
// (in this process or another) holds open is refused with ErrLocked.
func OpenWith(path string, o Opts) (*Outbox, error) {
	o, err := o.normalize(path)
	if err != nil {
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	ob, err := openOrReplace(path, o)
	if err != nil {
		lock.Close()
		return nil, err
	}
	ob.lock = lock
	return ob, nil
}

func openOrReplace(path string, o Opts) (*Outbox, error) {
	ob, err := open(path, o)
	if err == nil || !isCorrupt(err) {
		return ob, err
	}
	moved, qerr := quarantine(path)
	if qerr != nil {
		return nil, fmt.Errorf("outbox: open %s: corrupt (%v), quarantine: %w", path, err, qerr)
	}
	o.Logger.Warn("outbox: corrupt file quarantined, starting a new epoch",
		"path", path, "moved_to", moved, "err", err)
	return open(path, o)
}

func (o Opts) normalize(path string) (Opts, error) {
	if o.Synchronous == "" {
		o.Synchronous = SyncNormal
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	switch {
	case o.Synchronous != SyncNormal && o.Synchronous != SyncFull:
		return o, fmt.Errorf("synchronous %q, want NORMAL or FULL", o.Synchronous)
	case o.MaxRows < 0:
		return o, fmt.Errorf("max rows %d is negative", o.MaxRows)
	case path == "" || path == ":memory:":
		return o, errors.New("an outbox needs a file path")
	case strings.ContainsRune(path, '?'):
		// The driver splits the DSN at the first '?', so such a path cannot be expressed.
		return o, errors.New("path contains '?'")
	}
	return o, nil
}

// Epoch is the outbox file's epoch, to send with every batch and status message.
func (o *Outbox) Epoch() int64 { return o.epoch }

// Dropped counts the rows deleted by the MaxRows cap since Open; they never reached the lab.
func (o *Outbox) Dropped() int64 { return o.dropped.Load() }

// Path is the file the outbox lives in.
func (o *Outbox) Path() string { return o.path }

// Close releases the file and its lock. Appended rows stay for the next Open. Appends already
// queued are committed first; later ones fail with ErrClosed.
func (o *Outbox) Close() error {
	o.w.stopOnce.Do(func() { close(o.w.stop) })
	<-o.w.stopped
	errStmt := o.closeStmts()
	err := o.db.Close()
	if o.lock != nil {
		o.lock.Close() // after the database: the next holder must not meet a half-closed file
	}
	if err != nil {
		return fmt.Errorf("outbox: close: %w", err)
	}
	if errStmt != nil {
		return fmt.Errorf("outbox: close: %w", errStmt)
	}
	return nil
}
