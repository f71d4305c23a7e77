// Package lock is the one-writer-at-a-time lock of a workspace, state/lock (DESIGN.md
// sections 4 and 8): every command that writes the lake, and the nightly run, holds it.
//
// It is an advisory flock (github.com/gofrs/flock), so the operating system releases it when
// the holder dies, even by SIGKILL: a stale lock file never blocks the next run. The holder
// writes its pid and start time into the file so that a second process can say who holds it.
package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// HeldError says that another process holds the lock. It wraps exit.ErrLocked (exit 75).
type HeldError struct {
	Path  string
	PID   int       // 0 when the holder's record could not be read
	Since time.Time // zero when unknown
}

// Error names the holder and says to try again later. It names no flag: not every command
// that takes the lock has --wait, so the commands that do add the hint (cmd/outcomes).
func (e *HeldError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("%s is held by another process; try again later", e.Path)
	}
	return fmt.Sprintf("%s is held by pid %d since %s; try again later",
		e.Path, e.PID, e.Since.UTC().Format(time.RFC3339))
}

func (e *HeldError) Unwrap() error { return exit.ErrLocked }

// Lock is a held workspace lock. Release it with Unlock.
type Lock struct {
	f *flock.Flock
}

// Acquire takes the lock at path. With wait > 0 it retries until the lock is free or wait has
// passed; otherwise it fails at once. A held lock gives a *HeldError.
func Acquire(ctx context.Context, path string, wait time.Duration) (*Lock, error) {
	f := flock.New(path)
	ok, err := f.TryLock()
	if err == nil && !ok && wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		ok, err = f.TryLockContext(wctx, 100*time.Millisecond)
		if errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return nil, holder(path)
	}
	if err := writeHolder(path); err != nil {
		f.Unlock()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock. It is safe to call more than once.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Unlock()
	l.f = nil
	return err
}

// writeHolder records this process as the holder. It writes through a second descriptor:
// flock locks belong to the descriptor that took them, and writing does not touch them.
func writeHolder(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	rec := fmt.Sprintf("%d %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	if _, err := f.WriteString(rec); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// holder reads who holds the lock at path; unreadable records give a HeldError without pid.
func holder(path string) *HeldError {
	e := &HeldError{Path: path}
	b, err := os.ReadFile(path)
	if err != nil {
		return e
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return e
	}
	pid, err1 := strconv.Atoi(fields[0])
	since, err2 := time.Parse(time.RFC3339, fields[1])
	if err1 == nil && err2 == nil {
		e.PID, e.Since = pid, since
	}
	return e
}
