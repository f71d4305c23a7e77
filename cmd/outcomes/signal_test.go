package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// TestIngestCtrlC: Ctrl-C during an ingest exits 130 and says "interrupted", not Go's
// "context canceled"; nothing is committed.
func TestIngestCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("signals a subprocess; skipped with -short")
	}
	dir := t.TempDir()
	ws, export := filepath.Join(dir, "ws"), filepath.Join(dir, "big.csv")
	genExport(t, export, 40000, 3)
	mustRun(t, exit.OK, "--workspace", ws, "init")
	cmd := outcomesCommand("--workspace", ws, "ingest", export)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The lock file appears once the command is past its start-up (signals are handled).
	for deadline := time.Now().Add(30 * time.Second); !exists(filepath.Join(ws, "state", "lock")); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("ingest did not take the lock within 30s")
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := exitCode(err); code != exit.Interrupted {
		t.Fatalf("exit %d, want %d\n%s", code, exit.Interrupted, stderr)
	}
	if got := stderr.String(); !strings.Contains(got, "outcomes: interrupted\n") || strings.Contains(got, "context canceled") {
		t.Errorf("stderr %q: want \"outcomes: interrupted\" and no \"context canceled\"", got)
	}
	if n := len(lakeLog(t, ws)); n != 0 {
		t.Errorf("%d commits after an interrupted ingest, want 0", n)
	}
	_ = os.Remove(export)
}
