package source

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// row is a record as tests compare it.
type row struct {
	Line   int
	Fields []string
	Err    error // the sentinel Record.Err wraps, or nil
}

// readAll reads every record of r, cloning the reused Fields slices. It returns the
// file-level error that ended the read, if any (not io.EOF).
func readAll(tb testing.TB, r Reader) ([]row, error) {
	tb.Helper()
	var rows []row
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row{Line: rec.Line, Fields: slices.Clone(rec.Fields), Err: sentinelOf(rec.Err)})
	}
}

// sentinelOf returns which package sentinel err wraps (nil for nil).
func sentinelOf(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{ErrFieldCount, ErrQuote, ErrSyntax, ErrDuplicateKey, ErrEncoding, ErrEmpty, ErrNoHeader, ErrCorrupt, ErrTooLong, ErrSheet, ErrFormat} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// markedLines strips the marker '§' from input and returns the 1-based physical line of
// each marker: the tests put one at the start of every record they expect.
func markedLines(input string) (string, []int) {
	var lines []int
	line := 1
	var b strings.Builder
	for i := 0; i < len(input); i++ {
		if strings.HasPrefix(input[i:], "§") {
			lines = append(lines, line)
			i += len("§") - 1
			continue
		}
		if input[i] == '\n' {
			line++
		}
		b.WriteByte(input[i])
	}
	return b.String(), lines
}

func mustClose(tb testing.TB, r Reader) {
	tb.Helper()
	if err := r.Close(); err != nil {
		tb.Errorf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		tb.Errorf("second Close: %v", err)
	}
}
