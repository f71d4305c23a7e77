package notebook

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cstoutcomes/outcomes/internal/testlake"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedSnap is the fixed lake every test reads: 60 synthetic clients, seed 3, one commit.
var fixedSnap duck.Snapshot

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "notebook-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixedSnap, err = buildLake(context.Background(), dir)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "build the test lake:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildLake generates a synthetic export, ingests it into a test lake in dir
// (internal/testlake: a fixed key, date and commit time), and returns the snapshot as duck
// reads it.
func buildLake(ctx context.Context, dir string) (duck.Snapshot, error) {
	path := filepath.Join(dir, "export.csv")
	if err := testlake.WriteExport(ctx, path, 60, 3); err != nil {
		return duck.Snapshot{}, err
	}
	l, err := testlake.Open(ctx, filepath.Join(dir, "lake"))
	if err != nil {
		return duck.Snapshot{}, err
	}
	defer l.Close()
	if _, err := testlake.IngestFile(ctx, l, path); err != nil {
		return duck.Snapshot{}, err
	}
	snap, err := duck.SnapshotOf(ctx, l, 0)
	if err != nil {
		return duck.Snapshot{}, err
	}
	return snap, l.Close()
}

// openDB opens DuckDB over the fixed lake for one test; Close is checked when it ends.
func openDB(t testing.TB) *duck.DB {
	t.Helper()
	db, err := duck.Open(t.Context(), fixedSnap, duck.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("duck Close: %v", err)
		}
	})
	return db
}

// mustParse parses a notebook given as text.
func mustParse(t testing.TB, src string) *Notebook {
	t.Helper()
	nb, err := Parse("test.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

// runText parses and runs a notebook given as text with the given parameters.
func runText(t testing.TB, db *duck.DB, src string, params map[string]string) (*Result, error) {
	t.Helper()
	nb := mustParse(t, src)
	vals, err := nb.Bind(params)
	if err != nil {
		return nil, err
	}
	return Run(t.Context(), db, nb, vals, Options{})
}
