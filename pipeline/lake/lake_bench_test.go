package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchRows is the size of the benchmark batch; the ingest's target is 1M rows.
const benchRows = 1 << 20

// benchBatchRows is the ingest's Arrow batch size.
const benchBatchRows = 1 << 16

// benchRecords builds n realistic sessions rows in records of benchBatchRows rows, from a fixed seed:
// 32-hex keys (300 practitioners, n/8 clients), dates over five years (sorted by date when
// sorted is set, else in client order, so years interleave), integer scores with ties and
// missing values, a few adverse events.
func benchRecords(mem memory.Allocator, n int, sorted bool) []arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(42, 42))
	key := func(kind string, i int) string {
		h := sha256.Sum256([]byte(fmt.Sprint(kind, i)))
		return hex.EncodeToString(h[:16])
	}
	practitioners := make([]string, 300)
	for i := range practitioners {
		practitioners[i] = key("p", i)
	}
	type row struct {
		client, practitioner int
		date                 int32
		number               int32
	}
	rows := make([]row, 0, n)
	start := int32(arrow.Date32FromTime(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)))
	for c := 0; len(rows) < n; c++ {
		p := rng.IntN(len(practitioners))
		d := start + int32(rng.IntN(5*365))
		for s := range 1 + rng.IntN(12) {
			if len(rows) == n {
				break
			}
			rows = append(rows, row{c, p, d + int32(7*s), int32(s + 1)})
		}
	}
	if sorted {
		slices.SortFunc(rows, func(a, b row) int { return int(a.date - b.date) })
	}
	clients := map[int]string{}
	complaints := []string{"headache", "migraine", "back_pain", "neck_pain", "anxiety", "stress", "sleep", "fatigue", "tmj", "other"}
	var out []arrow.RecordBatch
	b := array.NewRecordBuilder(mem, SessionsSchema())
	defer b.Release()
	opt := func(fb array.Builder, ok bool, v int32) {
		if ok {
			fb.(*array.Int32Builder).Append(v)
		} else {
			fb.AppendNull()
		}
	}
	for i, r := range rows {
		ck, ok := clients[r.client]
		if !ok {
			ck = key("c", r.client)
			clients[r.client] = ck
		}
		f := func(j int) array.Builder { return b.Field(j) }
		f(0).(*array.StringBuilder).Append(practitioners[r.practitioner])
		f(1).(*array.StringBuilder).Append(ck)
		f(2).(*array.Date32Builder).Append(arrow.Date32(r.date))
		f(3).(*array.Int32Builder).Append(r.number)
		f(4).(*array.StringBuilder).Append([]string{"CST", "SER", "CST+SER"}[r.client%3])
		f(5).(*array.StringBuilder).Append(complaints[r.client%len(complaints)])
		f(6).(*array.StringBuilder).Append([]string{"18-29", "30-44", "45-64", "65+"}[r.client%4])
		f(7).(*array.StringBuilder).Append([]string{"female", "male"}[r.client%2])
		pain := int32(3 + rng.IntN(8))
		opt(f(8), rng.IntN(10) > 0, pain)
		opt(f(9), rng.IntN(10) > 0, max(0, pain-int32(rng.IntN(4))))
		opt(f(10), rng.IntN(3) > 0, int32(rng.IntN(11)))
		if rng.IntN(3) > 0 {
			f(11).(*array.Float64Builder).Append(float64(8+rng.IntN(14)) / 2)
		} else {
			f(11).AppendNull()
		}
		opt(f(12), rng.IntN(4) == 0, int32(rng.IntN(29)))
		opt(f(13), rng.IntN(4) == 0, int32(36+2*rng.IntN(20)))
		for j := 14; j < 18; j++ {
			opt(f(j), rng.IntN(2) == 0, int32(rng.IntN(7)))
		}
		if rng.IntN(2) == 0 {
			f(18).(*array.Float64Builder).Append(float64(rng.IntN(25)) / 4)
		} else {
			f(18).AppendNull()
		}
		if rng.IntN(200) == 0 {
			f(19).(*array.StringBuilder).Append("mild")
			f(20).(*array.StringBuilder).Append("soreness")
		} else {
			f(19).(*array.StringBuilder).Append("none")
			f(20).AppendNull()
		}
		f(21).(*array.Int32Builder).Append(1)
		f(22).(*array.StringBuilder).Append("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
		f(23).(*array.Int64Builder).Append(int64(i + 2))
		f(24).(*array.Int64Builder).Append(1)
		if b.Field(0).Len() == benchBatchRows || i == len(rows)-1 {
			out = append(out, b.NewRecordBatch())
		}
	}
	return out
}

// BenchmarkWriteSessions measures WriteSessions + Commit of a 1M-row batch under Parquet
// settings, with rows in client order (a client's sessions together, years interleaved) and
// in date order, reporting rows/s, bytes/row, CPU time per row and the peak live heap. Run
// with
//
//	go test ./pipeline/lake/ -run '^$' -bench WriteSessions -benchtime 3x
func BenchmarkWriteSessions(b *testing.B) {
	def := DefaultWriterOptions()
	with := func(f func(*WriterOptions)) WriterOptions {
		o := def
		o.Dictionary = slices.Clone(def.Dictionary)
		f(&o)
		return o
	}
	opts := []struct {
		name string
		opt  WriterOptions
	}{
		{"default", def},
		{"zstd3", with(func(o *WriterOptions) { o.ZstdLevel = 3 })},
		{"no-dictionary", with(func(o *WriterOptions) { o.Dictionary = nil })},
		{"dictionary+enums", with(func(o *WriterOptions) {
			o.Dictionary = append(o.Dictionary, "modality", "presenting_complaint", "age_band", "sex", "adverse_event", "adverse_event_type")
		})},
		{"dictionary+enums-client_key", with(func(o *WriterOptions) {
			o.Dictionary = append(o.Dictionary, "modality", "presenting_complaint", "age_band", "sex", "adverse_event", "adverse_event_type")
			o.Dictionary = slices.DeleteFunc(o.Dictionary, func(s string) bool { return s == "client_key" })
		})},
		{"dictionary-all-columns", with(func(o *WriterOptions) {
			for _, f := range SessionsSchema().Fields() {
				o.Dictionary = append(o.Dictionary, f.Name)
			}
		})},
		{"page-256KiB", with(func(o *WriterOptions) { o.PageSize = 256 << 10 })},
		{"page-1MiB", with(func(o *WriterOptions) { o.PageSize = 1 << 20 })},
		{"rowgroup-1Mi", with(func(o *WriterOptions) { o.RowGroupRows = 1 << 20 })},
	}
	type benchCase struct {
		name   string
		opt    WriterOptions
		sorted bool
	}
	var cases []benchCase
	for _, o := range opts {
		cases = append(cases, benchCase{o.name + "/client-order", o.opt, false}, benchCase{o.name + "/date-order", o.opt, true})
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			recs := benchRecords(memory.DefaultAllocator, benchRows, tc.sorted)
			defer func() {
				for _, r := range recs {
					r.Release()
				}
			}()
			l, err := Open(b.Context(), filepath.Join(b.TempDir(), "lake"), Options{Writer: tc.opt})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			b.ReportAllocs()
			var bytes int64
			peak := heapSampler()
			cpu0 := cpuTime()
			i := 0
			for b.Loop() {
				i++
				a, err := l.NewAppend(b.Context(), Source{SHA256: fmt.Sprint(i)})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range recs {
					r = withVersion(r, a.Version())
					err := a.WriteSessions(b.Context(), r)
					r.Release()
					if err != nil {
						b.Fatal(err)
					}
				}
				c, err := a.Commit(b.Context(), Counts{Read: benchRows, Accepted: benchRows})
				if err != nil {
					b.Fatal(err)
				}
				bytes = c.AddedBytes
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(bytes)/benchRows, "bytes/row")
			// CPU time is steadier than wall time on a shared machine.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/benchRows, "cpu-ns/row")
			// The live heap (as of each GC) above what it was before the loop, which holds the input.
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
		})
	}
}

// cpuTime returns the process's user + system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// heapSampler samples the live heap (as the last GC measured it) every 5 ms until the returned func is called, which
// returns the peak above the heap at the start.
func heapSampler() func() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > base && v-base > peak.Load() {
					peak.Store(v - base)
				}
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

// withVersion returns rec with commit_version set to version.
func withVersion(rec arrow.RecordBatch, version int64) arrow.RecordBatch {
	vals := make([]int64, rec.NumRows())
	for i := range vals {
		vals[i] = version
	}
	col := array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, len(vals),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))}, nil, 0, 0))
	defer col.Release()
	cols := slices.Clone(rec.Columns())
	cols[len(cols)-1] = col
	return array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())
}
