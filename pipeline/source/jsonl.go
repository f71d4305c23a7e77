package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// jsonlReader reads JSON Lines: one JSON object per line.
//
// The header is the union of the keys of all objects in order of first appearance, so the
// file is read twice: a first pass collects the keys (and finds encoding errors before
// any record is returned), the second returns the records.
type jsonlReader struct {
	textSource
	name   string
	src    io.ReadSeeker
	enc    string
	lines  *lineReader
	header []string
	index  map[string]int // column of each key

	fields []string
	seen   []bool // seen[col]: the current line has already set fields[col]
}

// NewJSONL returns a reader of the JSON Lines in r; name is used in errors. It reads the
// input twice: if r is an io.ReadSeeker it seeks back to the start, otherwise it first
// reads all of r into memory (fine for tests and small inputs; Open always seeks). If r is
// an io.Closer, Close closes it.
func NewJSONL(r io.Reader, name string, opt Options) (Reader, error) {
	rs, ok := r.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		rs = bytes.NewReader(b)
	}
	jr := &jsonlReader{textSource: newTextSource(r), name: name, src: rs, enc: opt.Encoding, index: map[string]int{}}
	if err := jr.collectKeys(); err != nil {
		return nil, err
	}
	if err := jr.rewind(); err != nil {
		return nil, err
	}
	return jr, nil
}

// newJSONLSeeker is NewJSONL for Open (the file seeks).
var newJSONLSeeker = NewJSONL

// rewind positions the reader at the start of the input for a new pass.
func (r *jsonlReader) rewind() error {
	if _, err := r.src.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read %s: %w", r.name, err)
	}
	lines, err := newLineReader(r.src, r.name, r.enc)
	r.lines = lines
	return err
}

// collectKeys is the first pass: it builds the header from the keys of every line that
// is a JSON object. Lines that are not are left for the second pass to report.
func (r *jsonlReader) collectKeys() error {
	if err := r.rewind(); err != nil {
		return err
	}
	nonBlank := 0
	for {
		line, err := r.lines.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if isBlank(line) {
			continue
		}
		nonBlank++
		if !json.Valid(line) {
			continue
		}
		scanObject(line, func(key []byte, _, _ int) {
			if _, ok := r.column(key); !ok {
				k := unquoteKey(key)
				r.index[k] = len(r.header)
				r.header = append(r.header, k)
			}
		})
	}
	switch {
	case nonBlank == 0:
		return fileErr(r.name, 0, 0, ErrEmpty, "")
	case len(r.header) == 0:
		return fileErr(r.name, 0, 0, ErrNoHeader, ": no line is a JSON object with keys; JSON Lines needs one object per line (a JSON array is not supported)")
	}
	r.fields = make([]string, len(r.header))
	r.seen = make([]bool, len(r.header))
	return nil
}

func (r *jsonlReader) Header() []string { return r.header }

// Next returns the next record; see [Reader].
func (r *jsonlReader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	for {
		line, err := r.lines.next()
		if err != nil {
			r.err = err
			return Record{}, err
		}
		if !isBlank(line) {
			return r.record(line), nil
		}
	}
}

// record converts one non-blank line.
func (r *jsonlReader) record(line []byte) Record {
	rec := Record{Line: r.lines.line}
	if !json.Valid(line) {
		rec.Err = fileErr(r.name, rec.Line, 0, ErrSyntax, ": the line is not valid JSON")
		return rec
	}
	clear(r.fields)
	clear(r.seen)
	s := string(line) // values are substrings of s: one allocation per line
	dup := -1         // the column of the first key that appears twice, or -1
	ok := scanObject(line, func(key []byte, start, end int) {
		col, found := r.column(key)
		if !found {
			return
		}
		if r.seen[col] && dup < 0 {
			dup = col
		}
		r.seen[col] = true
		r.fields[col] = jsonValue(s, start, end)
	})
	switch {
	case !ok:
		rec.Err = fileErr(r.name, rec.Line, 0, ErrSyntax, ": the line is JSON but not an object")
	case dup >= 0:
		rec.Err = fileErr(r.name, rec.Line, 0, ErrDuplicateKey, " %q: the line gives it twice, so which value holds is unknown", r.header[dup])
	default:
		rec.Fields = r.fields
	}
	return rec
}

// column returns the column of the raw JSON string key (still quoted). Keys without
// escapes are looked up without unquoting (and without allocating).
func (r *jsonlReader) column(key []byte) (int, bool) {
	if bytes.IndexByte(key, '\\') < 0 {
		col, ok := r.index[string(key[1:len(key)-1])]
		return col, ok
	}
	col, ok := r.index[unquoteKey(key)]
	return col, ok
}

// jsonValue converts the raw JSON value s[start:end] (s is the line as a string) to its
// field text: strings unquoted, null as "", numbers, booleans, objects and arrays as written.
func jsonValue(s string, start, end int) string {
	raw := s[start:end]
	switch raw[0] {
	case 'n':
		return ""
	case '"':
		if strings.IndexByte(raw, '\\') < 0 {
			return raw[1 : len(raw)-1]
		}
		var u string
		_ = json.Unmarshal([]byte(raw), &u) // cannot fail: the line passed json.Valid
		return u
	}
	return raw
}

// unquoteKey returns the text of a raw JSON string key (still quoted).
func unquoteKey(key []byte) string {
	if bytes.IndexByte(key, '\\') < 0 {
		return string(key[1 : len(key)-1])
	}
	var u string
	_ = json.Unmarshal(key, &u)
	return u
}

// isBlank reports whether line holds only spaces and tabs.
func isBlank(line []byte) bool {
	return len(bytes.TrimLeft(line, " \t\r")) == 0
}

// scanObject calls fn with each raw key (still quoted) and the span of its raw value in
// the JSON object in line, which must be valid JSON; it reports false for a non-object.
func scanObject(line []byte, fn func(key []byte, start, end int)) bool {
	i := skipSpace(line, 0)
	if line[i] != '{' {
		return false
	}
	i = skipSpace(line, i+1)
	for line[i] != '}' {
		end := skipString(line, i)
		key := line[i:end]
		i = skipSpace(line, end)   // at ':'
		i = skipSpace(line, i+1)   // at the value
		vend := skipValue(line, i) // just past the value
		fn(key, i, vend)
		i = skipSpace(line, vend) // at ',' or '}'
		if line[i] == ',' {
			i = skipSpace(line, i+1)
		}
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the index just past the string literal starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
