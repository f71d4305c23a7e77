package duck

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// column is one column of a view: its name and DuckDB type.
type column struct {
	name, typ string
}

// sessionsColumns are the columns of the sessions view, in order (DESIGN.md section 3).
var sessionsColumns = []column{
	{"practitioner_key", "VARCHAR"},
	{"client_key", "VARCHAR"},
	{"session_date", "DATE"},
	{"session_number", "INTEGER"},
	{"modality", "VARCHAR"},
	{"presenting_complaint", "VARCHAR"},
	{"age_band", "VARCHAR"},
	{"sex", "VARCHAR"},
	{"pain_before", "INTEGER"},
	{"pain_after", "INTEGER"},
	{"sleep_quality", "INTEGER"},
	{"sleep_hours", "DOUBLE"},
	{"headache_days", "INTEGER"},
	{"hit6", "INTEGER"},
	{"mymop_symptom1", "INTEGER"},
	{"mymop_symptom2", "INTEGER"},
	{"mymop_activity", "INTEGER"},
	{"mymop_wellbeing", "INTEGER"},
	{"mymop_profile", "DOUBLE"},
	{"adverse_event", "VARCHAR"},
	{"adverse_event_type", "VARCHAR"},
	{"schema_version", "INTEGER"},
	{"source_sha256", "VARCHAR"},
	{"source_line", "BIGINT"},
	{"commit_version", "BIGINT"},
}

// sessionsRequired are the columns every sessions file must have: the natural key and the
// lineage that decides which row is current. Other columns missing from every file (a
// snapshot older than the column) read as NULL.
var sessionsRequired = []string{"practitioner_key", "client_key", "session_number", "commit_version", "source_line"}

// quarantineColumns are the columns of the quarantine view: one row per violation.
var quarantineColumns = []column{
	{"source_name", "VARCHAR"},
	{"source_sha256", "VARCHAR"},
	{"source_line", "BIGINT"},
	{"column", "VARCHAR"},
	{"rule", "VARCHAR"},
	{"message", "VARCHAR"},
	{"value", "VARCHAR"},
	{"commit_version", "BIGINT"},
}

// commitsColumns are the columns of the commits table, filled from [Snapshot.Commits].
var commitsColumns = []column{
	{"version", "BIGINT"},
	{"time", "TIMESTAMP"},
	{"operation", "VARCHAR"},
	{"source_name", "VARCHAR"},
	{"source_sha256", "VARCHAR"},
	{"rows_read", "BIGINT"},
	{"rows_accepted", "BIGINT"},
	{"rows_quarantined", "BIGINT"},
	{"rows_excluded", "BIGINT"},
	{"violations", "BIGINT"},
}

// clientMeasures are the measures the clients view summarises per client.
var clientMeasures = []string{"pain_before", "pain_after", "sleep_quality", "sleep_hours", "headache_days", "hit6", "mymop_profile"}

// ident quotes a name as a SQL identifier.
func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// literal quotes s as a SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// listLiteral is a SQL list of string literals: ['a', 'b'].
func listLiteral(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = literal(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// readParquet is the table function call that reads files (a non-empty list).
func readParquet(files []string) string {
	return "read_parquet(" + listLiteral(files) + ", hive_partitioning = false, union_by_name = true)"
}

// source returns a SELECT with exactly cols, cast to their types, over files; a column that
// no file has reads as NULL. With no files it is a typed empty table (read_parquet of an
// empty list is an error). It fails if a file lacks one of required.
func source(ctx context.Context, conn *sql.Conn, table string, files []string, cols []column, required []string) (string, error) {
	if len(files) == 0 {
		return "SELECT " + projection(cols, nil) + " WHERE false", nil
	}
	have, err := fileColumns(ctx, conn, files)
	if err != nil {
		return "", lakeFileError("read the schema of the "+table+" files", err)
	}
	for _, name := range required {
		if !have[name] {
			return "", fmt.Errorf("%w: %s files lack column %q", ErrLakeFile, table, name)
		}
	}
	return "SELECT " + projection(cols, have) + " FROM " + readParquet(files), nil
}

// projection casts each column to its type; a column not in have is a typed NULL.
func projection(cols []column, have map[string]bool) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		expr := "NULL"
		if have[c.name] {
			expr = ident(c.name)
		}
		parts[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", expr, c.typ, ident(c.name))
	}
	return strings.Join(parts, ", ")
}

// fileColumns returns the union of the column names of files.
func fileColumns(ctx context.Context, conn *sql.Conn, files []string) (map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, "SELECT column_name FROM (DESCRIBE SELECT * FROM "+readParquet(files)+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		have[name] = true
	}
	return have, rows.Err()
}

// sessionsSQL defines the sessions view over src (a SELECT of sessionsColumns): the rows of
// every natural key (practitioner_key, client_key, session_number) ranked by commit_version,
// then source_line, then source_sha256, all descending, and only the first kept.
func sessionsSQL(src string) string {
	names := make([]string, len(sessionsColumns))
	for i, c := range sessionsColumns {
		names[i] = ident(c.name)
	}
	return `SELECT ` + strings.Join(names, ", ") + `
FROM (
  SELECT *, row_number() OVER (
    PARTITION BY practitioner_key, client_key, session_number
    ORDER BY commit_version DESC, source_line DESC, source_sha256 DESC) AS lake_rank
  FROM (` + src + `)
)
WHERE lake_rank = 1`
}

// clientsSQL defines the clients view: one row per (practitioner_key, client_key) of the
// sessions view, with the first session's modality and complaint, and for each measure the
// first and last recorded (non-null) value by session_number and the number recorded.
func clientsSQL() string {
	var b strings.Builder
	b.WriteString(`SELECT practitioner_key, client_key,
  count(*) AS n_sessions,
  min(session_number) AS first_session,
  max(session_number) AS last_session,
  min(session_date) AS first_date,
  max(session_date) AS last_date,
  min_by(modality, session_number) AS modality,
  min_by(presenting_complaint, session_number) AS presenting_complaint`)
	for _, m := range clientMeasures {
		q := ident(m)
		fmt.Fprintf(&b, `,
  min_by(%[1]s, session_number) FILTER (WHERE %[1]s IS NOT NULL) AS %[2]s,
  max_by(%[1]s, session_number) FILTER (WHERE %[1]s IS NOT NULL) AS %[3]s,
  count(%[1]s) AS %[4]s`, q, ident(m+"_first"), ident(m+"_last"), ident(m+"_n"))
	}
	b.WriteString("\nFROM sessions\nGROUP BY practitioner_key, client_key")
	return b.String()
}

// createTableSQL is a CREATE TABLE statement with cols.
func createTableSQL(name string, cols []column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = ident(c.name) + " " + c.typ
	}
	return "CREATE TABLE " + ident(name) + " (" + strings.Join(parts, ", ") + ")"
}
