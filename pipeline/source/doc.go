// Package source reads practitioners' exports (CSV, JSON Lines, Parquet and Excel .xlsx)
// as a stream of records of strings, each carrying the line a person would look for in
// that file. It is the first step of the ingest (DESIGN.md sections 3 and 11).
//
// It leaves meaning to others: column names are returned as written (pipeline/schema maps
// them), and values are text (pipeline/schema types and validates them). Nothing here
// decides whether a row is good, only whether it could be read.
//
// # Two kinds of error
//
// A file-level error (returned by [Open] or [Reader.Next]) means the file cannot be
// trusted at all: it is empty, has no header, is not valid UTF-8, is a corrupt Parquet or
// xlsx file, or could not be read. The ingest rejects the whole file. A row error
// ([Record.Err]) means one row could not be split into fields: a CSV row with too many or
// too few fields or a broken quote, a JSON Lines line that is not a JSON object. The
// ingest quarantines that row under the rule "parse" and goes on. Both are [*FileError]
// values that print as "file:line:col: message", wrap a sentinel (errors.Is), and never
// contain cell contents, which may be personal data.
//
// # Formats
//
// [DetectFormat] picks the format from the --format option or the file name's extension,
// and always checks the first bytes too, so that the wrong kind of file gets the right
// reason: magic numbers tell Parquet (PAR1), zip containers (whose member names tell an
// .xlsx from a .docx, .pptx or OpenDocument file), Office 97-2003 compound files (whose
// stream names tell .xls from .doc and a password-protected .xlsx), PDF, PNG, JPEG, GIF
// and RTF. A file that holds no data export, or a Parquet or xlsx file named .csv, is an
// [ErrFormat] error that names what the file is and what to do; it is never read as text
// (which would end in advice about text encodings).
//
// Only regular files (or symbolic links to them) are opened: a named pipe, a device such as
// /dev/zero, a socket or a directory is an [ErrNotRegular] error that says what it is,
// found before the open and again, with fstat, on what was opened without blocking
// ([OpenRegular]), so that reading never waits for a writer that does not come.
//
// CSV: RFC 4180 with what spreadsheets add: an optional UTF-8 byte-order mark, "\n" or
// "\r\n" line ends, the delimiter detected among ',' ';' and tab from the header line
// (the most frequent outside quotes, ',' on a tie), blank lines skipped. A field that
// starts with '"' may hold delimiters, doubled quotes and line breaks; a quote inside an
// unquoted field is plain text; nothing is trimmed and formula-looking cells are text.
// [Record.Line] is the physical line where the record starts. UTF-8 input is validated
// line by line; windows-1252 and latin1 are converted with golang.org/x/text.
//
// JSON Lines: one object per line, blank lines skipped. The header is the union of the
// keys in order of first appearance, so files are read twice (a first pass collects the
// keys). Strings are returned as is, numbers as written ("7.0" stays "7.0"), booleans as
// "true"/"false", null as "", nested values as their JSON text.
//
// Parquet (arrow-go, record batches, memory bounded by the batch size): every typed value
// becomes canonical text: integers in decimal, floats by strconv 'g' -1, booleans, dates
// as YYYY-MM-DD, timestamps as YYYY-MM-DD at midnight else RFC 3339, dictionary-encoded
// strings as their value, nulls as "". Line is the 1-based row number.
//
// Excel .xlsx (excelize's streaming rows): the first non-empty row of the sheet is the
// header; fully empty rows are skipped; Line is the Excel row number. Cells whose number
// format is a date read as YYYY-MM-DD (with the time when the format shows one), other
// numbers as their raw value ("7", not "7.0000"), strings as is (date strings too), and
// formula cells as their cached value.
//
// # Performance and aliasing
//
// The CSV reader is built for the ingest's throughput target: it reads through a 1 MB
// buffer, splits a line without quotes in place, and allocates one string per record
// (fields are substrings of it), never one per field. [Record.Fields] is a slice the
// reader reuses: it is valid only until the next call to Next. The strings in it are
// ordinary immutable strings and may be kept.
package source
