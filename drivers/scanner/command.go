package scanner

import (
	"context"
	"fmt"
)

// Trigger starts a scan, as pulling the trigger would. Codes queued before it
// are discarded, so the next Scan returns what this trigger read. With the
// Newland dialect it waits for the scanner's ACK.
func (s *Scanner) Trigger(ctx context.Context) error {
	return s.command(ctx, "trigger", s.opts.Dialect.TriggerOn(), true)
}

// Stop ends a scan started by Trigger before the scanner's own timeout.
func (s *Scanner) Stop(ctx context.Context) error {
	return s.command(ctx, "stop", s.opts.Dialect.TriggerOff(), false)
}

func (s *Scanner) command(ctx context.Context, op string, cmd []byte, clear bool) error {
	d := s.opts.Dialect
	if len(cmd) == 0 {
		return fmt.Errorf("scanner: %s (%s): %w", op, d, ErrNoTrigger)
	}
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	s.mu.Lock()
	err := s.stateErrLocked(op)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if clear {
		s.clearQueue()
	}
	s.drainReplies()
	if _, err := s.port.Write(cmd); err != nil {
		return fmt.Errorf("scanner: %s (%s): %w", op, d, err)
	}
	if !d.Acks() {
		return nil
	}
	body, _ := ParseNewlandCommand(cmd)
	return s.awaitReply(ctx, op, body)
}

func (s *Scanner) drainReplies() {
	for {
		select {
		case <-s.replies:
		default:
			return
		}
	}
}

// awaitReply waits for the answer to body; answers to other commands (late
// ones to a command that timed out) are skipped.
func (s *Scanner) awaitReply(ctx context.Context, op, body string) error {
	d := s.opts.Dialect
	tctx, cancel := context.WithTimeout(ctx, s.opts.CommandTimeout)
	defer cancel()
	for {
		select {
		case r := <-s.replies:
			if r.Body != body {
				continue
			}
			if r.Status != ACK {
				return fmt.Errorf("scanner: %s (%s): %w (%s)", op, d, ErrRefused, r.Status)
			}
			return nil
		case <-s.stop:
			return fmt.Errorf("scanner: %s (%s): %w", op, d, ErrClosed)
		case <-tctx.Done():
			if ctx.Err() != nil { // the caller gave up, not the scanner
				return fmt.Errorf("scanner: %s (%s): %w", op, d, ctx.Err())
			}
			return fmt.Errorf("scanner: %s (%s): %w within %v", op, d, ErrNoAck, s.opts.CommandTimeout)
		}
	}
}
