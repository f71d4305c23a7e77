package source

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. A [FileError] wraps one of them, so callers branch with errors.Is.
var (
	// ErrEmpty: the file has no bytes, or only a byte-order mark and blank lines.
	ErrEmpty = errors.New("file is empty")
	// ErrNoHeader: no header row could be found (no object keys, no non-empty sheet row).
	ErrNoHeader = errors.New("no header row")
	// ErrEncoding: bytes that are not valid in the declared encoding.
	ErrEncoding = errors.New("not valid UTF-8")
	// ErrFieldCount: a CSV row has more or fewer fields than the header (a row error).
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrQuote: a CSV row has a quote where none may be, or a quoted field never ends (a row error).
	ErrQuote = errors.New("misplaced or unterminated quote")
	// ErrSyntax: a JSON Lines line is not a valid JSON object (a row error).
	ErrSyntax = errors.New("not a valid JSON object")
	// ErrDuplicateKey: a JSON Lines object gives the same key twice, as in
	// {"consent":false,"consent":true} (a row error). The line is not read: taking either
	// value would be a guess, and encoding/json's "last one wins" could turn a refusal of
	// consent into consent.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrCorrupt: a Parquet or xlsx file that cannot be decoded (truncated, damaged).
	ErrCorrupt = errors.New("file is corrupt or truncated")
	// ErrFormat: the format is unknown or could not be recognised, or the file is of a kind
	// that holds no data export (a Word document, a PDF, an image, an Excel 97-2003 .xls) or
	// that its name or the requested format contradicts (an .xlsx workbook named .csv). The
	// message then says what the file is and what to do, instead of "unknown file format".
	ErrFormat = errors.New("unknown file format")
	// ErrSheet: the requested worksheet does not exist.
	ErrSheet = errors.New("no such sheet")
	// ErrTooLong: a single record exceeds [MaxRecordBytes].
	ErrTooLong = errors.New("record too long")
)

// FileError is an error at a position in a source file. It prints as
// "file:line:col: message", without the column when Column is 0 and without the line when
// Line is 0. It is used both for file-level errors (returned by [Open] and [Reader.Next])
// and for row errors ([Record.Err]); its message never contains cell contents.
type FileError struct {
	File   string // the file name as given to Open (or the name passed to NewCSV/NewJSONL)
	Line   int    // 1-based line (xlsx: row) or 0
	Column int    // 1-based byte column (CSV, JSONL) or field number, or 0
	Err    error  // wraps one of the sentinels above
}

func (e *FileError) Error() string {
	b := make([]byte, 0, 64)
	b = append(b, e.File...)
	if e.Line > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Line), 10)
		if e.Column > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Column), 10)
		}
	}
	b = append(b, ": "...)
	b = append(b, e.Err.Error()...)
	return string(b)
}

func (e *FileError) Unwrap() error { return e.Err }

// fileErr builds a FileError whose message is sentinel plus an explanation.
func fileErr(file string, line, col int, sentinel error, format string, args ...any) *FileError {
	if format == "" {
		return &FileError{File: file, Line: line, Column: col, Err: sentinel}
	}
	return &FileError{File: file, Line: line, Column: col,
		Err: fmt.Errorf("%w"+format, append([]any{sentinel}, args...)...)}
}

// encodingHint is appended to ErrEncoding messages: it says what the user can do.
const encodingHint = "; if the file was saved by Excel on Windows, use --encoding windows-1252"
