// Package duck is the one place that opens DuckDB (github.com/duckdb/duckdb-go/v2, cgo) and
// defines the lake views (DESIGN.md sections 6, 9 and 11). `outcomes sql`, summarize and
// notebooks query a lake snapshot through a [DB]; nothing else imports the driver, so that
// only this package's test binary pays for linking DuckDB.
//
// It does not know the lake's table format: [Open] takes a [Snapshot] of plain values (the
// Parquet file lists and the commit log), and [SnapshotOf] is the one adapter that reads them
// from a pipeline/lake version.
//
// # The views
//
// [Open] starts an in-memory DuckDB (Options.Threads, Options.MemoryLimit) and defines:
//
//	sessions    the current session rows: the snapshot's sessions files, read with
//	            read_parquet([...], hive_partitioning = false, union_by_name = true), each
//	            natural key (practitioner_key, client_key, session_number) once: the row of
//	            the highest commit_version wins, then the highest source_line (then the
//	            highest source_sha256, only so that the result is always defined).
//	            Columns, in order: practitioner_key, client_key, session_date DATE,
//	            session_number INTEGER, modality, presenting_complaint, age_band, sex,
//	            pain_before, pain_after, sleep_quality INTEGER, sleep_hours DOUBLE,
//	            headache_days, hit6, mymop_symptom1, mymop_symptom2, mymop_activity,
//	            mymop_wellbeing INTEGER, mymop_profile DOUBLE, adverse_event,
//	            adverse_event_type VARCHAR, schema_version INTEGER, source_sha256 VARCHAR,
//	            source_line BIGINT, commit_version BIGINT.
//	quarantine  every violation in the snapshot's quarantine files: source_name,
//	            source_sha256, source_line BIGINT, column, rule, message, value VARCHAR,
//	            commit_version BIGINT (quote "column" in SQL).
//	commits     the lake log up to the snapshot's version (Snapshot.Commits; later commits
//	            are left out): version, time (TIMESTAMP, UTC), operation, source_name,
//	            source_sha256, rows_read, rows_accepted, rows_quarantined, rows_excluded,
//	            violations. A table filled at Open.
//	clients     one row per (practitioner_key, client_key) of sessions: n_sessions,
//	            first_session and last_session (session_number), first_date and last_date
//	            (the earliest and latest session_date), modality and presenting_complaint of
//	            the first session (lowest session_number), and for each measure m of
//	            pain_before, pain_after, sleep_quality, sleep_hours, headache_days, hit6 and
//	            mymop_profile: m_first and m_last, the first and last recorded (non-null)
//	            value ordered by session_number (NULL if none), and m_n, how many are
//	            recorded. Written with min_by/max_by and FILTER (WHERE m IS NOT NULL), so the
//	            rule is explicit and the SQL also runs on Spark and Trino. It reproduces
//	            the R reference's data/clients.csv from its sessions.csv exactly (tested;
//	            pipeline/stats/testdata/reference).
//
// Every column is cast to the type above; a column that no file of the snapshot has (a
// snapshot older than the column) reads as NULL, but the key and lineage columns are
// required. A snapshot without files (an empty lake) gives the same views over typed empty
// tables, since read_parquet of an empty list is an error. With Options.Materialize the
// three lake views are tables instead, read once at Open: for callers that run many queries.
//
// # Read-only and the lock-down
//
// Three layers keep a query from changing anything:
//
//  1. Statement types. [DB.Query] and [DB.QueryTable] prepare the statement first (which
//     parses and binds it but runs nothing) and run it only if DuckDB's statement type
//     ((*duckdb.Stmt).StatementType) is SELECT: plain queries, WITH, FROM-first, VALUES,
//     DESCRIBE, SHOW, SUMMARIZE, and the PRAGMAs that DuckDB rewrites into queries
//     (table_info, version, ...). EXPLAIN is allowed when the statement it explains
//     prepares on its own as a SELECT (EXPLAIN ANALYZE runs what it explains; the leading
//     EXPLAIN [ANALYZE] keywords are the only text this package strips, and a misreading
//     can only refuse). Everything else is refused with [ErrReadOnly] before it runs: COPY,
//     EXPORT, CREATE, INSERT, UPDATE, DELETE, DROP, ALTER, ATTACH, DETACH, USE, SET, RESET,
//     PRAGMAs with effects, CALL, INSTALL, LOAD, PREPARE, transactions, VACUUM. A string of
//     several statements is never run (the driver would run all but the last while
//     preparing, and drop their results): it is refused if DuckDB's parser
//     (json_serialize_sql, from the built-in json extension) finds one that is not a
//     SELECT, and is otherwise an [ErrInvalidQuery] that asks for one statement per query.
//     DuckDB's parser counts the statements, so a ; in a string or a single trailing ; is
//     not a second one. When binding fails (COPY ... TO a
//     path outside the lock-down fails at bind time), a statement that is not a query is
//     still reported as refused for writing.
//
//  2. The lock-down, after the views are defined: SET GLOBAL allowed_paths to exactly the
//     snapshot's files, SET GLOBAL enable_external_access = false (no other file, directory,
//     URL or extension install is reachable), then SET GLOBAL lock_configuration = true, so no
//     statement can change a setting again. autoinstall/autoload of extensions are off,
//     temp_directory is Options.TempDir ("" = no spilling, so nothing is written under the
//     working directory), TimeZone is UTC, and Parquet footers are cached
//     (parquet_metadata_cache: lake files never change once written, and every query is
//     prepared twice, once to check it). The views still read their files because
//     DuckDB checks allowed_paths on every access; Open binds each view once after the
//     lock-down to prove it. allowed_paths lists files, not their directories (DESIGN.md
//     asks for the directories): a directory would also admit files of other snapshots
//     and orphans, and DuckDB writes COPY output through a temporary file beside the
//     target, which an allowed directory would let through.
//
//  3. Functions with effects. A SELECT can call a few DuckDB functions that change the
//     session instead of reading: enable_logging (with file storage it even leaves the
//     connection unable to close, and DuckDB aborts the process), disable_logging,
//     truncate_duckdb_logs, enable/disable_profiling, checkpoint, force_checkpoint,
//     enable/disable_peg_parser, and query() and json_execute_serialized_sql(), which run
//     SQL given as text and would hide such a call. A query that calls one of them,
//     anywhere in DuckDB's parse tree (json_serialize_sql), is refused with [ErrReadOnly];
//     so is a SELECT whose parse tree DuckDB cannot serialise, unless it is a PRAGMA that
//     DuckDB rewrote into a query of its own. (A PIVOT without IN (...) runs several
//     statements and is refused; with IN it is an ordinary query.)
//     This list is DuckDB 1.5's; a new DuckDB version needs it reviewed
//     (SELECT function_name FROM duckdb_functions() WHERE function_type = 'table').
//
// The one write [DB] allows is [DB.CreateTable], for notebook cells that build on earlier
// ones: it checks a query as above and stores its result as an in-memory table under a
// plain name that is not a lake view; the CREATE statement is written by this package.
// [DB.Prepare] checks a query the same way without running it and returns its parameter
// names and result columns (`outcomes notebook check` and parameter binding use it).
//
// # Errors
//
// Failed queries return a [*QueryError] whose message is DuckDB's own and which is
// classified by DuckDB's error type (errors.As into *duckdb.Error, never by text):
// [ErrInvalidQuery] (parser, binder, catalog, conversion, ...), [ErrAccessDenied]
// (permission), [ErrInterrupted], [ErrOutOfMemory], [ErrLakeFile], [ErrInternal], and
// [ErrReadOnly] for refusals. [Open] returns [ErrOption] for options DuckDB rejects and
// [ErrLakeFile] for files it cannot read. Use [Classify] on rows.Err().
//
// # Determinism and resources
//
// Results keep DuckDB's order, which is not stable across runs or thread counts: a query
// whose output must be deterministic ends in ORDER BY on a unique key (STYLE.md section 7).
// [DB.Close] is idempotent and reports results of [DB.Query] still open (a leaked
// *sql.Rows). [Table] renders results as aligned text, CSV or JSON for the CLI.
package duck
