package source

import (
	"bytes"
	"fmt"
	"io"
	"slices"
)

// csvReader reads delimited text. See the package documentation for the dialect.
type csvReader struct {
	textSource
	name   string
	lines  *lineReader
	comma  byte
	header []string

	fields  []string // reused for every record
	rec     []byte   // unquoted bytes of a record that has quotes
	ends    []int    // end offsets of the fields in rec
	inQuote bool     // parseLine ended inside a quoted field
}

// NewCSV returns a reader of the delimited text in r; name is used in errors. If r is an
// io.Closer, Close closes it. It reads the header line before returning.
func NewCSV(r io.Reader, name string, opt Options) (Reader, error) {
	comma, err := checkDelimiter(name, opt.Delimiter)
	if err != nil {
		return nil, err
	}
	lines, err := newLineReader(r, name, opt.Encoding)
	if err != nil {
		return nil, err
	}
	cr := &csvReader{textSource: newTextSource(r), name: name, lines: lines, comma: comma}
	if err := cr.readHeader(); err != nil {
		return nil, err
	}
	return cr, nil
}

// checkDelimiter accepts 0 (detect) or one ASCII character that is not a quote or newline.
func checkDelimiter(name string, d rune) (byte, error) {
	if d == 0 {
		return 0, nil
	}
	if d >= 0x80 || d == '"' || d == '\r' || d == '\n' {
		return 0, fmt.Errorf("%s: delimiter %q: use one ASCII character other than a quote or newline, such as ',' ';' or '\\t'", name, d)
	}
	return byte(d), nil
}

// readHeader reads the first non-blank record as the header, detecting the delimiter
// from it first when none was given.
func (r *csvReader) readHeader() error {
	line, err := r.nextNonBlank()
	if err == io.EOF {
		return fileErr(r.name, 0, 0, ErrEmpty, "")
	}
	if err != nil {
		return err
	}
	if r.comma == 0 {
		r.comma = detectDelimiter(line)
	}
	rec, err := r.parse(line)
	if err != nil {
		return err
	}
	if rec.Err != nil {
		return fileErr(r.name, rec.Line, 0, ErrNoHeader, ": the header line has a misplaced or unterminated quote")
	}
	r.header = slices.Clone(rec.Fields)
	return nil
}

// detectDelimiter picks the most frequent of ',' ';' and '\t' outside quotes in the
// header line; ties and no candidate at all go to ','.
func detectDelimiter(line []byte) byte {
	var n [3]int
	quoted := false
	for _, c := range line {
		switch c {
		case '"':
			quoted = !quoted
		case ',':
			n[0] += b2i(!quoted)
		case ';':
			n[1] += b2i(!quoted)
		case '\t':
			n[2] += b2i(!quoted)
		}
	}
	best := 0
	for i := 1; i < 3; i++ {
		if n[i] > n[best] {
			best = i
		}
	}
	return ",;\t"[best]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *csvReader) Header() []string { return r.header }

// Next returns the next record; see [Reader].
func (r *csvReader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	line, err := r.nextNonBlank()
	if err == nil {
		var rec Record
		if rec, err = r.parse(line); err == nil {
			r.checkCount(&rec)
			return rec, nil
		}
	}
	r.err = err
	return Record{}, err
}

// nextNonBlank returns the next line that is not empty.
func (r *csvReader) nextNonBlank() ([]byte, error) {
	for {
		line, err := r.lines.next()
		if err != nil || len(line) > 0 {
			return line, err
		}
	}
}

// checkCount turns a record whose field count differs from the header's into a row error.
func (r *csvReader) checkCount(rec *Record) {
	if rec.Err != nil || len(rec.Fields) == len(r.header) {
		return
	}
	rec.Err = fileErr(r.name, rec.Line, 0, ErrFieldCount, ": %d fields, the header has %d", len(rec.Fields), len(r.header))
}

// parse splits the record that starts with line. A line without quotes is split in place
// (one string allocation per record, none per field); one with quotes goes through
// parseQuoted, which may read further lines.
func (r *csvReader) parse(line []byte) (Record, error) {
	rec := Record{Line: r.lines.line}
	if bytes.IndexByte(line, '"') >= 0 {
		err := r.parseQuoted(line, &rec)
		return rec, err
	}
	r.fields = splitInto(r.fields[:0], string(line), r.comma)
	rec.Fields = r.fields
	return rec, nil
}

// splitInto appends the comma-separated parts of s to dst. The parts are substrings of s.
// A plain byte loop: fields are short, so it beats a call to IndexByte per field.
func splitInto(dst []string, s string, comma byte) []string {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == comma {
			dst = append(dst, s[start:i])
			start = i + 1
		}
	}
	return append(dst, s[start:])
}

// parseQuoted parses a record with quoted fields (RFC 4180): a field that starts with '"'
// ends at the next '"' not doubled; it may hold delimiters, doubled quotes and line
// breaks ("\r\n" inside a field becomes "\n"). A quote inside an unquoted field is kept as
// text. A closing quote followed by anything but a delimiter or the end of the line, or a
// quoted field still open at the end of the file, makes the record a row error (ErrQuote).
func (r *csvReader) parseQuoted(line []byte, rec *Record) error {
	r.rec, r.ends, r.inQuote = r.rec[:0], r.ends[:0], false
	var err error
	for {
		done, col := r.parseLine(line)
		if col > 0 {
			rec.Err = fileErr(r.name, r.lines.line, col, ErrQuote, `: a quoted field must end with '"' followed by the delimiter or the end of the line`)
			break
		}
		if done {
			break
		}
		// Inside a quoted field at the end of the line: the field continues.
		r.rec = append(r.rec, '\n')
		if len(r.rec) > MaxRecordBytes {
			return fileErr(r.name, rec.Line, 0, ErrTooLong, ": the record is longer than %d MB; check for a quote that is never closed", MaxRecordBytes>>20)
		}
		if line, err = r.lines.next(); err == io.EOF {
			rec.Err = fileErr(r.name, rec.Line, 0, ErrQuote, `: a quoted field starting on this line never ends`)
			break
		} else if err != nil {
			return err
		}
	}
	r.fields = r.fields[:0]
	s, start := string(r.rec), 0
	for _, end := range r.ends {
		r.fields = append(r.fields, s[start:end])
		start = end
	}
	rec.Fields = r.fields
	return nil
}

// parseLine continues the record in r.rec and r.ends with one physical line. It reports
// done when the record ends with this line, or the 1-based column of a misplaced quote.
// r.inQuote carries "inside a quoted field" from one line to the next.
func (r *csvReader) parseLine(line []byte) (done bool, badCol int) {
	pos := 0
	for {
		if !r.inQuote {
			if pos < len(line) && line[pos] == '"' {
				r.inQuote, pos = true, pos+1
				continue
			}
			i := bytes.IndexByte(line[pos:], r.comma)
			if i < 0 {
				r.rec = append(r.rec, line[pos:]...)
				r.ends = append(r.ends, len(r.rec))
				return true, 0
			}
			r.rec = append(r.rec, line[pos:pos+i]...)
			r.ends = append(r.ends, len(r.rec))
			pos += i + 1
			continue
		}
		i := bytes.IndexByte(line[pos:], '"')
		if i < 0 {
			r.rec = append(r.rec, line[pos:]...)
			return false, 0
		}
		r.rec = append(r.rec, line[pos:pos+i]...)
		pos += i + 1
		switch {
		case pos < len(line) && line[pos] == '"':
			r.rec = append(r.rec, '"')
			pos++
		case pos == len(line):
			r.inQuote = false
			r.ends = append(r.ends, len(r.rec))
			return true, 0
		case line[pos] == r.comma:
			r.inQuote = false
			r.ends = append(r.ends, len(r.rec))
			pos++
			if pos == len(line) { // a trailing delimiter: one more, empty field
				r.ends = append(r.ends, len(r.rec))
				return true, 0
			}
		default:
			r.inQuote = false
			return true, pos + 1
		}
	}
}
