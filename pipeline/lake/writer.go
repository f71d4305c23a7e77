package lake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// WriterOptions are the Parquet settings of the data files. The zero value is not useful; see
// [DefaultWriterOptions], which the lake uses (its figures are in lake_bench_test.go).
type WriterOptions struct {
	ZstdLevel      int   // zstd compression level
	RowGroupRows   int64 // rows per row group
	PageSize       int64 // target data page size in bytes
	TargetFileSize int64 // a file is rolled over once it has this many compressed bytes
	// Dictionary lists the columns written with dictionary encoding; all others are plain.
	Dictionary []string
}

// DefaultWriterOptions returns the Parquet settings the lake writes with, chosen with
// BenchmarkWriteSessions (1M rows, in client order / in date order; CPU time and bytes per
// row, on the shared 2-core machine):
//
//   - source_sha256 is plain: it is one value per batch, and hashing 64 bytes a row into a
//     dictionary cost 6% of a 10M-row ingest for no smaller file (zstd takes the repeats).
//   - dictionary encoding for the keys and the source's sha256: 1.36/1.05 µs and
//     15.5/18.6 bytes. arrow-go hashes (and allocates) per dictionary-encoded value, so the
//     short enum columns are cheaper plain, and zstd still compresses them: with dictionaries
//     for them too, 1.56/1.24 µs and 14.4/15.6 bytes; without client_key's, 28.9 bytes in
//     date order; with no dictionary at all, 1.21/1.07 µs and 15.8/35.5 bytes.
//   - zstd level 1: level 3 costs ~6% more CPU for files <1% smaller.
//   - 64 KiB pages: each column of each open file buffers a page, so 1 MiB pages hold
//     ~45 MB more live heap (with five years open) and cost ~6% more CPU for files ~4% smaller.
//   - 128Ki-row row groups: 1Mi rows is no faster and buffers 8x the rows per open file.
func DefaultWriterOptions() WriterOptions {
	return WriterOptions{
		ZstdLevel:      1,
		RowGroupRows:   128 * 1024,
		PageSize:       64 << 10,
		TargetFileSize: 128 << 20,
		Dictionary: []string{
			"practitioner_key", "client_key", // sessions
			"source_name", "column", "rule", // quarantine
		},
	}
}

func (o WriterOptions) properties(mem memory.Allocator, sc *arrow.Schema) *parquet.WriterProperties {
	props := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(o.ZstdLevel),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(o.RowGroupRows),
		parquet.WithDataPageSize(o.PageSize),
		parquet.WithDictionaryDefault(false),
		parquet.WithVersion(parquet.V2_LATEST),
		parquet.WithCreatedBy("cst-outcomes lake (arrow-go)"),
	}
	for _, f := range sc.Fields() {
		if slices.Contains(o.Dictionary, f.Name) {
			props = append(props, parquet.WithDictionaryFor(f.Name, true))
		}
	}
	return parquet.NewWriterProperties(props...)
}

// dataFile is one closed Parquet file of a batch.
type dataFile struct {
	table  string // "sessions" or "quarantine"
	path   string // absolute
	year   int    // calendar year of the partition (sessions), 0 for quarantine
	rows   int64
	bytes  int64
	sha256 string // hex
}

// fileWriter writes one Parquet file, hashing and counting the bytes as they go out.
type fileWriter struct {
	f    *os.File
	sum  hash.Hash
	n    int64
	fw   *pqarrow.FileWriter
	file dataFile
}

func (w *fileWriter) Write(p []byte) (int, error) {
	if err := writeFault(w.file.path); err != nil {
		return 0, err
	}
	n, err := w.f.Write(p)
	w.sum.Write(p[:n])
	w.n += int64(n)
	return n, err
}

func newFileWriter(path string, sc *arrow.Schema, props *parquet.WriterProperties, mem memory.Allocator) (*fileWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	w := &fileWriter{f: f, sum: sha256.New(), file: dataFile{path: path}}
	// Only Write is exposed to the Parquet writer, so that closing it does not close f.
	fw, err := pqarrow.NewFileWriter(sc, struct{ writerOnly }{w}, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	w.fw = fw
	w.file.path = path
	return w, nil
}

type writerOnly interface{ Write([]byte) (int, error) }

// size is the number of compressed bytes written or buffered so far.
func (w *fileWriter) size() int64 {
	return w.fw.TotalCompressedBytes() + w.fw.RowGroupTotalCompressedBytes()
}

// close writes the footer, syncs and closes the file, and fills in its statistics.
func (w *fileWriter) close(fs *syncFS) (dataFile, error) {
	err := w.fw.Close()
	if err == nil {
		if err = w.f.Sync(); err == nil {
			fs.synced(w.file.path)
		}
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return dataFile{}, fmt.Errorf("write %s: %w", w.file.path, err)
	}
	w.file.rows = int64(w.fw.NumRows())
	w.file.bytes = w.n
	w.file.sha256 = hex.EncodeToString(w.sum.Sum(nil))
	return w.file, nil
}

// abort closes and removes the file.
func (w *fileWriter) abort() {
	_ = w.fw.Close()
	_ = w.f.Close()
	_ = os.Remove(w.file.path)
}

// tableWriter streams the records of one table into Parquet files under dir: one open file per
// partition (calendar year of session_date for sessions, a single one for quarantine), each
// rolled over at the target size. Memory is bounded by one row group per open file.
type tableWriter struct {
	table       string
	dir         string // the table's data directory
	prefix      string // file name prefix: the version and batch id
	sc          *arrow.Schema
	props       *parquet.WriterProperties
	opt         WriterOptions
	mem         memory.Allocator
	fs          *syncFS
	partitioned bool
	seq         int
	open        map[int]*fileWriter // by year (0 unpartitioned)
	done        []dataFile
	dirs        map[string]bool // directories created, to sync
	onFile      func(path string)
}

func (t *tableWriter) writerFor(year int) (*fileWriter, error) {
	if w := t.open[year]; w != nil {
		if w.size() < t.opt.TargetFileSize {
			return w, nil
		}
		if err := t.closeFile(year); err != nil {
			return nil, err
		}
	}
	dir := t.dir
	if t.partitioned {
		dir = filepath.Join(t.dir, fmt.Sprintf("%s=%d", yearPartitionName, year))
	}
	if !t.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		t.dirs[dir] = true
	}
	t.seq++
	path := filepath.Join(dir, fmt.Sprintf("%s-%05d.parquet", t.prefix, t.seq))
	if t.onFile != nil {
		t.onFile(path)
	}
	w, err := newFileWriter(path, t.sc, t.props, t.mem)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w.file.table = t.table
	w.file.year = year
	t.open[year] = w
	return w, nil
}

func (t *tableWriter) closeFile(year int) error {
	w := t.open[year]
	delete(t.open, year)
	f, err := w.close(t.fs)
	if err != nil {
		os.Remove(w.file.path)
		return err
	}
	t.done = append(t.done, f)
	return nil
}

// write appends rec (already checked against t.sc) to the partitions its rows belong to.
func (t *tableWriter) write(ctx context.Context, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	rec = array.NewRecordBatch(t.sc, rec.Columns(), rec.NumRows())
	defer rec.Release()
	if !t.partitioned {
		return t.writeTo(0, rec)
	}
	years, err := rowYears(rec.Column(sessionDateID - 1))
	if err != nil {
		return err
	}
	return t.writeSplit(ctx, rec, years)
}

func (t *tableWriter) writeTo(year int, rec arrow.RecordBatch) error {
	w, err := t.writerFor(year)
	if err != nil {
		return err
	}
	if err := w.fw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("write %s: %w", w.file.path, err)
	}
	return nil
}

// writeSplit writes each run of rows of one year as a zero-copy slice when the runs are long
// (sorted or nearly sorted input), and otherwise gathers each year's rows with a take.
func (t *tableWriter) writeSplit(ctx context.Context, rec arrow.RecordBatch, years []int) error {
	runs := 1
	for i := 1; i < len(years); i++ {
		if years[i] != years[i-1] {
			runs++
		}
	}
	if runs == 1 {
		return t.writeTo(years[0], rec)
	}
	if len(years)/runs >= 256 {
		start := 0
		for i := 1; i <= len(years); i++ {
			if i == len(years) || years[i] != years[start] {
				s := rec.NewSlice(int64(start), int64(i))
				err := t.writeTo(years[start], s)
				s.Release()
				if err != nil {
					return err
				}
				start = i
			}
		}
		return nil
	}
	return t.writeTaken(ctx, rec, years)
}

// writeTaken reorders rec by year with one take per column (a stable counting sort of the
// row numbers), then writes each year's rows as a slice of the reordered record.
func (t *tableWriter) writeTaken(ctx context.Context, rec arrow.RecordBatch, years []int) error {
	count := map[int]int{}
	for _, y := range years {
		count[y]++
	}
	order := slices.Sorted(maps.Keys(count))
	start, next := map[int]int{}, 0
	for _, y := range order {
		start[y] = next
		next += count[y]
	}
	perm := make([]int32, len(years))
	pos := maps.Clone(start)
	for i, y := range years {
		perm[pos[y]] = int32(i)
		pos[y]++
	}
	sorted, err := take(compute.WithAllocator(ctx, t.mem), rec, perm, t.mem)
	if err != nil {
		return err
	}
	defer sorted.Release()
	for _, y := range order {
		s := sorted.NewSlice(int64(start[y]), int64(start[y]+count[y]))
		err := t.writeTo(y, s)
		s.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func take(ctx context.Context, rec arrow.RecordBatch, rows []int32, mem memory.Allocator) (arrow.RecordBatch, error) {
	indices := array.NewInt32Data(array.NewData(arrow.PrimitiveTypes.Int32, len(rows),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(rows))}, nil, 0, 0))
	defer indices.Release()
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range rec.Columns() {
		out, err := compute.TakeArrayOpts(ctx, c, indices, compute.TakeOptions{BoundsCheck: false})
		if err != nil {
			return nil, fmt.Errorf("split batch by year: %w", err)
		}
		cols[i] = out
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(rows))), nil
}

// rowYears returns the calendar year of each row's session_date.
func rowYears(col arrow.Array) ([]int, error) {
	dates, ok := col.(*array.Date32)
	if !ok {
		return nil, fmt.Errorf("%w: session_date is %s, want date32", ErrSchema, col.DataType())
	}
	if dates.NullN() > 0 {
		return nil, fmt.Errorf("%w: session_date has %d nulls", ErrSchema, dates.NullN())
	}
	years := make([]int, dates.Len())
	for i, d := range dates.Date32Values() {
		years[i] = civilYear(int64(d))
	}
	return years, nil
}

// civilYear returns the proleptic Gregorian year of the day days after 1970-01-01
// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days).
func civilYear(days int64) int {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	if mp >= 10 { // January or February belong to the next civil year
		y++
	}
	return int(y)
}

// closeAll closes every open file, in year order.
func (t *tableWriter) closeAll() error {
	for _, y := range slices.Sorted(maps.Keys(t.open)) {
		if err := t.closeFile(y); err != nil {
			return err
		}
	}
	return nil
}

// abort closes and removes every file, open or closed.
func (t *tableWriter) abort() {
	for y, w := range t.open {
		w.abort()
		delete(t.open, y)
	}
	for _, f := range t.done {
		_ = os.Remove(f.path)
	}
	t.done = nil
}

// syncDirs syncs the directories the files were created in, and their parents up to the
// table's data directory, so that the files' names are durable before a commit names them.
func (t *tableWriter) syncDirs() error {
	for _, d := range slices.Sorted(maps.Keys(t.dirs)) {
		for dir := d; ; dir = filepath.Dir(dir) {
			if err := t.fs.syncDir(dir); err != nil {
				return err
			}
			if dir == filepath.Dir(t.dir) || dir == filepath.Dir(dir) {
				break
			}
		}
	}
	return nil
}
