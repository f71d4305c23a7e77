package duck

import (
	"context"
	"errors"

	"github.com/duckdb/duckdb-go/v2"
)

// Prepared is what DuckDB tells of a checked query without running it: for `outcomes
// notebook check`, and for notebooks to bind exactly the parameters a cell names.
type Prepared struct {
	// Params are the names of the query's parameters, in the order DuckDB numbers them:
	// "name" for $name, and the number ("1", "2", ...) for ? and $1.
	Params []string
	// Columns are the names of the result columns, in order; nil when DuckDB cannot tell
	// before the parameters are bound (a parameter of unknown type in a selected expression,
	// such as SELECT $n + 1).
	Columns []string
}

// Prepare checks a query exactly as [DB.Query] does and prepares it (DuckDB parses and binds
// it) without running it. query must be one statement. Errors are those of DB.Query: a
// refusal ([ErrReadOnly]) or a *QueryError with DuckDB's message, such as an unknown table.
func (db *DB) Prepare(ctx context.Context, query string) (*Prepared, error) {
	if db.isClosed() {
		return nil, ErrClosed
	}
	if err := db.checkReadOnly(ctx, query); err != nil {
		return nil, err
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, Classify(err)
	}
	defer conn.Close()
	var p Prepared
	err = withStmt(conn, query, func(stmt *duckdb.Stmt) error { return describe(stmt, &p) })
	if err == nil {
		return &p, nil
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return nil, &QueryError{Kind: ErrInvalidQuery, Msg: "prepare: write one statement only (" + err.Error() + ")", Err: err}
	}
	return nil, Classify(err)
}

// describe fills p from a prepared statement.
func describe(stmt *duckdb.Stmt, p *Prepared) error {
	for i := 1; i <= stmt.NumInput(); i++ {
		name, err := stmt.ParamName(i)
		if err != nil {
			return err
		}
		p.Params = append(p.Params, name)
	}
	n, err := stmt.ColumnCount()
	if err != nil {
		return err
	}
	if n == 1 { // DuckDB reports one column of an invalid type when the types are ambiguous
		if t, err := stmt.ColumnType(0); err != nil || t == duckdb.TYPE_INVALID {
			return err
		}
	}
	for i := range n {
		name, err := stmt.ColumnName(i)
		if err != nil {
			return err
		}
		p.Columns = append(p.Columns, name)
	}
	return nil
}
