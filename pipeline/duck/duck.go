package duck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Snapshot is what [Open] reads: one lake version, given as plain values so that this
// package does not depend on the lake package.
type Snapshot struct {
	// Version is the lake version the files make up (0 for an empty lake).
	Version int64
	// SessionsFiles and QuarantineFiles are the Parquet data files of the two tables in
	// this version: absolute local paths (or file:// URIs).
	SessionsFiles, QuarantineFiles []string
	// Commits is the lake log; commits after Version are left out of the commits table.
	Commits []Commit
}

// Commit is one lake commit, a row of the commits table.
type Commit struct {
	Version                                                           int64
	Time                                                              time.Time // stored in UTC
	Operation, SourceName, SourceSHA256                               string
	RowsRead, RowsAccepted, RowsQuarantined, RowsExcluded, Violations int64
}

// Options configure the embedded DuckDB.
type Options struct {
	// Threads is DuckDB's worker threads; 0 keeps DuckDB's default (all cores).
	Threads int
	// MemoryLimit is DuckDB's memory_limit, such as "2GB"; "" keeps DuckDB's default.
	MemoryLimit string
	// TempDir is where DuckDB may spill when a query exceeds MemoryLimit; "" disables
	// spilling (such a query fails with ErrOutOfMemory instead of writing files).
	TempDir string
	// Materialize reads the lake files once, at Open, into in-memory tables sessions,
	// quarantine and clients instead of views that read the files on every query. It suits
	// callers that run many queries (summarize); no file is reachable by queries afterwards.
	Materialize bool
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
}

// ErrClosed is returned by the methods of a closed [DB].
var ErrClosed = errors.New("duck: database is closed")

// DB is an in-memory DuckDB database holding the views over one lake snapshot. It is safe
// for concurrent use. Every query it runs is read-only (see the package documentation).
type DB struct {
	sql     *sql.DB
	log     *slog.Logger
	version int64

	mu     sync.Mutex
	closed bool
}

// Open opens an in-memory DuckDB, defines the views sessions, quarantine, commits and
// clients over snap, and locks the database down: from then on queries can read only
// snap's files, cannot change any setting, and cannot write.
func Open(ctx context.Context, snap Snapshot, opt Options) (*DB, error) {
	start := time.Now()
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.Threads < 0 {
		return nil, fmt.Errorf("%w: threads is %d; allowed: 0 (DuckDB's default) or more", ErrOption, opt.Threads)
	}
	sessions, err := localPaths(snap.SessionsFiles)
	if err != nil {
		return nil, err
	}
	quarantine, err := localPaths(snap.QuarantineFiles)
	if err != nil {
		return nil, err
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("duck: open: %w", err)
	}
	db := &DB{sql: sql.OpenDB(connector), log: log, version: snap.Version}
	if err := db.setup(ctx, snap, opt, sessions, quarantine); err != nil {
		return nil, errors.Join(err, db.sql.Close())
	}
	log.Debug("duck opened", "snapshot", snap.Version, "sessions_files", len(sessions),
		"quarantine_files", len(quarantine), "materialize", opt.Materialize, "duration", time.Since(start))
	return db, nil
}

// Version returns the lake version the views show.
func (db *DB) Version() int64 { return db.version }

// setup configures the database, defines the views and locks it down, on one connection.
func (db *DB) setup(ctx context.Context, snap Snapshot, opt Options, sessions, quarantine []string) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("duck: open: %w", err)
	}
	defer conn.Close()
	if err := configure(ctx, conn, opt); err != nil {
		return err
	}
	if err := createCommits(ctx, conn, snap); err != nil {
		return err
	}
	if err := createViews(ctx, conn, sessions, quarantine, opt.Materialize); err != nil {
		return err
	}
	allowed := append(append([]string(nil), sessions...), quarantine...)
	if opt.Materialize {
		allowed = nil
	}
	if err := lockDown(ctx, conn, allowed); err != nil {
		return err
	}
	return check(ctx, conn)
}

// configure applies the options and the settings that keep DuckDB off the network and out
// of the working directory (no extension is installed or loaded automatically; temporary
// files only in TempDir), and makes time zone dependent functions give UTC. Every setting
// is GLOBAL, so that each connection of the pool has it (TimeZone is per connection
// otherwise).
func configure(ctx context.Context, conn *sql.Conn, opt Options) error {
	settings := [][2]string{
		{"autoinstall_known_extensions", "false"},
		{"autoload_known_extensions", "false"},
		{"TimeZone", literal("UTC")},
		{"parquet_metadata_cache", "true"}, // lake files never change once written
		{"temp_directory", literal(opt.TempDir)},
	}
	if opt.Threads > 0 {
		settings = append(settings, [2]string{"threads", fmt.Sprint(opt.Threads)})
	}
	if opt.MemoryLimit != "" {
		settings = append(settings, [2]string{"memory_limit", literal(opt.MemoryLimit)})
	}
	for _, kv := range settings {
		if _, err := conn.ExecContext(ctx, "SET GLOBAL "+kv[0]+" = "+kv[1]); err != nil {
			return fmt.Errorf("%w: %s = %s: %w", ErrOption, kv[0], kv[1], err)
		}
	}
	return nil
}

// createCommits creates and fills the commits table.
func createCommits(ctx context.Context, conn *sql.Conn, snap Snapshot) error {
	if _, err := conn.ExecContext(ctx, createTableSQL("commits", commitsColumns)); err != nil {
		return fmt.Errorf("duck: create commits: %w", err)
	}
	const insert = `INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	for _, c := range snap.Commits {
		if c.Version > snap.Version {
			continue
		}
		_, err := conn.ExecContext(ctx, insert, c.Version, c.Time.UTC(), c.Operation, c.SourceName,
			c.SourceSHA256, c.RowsRead, c.RowsAccepted, c.RowsQuarantined, c.RowsExcluded, c.Violations)
		if err != nil {
			return fmt.Errorf("duck: fill commits (version %d): %w", c.Version, err)
		}
	}
	return nil
}

// createViews defines sessions, quarantine and clients (as tables when materialize).
func createViews(ctx context.Context, conn *sql.Conn, sessions, quarantine []string, materialize bool) error {
	sessSrc, err := source(ctx, conn, "sessions", sessions, sessionsColumns, sessionsRequired)
	if err != nil {
		return err
	}
	quarSrc, err := source(ctx, conn, "quarantine", quarantine, quarantineColumns, nil)
	if err != nil {
		return err
	}
	kind := "VIEW"
	if materialize {
		kind = "TABLE"
	}
	for _, def := range [][2]string{
		{"sessions", sessionsSQL(sessSrc)}, {"quarantine", quarSrc}, {"clients", clientsSQL()},
	} {
		if _, err := conn.ExecContext(ctx, "CREATE "+kind+" "+def[0]+" AS "+def[1]); err != nil {
			return lakeFileError("define "+def[0], err)
		}
	}
	return nil
}

// lockDown restricts file access to the allowed files, turns off every other external
// access (files, network, extension installs) and then locks the configuration, so that no
// statement can undo either.
func lockDown(ctx context.Context, conn *sql.Conn, allowed []string) error {
	var stmts []string
	if len(allowed) > 0 {
		stmts = append(stmts, "SET GLOBAL allowed_paths = "+listLiteral(allowed))
	}
	stmts = append(stmts, "SET GLOBAL enable_external_access = false", "SET GLOBAL lock_configuration = true")
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duck: lock down: %w", err)
		}
	}
	return nil
}

// check binds every view once after the lock-down, so a file the lock-down hides (or a
// missing file) fails Open rather than the first query.
func check(ctx context.Context, conn *sql.Conn) error {
	for _, v := range []string{"sessions", "quarantine", "clients", "commits"} {
		rows, err := conn.QueryContext(ctx, "SELECT * FROM "+v+" LIMIT 0")
		if err == nil {
			err = rows.Close()
		}
		if err != nil {
			return lakeFileError("check view "+v+" after the lock-down", err)
		}
	}
	return nil
}

// localPaths returns files as clean absolute local paths; file:// URIs are accepted.
func localPaths(files []string) ([]string, error) {
	out := make([]string, len(files))
	for i, f := range files {
		p := f
		if strings.Contains(f, "://") {
			u, err := url.Parse(f)
			if err != nil || u.Scheme != "file" {
				return nil, fmt.Errorf("duck: lake file %q is not a local path", f)
			}
			p = u.Path
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("duck: lake file %q: %w", f, err)
		}
		out[i] = abs
	}
	return out, nil
}

// Query runs a read-only query and returns its rows in DuckDB's order: a query whose output
// must be deterministic ends in ORDER BY on a unique key (STYLE.md section 7). Parameters
// (? or $1) are bound by DuckDB, never pasted into the text. A statement that would write is
// refused with [ErrReadOnly] before it runs; DuckDB's errors come back as a [*QueryError].
// Close the rows (and check rows.Err(), through [Classify]) before [DB.Close].
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.isClosed() {
		return nil, ErrClosed
	}
	start := time.Now()
	if err := db.checkReadOnly(ctx, query); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, Classify(err)
	}
	db.log.Debug("duck query", "duration", time.Since(start))
	return rows, nil
}

// Close closes the database. It is idempotent: a second call returns nil. If a result of
// [DB.Query] is still open it reports so (a leak: the caller forgot rows.Close), and closes
// the database anyway.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	var leak error
	if n := db.sql.Stats().InUse; n > 0 {
		leak = fmt.Errorf("duck: close: %d query result(s) still open; close every Rows before DB.Close", n)
	}
	return errors.Join(leak, db.sql.Close())
}

func (db *DB) isClosed() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.closed
}
