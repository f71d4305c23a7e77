package lake

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

var testTime = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

// openTestLake opens a lake in a fresh directory with a checked allocator that must be
// empty when the test ends.
func openTestLake(t testing.TB) (*Lake, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	l, err := Open(t.Context(), filepath.Join(t.TempDir(), "lake"), Options{Now: func() time.Time { return testTime }, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	return l, mem
}

func reopen(t testing.TB, l *Lake) *Lake {
	t.Helper()
	l2, err := Open(t.Context(), l.Dir(), Options{Now: func() time.Time { return testTime }, Allocator: l.mem})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l2.Close() })
	return l2
}

// sessionRow is the part of a sessions row the tests vary.
type sessionRow struct {
	client string
	date   time.Time
	line   int64
}

func days(t time.Time) arrow.Date32 { return arrow.Date32FromTime(t) }

// sessionsRecord builds a sessions record of rows, with version as commit_version.
func sessionsRecord(mem memory.Allocator, rows []sessionRow, sha string, version int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, SessionsSchema())
	defer b.Release()
	for i, r := range rows {
		for j, f := range SessionsSchema().Fields() {
			fb := b.Field(j)
			switch f.Name {
			case "practitioner_key":
				fb.(*array.StringBuilder).Append(fmt.Sprintf("p%02d", i%7))
			case "client_key":
				fb.(*array.StringBuilder).Append(r.client)
			case "session_date":
				fb.(*array.Date32Builder).Append(days(r.date))
			case "session_number":
				fb.(*array.Int32Builder).Append(int32(i%12 + 1))
			case "modality":
				fb.(*array.StringBuilder).Append([]string{"CST", "SER", "CST+SER"}[i%3])
			case "presenting_complaint":
				fb.(*array.StringBuilder).Append("headache")
			case "adverse_event":
				fb.(*array.StringBuilder).Append("none")
			case "source_sha256":
				fb.(*array.StringBuilder).Append(sha)
			case "source_line":
				fb.(*array.Int64Builder).Append(r.line)
			case "commit_version":
				fb.(*array.Int64Builder).Append(version)
			case "schema_version":
				fb.(*array.Int32Builder).Append(1)
			case "pain_before", "pain_after":
				fb.(*array.Int32Builder).Append(int32(i % 11))
			case "sleep_hours", "mymop_profile":
				if i%4 == 0 {
					fb.AppendNull()
				} else {
					fb.(*array.Float64Builder).Append(float64(i%24) / 2)
				}
			default:
				fb.AppendNull()
			}
		}
	}
	return b.NewRecordBatch()
}

func quarantineRecord(mem memory.Allocator, n int, sha string, version int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, QuarantineSchema())
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.StringBuilder).Append("visits.csv")
		b.Field(1).(*array.StringBuilder).Append(sha)
		b.Field(2).(*array.Int64Builder).Append(int64(i + 2))
		b.Field(3).(*array.StringBuilder).Append("pain_after")
		b.Field(4).(*array.StringBuilder).Append("range")
		b.Field(5).(*array.StringBuilder).Append("pain_after is 11; allowed: 0..10")
		b.Field(6).(*array.StringBuilder).Append("11")
		b.Field(7).(*array.Int64Builder).Append(version)
		b.Field(8).AppendNull()
	}
	return b.NewRecordBatch()
}

// randomRows returns n rows with dates spread over years, from a seeded source.
func randomRows(rng *rand.Rand, n int, years ...int) []sessionRow {
	rows := make([]sessionRow, n)
	for i := range rows {
		y := years[rng.IntN(len(years))]
		d := time.Date(y, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		rows[i] = sessionRow{client: fmt.Sprintf("c%05d", rng.IntN(1000)), date: d, line: int64(i + 2)}
	}
	return rows
}

// batch appends one batch of sessions rows and quarantine rows and commits it.
func appendBatch(t testing.TB, l *Lake, sha string, rows []sessionRow, nq int) *Commit {
	t.Helper()
	ctx := t.Context()
	a, err := l.NewAppend(ctx, Source{Name: sha + ".csv", SHA256: sha, Format: "csv", SchemaVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Abort()
	writeBatch(t, a, rows, nq, sha)
	c, err := a.Commit(ctx, Counts{Read: int64(len(rows) + nq + 1), Accepted: int64(len(rows)), Quarantined: int64(nq), Excluded: 1, Violations: int64(nq)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeBatch(t testing.TB, a *Append, rows []sessionRow, nq int, sha string) {
	t.Helper()
	ctx := context.Background()
	for chunk := range slices.Chunk(rows, 1000) {
		rec := sessionsRecord(a.l.mem, chunk, sha, a.Version())
		err := a.WriteSessions(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if nq > 0 {
		rec := quarantineRecord(a.l.mem, nq, sha, a.Version())
		err := a.WriteQuarantine(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// readFiles reads Parquet files with pqarrow and returns (client_key, session_date, year of
// the file's partition directory) per row, plus the total.
type readRow struct {
	client  string
	date    arrow.Date32
	line    int64
	version int64
}

func readSessions(t testing.TB, mem memory.Allocator, paths []string) []readRow {
	t.Helper()
	var out []readRow
	for _, p := range paths {
		rdr, err := file.OpenParquetFile(p, false, file.WithReadProps(nil))
		if err != nil {
			t.Fatal(err)
		}
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 4096}, mem)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		tr := array.NewTableReader(tbl, 4096)
		for tr.Next() {
			rec := tr.RecordBatch()
			cl := rec.Column(1).(*array.String)
			dt := rec.Column(2).(*array.Date32)
			ln := rec.Column(23).(*array.Int64)
			cv := rec.Column(24).(*array.Int64)
			for i := range int(rec.NumRows()) {
				out = append(out, readRow{cl.Value(i), dt.Value(i), ln.Value(i), cv.Value(i)})
			}
		}
		tr.Release()
		tbl.Release()
		rdr.Close()
	}
	return out
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
