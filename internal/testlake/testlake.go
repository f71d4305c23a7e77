package testlake

import (
	"bytes"
	"context"
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

// Today is the date of every test lake: the validator's today, the synthetic exports' last
// date and every commit's time.
var Today = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

// Key is the pseudonymisation key of every test lake (pseudo.KeySize bytes).
const Key = "0123456789abcdef0123456789abcdef"

// Open opens the lake at dir, creating it, with its commits made at Today.
func Open(ctx context.Context, dir string) (*lake.Lake, error) {
	return lake.Open(ctx, dir, lake.Options{Now: func() time.Time { return Today }})
}

// IngestOptions are the options IngestFile ingests into l with: Key's pseudonyms, Today's
// date rules, and the ingest's defaults otherwise.
func IngestOptions(l *lake.Lake) ingest.Options {
	return ingest.Options{Lake: l, Hasher: pseudo.NewHasher([]byte(Key)), Validate: schema.Options{Today: Today}}
}

// IngestFile ingests the export at path into l in one commit. A file that is not committed
// (rejected, or nothing new) is an error.
func IngestFile(ctx context.Context, l *lake.Lake, path string) (*ingest.Report, error) {
	rep, err := ingest.File(ctx, path, IngestOptions(l))
	if err != nil {
		return nil, fmt.Errorf("testlake: ingest %s: %w", path, err)
	}
	if rep.Status != ingest.Committed {
		return rep, fmt.Errorf("testlake: ingest %s: status %q, want %q", path, rep.Status, ingest.Committed)
	}
	return rep, nil
}

// synthConfig is the synthetic export of clients clients from seed, ending at Today.
func synthConfig(clients int, seed uint64) synth.Config {
	return synth.Config{Clients: clients, Seed: seed, Today: Today}
}

// WriteExport writes a clean synthetic CSV export (pipeline/synth) of clients clients from
// seed, ending at Today, to path.
func WriteExport(ctx context.Context, path string, clients int, seed uint64) error {
	_, err := synth.WriteFile(ctx, path, source.FormatCSV, synthConfig(clients, seed))
	return err
}

// Export returns a clean synthetic CSV export of clients clients from seed, ending at Today.
func Export(tb testing.TB, clients int, seed uint64) string {
	tb.Helper()
	var b bytes.Buffer
	if _, err := synth.Write(tb.Context(), &b, source.FormatCSV, synthConfig(clients, seed)); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// Lake is a lake in a test's temporary directory, closed when the test ends. Its methods fail
// the test on any error.
type Lake struct {
	tb testing.TB
	// Dir is the temporary directory: the lake is Dir/lake, the files Ingest writes are
	// beside it.
	Dir string
	// Lake is the open lake.
	Lake *lake.Lake
}

// New opens an empty lake in a new temporary directory. Its Close is checked when the test
// ends.
func New(tb testing.TB) *Lake {
	tb.Helper()
	dir := tb.TempDir()
	l, err := Open(tb.Context(), filepath.Join(dir, "lake"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := l.Close(); err != nil {
			tb.Errorf("lake Close: %v", err)
		}
	})
	return &Lake{tb: tb, Dir: dir, Lake: l}
}

// Ingest writes content to a file called name in Dir and ingests it in one commit.
func (tl *Lake) Ingest(name, content string) *ingest.Report {
	tl.tb.Helper()
	path := filepath.Join(tl.Dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tl.tb.Fatal(err)
	}
	rep, err := IngestFile(tl.tb.Context(), tl.Lake, path)
	if err != nil {
		tl.tb.Fatal(err)
	}
	return rep
}

// Snapshot returns version asOf (0: the latest) as pipeline/duck reads it.
func (tl *Lake) Snapshot(asOf int64) duck.Snapshot {
	tl.tb.Helper()
	snap, err := duck.SnapshotOf(tl.tb.Context(), tl.Lake, asOf)
	if err != nil {
		tl.tb.Fatal(err)
	}
	return snap
}

// DB opens DuckDB over version asOf (0: the latest) with opt. Its Close is checked when the
// test ends.
func (tl *Lake) DB(asOf int64, opt duck.Options) *duck.DB {
	tl.tb.Helper()
	db, err := duck.Open(tl.tb.Context(), tl.Snapshot(asOf), opt)
	if err != nil {
		tl.tb.Fatal(err)
	}
	tl.tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tl.tb.Errorf("duck Close: %v", err)
		}
	})
	return db
}
