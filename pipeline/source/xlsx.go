package source

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxReader streams the rows of one worksheet with excelize's Rows iterator.
type xlsxReader struct {
	name   string
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	size   int64
	line   int // Excel row number of the row last read

	fields []string
	err    error
	closed bool
}

// The number formats dates are rewritten to (see normaliseNumberFormats): excelize then
// renders them with the ShortDatePattern the file is opened with.
const (
	numFmtShortDate = 14 // builtin "mm-dd-yy", shown as isoDate
	numFmtDateTime  = 22 // builtin "m/d/yy h:mm", shown as isoDate + " hh:mm"
	isoDate         = "yyyy-mm-dd"
)

// openXLSX opens a workbook and positions the reader after the header row of sheet
// ("" for the first sheet).
func openXLSX(path, sheet string) (rd Reader, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkMode(path, st.Mode()); err != nil {
		return nil, err
	}
	if st.Size() == 0 {
		return nil, fileErr(path, 0, 0, ErrEmpty, "")
	}
	defer recoverCorrupt(path, &err)
	f, err := excelize.OpenFile(path, excelize.Options{ShortDatePattern: isoDate})
	if err != nil {
		return nil, corrupt(path, err)
	}
	r := &xlsxReader{name: path, f: f, size: st.Size()}
	if err := r.init(sheet); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// init picks the sheet, prepares number formats and reads the header row.
func (r *xlsxReader) init(sheet string) error {
	sheets := r.f.GetSheetList()
	if len(sheets) == 0 {
		return fileErr(r.name, 0, 0, ErrCorrupt, ": the workbook has no worksheets")
	}
	name := sheets[0]
	if sheet != "" {
		if name = findFold(sheets, sheet); name == "" {
			return fileErr(r.name, 0, 0, ErrSheet, " %q; the workbook has: %s", sheet, quoteList(sheets))
		}
	}
	sheet = name
	normaliseNumberFormats(r.f)
	rows, err := r.f.Rows(sheet)
	if err != nil {
		return corrupt(r.name, err)
	}
	r.rows = rows
	cells, err := r.nextNonEmpty()
	if err != nil {
		return err
	}
	if cells == nil {
		return fileErr(r.name, 0, 0, ErrNoHeader, ": sheet %q has no non-empty row", sheet)
	}
	r.header = cells
	return nil
}

// findFold returns the name in list equal to s ignoring case (as Excel compares sheet
// names), or "".
func findFold(list []string, s string) string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return x
		}
	}
	return ""
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// normaliseNumberFormats rewrites, in memory only, the number format of every cell style:
// date formats become the short-date (or date-time) builtin, which excelize renders with
// the ISO pattern the file was opened with; all other formats become General, so that a
// number reads as its stored value ("7", not "7.0000" or "700%"). The streaming Rows API
// does not expose a cell's style, so this is the way to tell an Excel date from a number.
func normaliseNumberFormats(f *excelize.File) {
	ss := f.Styles
	if ss == nil || ss.CellXfs == nil {
		return
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf != nil {
				custom[nf.NumFmtID] = nf.FormatCode
			}
		}
	}
	short, long := numFmtShortDate, numFmtDateTime
	for i := range ss.CellXfs.Xf {
		xf := &ss.CellXfs.Xf[i]
		if xf.NumFmtID == nil {
			continue
		}
		switch dateKind(*xf.NumFmtID, custom) {
		case kindDate:
			xf.NumFmtID = &short
		case kindDateTime:
			xf.NumFmtID = &long
		default:
			xf.NumFmtID = nil
		}
	}
}

type fmtKind int

const (
	kindOther fmtKind = iota
	kindDate
	kindDateTime
)

// dateKind classifies a number format: Excel's builtin date formats by id, custom ones by
// their code (a 'y' or 'd' outside quotes and brackets makes a date; an 'h' or 's' as
// well makes a date-time).
func dateKind(id int, custom map[int]string) fmtKind {
	switch {
	case id == 22:
		return kindDateTime
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return kindDate
	}
	code, ok := custom[id]
	if !ok {
		return kindOther
	}
	code = strings.ToLower(stripLiterals(code))
	switch {
	case !strings.ContainsAny(code, "yd"):
		return kindOther
	case strings.ContainsAny(code, "hs"):
		return kindDateTime
	}
	return kindDate
}

// stripLiterals removes quoted text, escaped characters and [bracketed] parts of a
// number format code, and keeps only its first section.
func stripLiterals(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '[':
			if j := strings.IndexByte(code[i:], ']'); j >= 0 {
				i += j
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++
		case ';':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nextNonEmpty returns the cells of the next row with any non-empty cell, or nil at the end.
func (r *xlsxReader) nextNonEmpty() ([]string, error) {
	for r.rows.Next() {
		r.line++
		cells, err := r.rows.Columns()
		if err != nil {
			return nil, corrupt(r.name, err)
		}
		if !allEmpty(cells) {
			return cells, nil
		}
	}
	if err := r.rows.Error(); err != nil {
		return nil, corrupt(r.name, err)
	}
	return nil, nil
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

func (r *xlsxReader) Header() []string { return r.header }

// Next returns the next non-empty row; see [Reader]. A row with a value to the right of
// the header's last column is a row error (ErrFieldCount).
func (r *xlsxReader) Next() (rec Record, err error) {
	if r.err != nil {
		return Record{}, r.err
	}
	defer recoverCorrupt(r.name, &err)
	cells, err := r.nextNonEmpty()
	switch {
	case err != nil:
		r.err = err
		return Record{}, err
	case cells == nil:
		r.err = io.EOF
		return Record{}, r.err
	}
	rec.Line = r.line
	n := min(len(cells), len(r.header))
	r.fields = append(r.fields[:0], cells[:n]...)
	for len(r.fields) < len(r.header) {
		r.fields = append(r.fields, "")
	}
	rec.Fields = r.fields
	if extra := cells[n:]; !allEmpty(extra) {
		col, _ := excelize.ColumnNumberToName(len(r.header) + 1 + firstNonEmpty(extra))
		rec.Err = fileErr(r.name, r.line, 0, ErrFieldCount, ": a value in column %s, right of the header's last column", col)
	}
	return rec, nil
}

func firstNonEmpty(cells []string) int {
	for i, c := range cells {
		if c != "" {
			return i
		}
	}
	return -1
}

// Offset implements [Progress], roughly: excelize does not say how far it has read, so
// the reader reports the whole size once done and zero before.
func (r *xlsxReader) Offset() int64 {
	if errors.Is(r.err, io.EOF) {
		return r.size
	}
	return 0
}

// Size implements [Progress].
func (r *xlsxReader) Size() int64 { return r.size }

// Close closes the sheet iterator and the workbook (removing excelize's temporary files);
// it is idempotent.
func (r *xlsxReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.err == nil {
		r.err = errClosed
	}
	var err error
	if r.rows != nil {
		err = r.rows.Close()
	}
	return errors.Join(err, r.f.Close())
}
