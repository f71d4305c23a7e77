package duck

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver for the scratch database
)

// openDB opens a DB over snap for one test. Cleanup fails the test if Close errors, and
// checks that a second Close returns nil.
func openDB(t testing.TB, snap Snapshot, opt Options) *DB {
	t.Helper()
	if opt.Threads == 0 {
		opt.Threads = 1 // the test machine is small and shared
	}
	db, err := Open(t.Context(), snap, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
	return db
}

// scratch is a separate in-memory DuckDB that writes the test's Parquet files, so that
// fixtures never go through the locked-down database under test.
func scratch(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "?threads=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close scratch database: %v", err)
		}
	})
	return db
}

// writeParquet writes the result of query to a Parquet file in dir and returns its path.
func writeParquet(t testing.TB, db *sql.DB, dir, name, query string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	copyStmt := fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet)", query, literal(path))
	if _, err := db.ExecContext(context.Background(), copyStmt); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return path
}

// sess is one fixture session; unset measures are NULL.
type sess struct {
	prac, client string
	number       int
	date         string // 2006-01-02
	painBefore   any    // int or nil
	line         int64
	commit       int64
}

// sessionsQuery is a SELECT of rows with every lake column of sessions, typed as the lake
// writes them.
func sessionsQuery(rows ...sess) string {
	vals := make([]string, len(rows))
	for i, r := range rows {
		pain := "NULL"
		if r.painBefore != nil {
			pain = fmt.Sprint(r.painBefore)
		}
		vals[i] = fmt.Sprintf("(%s, %s, DATE %s, %d, %s, %d, %d)",
			literal(r.prac), literal(r.client), literal(r.date), r.number, pain, r.line, r.commit)
	}
	return `SELECT practitioner_key, client_key, session_date, CAST(session_number AS INTEGER) AS session_number,
  'CST' AS modality, 'back_pain' AS presenting_complaint, '40-49' AS age_band, 'female' AS sex,
  CAST(pain_before AS INTEGER) AS pain_before, CAST(NULL AS INTEGER) AS pain_after,
  CAST(6 AS INTEGER) AS sleep_quality, CAST(7.5 AS DOUBLE) AS sleep_hours,
  CAST(NULL AS INTEGER) AS headache_days, CAST(NULL AS INTEGER) AS hit6,
  CAST(2 AS INTEGER) AS mymop_symptom1, CAST(3 AS INTEGER) AS mymop_symptom2,
  CAST(NULL AS INTEGER) AS mymop_activity, CAST(4 AS INTEGER) AS mymop_wellbeing,
  CAST(3.0 AS DOUBLE) AS mymop_profile, 'none' AS adverse_event, CAST(NULL AS VARCHAR) AS adverse_event_type,
  CAST(1 AS INTEGER) AS schema_version, 'sha-' || CAST(commit_version AS VARCHAR) AS source_sha256,
  CAST(source_line AS BIGINT) AS source_line, CAST(commit_version AS BIGINT) AS commit_version
FROM (VALUES ` + strings.Join(vals, ", ") + `) AS t(practitioner_key, client_key, session_date, session_number, pain_before, source_line, commit_version)`
}

// quarantineQuery is a SELECT of n quarantine rows of commit.
func quarantineQuery(commit int64, n int) string {
	return fmt.Sprintf(`SELECT 'visits.csv' AS source_name, 'sha-%[1]d' AS source_sha256, CAST(i + 1 AS BIGINT) AS source_line,
  'pain_after' AS "column", 'range' AS rule, '11 not in 0..10' AS message, '11' AS value,
  CAST(%[1]d AS BIGINT) AS commit_version
FROM range(%[2]d) AS r(i)`, commit, n)
}

// queryStrings runs query on db and returns its rows formatted with FormatValue.
func queryStrings(t testing.TB, db *DB, query string, args ...any) [][]string {
	t.Helper()
	tab, err := db.QueryTable(t.Context(), query, 0, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out := make([][]string, len(tab.Rows))
	for i, row := range tab.Rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			out[i][j] = FormatValue(v, tab.Types[j])
			if v == nil {
				out[i][j] = "NULL"
			}
		}
	}
	return out
}
