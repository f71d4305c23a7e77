package testlake_test

import (
	"testing"

	"github.com/cstoutcomes/outcomes/internal/testlake"
	"github.com/cstoutcomes/outcomes/pipeline/duck"
)

// TestLake builds a lake from a synthetic export and reads it back through DuckDB.
func TestLake(t *testing.T) {
	tl := testlake.New(t)
	rep := tl.Ingest("export.csv", testlake.Export(t, 20, 1))
	if rep.RowsAccepted == 0 || rep.RowsQuarantined != 0 {
		t.Fatalf("ingest report %+v: want a clean export", rep)
	}
	snap := tl.Snapshot(0)
	if len(snap.Commits) != 1 || !snap.Commits[0].Time.Equal(testlake.Today) || snap.Commits[0].RowsAccepted != rep.RowsAccepted {
		t.Fatalf("commits %+v: want one at %v with %d rows", snap.Commits, testlake.Today, rep.RowsAccepted)
	}
	tab, err := tl.DB(0, duck.Options{Threads: 1}).QueryTable(t.Context(), "SELECT count(*) FROM sessions", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Rows[0][0]; got != rep.RowsAccepted {
		t.Errorf("sessions has %v rows (%T), want %d", got, got, rep.RowsAccepted)
	}
	// The same export gives the same export: no clock, no unseeded randomness.
	if testlake.Export(t, 20, 1) != testlake.Export(t, 20, 1) {
		t.Error("two exports of one seed differ")
	}
}
