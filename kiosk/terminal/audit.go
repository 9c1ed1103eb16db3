package terminal

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
)

// auditLog is the audit trail: one JSON line per action, with the non-personal attributes
// kiosk/flow gives (visit id, item, method, counts, tracking numbers).
type auditLog struct {
	mu  sync.Mutex
	f   *os.File
	log *slog.Logger
}

func openAudit(path string) (*auditLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("terminal: audit log: %w", err)
	}
	return &auditLog{f: f, log: slog.New(slog.NewJSONHandler(f, nil))}, nil
}

func (a *auditLog) record(event string, attrs ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.log.Info(event, attrs...)
}

func (a *auditLog) close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.f.Close()
}
