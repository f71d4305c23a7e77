package lake

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// clientOf counts the rows of client in the live sessions files.
func clientRows(t *testing.T, l *Lake, version int64, client string) (n, total int) {
	t.Helper()
	snap, err := l.Snapshot(t.Context(), version)
	must(t, err)
	for _, r := range readSessions(t, l.mem, snap.SessionsFiles) {
		total++
		if r.client == client {
			n++
		}
	}
	return n, total
}

func TestForgetVacuum(t *testing.T) {
	l, _ := openTestLake(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3 {
		appendBatch(t, l, "sha"+string(rune('a'+i)), randomRows(rng, 2000, 2019, 2020, 2024), 3)
	}
	const victim = "c00007"
	before, total := clientRows(t, l, 0, victim)
	if before == 0 {
		t.Fatal("the test client has no rows")
	}
	res, err := l.Forget(t.Context(), victim, "consent withdrawn")
	must(t, err)
	if res.Commit.Version != 4 || res.Commit.RemovedRows != int64(before) || res.ExpiredVersions != 3 {
		t.Fatalf("forget: %+v %+v", res, res.Commit)
	}
	if n, tot := clientRows(t, l, 0, victim); n != 0 || tot != total-before {
		t.Fatalf("after forget: %d rows of the client, %d in all; want 0, %d", n, tot, total-before)
	}
	_, err = l.Snapshot(t.Context(), 2)
	var ee *ErasedError
	if !errors.As(err, &ee) || !errors.Is(err, ErrUnknownVersion) || ee.By != 4 {
		t.Fatalf("snapshot of an erased version: %v", err)
	}
	t.Log(err)
	log, err := l.Log(t.Context())
	must(t, err)
	if len(log) != 4 || !log[0].Expired || log[3].Expired || log[3].ForgetKeySHA256 != KeySHA256(victim) {
		t.Fatalf("log after forget: %+v", log)
	}
	if _, ok, _ := l.Ingested(t.Context(), "shab"); !ok {
		t.Fatal("an erased version's source is no longer known as ingested")
	}
	// Forgetting again finds nothing and says so.
	res, err = l.Forget(t.Context(), victim, "")
	must(t, err)
	if res.Commit != nil || res.AlreadyForgotten != 4 {
		t.Fatalf("second forget: %+v", res)
	}
	if _, err := l.Forget(t.Context(), "nobody", ""); !errors.Is(err, ErrNoSuchClient) {
		t.Fatalf("forget of an unknown key: %v", err)
	}
	vr, err := l.Vacuum(t.Context(), VacuumOptions{})
	must(t, err)
	if len(vr.Deleted) == 0 {
		t.Fatal("vacuum deleted nothing")
	}
	problems, err := l.Verify(t.Context())
	must(t, err)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// No file holds the client's rows or the key's bytes.
	must(t, filepath.WalkDir(l.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".parquet") {
			if strings.Contains(p, "/sessions/") {
				for _, r := range readSessions(t, l.mem, []string{p}) {
					if r.client == victim {
						t.Errorf("%s holds a row of the forgotten client", p)
					}
				}
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(victim)) {
			t.Errorf("%s holds the forgotten key", p)
		}
		return nil
	}))
	if n, tot := clientRows(t, reopen(t, l), 0, victim); n != 0 || tot != total-before {
		t.Fatalf("after vacuum: %d, %d", n, tot)
	}
}

// TestOpenUpgradesQuarantine opens a lake whose quarantine table was created before the
// client_key column and the metrics settings: Open adds both.
func TestOpenUpgradesQuarantine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	saved, savedProps := quarantineColumns, tableProperties
	quarantineColumns = quarantineColumns[:8]
	tableProperties = iceberg.Properties{}
	for k, v := range savedProps {
		if !strings.HasPrefix(k, table.MetricsModeColumnConfPrefix) {
			tableProperties[k] = v
		}
	}
	l, err := Open(t.Context(), dir, Options{})
	quarantineColumns, tableProperties = saved, savedProps
	must(t, err)
	must(t, l.Close())
	l, err = Open(t.Context(), dir, Options{})
	must(t, err)
	defer l.Close()
	q, err := l.load(t.Context(), quarantineIdent)
	must(t, err)
	f, ok := q.Schema().FindFieldByName("client_key")
	if !ok || f.ID != 9 || f.Required {
		t.Fatalf("quarantine client_key after the upgrade: %+v %v", f, ok)
	}
	if q.Properties()[table.MetricsModeColumnConfPrefix+".client_key"] != "counts" {
		t.Fatalf("properties after the upgrade: %v", q.Properties())
	}
	rng := rand.New(rand.NewPCG(3, 4))
	appendBatch(t, l, "after-upgrade", randomRows(rng, 10, 2020), 2)
}

// viewOf returns the rows the sessions view shows at a version: natural key → (version,
// line, sha).
func viewOf(t *testing.T, l *Lake, version int64) (map[string]rank, int) {
	t.Helper()
	snap, err := l.Snapshot(t.Context(), version)
	must(t, err)
	w, err := l.winners(t.Context(), snap.SessionsFiles)
	must(t, err)
	for k, r := range w {
		r.at = rowID{}
		w[k] = r
	}
	return w, len(snap.SessionsFiles) + len(snap.QuarantineFiles)
}

func TestCompact(t *testing.T) {
	l, _ := openTestLake(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 6 {
		appendBatch(t, l, fmt.Sprint("sha", i), randomRows(rng, 500, 2019, 2020, 2024), 2)
	}
	before, files := viewOf(t, l, 0)
	st0, err := l.Status(t.Context())
	must(t, err)
	res, err := l.Compact(t.Context(), CompactOptions{})
	must(t, err)
	if res.Commit == nil || res.Superseded == 0 || res.FilesAfter >= files || res.FilesBefore != files {
		t.Fatalf("compact: %+v", res)
	}
	after, files2 := viewOf(t, l, 0)
	if !maps.Equal(before, after) {
		t.Fatalf("the sessions view changed: %d keys before, %d after", len(before), len(after))
	}
	if files2 != res.FilesAfter || files2 != 4 { // one per year, one quarantine file
		t.Fatalf("%d files after compact, result says %d", files2, res.FilesAfter)
	}
	st, err := l.Status(t.Context())
	must(t, err)
	if st.Tables[0].Rows != int64(len(after)) || st.Tables[1].Rows != st0.Tables[1].Rows {
		t.Fatalf("after compact: %+v; want %d sessions rows, %d quarantine rows", st.Tables, len(after), st0.Tables[1].Rows)
	}
	if c := res.Commit; c.RemovedRows != res.Superseded || c.Rows != st.Tables[0].Rows || c.Violations != st.Tables[1].Rows {
		t.Fatalf("compact commit %+v", c)
	}
	// The version before is still readable and unchanged.
	if old, _ := viewOf(t, l, 6); !maps.Equal(old, before) {
		t.Fatal("version 6 changed")
	}
	problems, err := l.Verify(t.Context())
	must(t, err)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// Nothing left to do: no commit.
	res, err = l.Compact(t.Context(), CompactOptions{})
	must(t, err)
	if res.Commit != nil {
		t.Fatalf("second compact committed version %d", res.Commit.Version)
	}
}

func TestVerifyDeep(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(8, 9))
	for i := range 4 {
		appendBatch(t, l, fmt.Sprint("deep", i), randomRows(rng, 800, 2020, 2022), 3)
	}
	check := func(when string) {
		t.Helper()
		problems, err := l.VerifyDeep(ctx)
		must(t, err)
		if len(problems) > 0 {
			t.Fatalf("%s: %v", when, problems)
		}
	}
	check("after ingest")
	_, err := l.Compact(ctx, CompactOptions{})
	must(t, err)
	check("after compact")
	_, err = l.Forget(ctx, "c00003", "test")
	must(t, err)
	check("after forget")
	appendBatch(t, l, "deep-after", randomRows(rng, 100, 2021), 1)
	check("after another ingest")

	// Bytes zeroed in the middle of a data file: the pages no longer decode.
	snap, err := l.Snapshot(ctx, 0)
	must(t, err)
	victim := snap.SessionsFiles[0]
	data, err := os.ReadFile(victim)
	must(t, err)
	clear(data[len(data)/3 : len(data)/3+256])
	must(t, os.WriteFile(victim, data, 0o644))
	problems, err := l.VerifyDeep(ctx)
	must(t, err)
	text := fmt.Sprint(problems)
	if !strings.Contains(text, "sha256") || !strings.Contains(text, "decode") {
		t.Fatalf("deep verify of a damaged file: %s", text)
	}
	t.Log(text)
}

func TestDiff(t *testing.T) {
	l, _ := openTestLake(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(10, 11))
	appendBatch(t, l, "d1", randomRows(rng, 300, 2020), 0)
	appendBatch(t, l, "d2", randomRows(rng, 300, 2021), 0)
	v1, _ := viewOf(t, l, 1)
	v2, _ := viewOf(t, l, 2)
	var added, superseded int
	for k, r := range v2 {
		if old, ok := v1[k]; !ok {
			added++
		} else if old != r {
			superseded++
		}
	}
	d, err := l.Diff(ctx, 1, 2)
	must(t, err)
	if len(d.Added) != added || len(d.Superseded) != superseded || len(d.Removed) != 0 || added == 0 || superseded == 0 {
		t.Fatalf("diff 1 2: %d added, %d superseded, %d removed; want %d, %d, 0",
			len(d.Added), len(d.Superseded), len(d.Removed), added, superseded)
	}
	var victim string
	for k := range v2 {
		victim = parseKey(k).ClientKey
		break
	}
	_, err = l.Forget(ctx, victim, "")
	must(t, err)
	appendBatch(t, l, "d4", randomRows(rng, 10, 2022), 0)
	d, err = l.Diff(ctx, 3, 0)
	must(t, err)
	if d.To != 4 || len(d.Removed) != 0 || len(d.Added) == 0 {
		t.Fatalf("diff 3 4: %+v", d)
	}
	for _, k := range d.Added {
		if k.ClientKey == victim {
			t.Fatal("diff shows the forgotten client")
		}
	}
	// Versions before the forget cannot be compared: they were erased.
	if _, err := l.Diff(ctx, 1, 3); !errors.Is(err, ErrErased) {
		t.Fatalf("diff of an erased version: %v", err)
	}
	if d, err = l.Diff(ctx, 4, 4); err != nil || len(d.Added)+len(d.Removed)+len(d.Superseded) != 0 {
		t.Fatalf("diff of a version with itself: %+v %v", d, err)
	}
}

// TestFullDisk fails the nth write of an ingest, a compact and a forget with ENOSPC, for
// every n until the operation succeeds, and checks each time that the error says so, that the
// lake still verifies (deep) and reads as before, and that the operation then succeeds.
func TestFullDisk(t *testing.T) {
	// The Go allocator: arrow-go's Parquet writer does not release its buffers when a write
	// fails midway (the garbage collector does), which the checked allocator would flag.
	l, err := Open(t.Context(), filepath.Join(t.TempDir(), "lake"), Options{Now: func() time.Time { return testTime }})
	must(t, err)
	defer l.Close()
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(20, 21))
	for i := range 3 {
		appendBatch(t, l, fmt.Sprint("disk", i), randomRows(rng, 400, 2020, 2023), 2)
	}
	var victim string
	ops := []struct {
		name string
		run  func() error
	}{
		{"ingest", func() error {
			a, err := l.NewAppend(ctx, Source{Name: "more.csv", SHA256: "more", Format: "csv", SchemaVersion: 1})
			if err != nil {
				return err
			}
			defer a.Abort()
			rows := randomRows(rand.New(rand.NewPCG(1, 1)), 300, 2021, 2024)
			for chunk := range slices.Chunk(rows, 100) {
				rec := sessionsRecord(l.mem, chunk, "more", a.Version())
				err := a.WriteSessions(ctx, rec)
				rec.Release()
				if err != nil {
					return err
				}
			}
			rec := quarantineRecord(l.mem, 2, "more", a.Version())
			err = a.WriteQuarantine(ctx, rec)
			rec.Release()
			if err != nil {
				return err
			}
			_, err = a.Commit(ctx, Counts{Read: 302, Accepted: 300, Quarantined: 2, Violations: 2})
			return err
		}},
		{"compact", func() error { _, err := l.Compact(ctx, CompactOptions{}); return err }},
		{"forget", func() error { _, err := l.Forget(ctx, victim, "disk test"); return err }},
	}
	for _, op := range ops {
		if op.name == "forget" {
			w, _ := viewOf(t, l, 0)
			for k := range w {
				victim = parseKey(k).ClientKey
				break
			}
		}
		for n := 1; ; n += 1 + n/10*(1-boolInt(*diskAll)) {
			before, _ := viewOf(t, l, 0)
			log0, err := l.Log(ctx)
			must(t, err)
			writes := 0
			fail := func(string) error {
				writes++
				if writes == n {
					return syscall.ENOSPC
				}
				return nil
			}
			writeFaults.Store(&fail)
			err = op.run()
			writeFaults.Store(nil)
			if err == nil {
				t.Logf("%s: succeeded with write %d failing: it makes fewer writes", op.name, n)
				break
			}
			if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left on device") {
				t.Fatalf("%s, write %d failing: error %v does not say the disk is full", op.name, n, err)
			}
			problems, verr := l.VerifyDeep(ctx)
			must(t, verr)
			if len(problems) > 0 {
				t.Fatalf("%s, write %d failing (%v): the lake does not verify: %v", op.name, n, err, problems)
			}
			log1, err := l.Log(ctx)
			must(t, err)
			after, _ := viewOf(t, l, 0)
			if len(log1) != len(log0) || !maps.Equal(before, after) {
				// A failure after the commit point (the forget's expiry) keeps the commit.
				if op.name != "forget" || len(log1) != len(log0)+1 {
					t.Fatalf("%s, write %d failing: %d versions (was %d), view changed: %v", op.name, n, len(log1), len(log0), !maps.Equal(before, after))
				}
			}
			if n > 200 {
				t.Fatalf("%s: still failing after %d writes", op.name, n)
			}
		}
	}
	problems, err := l.VerifyDeep(ctx)
	must(t, err)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
}

var diskAll = flag.Bool("lake.disk-all", false, "TestFullDisk: fail every write in turn (default: a spread of them)")

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRewriteCrashWindows stops forget and compact at the windows of the protocol: between the
// quarantine and the sessions commit, and (forget) between the commit and the expiry of the
// older snapshots. Readers must see the version before (or, after the commit point, the
// erasure, with the older versions refused), the lake must verify, and the next writer must
// repair and finish.
func TestRewriteCrashWindows(t *testing.T) {
	ctx := t.Context()
	setup := func(t *testing.T) (*Lake, string) {
		l, _ := openTestLake(t)
		rng := rand.New(rand.NewPCG(30, 31))
		for i := range 3 {
			appendBatch(t, l, fmt.Sprint("w", i), randomRows(rng, 300, 2020, 2021), 3)
		}
		w, _ := viewOf(t, l, 0)
		var victim string
		for k := range w {
			victim = parseKey(k).ClientKey
			break
		}
		return l, victim
	}
	deep := func(t *testing.T, l *Lake) {
		t.Helper()
		problems, err := l.VerifyDeep(ctx)
		must(t, err)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
	}
	crash := errors.New("crash")
	for _, op := range []string{"forget", "compact"} {
		t.Run(op+"/between the table commits", func(t *testing.T) {
			l, victim := setup(t)
			before, _ := viewOf(t, l, 0)
			l.hooks.afterQuarantine = func() error { return crash }
			var err error
			if op == "forget" {
				_, err = l.Forget(ctx, victim, "")
			} else {
				_, err = l.Compact(ctx, CompactOptions{})
			}
			if !errors.Is(err, crash) {
				t.Fatalf("%s with a crash between the commits: %v", op, err)
			}
			l2 := reopen(t, l) // the next process
			if now, _ := viewOf(t, l2, 0); !maps.Equal(now, before) {
				t.Fatal("readers see a half-committed rewrite")
			}
			log, err := l2.Log(ctx)
			must(t, err)
			if len(log) != 3 {
				t.Fatalf("%d versions after the crash", len(log))
			}
			deep(t, l2)
			if op == "forget" {
				_, err = l2.Forget(ctx, victim, "")
			} else {
				_, err = l2.Compact(ctx, CompactOptions{})
			}
			must(t, err)
			deep(t, l2)
			if _, err := l2.Vacuum(ctx, VacuumOptions{}); err != nil {
				t.Fatal(err)
			}
			deep(t, l2)
		})
	}
	t.Run("forget/between the commit and the expiry", func(t *testing.T) {
		l, victim := setup(t)
		commits := 0
		l.hooks.commitTable = func(ident table.Identifier) error {
			// The test client has no quarantine rows: the sessions commit, then the expiry.
			if commits++; commits == 2 {
				return crash
			}
			return nil
		}
		_, err := l.Forget(ctx, victim, "")
		if !errors.Is(err, crash) || !strings.Contains(err.Error(), "run lake vacuum") {
			t.Fatalf("forget with a crash before the expiry: %v", err)
		}
		l2 := reopen(t, l)
		if st, err := l2.loadState(ctx); err != nil || len(st.history) != 0 || len(st.versions) != 4 {
			t.Fatalf("the expiry happened after all: %v", err)
		}
		if _, err := l2.Snapshot(ctx, 2); !errors.Is(err, ErrErased) {
			t.Fatalf("a version before the forget is readable before the expiry: %v", err)
		}
		if n, _ := clientRows(t, l2, 0, victim); n != 0 {
			t.Fatal("the client is still in the latest version")
		}
		deep(t, l2)
		res, err := l2.Vacuum(ctx, VacuumOptions{})
		must(t, err)
		if len(res.ExpiredVersions) != 3 {
			t.Fatalf("vacuum did not finish the expiry: %+v", res)
		}
		deep(t, l2)
		log, err := l2.Log(ctx)
		must(t, err)
		if len(log) != 4 || !log[2].Expired || log[3].Operation != OpForget {
			t.Fatalf("log: %+v", log)
		}
	})
}

// TestVacuumStopped stops vacuum after each number of deletions in turn (as a crash would):
// every time the lake verifies deep and reads the same, and the next vacuum finishes.
func TestVacuumStopped(t *testing.T) {
	ctx := t.Context()
	for stopAt := 1; ; stopAt += 6 {
		l, _ := openTestLake(t)
		tick := 0
		l.now = func() time.Time { tick++; return testTime.Add(time.Duration(tick) * time.Minute) }
		rng := rand.New(rand.NewPCG(40, 41))
		for i := range 3 {
			appendBatch(t, l, fmt.Sprint("vac", i), randomRows(rng, 300, 2020, 2021), 2)
		}
		_, err := l.Compact(ctx, CompactOptions{})
		must(t, err)
		before, _ := viewOf(t, l, 0)
		deleted := 0
		stop := errors.New("stop")
		l.hooks.vacuumDelete = func(string) error {
			if deleted++; deleted == stopAt {
				return stop
			}
			return nil
		}
		_, err = l.Vacuum(ctx, VacuumOptions{Retain: time.Nanosecond})
		l.hooks.vacuumDelete = nil
		l2 := reopen(t, l)
		l2.now = l.now
		problems, verr := l2.VerifyDeep(ctx)
		must(t, verr)
		if after, _ := viewOf(t, l2, 0); len(problems) > 0 || !maps.Equal(before, after) {
			t.Fatalf("vacuum stopped at deletion %d: %v; view unchanged: %v", stopAt, problems, maps.Equal(before, after))
		}
		_, err2 := l2.Vacuum(ctx, VacuumOptions{Retain: time.Nanosecond})
		must(t, err2)
		problems, verr = l2.VerifyDeep(ctx)
		must(t, verr)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		if err == nil {
			t.Logf("vacuum makes %d deletions; stopped after each of 1, 7, 13, ... before", deleted)
			if deleted < 20 {
				t.Fatalf("vacuum deleted only %d files: did it expire the versions before the compact?", deleted)
			}
			break
		}
	}
}

// boundsWith returns the manifest entries (any status) of every snapshot of both tables
// whose lower or upper bound of a column holds prefix.
func boundsWith(t *testing.T, l *Lake, prefix string) []string {
	t.Helper()
	var out []string
	for _, ident := range []table.Identifier{sessionsIdent, quarantineIdent} {
		tbl, err := l.load(t.Context(), ident)
		must(t, err)
		for _, s := range tbl.Metadata().Snapshots() {
			mfs, err := s.Manifests(l.fs)
			must(t, err)
			for _, mf := range mfs {
				entries, err := mf.FetchEntries(l.fs, false)
				must(t, err)
				for _, e := range entries {
					for _, m := range []map[int][]byte{e.DataFile().LowerBoundValues(), e.DataFile().UpperBoundValues()} {
						for id, b := range m {
							if strings.Contains(string(b), prefix) {
								out = append(out, fmt.Sprintf("%s field %d (%v)", mf.FilePath(), id, e.Status()))
							}
						}
					}
				}
			}
		}
	}
	return out
}

// TestForgetLegacyBounds forgets a client in a lake created before client_key bounds were
// turned off: after forget and vacuum, no manifest may hold a bound with the key's prefix.
func TestForgetLegacyBounds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	savedProps := tableProperties
	tableProperties = iceberg.Properties{}
	for k, v := range savedProps {
		if !strings.HasPrefix(k, table.MetricsModeColumnConfPrefix) {
			tableProperties[k] = v
		}
	}
	l, err := Open(t.Context(), dir, Options{})
	tableProperties = savedProps
	must(t, err)
	rng := rand.New(rand.NewPCG(50, 51))
	for i := range 3 {
		appendBatch(t, l, fmt.Sprint("legacy", i), randomRows(rng, 200, 2020, 2021), 0)
	}
	must(t, l.Close())
	// The victim: the lowest client key of a file, so that it is a lower bound.
	l, err = Open(t.Context(), dir, Options{})
	must(t, err)
	defer l.Close()
	w, _ := viewOf(t, l, 0)
	victim := ""
	for k := range w {
		if c := parseKey(k).ClientKey; victim == "" || c < victim {
			victim = c
		}
	}
	if len(boundsWith(t, l, victim)) == 0 {
		t.Fatal("the legacy lake records no client_key bounds: the test tests nothing")
	}
	_, err = l.Forget(t.Context(), victim, "")
	must(t, err)
	_, err = l.Vacuum(t.Context(), VacuumOptions{})
	must(t, err)
	if b := boundsWith(t, l, victim); len(b) > 0 {
		t.Fatalf("after forget and vacuum the manifests still hold bounds with the key:\n%s", strings.Join(b, "\n"))
	}
	problems, err := l.VerifyDeep(t.Context())
	must(t, err)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
}

// TestForgetLegacyBoundsWholeFile is TestForgetLegacyBounds with the client's rows alone in a
// file: forget removes the file and adds none, leaving a single manifest to rewrite.
func TestForgetLegacyBoundsWholeFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	savedProps := tableProperties
	tableProperties = iceberg.Properties{}
	for k, v := range savedProps {
		if !strings.HasPrefix(k, table.MetricsModeColumnConfPrefix) {
			tableProperties[k] = v
		}
	}
	l, err := Open(t.Context(), dir, Options{})
	tableProperties = savedProps
	must(t, err)
	rows := randomRows(rand.New(rand.NewPCG(60, 61)), 100, 2020)
	for i := range 5 {
		rows = append(rows, sessionRow{client: "victim", date: time.Date(2019, 3, 1+i, 0, 0, 0, 0, time.UTC), line: int64(200 + i)})
	}
	appendBatch(t, l, "one", rows, 0)
	must(t, l.Close())
	l, err = Open(t.Context(), dir, Options{})
	must(t, err)
	defer l.Close()
	if len(boundsWith(t, l, "victim")) == 0 {
		t.Fatal("no bounds recorded")
	}
	res, err := l.Forget(t.Context(), "victim", "")
	must(t, err)
	if res.Commit.AddedFiles != 0 {
		t.Fatalf("forget added %d files; the test wants none", res.Commit.AddedFiles)
	}
	_, err = l.Vacuum(t.Context(), VacuumOptions{})
	must(t, err)
	if b := boundsWith(t, l, "victim"); len(b) > 0 {
		t.Fatalf("after forget and vacuum the manifests still hold bounds with the key:\n%s", strings.Join(b, "\n"))
	}
}
