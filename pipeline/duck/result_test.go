package duck

import (
	"errors"
	"slices"
	"testing"
)

func TestPrepare(t *testing.T) {
	t.Parallel()
	db := openDB(t, twoCommits(t), Options{})
	ctx := t.Context()
	p, err := db.Prepare(ctx, "SELECT client_key, count(*) AS n FROM sessions\nWHERE practitioner_key = $prac AND session_number >= $min GROUP BY ALL")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"prac", "min"}; !slices.Equal(p.Params, want) {
		t.Errorf("Params = %q, want %q", p.Params, want)
	}
	if want := []string{"client_key", "n"}; !slices.Equal(p.Columns, want) {
		t.Errorf("Columns = %q, want %q", p.Columns, want)
	}
	p, err = db.Prepare(ctx, "SELECT count(*) FILTER (WHERE session_number >= $n + 1) AS c FROM sessions")
	if err != nil {
		t.Fatal(err)
	}
	if p.Columns != nil {
		t.Errorf("Columns with a parameter of unknown type = %q, want nil (DuckDB cannot tell)", p.Columns)
	}
	p, err = db.Prepare(ctx, "SELECT ? AS a, ? AS b")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1", "2"}; !slices.Equal(p.Params, want) {
		t.Errorf("positional Params = %q, want %q", p.Params, want)
	}
	for _, tc := range []struct {
		name, query string
		is          error
	}{
		{"unknown table", "SELECT * FROM nowhere", ErrInvalidQuery},
		{"syntax", "SELEC 1", ErrInvalidQuery},
		{"write", "DELETE FROM commits", ErrReadOnly},
		{"create", "CREATE TABLE t AS SELECT 1", ErrReadOnly},
		{"several selects", "SELECT 1; SELECT 2", ErrInvalidQuery},
		{"select then write", "SELECT 1; DROP VIEW sessions", ErrReadOnly},
		{"effect function", "SELECT * FROM enable_logging()", ErrReadOnly},
		{"outside file", "SELECT * FROM read_csv('/etc/passwd')", ErrAccessDenied},
	} {
		if _, err := db.Prepare(ctx, tc.query); !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.is)
		}
	}
	// Preparing ran nothing: the views are intact.
	if got := queryStrings(t, db, "SELECT count(*) FROM sessions"); got[0][0] != "4" {
		t.Errorf("sessions after Prepare: %v", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Prepare(ctx, "SELECT 1"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}
