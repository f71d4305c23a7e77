package lock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

func TestAcquireHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	l, err := Acquire(t.Context(), path, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(t.Context(), path, 0)
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire: got %v, want *HeldError", err)
	}
	if held.PID != os.Getpid() || held.Since.IsZero() {
		t.Errorf("holder = pid %d since %v, want pid %d and a time", held.PID, held.Since, os.Getpid())
	}
	if exit.Code(err) != exit.Locked {
		t.Errorf("exit code %d, want %d", exit.Code(err), exit.Locked)
	}
	if !strings.Contains(err.Error(), "held by pid") {
		t.Errorf("message %q does not name the holder", err)
	}
	if strings.Contains(err.Error(), "--wait") {
		t.Errorf("message %q suggests --wait, which not every command has", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatalf("second Unlock: %v", err)
	}
	l2, err := Acquire(t.Context(), path, 0)
	if err != nil {
		t.Fatalf("Acquire after Unlock: %v", err)
	}
	l2.Unlock()
}

func TestAcquireWaits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	l, err := Acquire(t.Context(), path, 0)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		l.Unlock()
	}()
	l2, err := Acquire(t.Context(), path, 5*time.Second)
	if err != nil {
		t.Fatalf("Acquire with wait: %v", err)
	}
	l2.Unlock()

	l3, _ := Acquire(t.Context(), path, 0)
	defer l3.Unlock()
	start := time.Now()
	_, err = Acquire(t.Context(), path, 300*time.Millisecond)
	if !errors.Is(err, exit.ErrLocked) {
		t.Fatalf("Acquire with short wait on held lock: %v", err)
	}
	if time.Since(start) < 250*time.Millisecond {
		t.Errorf("gave up after %v, before the wait", time.Since(start))
	}
}
