// Package exit holds the sentinel errors that decide a command's exit status, and the one
// function that maps an error to a code (DESIGN.md section 8).
//
// Pipeline packages wrap these sentinels with %w; cmd/outcomes calls [Code] once, in main.
//
// # Exit codes
//
//	0   done; nothing needs a person
//	1   failed: an internal or I/O error; the message says what and where
//	2   usage or configuration error
//	3   done, but a person must look (rows quarantined over quarantine.alert_share, files rejected)
//	75  another run holds the lock (try again later)
//	130 interrupted (SIGINT); 143 terminated (SIGTERM)
package exit

import (
	"context"
	"errors"
	"fmt"
)

// The exit codes of DESIGN.md section 8.
const (
	OK          = 0
	Failed      = 1
	Usage       = 2
	Attention   = 3
	Locked      = 75
	Interrupted = 130
	Terminated  = 143
)

var (
	// ErrUsage marks a usage or configuration error the user can fix (exit 2).
	ErrUsage = errors.New("usage error")
	// ErrAttention marks a completed command whose result needs a person (exit 3).
	ErrAttention = errors.New("needs attention")
	// ErrLocked marks a lock held by another process (exit 75).
	ErrLocked = errors.New("lock held by another process")
	// ErrTerminated marks a run stopped by SIGTERM (exit 143); SIGINT is context.Canceled (130).
	ErrTerminated = errors.New("terminated")
)

// Code returns the exit status for err, as DESIGN.md section 8 defines it.
func Code(err error) int {
	switch {
	case err == nil:
		return OK
	case errors.Is(err, ErrLocked):
		return Locked
	case errors.Is(err, ErrUsage):
		return Usage
	case errors.Is(err, ErrTerminated):
		return Terminated
	case errors.Is(err, context.Canceled):
		return Interrupted
	case errors.Is(err, ErrAttention):
		return Attention
	default:
		return Failed
	}
}

// Usagef returns an error that wraps ErrUsage; %w in format wraps a cause as well.
func Usagef(format string, args ...any) error {
	return &marked{err: fmt.Errorf(format, args...), kind: ErrUsage}
}

// Attentionf returns an error that wraps ErrAttention; %w in format wraps a cause as well.
func Attentionf(format string, args ...any) error {
	return &marked{err: fmt.Errorf(format, args...), kind: ErrAttention}
}

// Mark returns err marked with kind (one of the sentinels above), keeping err's own chain.
func Mark(err, kind error) error {
	if err == nil {
		return nil
	}
	return &marked{err: err, kind: kind}
}

type marked struct {
	err  error
	kind error
}

func (m *marked) Error() string   { return m.err.Error() }
func (m *marked) Unwrap() []error { return []error{m.err, m.kind} }
