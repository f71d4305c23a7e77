//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/internal/exit"
)

// TestIngestNotRegular: ingest, ingest --dry-run and schema check of a FIFO or /dev/zero
// return at once with the file rejected (exit 3) and a message that says what it is.
// Before, they blocked for ever (a FIFO nobody writes to) or never finished (/dev/zero),
// holding the workspace lock. Each run has a deadline well below what would mean "hung".
func TestIngestNotRegular(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses; skipped with -short")
	}
	dir := t.TempDir()
	ws, fifo := filepath.Join(dir, "ws"), filepath.Join(dir, "export.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	mustRun(t, exit.OK, "--workspace", ws, "init")
	files := map[string]string{
		fifo:        "a named pipe (FIFO), not a regular file",
		"/dev/zero": "a character device (such as /dev/zero or a terminal), not a regular file",
	}
	commands := [][]string{{"ingest"}, {"ingest", "--dry-run"}, {"schema", "check"}, {"ingest", "--format", "jsonl"}}
	for path, what := range files {
		for _, c := range commands {
			name := strings.Join(append(c, filepath.Base(path)), " ")
			t.Run(name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				args := append([]string{"--workspace", ws}, c...)
				cmd := exec.CommandContext(ctx, os.Args[0], append(args, path)...)
				cmd.Env = append(os.Environ(), "OUTCOMES_TEST_MAIN=1") // as outcomesCommand
				out, err := cmd.CombinedOutput()
				if ctx.Err() != nil {
					t.Fatalf("%s did not return within 20s (blocked on the file)", name)
				}
				if code := exitCode(err); code != exit.Attention {
					t.Errorf("exit %d, want %d\n%s", code, exit.Attention, out)
				}
				if want := path + ": " + what; !strings.Contains(string(out), want) {
					t.Errorf("output does not say %q:\n%s", want, out)
				}
			})
		}
	}
}
