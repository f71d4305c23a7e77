package analysis

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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

var (
	testToday = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
	testKey   = []byte("0123456789abcdef0123456789abcdef")
)

// testLake is a lake in a temporary directory.
type testLake struct {
	t   testing.TB
	dir string
	l   *lake.Lake
}

func newLake(t testing.TB) *testLake {
	t.Helper()
	dir := t.TempDir()
	l, err := lake.Open(t.Context(), filepath.Join(dir, "lake"), lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("lake Close: %v", err)
		}
	})
	return &testLake{t: t, dir: dir, l: l}
}

// ingest writes content to a file called name and ingests it in one commit.
func (tl *testLake) ingest(name, content string) {
	tl.t.Helper()
	path := filepath.Join(tl.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tl.t.Fatal(err)
	}
	rep, err := ingest.File(tl.t.Context(), path, ingest.Options{Lake: tl.l, Hasher: pseudo.NewHasher(testKey),
		Validate: schema.Options{Today: testToday}})
	if err != nil {
		tl.t.Fatalf("ingest %s: %v", name, err)
	}
	if rep.Status != "committed" {
		tl.t.Fatalf("ingest %s: status %q", name, rep.Status)
	}
}

// db opens DuckDB over lake version asOf (0: the latest); it is closed when the test ends.
func (tl *testLake) db(asOf int64) *duck.DB {
	tl.t.Helper()
	ctx := tl.t.Context()
	snap, err := duck.SnapshotOf(ctx, tl.l, asOf)
	if err != nil {
		tl.t.Fatal(err)
	}
	db, err := duck.Open(ctx, snap, duck.Options{Threads: 2, Materialize: true})
	if err != nil {
		tl.t.Fatal(err)
	}
	tl.t.Cleanup(func() {
		if err := db.Close(); err != nil {
			tl.t.Errorf("duck Close: %v", err)
		}
	})
	return db
}

// summarize runs the default plan over db and returns summary.json's bytes.
func summarize(t testing.TB, db *duck.DB) (*Result, []byte) {
	t.Helper()
	plan, err := DefaultPlan()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), db, plan, Options{ProgramVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := res.Summary.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// genCSV returns a clean synthetic export.
func genCSV(t testing.TB, clients int, seed uint64) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := synth.Write(t.Context(), &b, source.FormatCSV, synth.Config{Clients: clients, Seed: seed, Today: testToday}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// shuffleLines returns csv with its data lines (not the header) in another order. The synthetic
// export has no quoted newlines.
func shuffleLines(csv string, seed uint64) string {
	lines := strings.Split(strings.TrimSuffix(csv, "\n"), "\n")
	body := lines[1:]
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	return lines[0] + "\n" + strings.Join(body, "\n") + "\n"
}
