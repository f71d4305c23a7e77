package lake_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/cstoutcomes/outcomes/pipeline/lake"
)

// An ingest opens the lake, appends a batch with the lineage column commit_version set to
// the batch's version, and commits it with its counts; readers then list the files of a
// version for DuckDB.
func Example() {
	dir, err := os.MkdirTemp("", "lake-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	l, err := lake.Open(ctx, filepath.Join(dir, "lake"), lake.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	src := lake.Source{Name: "visits.csv", SHA256: "9f86d081884c7d65", Format: "csv", SchemaVersion: 1}
	if _, done, _ := l.Ingested(ctx, src.SHA256); done {
		return
	}
	a, err := l.NewAppend(ctx, src) // the caller holds state/lock
	if err != nil {
		log.Fatal(err)
	}
	defer a.Abort() // removes the files unless the batch committed

	rec := oneSession(a.Version())
	defer rec.Release()
	if err := a.WriteSessions(ctx, rec); err != nil {
		log.Fatal(err)
	}
	c, err := a.Commit(ctx, lake.Counts{Read: 2, Accepted: 1, Excluded: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("version %d: %s, %d read, %d accepted, %d excluded\n",
		c.Version, c.Source.Name, c.Counts.Read, c.Counts.Accepted, c.Counts.Excluded)

	snap, err := l.Snapshot(ctx, c.Version)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range snap.SessionsFiles {
		rel, _ := filepath.Rel(dir, filepath.Dir(f))
		fmt.Println(rel)
	}
	problems, err := l.Verify(ctx)
	fmt.Println("problems:", len(problems), err)
	// Output:
	// version 1: visits.csv, 2 read, 1 accepted, 1 excluded
	// lake/warehouse/cst/sessions/data/session_date_year=2024
	// problems: 0 <nil>
}

// oneSession builds a one-row sessions record: required columns set, optional ones null.
func oneSession(version int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, lake.SessionsSchema())
	defer b.Release()
	for i, f := range lake.SessionsSchema().Fields() {
		fb := b.Field(i)
		switch f.Name {
		case "practitioner_key", "client_key":
			fb.(*array.StringBuilder).Append("3f2a9c0e1b7d4a6f8e5c2b1a0d9f8e7c")
		case "session_date":
			fb.(*array.Date32Builder).Append(arrow.Date32(19800)) // 2024-03-18
		case "session_number", "schema_version":
			fb.(*array.Int32Builder).Append(1)
		case "modality":
			fb.(*array.StringBuilder).Append("CST")
		case "presenting_complaint":
			fb.(*array.StringBuilder).Append("headache")
		case "adverse_event":
			fb.(*array.StringBuilder).Append("none")
		case "source_sha256":
			fb.(*array.StringBuilder).Append("9f86d081884c7d65")
		case "source_line":
			fb.(*array.Int64Builder).Append(2)
		case "commit_version":
			fb.(*array.Int64Builder).Append(version)
		default:
			fb.AppendNull()
		}
	}
	return b.NewRecordBatch()
}
