package source_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cstoutcomes/outcomes/pipeline/source"
	"github.com/cstoutcomes/outcomes/pipeline/synth"
)

var benchRows = flag.Int("bench-rows", 1_000_000, "approximate rows of the generated CSV that BenchmarkCSV reads")

var (
	benchOnce sync.Once
	benchFile string
	benchErr  error
	benchN    int
)

// benchCSV generates the benchmark input once per process: a synthetic export of about
// -bench-rows rows (fixed seed and date), as `outcomes gen --format csv` writes it.
func benchCSV(b *testing.B) (string, int) {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "source-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchFile = filepath.Join(dir, "sessions.csv")
		cfg := synth.Config{Clients: *benchRows * 2 / 11, Seed: 1, Today: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		st, err := synth.WriteFile(context.Background(), benchFile, source.FormatCSV, cfg)
		benchN, benchErr = st.Rows, err
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFile, benchN
}

// BenchmarkCSV compares this package's reader with encoding/csv (ReuseRecord, the same
// buffer size) on the same generated file; both touch every field of every row.
func BenchmarkCSV(b *testing.B) {
	path, rows := benchCSV(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d rows, %d bytes (%.0f bytes/row)", path, rows, st.Size(), float64(st.Size())/float64(rows))
	readers := []struct {
		name string
		read func(path string) (int, int, error)
	}{
		{"source", readSource},
		{"encoding-csv", readEncodingCSV},
	}
	for _, rd := range readers {
		b.Run(rd.name, func(b *testing.B) {
			b.SetBytes(st.Size())
			b.ReportAllocs()
			for b.Loop() {
				n, _, err := rd.read(path)
				if err != nil || n != rows {
					b.Fatalf("%d rows, %v", n, err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func readSource(path string) (rows, bytes int, err error) {
	r, err := source.Open(path, source.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return rows, bytes, nil
		}
		if err != nil || rec.Err != nil {
			return rows, bytes, fmt.Errorf("%v %v", err, rec.Err)
		}
		for _, f := range rec.Fields {
			bytes += len(f)
		}
		rows++
	}
}

func readEncodingCSV(path string) (rows, bytes int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return 0, 0, err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, bytes, nil
		}
		if err != nil {
			return rows, bytes, err
		}
		for _, f := range rec {
			bytes += len(f)
		}
		rows++
	}
}
