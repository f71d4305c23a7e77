package lake

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"syscall"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAppendReadBack(t *testing.T) {
	l, mem := openTestLake(t)
	rng := rand.New(rand.NewPCG(1, 1))
	rows := randomRows(rng, 5000, 2019, 2021, 2024)
	c := appendBatch(t, l, "aa01", rows, 3)
	if c.Version != 1 || c.Counts.Accepted != 5000 || c.AddedRows != 5003 {
		t.Fatalf("commit = %+v", c)
	}
	snap, err := l.Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version != 1 || len(snap.SessionsFiles) != 3 || len(snap.QuarantineFiles) != 1 {
		t.Fatalf("snapshot = %+v", snap)
	}
	for _, p := range snap.SessionsFiles {
		if !strings.Contains(p, "session_date_year=20") {
			t.Errorf("file %s not in a year partition", p)
		}
	}
	got := readSessions(t, mem, snap.SessionsFiles)
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, wrote %d", len(got), len(rows))
	}
	slices.SortFunc(got, func(a, b readRow) int { return cmp.Compare(a.line, b.line) })
	for i, r := range rows {
		g := got[i]
		if g.client != r.client || g.date != days(r.date) || g.line != r.line || g.version != 1 {
			t.Fatalf("row %d: got %+v, want %+v", i, g, r)
		}
	}
	// The manifests record year(session_date) of each file as its partition.
	st, err := l.loadState(t.Context())
	must(t, err)
	files, err := planFiles(t.Context(), st.sessions, c.SessionsSnapshot)
	must(t, err)
	var years []string
	for _, f := range files {
		years = append(years, fmt.Sprint(f.Partition()[yearPartitionID]))
	}
	if want := []string{"49", "51", "54"}; !slices.Equal(years, want) { // years since 1970
		t.Errorf("partitions %v, want %v", years, want)
	}
	// Every file holds one year only, the year of its directory.
	for _, p := range snap.SessionsFiles {
		dir := filepath.Base(filepath.Dir(p))
		for _, r := range readSessions(t, mem, []string{p}) {
			if y := r.date.ToTime().Year(); !strings.HasSuffix(dir, "="+itoa(int64(y))) {
				t.Fatalf("row of %d in %s", y, p)
			}
		}
	}
}

func TestEmptyLake(t *testing.T) {
	l, _ := openTestLake(t)
	snap, err := l.Snapshot(t.Context(), 0)
	if err != nil || snap.Version != 0 || len(snap.SessionsFiles) != 0 {
		t.Fatalf("Snapshot = %+v, %v", snap, err)
	}
	_, err = l.Snapshot(t.Context(), 3)
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("Snapshot(3) error = %v", err)
	}
	log, err := l.Log(t.Context())
	if err != nil || len(log) != 0 {
		t.Fatalf("Log = %v, %v", log, err)
	}
	_ = time.Now
}

func TestLogVersions(t *testing.T) {
	l, _ := openTestLake(t)
	rng := rand.New(rand.NewPCG(2, 2))
	var want []*Commit
	for i, n := range []int{10, 0, 250, 7} {
		want = append(want, appendBatch(t, l, "sha"+itoa(int64(i)), randomRows(rng, n, 2020, 2023), i%2))
	}
	l2 := reopen(t, l)
	log, err := l2.Log(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != len(want) {
		t.Fatalf("log has %d versions, want %d", len(log), len(want))
	}
	for i, c := range log {
		w := want[i]
		if c.Version != int64(i+1) || c.Counts != w.Counts || c.Source != w.Source || !c.Time.Equal(testTime) ||
			c.SessionsSnapshot != w.SessionsSnapshot || c.QuarantineSnapshot != w.QuarantineSnapshot ||
			c.AddedRows != w.AddedRows || c.AddedFiles != w.AddedFiles || c.Operation != OpIngest {
			t.Errorf("version %d:\n got %+v\nwant %+v", i+1, c, *w)
		}
	}
	// Every version reads back with its own rows.
	var total int64
	for i, c := range log {
		snap, err := l2.Snapshot(t.Context(), c.Version)
		if err != nil {
			t.Fatal(err)
		}
		total += c.Counts.Accepted
		if n := int64(len(readSessions(t, l.mem, snap.SessionsFiles))); n != total {
			t.Errorf("version %d has %d rows, want %d", i+1, n, total)
		}
		if want := (i + 1) / 2; len(snap.QuarantineFiles) != want { // batches 2 and 4 have one row
			t.Errorf("version %d has %d quarantine files, want %d", i+1, len(snap.QuarantineFiles), want)
		}
	}
	if _, err := l2.Snapshot(t.Context(), 9); err == nil || !strings.Contains(err.Error(), "versions 1 to 4") {
		t.Errorf("Snapshot(9) error = %v", err)
	}
	st, err := l2.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != 4 || st.Tables[0].Rows != total || st.Tables[1].Rows != 2 {
		t.Errorf("status = %+v", st)
	}
}

func TestIngestedIdempotency(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	if _, ok, err := l.Ingested(ctx, "abc"); ok || err != nil {
		t.Fatalf("Ingested on empty lake = %v, %v", ok, err)
	}
	appendBatch(t, l, "abc", randomRows(rand.New(rand.NewPCG(3, 3)), 5, 2022), 0)
	appendBatch(t, l, "def", nil, 0)
	v, ok, err := l.Ingested(ctx, "abc")
	if !ok || v != 1 || err != nil {
		t.Fatalf("Ingested(abc) = %d, %v, %v", v, ok, err)
	}
	// The same source again is refused at commit, unless forced.
	a, err := l.NewAppend(ctx, Source{Name: "again.csv", SHA256: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Commit(ctx, Counts{})
	var already *AlreadyIngestedError
	if !errors.As(err, &already) || already.Version != 1 {
		t.Fatalf("Commit of a committed source: %v", err)
	}
	a.Abort()
	a, err = l.NewAppend(ctx, Source{Name: "again.csv", SHA256: "abc"}, Force())
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Commit(ctx, Counts{})
	if err != nil || !c.Force || c.Version != 3 {
		t.Fatalf("forced Commit = %+v, %v", c, err)
	}
	if v, _, _ := l.Ingested(ctx, "abc"); v != 3 {
		t.Fatalf("Ingested after force = %d, want 3", v)
	}
}

func TestInvariantNotCommitted(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rows := randomRows(rand.New(rand.NewPCG(4, 4)), 20, 2021)
	for _, tc := range []struct {
		name string
		c    Counts
	}{
		{"sum", Counts{Read: 25, Accepted: 20, Quarantined: 2, Excluded: 1, Violations: 2}},
		{"accepted differs from rows written", Counts{Read: 24, Accepted: 21, Quarantined: 2, Excluded: 1, Violations: 2}},
		{"violations differ from rows written", Counts{Read: 23, Accepted: 20, Quarantined: 2, Excluded: 1, Violations: 3}},
		{"negative", Counts{Read: 20, Accepted: 22, Quarantined: -2, Violations: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := l.NewAppend(ctx, Source{Name: "x.csv", SHA256: "x"})
			if err != nil {
				t.Fatal(err)
			}
			writeBatch(t, a, rows, 2, "x")
			if _, err := a.Commit(ctx, tc.c); !errors.Is(err, ErrInvariant) {
				t.Fatalf("Commit error = %v, want ErrInvariant", err)
			}
			if err := a.Abort(); err != nil {
				t.Fatal(err)
			}
			if log, _ := l.Log(ctx); len(log) != 0 {
				t.Fatalf("log after a failed invariant: %+v", log)
			}
			if n := countParquet(t, l.dir); n != 0 {
				t.Fatalf("%d data files left after Abort", n)
			}
		})
	}
}

func TestAbortRemovesFiles(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	appendBatch(t, l, "keep", randomRows(rand.New(rand.NewPCG(5, 5)), 100, 2020, 2021), 1)
	before := countParquet(t, l.dir)
	a, err := l.NewAppend(ctx, Source{SHA256: "drop"})
	if err != nil {
		t.Fatal(err)
	}
	writeBatch(t, a, randomRows(rand.New(rand.NewPCG(6, 6)), 3000, 2018, 2019, 2020), 4, "drop")
	if countParquet(t, l.dir) == before {
		t.Fatal("no files written before Commit")
	}
	for range 2 {
		if err := a.Abort(); err != nil {
			t.Fatal(err)
		}
	}
	if n := countParquet(t, l.dir); n != before {
		t.Fatalf("%d data files after Abort, want %d", n, before)
	}
	if err := a.WriteSessions(ctx, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteSessions after Abort: %v", err)
	}
	// Abort after Commit is a no-op.
	c := appendBatch(t, l, "after", randomRows(rand.New(rand.NewPCG(7, 7)), 10, 2022), 0)
	if c.Version != 2 {
		t.Fatalf("version %d, want 2", c.Version)
	}
	if problems, err := l.Verify(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("Verify = %v, %v", problems, err)
	}
}

func countParquet(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCloseAbortsOpenBatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	l, err := Open(t.Context(), dir, Options{})
	must(t, err)
	a, err := l.NewAppend(t.Context(), Source{SHA256: "open"})
	must(t, err)
	writeBatch(t, a, randomRows(rand.New(rand.NewPCG(15, 15)), 10, 2020), 0, "open")
	if err := l.Close(); err == nil || !strings.Contains(err.Error(), "still open") {
		t.Fatalf("Close = %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if n := countParquet(t, dir); n != 0 {
		t.Fatalf("%d data files after Close aborted the batch", n)
	}
	if _, err := l.Log(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Log after Close = %v", err)
	}
}

func TestWriteChecksSchema(t *testing.T) {
	l, mem := openTestLake(t)
	ctx := t.Context()
	a, err := l.NewAppend(ctx, Source{SHA256: "bad"})
	must(t, err)
	defer a.Abort()
	q := quarantineRecord(mem, 2, "bad", 1)
	defer q.Release()
	if err := a.WriteSessions(ctx, q); !errors.Is(err, ErrSchema) {
		t.Errorf("WriteSessions(quarantine record) = %v", err)
	}
	// Rows of another version.
	other := sessionsRecord(mem, randomRows(rand.New(rand.NewPCG(17, 17)), 3, 2020), "bad", 7)
	defer other.Release()
	if err := a.WriteSessions(ctx, other); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "commit_version 7") {
		t.Errorf("WriteSessions(commit_version 7) = %v", err)
	}
	// A required column with a null.
	rec := sessionsRecord(mem, randomRows(rand.New(rand.NewPCG(17, 17)), 3, 2020), "bad", 1)
	defer rec.Release()
	cols := slices.Clone(rec.Columns())
	b := array.NewStringBuilder(mem)
	b.AppendValues([]string{"x", "", "z"}, []bool{true, false, true})
	cols[0] = b.NewArray()
	b.Release()
	defer cols[0].Release()
	bad := array.NewRecordBatch(SessionsSchema(), cols, 3)
	defer bad.Release()
	if err := a.WriteSessions(ctx, bad); !errors.Is(err, ErrSchema) {
		t.Errorf("WriteSessions(null practitioner_key) = %v", err)
	}
}

// TestIcebergReadBack reads a version back through iceberg-go's own scanner, which maps the
// Parquet columns to the table schema by field id, as Spark or Trino would.
func TestIcebergReadBack(t *testing.T) {
	l, _ := openTestLake(t)
	rng := rand.New(rand.NewPCG(18, 18))
	appendBatch(t, l, "v1", randomRows(rng, 300, 2020, 2023), 2)
	c := appendBatch(t, l, "v2", randomRows(rng, 200, 2023, 2024), 0)
	st, err := l.loadState(t.Context())
	must(t, err)
	for _, tc := range []struct {
		tbl  *table.Table
		id   int64
		rows int64
	}{{st.sessions, c.SessionsSnapshot, 500}, {st.quarantine, c.QuarantineSnapshot, 2}} {
		tbl, err := tc.tbl.Scan(table.WithSnapshotID(tc.id)).ToArrowTable(t.Context())
		must(t, err)
		if tbl.NumRows() != tc.rows || tbl.NumCols() != int64(len(tc.tbl.Schema().Fields())) {
			t.Errorf("%s: %d rows, %d columns", tc.tbl.Identifier()[1], tbl.NumRows(), tbl.NumCols())
		}
		tbl.Release()
	}
	// A year filter prunes by partition.
	tasks, err := st.sessions.Scan(table.WithSnapshotID(c.SessionsSnapshot),
		table.WithRowFilter(iceberg.GreaterThanEqual(iceberg.Reference("session_date"), iceberg.Date(arrow.Date32FromTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))))).PlanFiles(t.Context())
	must(t, err)
	if len(tasks) != 1 || !strings.Contains(tasks[0].File.FilePath(), "session_date_year=2024") {
		t.Errorf("2024 filter planned %d files", len(tasks))
	}
}

// TestCommitHintFailure: when the version hint cannot be written after the commit point,
// the version is committed (and found without the hint), and the commit says so with a
// warning naming the hint's failure instead of reporting a plain success.
func TestCommitHintFailure(t *testing.T) {
	l, _ := openTestLake(t)
	var logs bytes.Buffer
	l.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	rows := []sessionRow{{client: "c1", date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), line: 2}}
	appendBatch(t, l, "a1", rows, 0)
	if strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("a commit whose hint was written warned:\n%s", logs.String())
	}
	fail := func(path string) error {
		if strings.HasSuffix(path, hintSuffix) {
			return syscall.ENOSPC
		}
		return nil
	}
	writeFaults.Store(&fail)
	c := appendBatch(t, l, "b2", rows, 0)
	writeFaults.Store(nil)
	if c.Version != 2 {
		t.Fatalf("committed version %d, want 2", c.Version)
	}
	out := logs.String()
	if !strings.Contains(out, `level=WARN msg="committed lake version, but its version hint (version-hint.text) was not updated`) ||
		!strings.Contains(out, "version=2") || !strings.Contains(out, "no space left on device") {
		t.Errorf("no warning naming the hint's failure:\n%s", out)
	}
	if s, err := reopen(t, l).Snapshot(t.Context(), 0); err != nil || s.Version != 2 {
		t.Errorf("reopened lake: version %v, %v; want 2", s, err)
	}
	// The next commit writes the hint again and does not repeat the warning.
	logs.Reset()
	appendBatch(t, l, "c3", rows, 0)
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("the next commit warned again:\n%s", logs.String())
	}
}
