package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
	"github.com/cstoutcomes/outcomes/pipeline/workspace"
)

var crashSeeds = flag.Int("crash-seeds", 8, "number of random kill points in TestIngestSIGKILL")

// outcomesCommand returns a command that runs this test binary as outcomes.
func outcomesCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "OUTCOMES_TEST_MAIN=1")
	return cmd
}

// runOutcomes runs outcomes in this process and returns its exit status and output.
func runOutcomes(args ...string) (int, string) {
	var out bytes.Buffer
	code := run(args, &out, &out)
	return code, out.String()
}

// TestIngestSIGKILL kills `outcomes ingest` with SIGKILL at random points and checks that the
// lake then holds either none of the batch or all of it, that `lake verify` passes, and that
// the next ingest of the same file completes the job exactly once.
func TestIngestSIGKILL(t *testing.T) {
	t.Parallel() // runs subprocesses or waits on them: overlap with the other slow tests
	if testing.Short() {
		t.Skip("kills subprocesses; skipped with -short")
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "export.csv")
	st, err := synth.WriteFile(t.Context(), csv, source.FormatCSV, synth.Config{
		Clients: 12000, Seed: 7, BadShare: 0.01, Today: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	// How long an undisturbed ingest takes, to spread the kills over it.
	full := filepath.Join(dir, "full")
	if code, out := runOutcomes("init", full); code != 0 {
		t.Fatal(out)
	}
	start := time.Now()
	if out, err := outcomesCommand("--workspace", full, "ingest", csv).CombinedOutput(); err != nil && exitCode(err) != 3 {
		t.Fatalf("undisturbed ingest: %v\n%s", err, out)
	}
	took := time.Since(start)
	wantAccepted := sessionRows(t, full)
	t.Logf("undisturbed ingest of %d rows: %v, %d accepted", st.Rows, took, wantAccepted)

	for seed := 1; seed <= *crashSeeds; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 99))
		delay := time.Duration(r.Int64N(int64(took) * 12 / 10))
		ws := filepath.Join(dir, fmt.Sprintf("ws%d", seed))
		if code, out := runOutcomes("init", ws); code != 0 {
			t.Fatal(out)
		}
		cmd := outcomesCommand("--workspace", ws, "ingest", csv)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		commits := lakeLog(t, ws)
		if code, out := runOutcomes("--workspace", ws, "lake", "verify"); code != 0 {
			t.Fatalf("seed %d (killed after %v): lake verify exit %d:\n%s", seed, delay, code, out)
		}
		switch got := sessionRows(t, ws); {
		case len(commits) == 0 && got == 0:
		case len(commits) == 1 && got == wantAccepted:
		default:
			t.Fatalf("seed %d (killed after %v): %d commits and %d session rows; want none, or one commit with all %d",
				seed, delay, len(commits), got, wantAccepted)
		}
		// The next ingest finishes the job: the batch is in the lake exactly once.
		code, out := runOutcomes("--workspace", ws, "ingest", csv)
		if code != 0 && code != 3 {
			t.Fatalf("seed %d: ingest after the kill: exit %d\n%s", seed, code, out)
		}
		if n := len(lakeLog(t, ws)); n != 1 {
			t.Fatalf("seed %d: %d commits after the re-ingest, want 1", seed, n)
		}
		if got := sessionRows(t, ws); got != wantAccepted {
			t.Fatalf("seed %d: %d session rows after the re-ingest, want %d", seed, got, wantAccepted)
		}
		t.Logf("seed %d: killed after %v with %d commits; recovered", seed, delay, len(commits))
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

func openLake(t *testing.T, ws string) *lake.Lake {
	t.Helper()
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lake.Open(t.Context(), w.LakeDir(), lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func lakeLog(t *testing.T, ws string) []lake.Commit {
	t.Helper()
	log, err := openLake(t, ws).Log(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// sessionRows counts the rows of the live sessions files from their manifests' log entries.
func sessionRows(t *testing.T, ws string) int64 {
	t.Helper()
	st, err := openLake(t, ws).Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st.Tables[0].Rows
}
