package lake

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

var errCrash = errors.New("injected crash")

// TestCrashBetweenCommits stops a commit after the quarantine commit and before the sessions
// commit, as a crash would, and checks that readers see the previous version, that Verify
// passes, and that the next append repairs the quarantine table and commits.
func TestCrashBetweenCommits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first bool // crash in the very first batch (no quarantine snapshot to go back to)
	}{{"first batch", true}, {"later batch", false}} {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := openTestLake(t)
			ctx := t.Context()
			rng := rand.New(rand.NewPCG(8, 8))
			if !tc.first {
				appendBatch(t, l, "v1", randomRows(rng, 50, 2020), 2)
			}
			before, err := l.Snapshot(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			l.hooks.afterQuarantine = func() error { return errCrash }
			a, err := l.NewAppend(ctx, Source{SHA256: "crash"})
			if err != nil {
				t.Fatal(err)
			}
			writeBatch(t, a, randomRows(rng, 30, 2021), 5, "crash")
			if _, err := a.Commit(ctx, Counts{Read: 35, Accepted: 30, Quarantined: 5, Violations: 5}); !errors.Is(err, errCrash) {
				t.Fatalf("Commit error = %v, want the injected crash", err)
			}
			// The process "died" here: no Abort. A new process opens the lake.
			l.track(a, false)
			l2 := reopen(t, l)
			q, err := l2.load(ctx, quarantineIdent)
			if err != nil {
				t.Fatal(err)
			}
			orphan := currentSnapshotID(q)
			if orphan == 0 || orphan == before.versionQuarantine(t, l2) {
				t.Fatalf("quarantine head %d: the injected crash did not leave an orphan snapshot", orphan)
			}
			after, err := l2.Snapshot(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if after.Version != before.Version || !slices.Equal(after.QuarantineFiles, before.QuarantineFiles) ||
				!slices.Equal(after.SessionsFiles, before.SessionsFiles) {
				t.Fatalf("readers see %+v after the crash, want %+v", after, before)
			}
			if _, ok, _ := l2.Ingested(ctx, "crash"); ok {
				t.Fatal("the crashed batch counts as ingested")
			}
			if p, err := l2.Verify(ctx); err != nil || len(p) > 0 {
				t.Fatalf("Verify after crash = %v, %v", p, err)
			}
			// The next writer repairs, then commits the batch again.
			c := appendBatch(t, l2, "crash", randomRows(rng, 30, 2021), 5)
			if c.Version != before.Version+1 {
				t.Fatalf("version %d after repair, want %d", c.Version, before.Version+1)
			}
			snap, err := l2.Snapshot(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range snap.QuarantineFiles {
				if strings.Contains(p, a.batch[:8]) {
					t.Fatalf("quarantine file %s of the crashed batch is live", p)
				}
			}
			if len(snap.QuarantineFiles) != len(before.QuarantineFiles)+1 {
				t.Fatalf("%d quarantine files, want %d", len(snap.QuarantineFiles), len(before.QuarantineFiles)+1)
			}
			if p, err := l2.Verify(ctx); err != nil || len(p) > 0 {
				t.Fatalf("Verify after repair = %v, %v", p, err)
			}
		})
	}
}

func (s *Snapshot) versionQuarantine(t *testing.T, l *Lake) int64 {
	st, err := l.loadState(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := st.version(s.Version)
	return c.QuarantineSnapshot
}

// TestCommitConflictRedo fails the first sessions commit with a conflict that committed
// nothing: Commit reloads and redoes it.
func TestCommitConflictRedo(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(9, 9))
	appendBatch(t, l, "one", randomRows(rng, 10, 2020), 1)
	fails := 0
	l.hooks.commitTable = func(ident table.Identifier) error {
		if ident[1] == SessionsTable && fails < 2 {
			fails++
			return fmt.Errorf("injected: %w", table.ErrCommitFailed)
		}
		return nil
	}
	c := appendBatch(t, l, "two", randomRows(rng, 10, 2020), 1)
	if fails != 2 || c.Version != 2 {
		t.Fatalf("fails = %d, version %d", fails, c.Version)
	}
	l.hooks.commitTable = nil
	log, err := l.Log(ctx)
	if err != nil || len(log) != 2 {
		t.Fatalf("Log = %v, %v", log, err)
	}
	// The redo rolled back the quarantine snapshot of the failed attempt: version 2's
	// quarantine holds two rows, not three.
	st, _ := l.Status(ctx)
	if st.Tables[1].Rows != 2 {
		t.Fatalf("quarantine rows = %d, want 2", st.Tables[1].Rows)
	}
	if p, err := l.Verify(ctx); err != nil || len(p) > 0 {
		t.Fatalf("Verify = %v, %v", p, err)
	}
}

// TestConcurrentWriterConflict commits a version through a second Lake while a batch is
// being written (a writer that ignored the lock): the batch fails with ErrConflict and the
// log stays linear.
func TestConcurrentWriterConflict(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(10, 10))
	a, err := l.NewAppend(ctx, Source{SHA256: "slow"})
	if err != nil {
		t.Fatal(err)
	}
	writeBatch(t, a, randomRows(rng, 10, 2020), 0, "slow")
	other := reopen(t, l)
	appendBatch(t, other, "fast", randomRows(rng, 10, 2020), 0)
	if _, err := a.Commit(ctx, Counts{Read: 10, Accepted: 10}); !errors.Is(err, ErrConflict) {
		t.Fatalf("Commit = %v, want ErrConflict", err)
	}
	if err := a.Abort(); err != nil {
		t.Fatal(err)
	}
	log, _ := l.Log(ctx)
	if len(log) != 1 || log[0].Source.SHA256 != "fast" {
		t.Fatalf("log = %+v", log)
	}
}

// TestStaleClaimRemoved leaves a version claim as a commit killed at the wrong moment would:
// the next writer removes it instead of waiting a minute for it to go stale.
func TestStaleClaimRemoved(t *testing.T) {
	l, _ := openTestLake(t)
	rng := rand.New(rand.NewPCG(11, 11))
	appendBatch(t, l, "one", randomRows(rng, 10, 2020), 0)
	meta := filepath.Join(l.tableDir(SessionsTable), "metadata")
	ents, _ := os.ReadDir(meta)
	next := 0
	for _, e := range ents {
		var v int
		if _, err := fmt.Sscanf(e.Name(), "v%d.metadata.json", &v); err == nil && v > next {
			next = v
		}
	}
	claim := filepath.Join(meta, fmt.Sprintf("v%d.metadata.json.claim", next+1))
	if err := os.WriteFile(claim, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	appendBatch(t, l, "two", randomRows(rng, 10, 2020), 0)
	if fileExists(claim) {
		t.Fatal("stale claim still there")
	}
}

// TestSessionsCommitFails fails the sessions commit with an error that is not a conflict:
// the quarantine commit is rolled back at once, Abort removes the files, and the lake is
// intact.
func TestSessionsCommitFails(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(16, 16))
	appendBatch(t, l, "one", randomRows(rng, 10, 2020), 1)
	before := countParquet(t, l.dir)
	l.hooks.commitTable = func(ident table.Identifier) error {
		if ident[1] == SessionsTable {
			return errors.New("injected: disk full")
		}
		return nil
	}
	a, err := l.NewAppend(ctx, Source{SHA256: "two"})
	must(t, err)
	writeBatch(t, a, randomRows(rng, 10, 2021), 2, "two")
	if _, err := a.Commit(ctx, Counts{Read: 12, Accepted: 10, Quarantined: 2, Violations: 2}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Commit = %v", err)
	}
	must(t, a.Abort())
	l.hooks.commitTable = nil
	st, err := l.loadState(ctx)
	must(t, err)
	if currentSnapshotID(st.quarantine) != st.quarantineRef() {
		t.Fatal("quarantine head not rolled back")
	}
	if n := countParquet(t, l.dir); n != before {
		t.Fatalf("%d data files, want %d", n, before)
	}
	if p, err := l.Verify(ctx); err != nil || len(p) > 0 {
		t.Fatalf("Verify = %v, %v", p, err)
	}
	if c := appendBatch(t, l, "two", randomRows(rng, 10, 2021), 2); c.Version != 2 {
		t.Fatalf("version %d", c.Version)
	}
}

// TestDeleteFilesRejected commits a merge-on-read delete (which writes a position delete
// file) as if it were a lake version: readers refuse it rather than ignore the deletes.
func TestDeleteFilesRejected(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(19, 19))
	c := appendBatch(t, l, "v1", randomRows(rng, 50, 2020), 0)
	st, err := l.loadState(ctx)
	must(t, err)
	tx := st.sessions.NewTransaction()
	must(t, tx.SetProperties(iceberg.Properties{table.WriteDeleteModeKey: table.WriteModeMergeOnRead}))
	c.Version, c.batch = 2, "mor"
	err = tx.Delete(ctx, iceberg.EqualTo(iceberg.Reference("source_line"), int64(5)), c.summary())
	must(t, err)
	_, err = tx.Commit(ctx)
	must(t, err)
	if _, err := l.Snapshot(ctx, 2); !errors.Is(err, ErrDeleteFiles) {
		t.Fatalf("Snapshot of a version with delete files = %v, want ErrDeleteFiles", err)
	}
	if _, err := l.Verify(ctx); !errors.Is(err, ErrDeleteFiles) {
		t.Fatalf("Verify = %v, want ErrDeleteFiles", err)
	}
}

// TestOpenAfterCrashDuringCreation leaves the sessions table as a process killed while
// creating it would: a metadata directory with a claim on version 1 and no metadata file.
func TestOpenAfterCrashDuringCreation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	l, err := Open(t.Context(), dir, Options{})
	must(t, err)
	must(t, l.Close())
	meta := filepath.Join(dir, warehouseDir, Namespace, SessionsTable, "metadata")
	ents, err := os.ReadDir(meta)
	must(t, err)
	for _, e := range ents {
		must(t, os.Remove(filepath.Join(meta, e.Name())))
	}
	claim := filepath.Join(meta, "v1.metadata.json.claim")
	must(t, os.WriteFile(claim, []byte("{"), 0o644))
	old := time.Now().Add(-time.Minute / 2)
	must(t, os.Chtimes(claim, old, old))
	l, err = Open(t.Context(), dir, Options{})
	must(t, err)
	defer l.Close()
	if c := appendBatch(t, l, "v1", randomRows(rand.New(rand.NewPCG(20, 20)), 10, 2020), 0); c.Version != 1 {
		t.Fatalf("version %d", c.Version)
	}
}
