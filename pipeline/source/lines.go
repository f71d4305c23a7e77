package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// bufferSize is the read buffer of the text readers: large enough that most lines are
// returned straight from it, without copying.
const bufferSize = 1 << 20

// lineReader returns the physical lines of a text file, counting them, with the line
// terminator ("\n" or "\r\n") removed, the byte-order mark dropped and, for UTF-8 input,
// each line checked to be valid UTF-8.
type lineReader struct {
	name     string
	br       *bufio.Reader
	validate bool   // check UTF-8 (false when the input is converted from a single-byte code page)
	line     int    // number of the line last returned
	long     []byte // a line longer than the buffer, assembled here
}

// newLineReader wraps r for reading lines in the given encoding.
func newLineReader(r io.Reader, name, encoding string) (*lineReader, error) {
	dec, err := decoderFor(name, encoding)
	if err != nil {
		return nil, err
	}
	size := bufferSize
	if l, ok := r.(interface{ Len() int }); ok { // in-memory input (tests, fuzzing): no bigger than it
		size = min(size, l.Len()+1)
	}
	br := bufio.NewReaderSize(r, size)
	b, _ := br.Peek(len(bom))
	switch {
	case bytes.Equal(b, bom):
		br.Discard(len(bom))
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return nil, fileErr(name, 1, 0, ErrEncoding, ": the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8\" instead")
	}
	lr := &lineReader{name: name, br: br, validate: dec == nil}
	if dec != nil {
		lr.br = bufio.NewReaderSize(transform.NewReader(br, dec.NewDecoder()), size)
	}
	return lr, nil
}

// decoderFor returns the code page for encoding, or nil for UTF-8.
func decoderFor(name, encoding string) (*charmap.Charmap, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "utf-8", "utf8":
		return nil, nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252, nil
	case "latin1", "latin-1", "iso-8859-1":
		return charmap.ISO8859_1, nil
	}
	return nil, fmt.Errorf("%s: unknown encoding %q; allowed: utf-8, windows-1252, latin1", name, encoding)
}

// next returns the next line, valid until the following call, or io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	line, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		line, err = lr.readLong(line)
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		if len(line) == 0 {
			return nil, io.EOF
		}
	default:
		if _, ok := err.(*FileError); ok {
			return nil, err
		}
		return nil, fmt.Errorf("read %s: %w", lr.name, err)
	}
	lr.line++
	line = trimEOL(line)
	if lr.validate && !utf8.Valid(line) {
		return nil, fileErr(lr.name, lr.line, invalidAt(line)+1, ErrEncoding, encodingHint)
	}
	return line, nil
}

// readLong assembles a line longer than the read buffer.
func (lr *lineReader) readLong(first []byte) ([]byte, error) {
	lr.long = append(lr.long[:0], first...)
	for {
		more, err := lr.br.ReadSlice('\n')
		lr.long = append(lr.long, more...)
		if len(lr.long) > MaxRecordBytes {
			return nil, fileErr(lr.name, lr.line+1, 0, ErrTooLong,
				": line is longer than %d MB", MaxRecordBytes>>20)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return lr.long, err
		}
	}
}

// trimEOL removes a trailing "\n" or "\r\n" (and a lone trailing "\r" at the end of file).
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// invalidAt returns the byte offset of the first invalid UTF-8 sequence in b.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
