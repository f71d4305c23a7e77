package source

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Format names a source file format.
type Format string

// The formats [Open] reads.
const (
	FormatCSV     Format = "csv"
	FormatJSONL   Format = "jsonl"
	FormatParquet Format = "parquet"
	FormatXLSX    Format = "xlsx"
)

// Formats lists the formats in the order the CLI shows them.
var Formats = []Format{FormatCSV, FormatJSONL, FormatParquet, FormatXLSX}

// Options tune how a file is read. The zero value reads any supported file.
type Options struct {
	// Format is "" or "auto" (by extension: .csv .tsv .txt .jsonl .ndjson .json .parquet
	// .xlsx; otherwise by sniffing the content), or one of the Format constants.
	Format Format
	// Sheet is the xlsx worksheet to read; "" reads the first sheet.
	Sheet string
	// Delimiter is the CSV field delimiter; 0 detects ',' ';' or '\t' from the header line.
	Delimiter rune
	// Encoding is the CSV/JSONL text encoding: "" or "utf-8" (validated line by line),
	// "windows-1252", or "latin1"/"iso-8859-1" (converted to UTF-8).
	Encoding string
}

// Record is one data row of a source file.
type Record struct {
	// Line is the position a person would look for: for CSV and JSON Lines the physical
	// 1-based line where the record starts, for xlsx the Excel row number, for Parquet the
	// 1-based row number.
	Line int
	// Fields holds one value per header column, "" for empty, missing or null values.
	//
	// Fields aliases the reader's buffers: the slice (not the strings in it) is reused and
	// is only valid until the next call to Next. The strings themselves stay valid; copy
	// the slice (slices.Clone) to keep a row.
	Fields []string
	// Err is non-nil when this row could not be parsed: a JSON Lines line that is not a
	// JSON object, a CSV row with too many or too few fields or a broken quote. It is a
	// *FileError wrapping ErrSyntax, ErrFieldCount or ErrQuote, for quarantine under the
	// rule "parse". Fields may then be nil or hold what could be split.
	Err error
}

// Reader streams the records of one source file.
type Reader interface {
	// Header returns the column names as they are in the source.
	Header() []string
	// Next returns the next record, or io.EOF after the last one. Any other error is
	// file-level (invalid encoding, a corrupt file, I/O): the whole file must be rejected.
	// After an error, Next keeps returning it.
	Next() (Record, error)
	// Close releases the file. It is idempotent.
	Close() error
}

// Progress is implemented by readers that can report how far they are, for progress bars.
type Progress interface {
	Offset() int64 // bytes of the file consumed so far (approximate for parquet and xlsx)
	Size() int64   // total size of the file in bytes
}

// MaxRecordBytes bounds one CSV record or JSON Lines line. A longer record (usually a
// quote that is never closed) is a file-level [ErrTooLong].
const MaxRecordBytes = 64 << 20

// Open opens the file at path and returns a reader for its format (see [Options]).
// Errors are file-level: empty file, no header, unknown format, corrupt file, bad encoding.
func Open(path string, opt Options) (Reader, error) {
	f, err := DetectFormat(path, opt.Format)
	if err != nil {
		return nil, err
	}
	switch f {
	case FormatCSV:
		return openText(path, opt, NewCSV)
	case FormatJSONL:
		return openText(path, opt, newJSONLSeeker)
	case FormatParquet:
		return openParquet(path, defaultAllocator)
	case FormatXLSX:
		return openXLSX(path, opt.Sheet)
	}
	panic("unreachable")
}

// DetectFormat returns the format of the file at path: f itself unless it is "" or
// "auto", else the format its extension names, else the one its first bytes suggest.
//
// Whatever f says, the first bytes are checked: a file that holds no data export (a Word
// document, a PDF, an image, an Excel 97-2003 .xls) or whose content contradicts its name
// or f (an .xlsx workbook named .csv, binary data named .csv) is an [ErrFormat]
// [FileError] that says what the file is and what to do.
func DetectFormat(path string, f Format) (Format, error) {
	explicit := false
	switch f {
	case FormatCSV, FormatJSONL, FormatParquet, FormatXLSX:
		explicit = true
	case "", "auto":
		f = FormatOf(path)
	default:
		return "", fileErr(path, 0, 0, ErrFormat, " %q; allowed: auto, csv, jsonl, parquet, xlsx", string(f))
	}
	c, err := sniffContent(path)
	if err != nil {
		return "", err
	}
	return c.check(path, f, explicit)
}

// FormatOf returns the format a file name's extension names (.csv .tsv .txt .jsonl
// .ndjson .json .parquet .parq .xlsx, in any case), or "" for any other name.
func FormatOf(name string) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL
	case ".parquet", ".parq":
		return FormatParquet
	case ".xlsx":
		return FormatXLSX
	}
	return ""
}

// errClosed is returned by Next after Close.
var errClosed = errors.New("source: reader is closed")

// bom is the UTF-8 byte-order mark that Excel writes at the start of "CSV UTF-8" files.
var bom = []byte("\xEF\xBB\xBF")

// openText opens a text file and hands it to a text reader constructor, attaching the
// file's size and a byte counter for [Progress].
func openText(path string, opt Options, newReader func(io.Reader, string, Options) (Reader, error)) (Reader, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	cf := &countingFile{f: f, size: st.Size()}
	r, err := newReader(cf, path, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// countingFile counts the bytes read from a file; text readers use it for Progress and Close.
type countingFile struct {
	f    *os.File
	n    int64
	size int64
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingFile) Seek(off int64, whence int) (int64, error) {
	n, err := c.f.Seek(off, whence)
	if err == nil {
		c.n = n
	}
	return n, err
}

func (c *countingFile) Close() error { return c.f.Close() }
