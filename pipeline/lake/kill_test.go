package lake

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

var (
	killSeed   = flag.Uint64("kill.seed", 0, "run TestSIGKILL with this seed only (default: seeds 1-4)")
	killRounds = flag.Int("kill.rounds", 6, "kills per seed in TestSIGKILL")
)

// childEnv makes the test binary a writer that appends batches to the lake it names until it
// is killed (see TestMain).
const childEnv = "LAKE_TEST_KILL_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		if err := appendForever(dir); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// appendForever appends batches of varying size, years and quarantine rows to the lake in
// dir, until it is killed.
func appendForever(dir string) error {
	ctx := context.Background()
	l, err := Open(ctx, dir, Options{})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 7))
	for i := 0; ; i++ {
		sha := fmt.Sprintf("%d-%d", os.Getpid(), i)
		a, err := l.NewAppend(ctx, Source{Name: sha + ".csv", SHA256: sha, Format: "csv", SchemaVersion: 1})
		if err != nil {
			return err
		}
		rows := randomRows(rng, rng.IntN(3000), 2018, 2020, 2021, 2025)
		nq := rng.IntN(3) * rng.IntN(20)
		writeBatch(panicTB{}, a, rows, nq, sha)
		if _, err := a.Commit(ctx, Counts{Read: int64(len(rows) + nq), Accepted: int64(len(rows)), Quarantined: int64(nq), Violations: int64(nq)}); err != nil {
			return err
		}
	}
}

// panicTB lets the child use the test helpers outside a test.
type panicTB struct{ testing.TB }

func (panicTB) Helper()                   {}
func (panicTB) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (panicTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }

// TestSIGKILL kills a writer process at random moments and checks, after each kill, that the
// lake opens, Verify passes, every version is complete (its files hold exactly its counted
// rows) and the next writer continues from the last complete version.
func TestSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills subprocesses")
	}
	seeds := []uint64{1, 2, 3, 4}
	if *killSeed != 0 {
		seeds = []uint64{*killSeed}
	}
	exe, err := os.Executable()
	must(t, err)
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Logf("seed %d (rerun with -run TestSIGKILL -kill.seed %d)", seed, seed)
			rng := rand.New(rand.NewPCG(seed, 99))
			dir := t.TempDir() + "/lake"
			versions := int64(0)
			for round := range *killRounds {
				cmd := exec.Command(exe, "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+dir)
				cmd.Stderr = os.Stderr
				must(t, cmd.Start())
				delay := time.Duration(50+rng.IntN(400)) * time.Millisecond
				time.Sleep(delay)
				must(t, cmd.Process.Signal(syscall.SIGKILL))
				err := cmd.Wait()
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
					t.Fatalf("round %d: child ended before the kill: %v", round, err)
				}
				n, orphans, between := checkLake(t, dir)
				t.Logf("round %d: killed after %v; %d versions (+%d); %d orphan data files; killed between the table commits: %v",
					round, delay, n, n-versions, orphans, between)
				if n < versions {
					t.Fatalf("versions went from %d to %d", versions, n)
				}
				versions = n
			}
			// A writer in this process continues where the killed ones stopped.
			l, err := Open(t.Context(), dir, Options{})
			must(t, err)
			defer l.Close()
			c := appendBatch(t, l, fmt.Sprint("final-", seed), randomRows(rng, 100, 2022), 2)
			if c.Version != versions+1 {
				t.Fatalf("version %d after the kills, want %d", c.Version, versions+1)
			}
			if _, _, between := checkLake(t, dir); between {
				t.Fatal("quarantine not repaired by the next writer")
			}
		})
	}
}

// checkLake opens the lake, verifies it, and checks that every version's rows are in the
// files of the latest snapshot, exactly as many as its counts say. It returns the number of
// versions, the number of orphan data files, and whether the quarantine table has a snapshot
// no version names (a kill between the two table commits).
func checkLake(t *testing.T, dir string) (versions int64, orphans int, between bool) {
	t.Helper()
	ctx := t.Context()
	l, err := Open(ctx, dir, Options{})
	must(t, err)
	defer l.Close()
	problems, err := l.Verify(ctx)
	must(t, err)
	if len(problems) > 0 {
		t.Fatalf("Verify: %v", problems)
	}
	log, err := l.Log(ctx)
	must(t, err)
	snap, err := l.Snapshot(ctx, 0)
	must(t, err)
	sessions := rowsByVersion(t, snap.SessionsFiles, "commit_version")
	quarantine := rowsByVersion(t, snap.QuarantineFiles, "commit_version")
	for i, c := range log {
		if c.Version != int64(i+1) {
			t.Fatalf("log entry %d is version %d", i, c.Version)
		}
		if sessions[c.Version] != c.Counts.Accepted || quarantine[c.Version] != c.Counts.Violations {
			t.Fatalf("version %d: %d sessions and %d quarantine rows; counts say %d and %d",
				c.Version, sessions[c.Version], quarantine[c.Version], c.Counts.Accepted, c.Counts.Violations)
		}
		delete(sessions, c.Version)
		delete(quarantine, c.Version)
	}
	if len(sessions)+len(quarantine) > 0 {
		t.Fatalf("rows of versions not in the log: %v %v", sessions, quarantine)
	}
	st, err := l.loadState(ctx)
	must(t, err)
	between = currentSnapshotID(st.quarantine) != st.quarantineRef()
	orphans = countParquet(t, dir) - len(snap.SessionsFiles) - len(snap.QuarantineFiles)
	return int64(len(log)), orphans, between
}

func rowsByVersion(t *testing.T, paths []string, col string) map[int64]int64 {
	t.Helper()
	out := map[int64]int64{}
	for _, p := range paths {
		rdr, err := file.OpenParquetFile(p, false)
		must(t, err)
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		must(t, err)
		tbl, err := fr.ReadTable(t.Context())
		must(t, err)
		ci := tbl.Schema().FieldIndices(col)[0]
		for _, chunk := range tbl.Column(ci).Data().Chunks() {
			for _, v := range chunk.(*array.Int64).Int64Values() {
				out[v]++
			}
		}
		tbl.Release()
		rdr.Close()
	}
	return out
}
