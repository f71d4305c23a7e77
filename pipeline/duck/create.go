package duck

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// tableName is the form of a name [DB.CreateTable] accepts.
var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// lakeNames are the views [Open] defines; CreateTable never replaces them.
var lakeNames = map[string]bool{"sessions": true, "quarantine": true, "commits": true, "clients": true}

// CreateTable stores the result of a read-only query as an in-memory table name (replacing
// a table an earlier CreateTable made), so that later queries can use it: notebook cells
// that build on earlier ones (DESIGN.md section 9). query is checked exactly as [DB.Query]
// checks it, and the CREATE statement around it is written here, so no other statement can
// ride along. name is lower case letters, digits and underscores, and not one of the lake
// views. The table lives in memory, for this DB only.
func (db *DB) CreateTable(ctx context.Context, name, query string, args ...any) error {
	if db.isClosed() {
		return ErrClosed
	}
	if !tableName.MatchString(name) || lakeNames[name] {
		return &QueryError{Kind: ErrInvalidQuery, Msg: fmt.Sprintf("table name %q: want lower case letters, "+
			"digits and underscores, not one of sessions, quarantine, commits, clients", name)}
	}
	start := time.Now()
	if err := db.checkReadOnly(ctx, query); err != nil {
		return err
	}
	// The newline ends a trailing -- comment of query before the closing parenthesis.
	stmt := "CREATE OR REPLACE TABLE " + ident(name) + " AS (\n" + query + "\n)"
	if _, err := db.sql.ExecContext(ctx, stmt, args...); err != nil {
		return Classify(err)
	}
	db.log.Debug("duck create table", "table", name, "duration", time.Since(start))
	return nil
}
