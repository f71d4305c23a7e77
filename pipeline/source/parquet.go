package source

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetBatchRows is the number of rows decoded at a time: it bounds the reader's memory.
const parquetBatchRows = 16 << 10

var defaultAllocator memory.Allocator = memory.DefaultAllocator

// parquetReader streams a Parquet file batch by batch and formats each value as text.
type parquetReader struct {
	name   string
	pf     *file.Reader
	rr     pqarrow.RecordReader
	header []string
	size   int64
	rows   int64 // total rows, from the footer

	batch arrow.RecordBatch // current batch, owned by rr (released by its next Next)
	fmts  []formatter       // one per column of batch
	row   int               // next row of batch
	line  int               // 1-based number of the last row returned

	buf    []byte
	ends   []int
	fields []string
	err    error
	closed bool
}

// formatter appends the canonical text of row i of a column to b (nulls are handled by
// the caller).
type formatter func(b []byte, i int) []byte

// openParquet opens path with mem for the Arrow arrays (tests pass a checked allocator).
// The footer and schema are read here, so a truncated file fails before any record.
func openParquet(path string, mem memory.Allocator) (rd Reader, err error) {
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
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, corrupt(path, err)
	}
	r := &parquetReader{name: path, pf: pf, size: st.Size(), rows: pf.NumRows()}
	if err := r.init(mem); err != nil {
		pf.Close()
		return nil, err
	}
	return r, nil
}

// init builds the record reader and the header from the Arrow schema.
func (r *parquetReader) init(mem memory.Allocator) error {
	fr, err := pqarrow.NewFileReader(r.pf, pqarrow.ArrowReadProperties{BatchSize: parquetBatchRows}, mem)
	if err != nil {
		return corrupt(r.name, err)
	}
	sc, err := fr.Schema()
	if err != nil {
		return corrupt(r.name, err)
	}
	for _, f := range sc.Fields() {
		r.header = append(r.header, f.Name)
	}
	if len(r.header) == 0 {
		return fileErr(r.name, 0, 0, ErrNoHeader, ": the Parquet schema has no columns")
	}
	if r.rr, err = fr.GetRecordReader(context.Background(), nil, nil); err != nil {
		return corrupt(r.name, err)
	}
	return nil
}

// corrupt wraps a decoding error from arrow-go as ErrCorrupt; its text is about the file's
// structure, never its values.
func corrupt(name string, err error) error {
	return &FileError{File: name, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
}

// recoverCorrupt turns a panic while decoding (damaged input can cause one inside the
// decoders) into ErrCorrupt, so that no panic crosses the package boundary.
func recoverCorrupt(name string, err *error) {
	if p := recover(); p != nil {
		*err = corrupt(name, fmt.Errorf("%v", p))
	}
}

func (r *parquetReader) Header() []string { return r.header }

// Next returns the next row; see [Reader].
func (r *parquetReader) Next() (rec Record, err error) {
	if r.err != nil {
		return Record{}, r.err
	}
	defer func() {
		if err != nil {
			r.err = err
		}
	}()
	defer recoverCorrupt(r.name, &err)
	for r.batch == nil || r.row >= int(r.batch.NumRows()) {
		if err := r.nextBatch(); err != nil {
			return Record{}, err
		}
	}
	r.line++
	rec = Record{Line: r.line, Fields: r.format(r.row)}
	r.row++
	return rec, nil
}

// nextBatch advances to the next record batch, or returns io.EOF.
func (r *parquetReader) nextBatch() error {
	if !r.rr.Next() {
		r.batch = nil
		if err := r.rr.Err(); err != nil && err != io.EOF {
			return corrupt(r.name, err)
		}
		return io.EOF
	}
	r.batch, r.row = r.rr.RecordBatch(), 0
	r.fmts = r.fmts[:0]
	for _, col := range r.batch.Columns() {
		r.fmts = append(r.fmts, formatterFor(col))
	}
	return nil
}

// format renders row i of the current batch into r.fields: all values are appended to
// one buffer that becomes one string, and the fields are substrings of it.
func (r *parquetReader) format(i int) []string {
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	for c, col := range r.batch.Columns() {
		if !col.IsNull(i) {
			r.buf = r.fmts[c](r.buf, i)
		}
		r.ends = append(r.ends, len(r.buf))
	}
	s, start := string(r.buf), 0
	r.fields = r.fields[:0]
	for _, end := range r.ends {
		r.fields = append(r.fields, s[start:end])
		start = end
	}
	return r.fields
}

// formatterFor returns the canonical text formatter for an Arrow column.
func formatterFor(col arrow.Array) formatter {
	switch a := col.(type) {
	case *array.String:
		return func(b []byte, i int) []byte { return append(b, a.Value(i)...) }
	case *array.LargeString:
		return func(b []byte, i int) []byte { return append(b, a.Value(i)...) }
	case *array.Binary:
		return func(b []byte, i int) []byte { return append(b, a.Value(i)...) }
	case *array.Int8:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(a.Value(i)), 10) }
	case *array.Int16:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(a.Value(i)), 10) }
	case *array.Int32:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(a.Value(i)), 10) }
	case *array.Int64:
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, a.Value(i), 10) }
	case *array.Uint8:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, uint64(a.Value(i)), 10) }
	case *array.Uint16:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, uint64(a.Value(i)), 10) }
	case *array.Uint32:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, uint64(a.Value(i)), 10) }
	case *array.Uint64:
		return func(b []byte, i int) []byte { return strconv.AppendUint(b, a.Value(i), 10) }
	case *array.Float32:
		return func(b []byte, i int) []byte { return strconv.AppendFloat(b, float64(a.Value(i)), 'g', -1, 32) }
	case *array.Float64:
		return func(b []byte, i int) []byte { return strconv.AppendFloat(b, a.Value(i), 'g', -1, 64) }
	case *array.Boolean:
		return func(b []byte, i int) []byte { return strconv.AppendBool(b, a.Value(i)) }
	case *array.Date32:
		return func(b []byte, i int) []byte { return a.Value(i).ToTime().AppendFormat(b, time.DateOnly) }
	case *array.Date64:
		return func(b []byte, i int) []byte { return a.Value(i).ToTime().AppendFormat(b, time.DateOnly) }
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(b []byte, i int) []byte { return appendTime(b, a.Value(i).ToTime(unit)) }
	case *array.Dictionary:
		values, index := formatterFor(a.Dictionary()), a.GetValueIndex
		return func(b []byte, i int) []byte { return values(b, index(i)) }
	}
	return func(b []byte, i int) []byte { return append(b, col.ValueStr(i)...) }
}

// appendTime formats a timestamp (in UTC) as a date at midnight, else as RFC 3339.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.AppendFormat(b, time.DateOnly)
	}
	return t.AppendFormat(b, time.RFC3339Nano)
}

// Offset implements [Progress], estimated from the share of rows read.
func (r *parquetReader) Offset() int64 {
	if r.rows == 0 {
		return r.size
	}
	return r.size * int64(r.line) / r.rows
}

// Size implements [Progress].
func (r *parquetReader) Size() int64 { return r.size }

// Close releases the Arrow buffers and the file; it is idempotent.
func (r *parquetReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.err == nil {
		r.err = errClosed
	}
	r.batch = nil
	r.rr.Release()
	return r.pf.Close()
}
