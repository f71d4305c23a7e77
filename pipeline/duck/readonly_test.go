package duck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// TestReadOnly runs statements that write, reach outside the snapshot or change settings,
// and statements that only read, against one locked-down database; then it checks that
// nothing changed.
func TestReadOnly(t *testing.T) {
	t.Parallel()
	snap := twoCommits(t)
	lakeDir := filepath.Dir(snap.SessionsFiles[0])
	outside := writeParquet(t, scratch(t), lakeDir, "orphan.parquet", "SELECT 1 AS x") // same directory, not in the snapshot
	out := filepath.Join(t.TempDir(), "out.parquet")
	db := openDB(t, snap, Options{})

	refused := []struct {
		name, query string
		is          error
		msg         string // part of the message
	}{
		{"copy to", "COPY (SELECT * FROM sessions) TO " + literal(out) + " (FORMAT parquet)", ErrReadOnly, "statement refused: queries over the lake are read-only"},
		{"copy over a lake file", "COPY (SELECT 1 AS x) TO " + literal(snap.SessionsFiles[0]) + " (FORMAT parquet, USE_TMP_FILE false)", ErrReadOnly, "read-only"},
		{"create table", "CREATE TABLE t AS SELECT 1 AS x", ErrReadOnly, "CREATE statement refused"},
		{"create temp table", "CREATE TEMP TABLE t AS SELECT 1 AS x", ErrReadOnly, "CREATE"},
		{"replace view", "CREATE OR REPLACE VIEW sessions AS SELECT 1 AS x", ErrReadOnly, "CREATE"},
		{"insert", "INSERT INTO commits (version) VALUES (99)", ErrReadOnly, "INSERT statement refused"},
		{"update", "UPDATE commits SET operation = 'x'", ErrReadOnly, "UPDATE"},
		{"delete", "DELETE FROM commits", ErrReadOnly, "DELETE"},
		{"drop", "DROP VIEW sessions", ErrReadOnly, "DROP"},
		{"attach memory", "ATTACH ':memory:' AS m", ErrReadOnly, "ATTACH statement refused"},
		{"attach file", "ATTACH " + literal(filepath.Join(t.TempDir(), "x.db")) + " AS m", ErrReadOnly, "ATTACH"},
		{"detach", "DETACH memory", ErrReadOnly, "DETACH"},
		{"use", "USE system", ErrReadOnly, "refused"},
		{"set", "SET threads = 1", ErrReadOnly, "SET statement refused"},
		{"reset", "RESET lock_configuration", ErrReadOnly, "refused"},
		{"set variable", "SET VARIABLE x = 1", ErrReadOnly, "refused"},
		{"install", "INSTALL httpfs", ErrReadOnly, "LOAD/INSTALL statement refused"},
		{"load", "LOAD httpfs", ErrReadOnly, "LOAD/INSTALL"},
		{"pragma with effect", "PRAGMA enable_profiling", ErrReadOnly, "PRAGMA statement refused"},
		{"pragma setting", "PRAGMA threads = 1", ErrReadOnly, "refused"},
		{"call", "CALL checkpoint()", ErrReadOnly, "CALL statement refused"},
		{"export", "EXPORT DATABASE " + literal(t.TempDir()), ErrReadOnly, "read-only"},
		{"transaction", "BEGIN TRANSACTION", ErrReadOnly, "transaction"},
		{"prepare", "PREPARE p AS SELECT 1", ErrReadOnly, "PREPARE"},
		{"vacuum", "VACUUM", ErrReadOnly, "VACUUM"},
		{"explain analyze create", "EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1 AS x", ErrReadOnly, "EXPLAIN CREATE statement refused"},
		{"explain analyze copy", "/* c */ EXPLAIN /* c */ analyze COPY (SELECT 1 AS x) TO " + literal(out), ErrReadOnly, "EXPLAIN of a non-query statement refused"},
		{"explain analyze insert", "EXPLAIN ANALYZE INSERT INTO commits (version) VALUES (99)", ErrReadOnly, "EXPLAIN INSERT statement refused"},
		{"explain with options", "EXPLAIN (FORMAT json) SELECT 1", ErrReadOnly, "EXPLAIN (in a form other"},
		{"pivot without values", "PIVOT sessions ON modality USING count(*)", ErrReadOnly, "PIVOT without IN"},
		{"write first of two", "CREATE TABLE t AS SELECT 1 AS x; SELECT 1", ErrReadOnly, "several statements"},
		{"write last of two", "SELECT 1; DROP VIEW sessions", ErrReadOnly, "several statements"},
		{"two selects", "SELECT 1; SELECT 2 AS x", ErrInvalidQuery, "one statement per query: this is 2 statements"},
		{"three selects", "SELECT 1; SELECT 2;\nSELECT ';'", ErrInvalidQuery, "this is 3 statements"},
		{"read /etc/passwd", "SELECT * FROM read_csv('/etc/passwd')", ErrAccessDenied, `Permission Error: Cannot access file "/etc/passwd"`},
		{"glob", "SELECT * FROM glob('/etc/*')", ErrAccessDenied, "Permission Error"},
		{"file beside the lake files", "SELECT * FROM " + literal(outside), ErrAccessDenied, "Permission Error"},
		{"network", "SELECT * FROM read_parquet('https://example.com/x.parquet')", ErrAccessDenied, "Permission Error"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := db.Query(t.Context(), tc.query)
			if err == nil {
				rows.Close()
				t.Fatalf("%s: ran, want refusal", tc.query)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v: want errors.Is %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			if _, err := db.QueryTable(t.Context(), tc.query, 10); !errors.Is(err, tc.is) {
				t.Errorf("QueryTable: %v, want %v", err, tc.is)
			}
		})
	}

	allowed := []struct{ name, query, first string }{
		{"select", "SELECT count(*) FROM sessions", "4"},
		{"with", "WITH s AS (SELECT * FROM sessions) SELECT count(*) FROM s", "4"},
		{"from first", "FROM clients SELECT count(*)", "3"},
		{"values", "VALUES (42)", "42"},
		{"describe", "DESCRIBE sessions", "practitioner_key"},
		{"show tables", "SHOW TABLES", "clients"},
		{"summarize", "SUMMARIZE sessions", "practitioner_key"},
		{"pragma table_info", "PRAGMA table_info('commits')", "0"},
		{"explain", "EXPLAIN SELECT * FROM sessions", "physical_plan"},
		{"explain analyze", "-- why\nEXPLAIN ANALYZE SELECT * FROM sessions", "analyzed_plan"},
		{"trailing semicolon", "SELECT 1 AS x;", "1"},
		{"trailing semicolon and comment", "SELECT 1 AS x; -- done\n", "1"},
		{"semicolon in a string", "SELECT 'a;b' AS x", "a;b"},
		{"semicolon in a comment", "SELECT 1 AS x /* ; SELECT 2 */", "1"},
		{"pivot", "PIVOT (SELECT modality FROM sessions) ON modality IN ('CST') USING count(*)", "4"},
		{"pragma version", "PRAGMA version", "v1.5.6"},
		{"lake file by name", "SELECT count(*) FROM read_parquet(" + literal(snap.SessionsFiles[0]) + ")", "3"},
		{"parameter", "SELECT count(*) FROM sessions WHERE practitioner_key = ?", "0"},
	}
	for _, tc := range allowed {
		t.Run(tc.name, func(t *testing.T) {
			var args []any
			if strings.Contains(tc.query, "?") {
				args = append(args, "nobody")
			}
			got := queryStrings(t, db, tc.query, args...)
			if len(got) == 0 || got[0][0] != tc.first {
				t.Errorf("%s: first row %v, want first value %s", tc.query, got, tc.first)
			}
		})
	}

	// Nothing changed: no file written, views and settings intact.
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("COPY wrote %s (stat: %v)", out, err)
	}
	got := queryStrings(t, db, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM commits),
  current_setting('threads'), (SELECT count(*) FROM duckdb_tables() WHERE table_name = 't')`)
	if want := []string{"4", "2", "1", "0"}; strings.Join(got[0], " ") != strings.Join(want, " ") {
		t.Errorf("after the refusals: %v, want %v", got[0], want)
	}
}

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	db := openDB(t, Snapshot{}, Options{})
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name, query string
		ctx         context.Context
		is          error
		typ         duckdb.ErrorType
		msg         string
	}{
		{"syntax", "SELEC 1", nil, ErrInvalidQuery, duckdb.ErrorTypeParser, `Parser Error: syntax error at or near "SELEC"`},
		{"unknown column", "SELECT nope FROM sessions", nil, ErrInvalidQuery, duckdb.ErrorTypeBinder, `Binder Error: Referenced column "nope" not found`},
		{"unknown table", "SELECT * FROM nope", nil, ErrInvalidQuery, duckdb.ErrorTypeCatalog, "Catalog Error: Table with name nope does not exist"},
		{"bad cast", "SELECT CAST(s AS INTEGER) FROM (VALUES ('x')) t(s)", nil, ErrInvalidQuery, duckdb.ErrorTypeConversion, "Conversion Error"},
		{"several, one bad", "SELECT 1; SELEC 2", nil, ErrInvalidQuery, duckdb.ErrorTypeParser, "Parser Error"},
		{"empty", "  -- nothing\n", nil, ErrInvalidQuery, duckdb.ErrorTypeInvalid, "empty query"},
		{"cancelled", "SELECT 1", cancelled, ErrInterrupted, duckdb.ErrorTypeInvalid, "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			_, err := db.QueryTable(ctx, tc.query, 0)
			if !errors.Is(err, tc.is) {
				t.Fatalf("error %v: want errors.Is %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			var qe *QueryError
			if !errors.As(err, &qe) || qe.Type != tc.typ {
				t.Errorf("error %v: QueryError type %v, want %v", err, qe, tc.typ)
			}
			var de *duckdb.Error
			if tc.typ != duckdb.ErrorTypeInvalid && (!errors.As(err, &de) || de.Type != tc.typ) {
				t.Errorf("error %v does not unwrap to a *duckdb.Error of type %v", err, tc.typ)
			}
		})
	}
	if errors.Is(Classify(context.Canceled), context.Canceled) != true {
		t.Error("Classify(context.Canceled) lost context.Canceled")
	}
}

// TestSideEffectFunctions: a SELECT that calls a DuckDB function with effects on the
// session is refused (enable_logging with file storage would even abort the process when
// the connection closes), wherever the call is; and the lake file stays intact.
func TestSideEffectFunctions(t *testing.T) {
	t.Parallel()
	snap := twoCommits(t)
	before, err := os.ReadFile(snap.SessionsFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, snap, Options{})
	for _, q := range []string{
		"SELECT * FROM enable_logging(storage = 'file', storage_path = " + literal(snap.SessionsFiles[0]) + ")",
		"SELECT count(*) FROM sessions WHERE EXISTS (SELECT * FROM system.main.ENABLE_LOGGING())",
		"WITH x AS (FROM checkpoint()) SELECT 1",
		"SELECT * FROM query('SELECT * FROM enable_logging()')",
		"EXPLAIN ANALYZE SELECT * FROM force_checkpoint()",
		"SELECT 1; SELECT * FROM truncate_duckdb_logs()",
		"PRAGMA enable_logging",
	} {
		rows, err := db.Query(t.Context(), q)
		if err == nil {
			rows.Close()
			t.Errorf("%s: ran, want refusal", q)
			continue
		}
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", q, err)
		}
	}
	after, err := os.ReadFile(snap.SessionsFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("a lake file changed")
	}
	if got := queryStrings(t, db, "SELECT count(*) FROM sessions"); got[0][0] != "4" {
		t.Errorf("sessions after the refusals: %v", got)
	}
}

// TestInterrupt: a query still running when its context ends is interrupted by DuckDB and
// reported as ErrInterrupted; the database stays usable.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	db := openDB(t, Snapshot{}, Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := db.QueryTable(ctx, "SELECT count(*) FROM range(1000000000000) AS a(i) WHERE i % 7 = 3", 0)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("long query: %v, want ErrInterrupted", err)
	}
	if got := queryStrings(t, db, "SELECT 1"); got[0][0] != "1" {
		t.Errorf("after the interrupt: %v", got)
	}
}

func TestCreateTable(t *testing.T) {
	t.Parallel()
	db := openDB(t, twoCommits(t), Options{})
	ctx := t.Context()
	if err := db.CreateTable(ctx, "per_client", "SELECT client_key, count(*) AS n FROM sessions WHERE practitioner_key = ? GROUP BY ALL -- c", "p1"); err != nil {
		t.Fatal(err)
	}
	if got := queryStrings(t, db, "SELECT client_key, n FROM per_client ORDER BY ALL"); len(got) != 2 || got[0][1] != "2" {
		t.Errorf("per_client = %v", got)
	}
	if err := db.CreateTable(ctx, "per_client", "SELECT 1 AS n"); err != nil {
		t.Errorf("replace: %v", err)
	}
	for _, tc := range []struct {
		name, table, query string
		is                 error
	}{
		{"lake view name", "sessions", "SELECT 1", ErrInvalidQuery},
		{"quoted name", `x"; DROP VIEW sessions; --`, "SELECT 1", ErrInvalidQuery},
		{"write", "t", "DELETE FROM commits", ErrReadOnly},
		{"second statement", "t", "SELECT 1); DROP VIEW sessions; (SELECT 1", ErrInvalidQuery},
		{"effect function", "t", "SELECT * FROM enable_logging()", ErrReadOnly},
		{"outside file", "t", "SELECT * FROM read_csv('/etc/passwd')", ErrAccessDenied},
	} {
		if err := db.CreateTable(ctx, tc.table, tc.query); !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.is)
		}
	}
	if got := queryStrings(t, db, "SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM per_client)"); got[0][0] != "4" || got[0][1] != "1" {
		t.Errorf("after the refusals: %v", got)
	}
}
