package synth

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/xuri/excelize/v2"
)

// parquetBatch is the number of rows per record batch and row group written.
const parquetBatch = 64 << 10

// arrowType maps a column type to its Arrow type: ints as int32, dates as date32.
func arrowType(t colType) arrow.DataType {
	switch t {
	case typeInt:
		return arrow.PrimitiveTypes.Int32
	case typeFloat:
		return arrow.PrimitiveTypes.Float64
	case typeDate:
		return arrow.FixedWidthTypes.Date32
	case typeBool:
		return arrow.FixedWidthTypes.Boolean
	}
	return arrow.BinaryTypes.String
}

func writeParquet(ctx context.Context, w io.Writer, cfg Config, st *Stats) error {
	return writeParquetWith(ctx, w, cfg, st, memory.DefaultAllocator)
}

// writeParquetWith writes typed columns with mem (tests pass a checked allocator).
func writeParquetWith(ctx context.Context, w io.Writer, cfg Config, st *Stats, mem memory.Allocator) error {
	header := cfg.Header()
	fields := make([]arrow.Field, len(header))
	types := make([]colType, len(header))
	for i, h := range header {
		types[i] = columnType(h)
		fields[i] = arrow.Field{Name: h, Type: arrowType(types[i]), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(parquetBatch), parquet.WithAllocator(mem))
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		return fw.Write(rec)
	}
	consent, n := fieldIndex(colConsent, cfg.ExtraColumns), 0
	var cerr error
	for r := range rowsUntil(ctx, cfg, &cerr) {
		for i, v := range r.Fields {
			appendTyped(b.Field(i), types[i], v)
		}
		st.count(r, consent)
		if n++; n%parquetBatch == 0 {
			if err := flush(); err != nil {
				fw.Close()
				return err
			}
		}
	}
	if cerr != nil {
		fw.Close()
		return cerr
	}
	if n%parquetBatch != 0 || n == 0 {
		if err := flush(); err != nil {
			fw.Close()
			return err
		}
	}
	return fw.Close()
}

// appendTyped appends v to a builder of type t; "" and values that do not parse as t
// become null.
func appendTyped(b array.Builder, t colType, v string) {
	if v == "" {
		b.AppendNull()
		return
	}
	switch t {
	case typeInt:
		if n, err := strconv.ParseInt(v, 10, 32); err == nil {
			b.(*array.Int32Builder).Append(int32(n))
			return
		}
	case typeFloat:
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			b.(*array.Float64Builder).Append(x)
			return
		}
	case typeDate:
		if d, ok := parseDate(v); ok {
			b.(*array.Date32Builder).Append(arrow.Date32FromTime(d))
			return
		}
	case typeBool:
		if x, err := strconv.ParseBool(v); err == nil {
			b.(*array.BooleanBuilder).Append(x)
			return
		}
	case typeString:
		b.(*array.StringBuilder).Append(v)
		return
	}
	b.AppendNull()
}

// xlsxMaxRows is the number of data rows a worksheet holds (Excel's limit less the header).
const xlsxMaxRows = 1<<20 - 1

func writeXLSX(ctx context.Context, w io.Writer, cfg Config, st *Stats) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "sessions"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	isoDate := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &isoDate})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := cfg.Header()
	types := make([]colType, len(header))
	cells := make([]any, len(header))
	for i, h := range header {
		types[i], cells[i] = columnType(h), h
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	consent, row := fieldIndex(colConsent, cfg.ExtraColumns), 1
	var cerr error
	for r := range rowsUntil(ctx, cfg, &cerr) {
		if row++; row-1 > xlsxMaxRows {
			return fmt.Errorf("synth: more than %d rows do not fit in an xlsx worksheet", xlsxMaxRows)
		}
		for i, v := range r.Fields {
			cells[i] = xlsxValue(types[i], v, dateStyle)
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
		st.count(r, consent)
	}
	if cerr != nil {
		return cerr
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// xlsxValue returns the cell for v: numbers and booleans typed, dates as real Excel dates
// with an ISO date format, text (and values that do not parse) as strings, "" as empty.
func xlsxValue(t colType, v string, dateStyle int) any {
	if v == "" {
		return nil
	}
	switch t {
	case typeInt:
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	case typeFloat:
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return x
		}
	case typeDate:
		if d, ok := parseDate(v); ok {
			return excelize.Cell{StyleID: dateStyle, Value: d}
		}
	case typeBool:
		if x, err := strconv.ParseBool(v); err == nil {
			return x
		}
	}
	return v
}
