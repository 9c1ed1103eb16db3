//go:build !unix

package outbox

import (
	"fmt"
	"os"
)

// lockFile only creates the lock file where flock is missing: two agents on one outbox are
// not refused there.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	return f, nil
}
