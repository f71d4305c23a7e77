package duck

import (
	"context"
	"errors"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// Sentinels that classify a failed query (STYLE.md section 3). A [QueryError] wraps exactly
// one of them, so callers branch with errors.Is and never on message text.
var (
	// ErrReadOnly: the statement would write (COPY, CREATE, INSERT, ATTACH, SET, INSTALL, ...)
	// and was refused before it ran.
	ErrReadOnly = errors.New("duck: statement refused: queries are read-only")
	// ErrInvalidQuery: the query itself is wrong: syntax, an unknown table or column, a type
	// mismatch, a bad cast, a missing parameter. The user can fix it.
	ErrInvalidQuery = errors.New("duck: invalid query")
	// ErrAccessDenied: the query asked for a file, directory or network resource outside the
	// lake snapshot (DuckDB's Permission Error under the lock-down).
	ErrAccessDenied = errors.New("duck: access denied")
	// ErrInterrupted: the query was cancelled (its context ended).
	ErrInterrupted = errors.New("duck: query interrupted")
	// ErrOutOfMemory: the query needed more than the memory limit.
	ErrOutOfMemory = errors.New("duck: out of memory")
	// ErrLakeFile: a lake data file could not be read (missing, truncated, not Parquet).
	ErrLakeFile = errors.New("duck: lake file unreadable")
	// ErrOption: an [Options] value DuckDB does not accept (threads, memory_limit, temp
	// directory); the message names the setting.
	ErrOption = errors.New("duck: invalid option")
	// ErrInternal: anything else DuckDB reports (internal or fatal errors, bugs).
	ErrInternal = errors.New("duck: database error")
)

// QueryError is a failed or refused query. Its message is DuckDB's own (for example
// `Binder Error: Referenced column "x" not found in FROM clause!`), or for a refusal the
// statement kind and what is allowed. It unwraps to its Kind sentinel and to the cause (a
// *duckdb.Error when DuckDB produced it), so both errors.Is(err, ErrInvalidQuery) and
// errors.As(err, new(*duckdb.Error)) work.
type QueryError struct {
	Kind error            // one of the Err* sentinels above
	Type duckdb.ErrorType // DuckDB's error type; ErrorTypeInvalid when not from DuckDB
	Msg  string           // the message shown to the user
	Err  error            // the cause, if any
}

func (e *QueryError) Error() string { return e.Msg }

// Unwrap returns the kind and the cause.
func (e *QueryError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Classify turns an error from DuckDB into a [*QueryError] by its DuckDB error type (not
// its text). Errors that are already classified, nil, and errors that did not come from
// DuckDB are returned unchanged, except that a cancelled or expired context becomes
// [ErrInterrupted] wrapping the context's error. Use it on rows.Err() of a [DB.Query].
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var qe *QueryError
	if errors.As(err, &qe) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &QueryError{Kind: ErrInterrupted, Msg: "query interrupted: " + err.Error(), Err: err}
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return err
	}
	return &QueryError{Kind: kindOf(de.Type), Type: de.Type, Msg: de.Msg, Err: err}
}

// kindOf maps DuckDB's error types onto our sentinels.
func kindOf(t duckdb.ErrorType) error {
	switch t {
	case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax, duckdb.ErrorTypeBinder,
		duckdb.ErrorTypeCatalog, duckdb.ErrorTypeConversion, duckdb.ErrorTypeOutOfRange,
		duckdb.ErrorTypeMismatchType, duckdb.ErrorTypeInvalidType, duckdb.ErrorTypeDivideByZero,
		duckdb.ErrorTypeDecimal, duckdb.ErrorTypeExpression, duckdb.ErrorTypeConstraint,
		duckdb.ErrorTypeParameterNotResolved, duckdb.ErrorTypeParameterNotAllowed,
		duckdb.ErrorTypeNotImplemented, duckdb.ErrorTypeInvalidInput, duckdb.ErrorTypeDependency,
		duckdb.ErrorTypeMissingExtension, duckdb.ErrorTypeAutoLoad, duckdb.ErrorTypeSequence,
		duckdb.ErrorTypeUnknownType, duckdb.ErrorTypeObjectSize:
		return ErrInvalidQuery
	case duckdb.ErrorTypePermission, duckdb.ErrorTypeSettings, duckdb.ErrorTypeHTTP,
		duckdb.ErrorTypeNetwork:
		return ErrAccessDenied
	case duckdb.ErrorTypeInterrupt:
		return ErrInterrupted
	case duckdb.ErrorTypeOutOfMemory:
		return ErrOutOfMemory
	case duckdb.ErrorTypeIO, duckdb.ErrorTypeSerialization:
		return ErrLakeFile
	default:
		return ErrInternal
	}
}

// refusal is the error for a statement of a kind that would write.
func refusal(kind string) error {
	return &QueryError{Kind: ErrReadOnly, Msg: refusalMsg(kind)}
}

func refusalMsg(kind string) string {
	if kind != "" {
		kind += " "
	}
	return fmt.Sprintf("%sstatement refused: queries over the lake are read-only "+
		"(allowed: SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN of a query, "+
		"and PRAGMAs that only read, such as table_info)", kind)
}

// lakeFileError is the error for a lake file that Open could not read.
func lakeFileError(what string, err error) error {
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return fmt.Errorf("duck: %s: %w", what, err)
	}
	return &QueryError{Kind: ErrLakeFile, Type: de.Type, Msg: "duck: " + what + ": " + de.Msg, Err: err}
}
