package notebook

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/duck"
	"github.com/cstoutcomes/outcomes/pipeline/ingest"
	"github.com/cstoutcomes/outcomes/pipeline/lake"
	"github.com/cstoutcomes/outcomes/pipeline/pseudo"
	"github.com/cstoutcomes/outcomes/pipeline/schema"
	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	fixedToday = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
	fixedKey   = []byte("0123456789abcdef0123456789abcdef")
	// fixedSnap is the fixed lake every test reads: 60 synthetic clients, seed 3, one commit.
	fixedSnap duck.Snapshot
)

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

// buildLake generates a synthetic export, ingests it into a lake in dir with a fixed key,
// date and commit time, and returns the snapshot as duck reads it.
func buildLake(ctx context.Context, dir string) (duck.Snapshot, error) {
	var snap duck.Snapshot
	path := filepath.Join(dir, "export.csv")
	if _, err := synth.WriteFile(ctx, path, source.FormatCSV, synth.Config{Clients: 60, Seed: 3, Today: fixedToday}); err != nil {
		return snap, err
	}
	l, err := lake.Open(ctx, filepath.Join(dir, "lake"), lake.Options{Now: func() time.Time { return fixedToday }})
	if err != nil {
		return snap, err
	}
	defer l.Close()
	rep, err := ingest.File(ctx, path, ingest.Options{Lake: l, Hasher: pseudo.NewHasher(fixedKey), Validate: schema.Options{Today: fixedToday}})
	if err != nil {
		return snap, err
	}
	if rep.Status != "committed" {
		return snap, fmt.Errorf("ingest: status %q", rep.Status)
	}
	snap, err = duck.SnapshotOf(ctx, l, 0)
	if err != nil {
		return snap, err
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
