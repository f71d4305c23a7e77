package source

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// writeTypedParquet writes a file with one column of each type the reader formats, in
// row groups of 2 rows (so reading crosses row groups), and returns its path.
func writeTypedParquet(t *testing.T) string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Int32Builder).AppendValues([]int32{7, -3, 0}, []bool{true, true, false})
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{1 << 40, 2, 3}, nil)
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{7, 6.5, 0.1}, []bool{true, true, false})
	b.Field(3).(*array.Float32Builder).AppendValues([]float32{0.1, 2, 3}, nil)
	b.Field(4).(*array.BooleanBuilder).AppendValues([]bool{true, false, false}, []bool{true, true, false})
	day := arrow.Date32FromTime(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))
	b.Field(5).(*array.Date32Builder).AppendValues([]arrow.Date32{day, day + 1, 0}, []bool{true, true, false})
	mid, _ := arrow.TimestampFromTime(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), arrow.Microsecond)
	noon, _ := arrow.TimestampFromTime(time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC), arrow.Microsecond)
	b.Field(6).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{mid, noon, 0}, []bool{true, true, false})
	b.Field(7).(*array.StringBuilder).AppendValues([]string{"migraine", "=HYPERLINK(\"x\")", ""}, []bool{true, true, false})
	db := b.Field(8).(*array.BinaryDictionaryBuilder)
	db.AppendString("CST")
	db.AppendString("SER")
	db.AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()

	path := filepath.Join(t.TempDir(), "typed.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(2), parquet.WithAllocator(mem))
	w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParquet(t *testing.T) {
	path := writeTypedParquet(t)
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	r, err := openParquet(path, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	wantHeader := []string{"i32", "i64", "f64", "f32", "b", "d", "ts", "s", "dict"}
	if !reflect.DeepEqual(r.Header(), wantHeader) {
		t.Errorf("Header = %q", r.Header())
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{1, []string{"7", "1099511627776", "7", "0.1", "true", "2024-02-29", "2024-03-01", "migraine", "CST"}, nil},
		{2, []string{"-3", "2", "6.5", "2", "false", "2024-03-01", "2024-03-01T12:30:00Z", "=HYPERLINK(\"x\")", "SER"}, nil},
		{3, []string{"", "3", "", "3", "", "", "", "", ""}, nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %v\nwant %v", rows, want)
	}
}

func TestParquetCorrupt(t *testing.T) {
	good, err := os.ReadFile(writeTypedParquet(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"Empty", nil, ErrEmpty},
		{"Truncated", good[:len(good)/2], ErrCorrupt},
		{"NoFooter", good[:len(good)-8], ErrCorrupt},
		{"NotParquet", []byte("practitioner_id,client_id\nP1,C1\n"), ErrCorrupt},
		{"DamagedPages", damage(good), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".parquet")
			if err := os.WriteFile(p, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			r, err := openParquet(p, mem)
			if err == nil {
				_, err = readAll(t, r)
				mustClose(t, r)
			}
			var fe *FileError
			if !errors.Is(err, tt.want) || !errors.As(err, &fe) || fe.File != p {
				t.Errorf("err = %v, want %v in a *FileError", err, tt.want)
			}
		})
	}
}

// damage overwrites the data pages (between the leading magic and the footer) with junk.
func damage(b []byte) []byte {
	d := append([]byte(nil), b...)
	for i := 4; i < len(d)/2; i++ {
		d[i] = byte(i * 7)
	}
	return d
}

func TestOpenParquet(t *testing.T) {
	r, err := Open(writeTypedParquet(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	rows, err := readAll(t, r)
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %d, err %v", len(rows), err)
	}
	if p := r.(Progress); p.Offset() != p.Size() {
		t.Errorf("Offset %d, Size %d at the end", p.Offset(), p.Size())
	}
}

func TestParquetNoRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "client_id", Type: arrow.BinaryTypes.String}}, nil)
	path := filepath.Join(t.TempDir(), "empty.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := openParquet(path, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	if h := r.Header(); !reflect.DeepEqual(h, []string{"client_id"}) {
		t.Errorf("Header = %q", h)
	}
	if rows, err := readAll(t, r); err != nil || len(rows) != 0 {
		t.Errorf("rows %v, err %v", rows, err)
	}
}
