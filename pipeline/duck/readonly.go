package duck

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/duckdb/duckdb-go/v2"
)

// checkReadOnly returns nil if query only reads, and a *QueryError otherwise: the refusal
// ([ErrReadOnly]) or the classified error DuckDB gave while preparing the statement. Nothing
// in query runs: a single statement is only prepared (parsed and bound), and a string of
// several statements is only parsed.
func (db *DB) checkReadOnly(ctx context.Context, query string) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return Classify(err)
	}
	defer conn.Close()
	typ, err := statementType(conn, query)
	if err == nil {
		return allowType(ctx, conn, query, typ)
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		// The driver prepares a string of several statements only by running all but the
		// last, so it refuses to prepare one without a context: parse them instead.
		return checkStatements(ctx, conn, err, query)
	}
	if de.Type == duckdb.ErrorTypeParser {
		return Classify(err)
	}
	// Binding failed, for instance because COPY ... TO names a file outside the lock-down.
	// If the statement (or the one an EXPLAIN explains) is not a query, the refusal is the
	// answer; otherwise DuckDB's error is.
	target, kind := query, ""
	if inner, ok := explained(query); ok {
		target, kind = inner, "EXPLAIN of a non-query"
	}
	if p, perr := parse(ctx, conn, target); perr == nil && !p.Error {
		return Classify(err)
	}
	return &QueryError{Kind: ErrReadOnly, Msg: refusalMsg(kind), Err: err}
}

// statementType prepares query, which must be one statement, and returns DuckDB's type for
// it. Preparing binds names and reads the files it names (within the lock-down), but runs
// nothing.
func statementType(conn *sql.Conn, query string) (duckdb.StmtType, error) {
	typ := duckdb.STATEMENT_TYPE_INVALID
	err := withStmt(conn, query, func(stmt *duckdb.Stmt) error {
		var err error
		typ, err = stmt.StatementType()
		return err
	})
	return typ, err
}

// withStmt prepares query on the driver connection under conn and calls fn with the
// statement, which it closes after. It prepares without a context, so that the driver
// refuses several statements instead of running all but the last.
func withStmt(conn *sql.Conn, query string, fn func(*duckdb.Stmt) error) error {
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("duck: unexpected driver connection %T", driverConn)
		}
		st, err := c.Prepare(query)
		if err != nil {
			return err
		}
		stmt, ok := st.(*duckdb.Stmt)
		if !ok {
			return errors.Join(fmt.Errorf("duck: unexpected driver statement %T", st), st.Close())
		}
		return errors.Join(fn(stmt), stmt.Close())
	})
}

// allowType decides on one prepared statement. A SELECT (which in DuckDB includes WITH,
// FROM-first queries, VALUES, DESCRIBE, SHOW, SUMMARIZE and the PRAGMAs that DuckDB rewrites
// into queries, such as table_info) is allowed. EXPLAIN is allowed when the statement it
// explains is itself a SELECT, because EXPLAIN ANALYZE runs what it explains. Everything else
// (PRAGMAs with effects, CALL, SET, COPY, CREATE, INSERT, ATTACH, INSTALL, LOAD,
// transactions, ...) is refused. A SELECT must also call none of the functions with effects
// (see [checkFunctions]).
func allowType(ctx context.Context, conn *sql.Conn, query string, typ duckdb.StmtType) error {
	switch typ {
	case duckdb.STATEMENT_TYPE_SELECT:
		return checkFunctions(ctx, conn, query)
	case duckdb.STATEMENT_TYPE_EXPLAIN:
		inner, ok := explained(query)
		if !ok {
			return refusal("EXPLAIN (in a form other than EXPLAIN [ANALYZE] <query>)")
		}
		t, err := statementType(conn, inner)
		if err != nil {
			return refusal("EXPLAIN (in a form other than EXPLAIN [ANALYZE] <query>)")
		}
		if t != duckdb.STATEMENT_TYPE_SELECT {
			return refusal("EXPLAIN " + stmtName(t))
		}
		return checkFunctions(ctx, conn, inner)
	default:
		return refusal(stmtName(typ))
	}
}

// explained returns the statement an EXPLAIN [ANALYZE] statement explains. It strips only
// those leading keywords (and comments); whatever remains must then prepare as a SELECT on
// its own, so a misreading can only refuse, never allow.
func explained(query string) (string, bool) {
	rest, ok := keyword(query, "EXPLAIN")
	if !ok {
		return "", false
	}
	for _, kw := range []string{"ANALYZE", "ANALYSE"} {
		if r, ok := keyword(rest, kw); ok {
			return r, true
		}
	}
	return rest, true
}

// keyword reports whether s starts (after spaces and comments) with the keyword kw, and
// returns what follows it.
func keyword(s, kw string) (string, bool) {
	s = skipSpace(s)
	if len(s) < len(kw) || !strings.EqualFold(s[:len(kw)], kw) {
		return "", false
	}
	rest := s[len(kw):]
	if rest != "" && (rest[0] == '_' || rest[0] >= 0x80 || unicode.IsLetter(rune(rest[0])) || unicode.IsDigit(rune(rest[0]))) {
		return "", false
	}
	return rest, true
}

// skipSpace skips white space and SQL comments (-- to the end of the line, /* ... */).
func skipSpace(s string) string {
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/")
			if i < 0 {
				return ""
			}
			s = s[2+i+2:]
		default:
			return s
		}
	}
}

// parsed is the output of DuckDB's json_serialize_sql (from the built-in json extension):
// the parse trees of the statements, serialised only if every one is a SELECT.
type parsed struct {
	Error      bool              `json:"error"`
	Statements []json.RawMessage `json:"statements"`
}

// parse runs query through DuckDB's parser (nothing is bound or run).
func parse(ctx context.Context, conn *sql.Conn, query string) (parsed, error) {
	var js string
	var p parsed
	err := conn.QueryRowContext(ctx, `SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)`, query).Scan(&js)
	if err != nil {
		return p, Classify(err)
	}
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		return p, fmt.Errorf("duck: parse json_serialize_sql output: %w", err)
	}
	return p, nil
}

// checkStatements decides on a string that the driver would not prepare as one statement:
// none is run. It is refused ([ErrReadOnly]) if DuckDB's parser finds a statement that is not
// a SELECT or one that calls an effect function, and is otherwise invalid
// ([ErrInvalidQuery]): the driver would run all statements but the last and return only the
// last one's result, so the others would be dropped without a word. DuckDB's parser counts
// the statements, so a ; inside a string or a comment, or a single ; at the end, is not a
// second statement. prepErr is the driver's reason for not preparing query.
func checkStatements(ctx context.Context, conn *sql.Conn, prepErr error, query string) error {
	p, err := parse(ctx, conn, query)
	switch {
	case err != nil:
		return err
	case p.Error:
		return &QueryError{Kind: ErrReadOnly, Msg: "statement refused: queries over the lake are read-only, " +
			"and a query that runs several statements is allowed only when every one is a SELECT " +
			"(a PIVOT without IN (...) runs several: list the values with IN)"}
	case len(p.Statements) == 0:
		return &QueryError{Kind: ErrInvalidQuery, Msg: "empty query: no SQL statement", Err: prepErr}
	case len(p.Statements) == 1:
		return &QueryError{Kind: ErrInternal, Msg: "duck: prepare query: " + prepErr.Error(), Err: prepErr}
	}
	if err := deniedFunction(p); err != nil {
		return err
	}
	return &QueryError{Kind: ErrInvalidQuery, Err: prepErr,
		Msg: fmt.Sprintf("one statement per query: this is %d statements; run them one at a time", len(p.Statements))}
}

// effectFunctions are DuckDB functions that a SELECT can call and that change the session
// rather than read: logging and profiling switches (enable_logging with a file storage
// leaves the connection unable to close: DuckDB aborts the process), checkpoints, the
// parser switch, and the functions that run SQL given as text, which would hide a call
// from this check.
var effectFunctions = map[string]bool{
	"enable_logging": true, "disable_logging": true, "truncate_duckdb_logs": true,
	"enable_profiling": true, "disable_profiling": true,
	"checkpoint": true, "force_checkpoint": true,
	"enable_peg_parser": true, "disable_peg_parser": true,
	"query": true, "json_execute_serialized_sql": true,
}

// checkFunctions refuses a SELECT that calls one of [effectFunctions], found by name in
// DuckDB's parse tree (json_serialize_sql). A statement of type SELECT that the parser does
// not serialise is allowed only if it is a PRAGMA, which DuckDB rewrote into a query of its
// own (table_info, version, ...); any other could hide a call.
func checkFunctions(ctx context.Context, conn *sql.Conn, query string) error {
	p, err := parse(ctx, conn, query)
	if err != nil {
		return err
	}
	if !p.Error {
		return deniedFunction(p)
	}
	if _, ok := keyword(query, "PRAGMA"); ok {
		return nil
	}
	return &QueryError{Kind: ErrReadOnly, Msg: "statement refused: DuckDB's parser cannot show what this " +
		"query calls, so it cannot be checked as read-only"}
}

// deniedFunction returns the refusal for the first call of an effect function in p.
func deniedFunction(p parsed) error {
	for _, st := range p.Statements {
		var tree any
		if err := json.Unmarshal(st, &tree); err != nil {
			return fmt.Errorf("duck: parse json_serialize_sql output: %w", err)
		}
		if name := findFunction(tree); name != "" {
			return &QueryError{Kind: ErrReadOnly, Msg: fmt.Sprintf("%s() refused: it changes the session or runs SQL "+
				"given as text, and queries over the lake are read-only", name)}
		}
	}
	return nil
}

// findFunction returns the name of a call of an effect function anywhere in a parse tree.
func findFunction(node any) string {
	switch n := node.(type) {
	case map[string]any:
		if name, ok := n["function_name"].(string); ok && effectFunctions[strings.ToLower(name)] {
			return name
		}
		for _, k := range slices.Sorted(maps.Keys(n)) {
			if name := findFunction(n[k]); name != "" {
				return name
			}
		}
	case []any:
		for _, e := range n {
			if name := findFunction(e); name != "" {
				return name
			}
		}
	}
	return ""
}

// stmtName names a statement type for messages.
func stmtName(t duckdb.StmtType) string {
	if n, ok := stmtNames[t]; ok {
		return n
	}
	return fmt.Sprintf("statement type %d", t)
}

// stmtNames are the names of DuckDB's statement types.
var stmtNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_SELECT:       "SELECT",
	duckdb.STATEMENT_TYPE_INSERT:       "INSERT",
	duckdb.STATEMENT_TYPE_UPDATE:       "UPDATE",
	duckdb.STATEMENT_TYPE_EXPLAIN:      "EXPLAIN",
	duckdb.STATEMENT_TYPE_DELETE:       "DELETE",
	duckdb.STATEMENT_TYPE_PREPARE:      "PREPARE",
	duckdb.STATEMENT_TYPE_CREATE:       "CREATE",
	duckdb.STATEMENT_TYPE_EXECUTE:      "EXECUTE",
	duckdb.STATEMENT_TYPE_ALTER:        "ALTER",
	duckdb.STATEMENT_TYPE_TRANSACTION:  "transaction",
	duckdb.STATEMENT_TYPE_COPY:         "COPY",
	duckdb.STATEMENT_TYPE_ANALYZE:      "ANALYZE",
	duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET VARIABLE",
	duckdb.STATEMENT_TYPE_CREATE_FUNC:  "CREATE FUNCTION",
	duckdb.STATEMENT_TYPE_DROP:         "DROP",
	duckdb.STATEMENT_TYPE_EXPORT:       "EXPORT",
	duckdb.STATEMENT_TYPE_PRAGMA:       "PRAGMA",
	duckdb.STATEMENT_TYPE_VACUUM:       "VACUUM",
	duckdb.STATEMENT_TYPE_CALL:         "CALL",
	duckdb.STATEMENT_TYPE_SET:          "SET",
	duckdb.STATEMENT_TYPE_LOAD:         "LOAD/INSTALL",
	duckdb.STATEMENT_TYPE_RELATION:     "relation",
	duckdb.STATEMENT_TYPE_EXTENSION:    "extension",
	duckdb.STATEMENT_TYPE_LOGICAL_PLAN: "logical plan",
	duckdb.STATEMENT_TYPE_ATTACH:       "ATTACH",
	duckdb.STATEMENT_TYPE_DETACH:       "DETACH",
	duckdb.STATEMENT_TYPE_MULTI:        "multi-statement",
}
